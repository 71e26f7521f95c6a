import { Dec, ZERO, fixedText, toFixedHalfUp } from './money.js';

/**
 * Non-negative decimals in the arithmetic of the spec (allocation-rules §1.1: 34 significant
 * digits, every result rounded half-up, decimal, never binary floating point), for the
 * assessment's hot loops: each department's leaf means, leaf scores and running sums in every
 * period (about 270,000 operations in a 200-department year).
 *
 * A value is an integer coefficient in base-10^7 words, least significant first, times 10^e, with
 * e a multiple of 7 — decimal.js's own digits on its own word boundaries (its words, in the other
 * order), without decimal.js's generality or BigInt's. Every word operation is on whole numbers
 * below 2^53, which a double holds exactly, and every quotient ⌊t / d⌋ of such a t by d ≤ 10^7 is
 * Math.floor of the double quotient, which is exact: t / d is an integer or at least 1/d from the
 * next one, while the division's rounding error is at most (t / d) · 2^-53 < 1/d. An operation
 * works its exact result out in one reused buffer of 32-bit words and rounds it there; plus(),
 * times() and divInt() then allocate the value they return, while an Accumulator takes it in
 * place — and add() works a sum out in the accumulator's own words, without the buffer. Each gives the value decimal.js gives (the exact result, correctly rounded to 34
 * significant digits half-up); a property test (test/unit/words34.test.ts) checks each against
 * decimal.js.
 */
export interface Words34 {
  /** The coefficient's base-10^7 words, least significant first, in w[0, length), with no zero word on top or at the bottom; none is zero. */
  readonly w: readonly number[];
  /** How many of w's words the value has (an accumulator's w has room for more). */
  readonly length: number;
  /** The exponent of the coefficient's last digit: a multiple of 7 (a word boundary). */
  readonly e: number;
  /** The coefficient's digits, from its first to the end of its last word (0 for zero). */
  readonly n: number;
}

const BASE = 10_000_000;
/** The significant digits every result is rounded to (allocation-rules §1.1). */
export const PRECISION = 34;
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];
const ZERO_WORDS: Words34 = { w: [], length: 0, e: 0, n: 0 };

/**
 * The exact results' words, reused by every operation (the engine is single-threaded and no
 * operation calls another while it holds it). Words are below 10^7, so 32-bit integers hold
 * them, and a sum of two with a carry; products and long division work in doubles and store words.
 */
let buffer = new Int32Array(64);
function scratch(length: number): Int32Array {
  if (buffer.length <= length) buffer = new Int32Array(2 * length + 1);
  // a loop: for the few words an operation takes, cheaper than a call to fill; and one word more,
  // which rounding up may carry into
  for (let i = 0; i <= length; i++) buffer[i] = 0;
  return buffer;
}

/** A non-negative Decimal's value, read from its words (no string, no BigInt). */
export function fromDec(x: Dec): Words34 {
  const { d, e, s } = x as unknown as { d: number[]; e: number; s: number };
  if (s < 0 && d[0] !== 0) throw new RangeError('words34: a negative value (attainments, points and scores are ≥ 0)');
  if (!d[0]) return ZERO_WORDS;
  // decimal.js's words are aligned on the decimal point: the last word's last digit has exponent 7·(⌊e/7⌋ − (length − 1))
  // read as it is: a Decimal made from text may hold more than 34 digits, which the first operation rounds
  const e0 = 7 * (Math.floor(e / 7) - (d.length - 1));
  let low = 0;
  while (d[d.length - 1 - low] === 0) low++;
  const w = new Array<number>(d.length - low);
  for (let i = low; i < d.length; i++) w[i - low] = d[d.length - 1 - i]!;
  // its own allocation, not settledValue()'s: values read and kept are not the operations' short-lived results
  return { w, length: w.length, e: e0 + 7 * low, n: 7 * (d.length - 1 - low) + wordDigits(d[0]!) };
}

/** The value as a Decimal. */
export function toDec(x: Words34): Dec {
  if (x.n === 0) return ZERO;
  return new Dec(`${digitsOf(x.w, x.length)}e${x.e}`);
}

/** a + b, rounded to 34 significant digits, half-up. */
export function plus(a: Words34, b: Words34): Words34 {
  if (a.n === 0) return rounded(b);
  if (b.n === 0) return rounded(a);
  // a term wholly below the other's 36th digit cannot reach its rounding digit: the sum rounds to the other
  const topA = a.e + a.n;
  const topB = b.e + b.n;
  if (a.n <= PRECISION && topB <= topA - 36) return a;
  if (b.n <= PRECISION && topA <= topB - 36) return b;
  const low = Math.min(a.e, b.e);
  const length = Math.max(wordsAbove(a, low), wordsAbove(b, low)) + 1;
  const s = scratch(length);
  addWords(s, a, low);
  addWords(s, b, low);
  settle(s, length, low);
  return settledValue(s);
}

/**
 * A value kept in place (a running sum, a leaf's mean or score): acc ← acc + x, acc ← a × b,
 * acc ← a ÷ n, each rounded to 34 significant digits half-up exactly as plus(), times() and
 * divInt() round, without a new value per step. An accumulator is itself a Words34 (its value
 * is w[0, length)), so it can be read wherever one is — but only until it next changes: plus()
 * and divInt(x, 1) may return their argument itself, so a value meant to outlive the accumulator
 * is copied (copyOf).
 */
export interface Accumulator extends Words34 {
  /** Room for 34 digits on word boundaries and a carry. */
  readonly w: number[];
  length: number;
  e: number;
  n: number;
}

export function accumulator(): Accumulator {
  return { w: [0, 0, 0, 0, 0, 0, 0, 0], length: 0, e: 0, n: 0 };
}

/** acc ← 0. */
export function clear(acc: Accumulator): void {
  acc.length = 0;
  acc.e = 0;
  acc.n = 0;
}

/** acc ← acc + x, rounded as plus(acc, x) is, in acc's own words (no copy through the buffer). */
export function add(acc: Accumulator, x: Words34): void {
  if (x.n === 0) return;
  if (acc.n === 0) {
    // 0 + x is x rounded (most often it has 34 significant digits, and zeros to its word's end)
    if (hasPrecision(x)) store(acc, x);
    else storeSettled(acc, settledCopy(x));
    return;
  }
  const topA = acc.e + acc.n;
  const topX = x.e + x.n;
  // acc never holds more than 34 significant digits: the cases of plus() where the sum is one of its terms
  if (topX <= topA - 36) return;
  if (x.n <= PRECISION && topA <= topX - 36) {
    store(acc, x);
    return;
  }
  if (acc.e > x.e) lower(acc, x.e);
  addInPlace(acc, x);
}

/** acc's words moved up so that its exponent is e (< acc.e, a word boundary): the same value, with zero words at the bottom. */
function lower(acc: Accumulator, e: number): void {
  const w = acc.w;
  const d = (acc.e - e) / 7;
  const length = acc.length;
  // room first, word by word, so that the array never has a hole
  while (w.length < length + d) w.push(0);
  for (let k = length - 1; k >= 0; k--) w[k + d] = w[k]!;
  for (let k = 0; k < d; k++) w[k] = 0;
  acc.length = length + d;
  acc.e = e;
}

/**
 * acc ← acc + x rounded, for x not below acc's last word (acc.e ≤ x.e): x's words add to acc's own
 * from word (x.e − acc.e) / 7 up, and the sum is rounded and trimmed where it is, as settle() does
 * in the buffer. x may be acc itself: each word is read before it is written.
 */
function addInPlace(acc: Accumulator, x: Words34): void {
  const w = acc.w;
  const xw = x.w;
  const xLength = x.length;
  let length = acc.length;
  let j = (x.e - acc.e) / 7;
  const end = j + xLength;
  while (length < end) w[length++] = 0;
  let carry = 0;
  for (let i = 0; i < xLength; i++, j++) {
    const t = w[j]! + xw[i]! + carry;
    carry = t >= BASE ? 1 : 0;
    w[j] = t - carry * BASE;
  }
  for (; carry !== 0; j++) {
    if (j === length) {
      w[length++] = 1;
      break;
    }
    const t = w[j]! + 1;
    carry = t >= BASE ? 1 : 0;
    w[j] = t - carry * BASE;
  }
  // the top word is not zero: acc's or x's top word, or a carry above them
  const digits = 7 * (length - 1) + wordDigits(w[length - 1]!);
  if (digits > PRECISION) {
    // as settle() rounds: the `drop` digits at the bottom become zeros, then + 10^drop when the first of them is 5 or more
    const drop = digits - PRECISION;
    const at = drop - 1;
    const up = digitAt(w[Math.floor(at / 7)]!, at % 7) >= 5;
    const skip = Math.floor(drop / 7);
    const r = drop - 7 * skip;
    for (let k = 0; k < skip; k++) w[k] = 0;
    const unit = POW10[r]!;
    if (r > 0) w[skip] = w[skip]! - (w[skip]! % unit);
    if (up) {
      let k = skip;
      let t = w[k]! + unit;
      while (t >= BASE) {
        w[k] = t - BASE;
        k++;
        if (k === length) {
          w[length++] = 0;
        }
        t = w[k]! + 1;
      }
      w[k] = t;
    }
  }
  // without its zero words at the bottom
  let low = 0;
  while (w[low] === 0) low++;
  if (low > 0) {
    for (let k = low; k < length; k++) w[k - low] = w[k]!;
    length -= low;
    acc.e += 7 * low;
  }
  acc.length = length;
  acc.n = 7 * (length - 1) + wordDigits(w[length - 1]!);
}

/** out ← a × b, rounded as times(a, b) is (out may be b). */
export function timesInto(out: Accumulator, a: Words34, b: Words34): void {
  if (a.n === 0 || b.n === 0) {
    clear(out);
    return;
  }
  multiply(a, b);
  storeSettled(out, buffer);
}

/** out ← a ÷ n, rounded as divInt(a, n) is (out may be a). */
export function divIntInto(out: Accumulator, a: Words34, n: number): void {
  checkDivisor(n);
  if (n === 1 || a.n === 0) {
    if (out !== a) store(out, rounded(a));
    return;
  }
  divide(a, n);
  storeSettled(out, buffer);
}

/** The value, as a new Words34 of its own. */
export function copyOf(acc: Words34): Words34 {
  if (acc.n === 0) return ZERO_WORDS;
  const w = new Array<number>(acc.length);
  for (let i = 0; i < acc.length; i++) w[i] = acc.w[i]!;
  return { w, length: acc.length, e: acc.e, n: acc.n };
}

/** acc ← x (x has at most 34 significant digits). */
function store(acc: Accumulator, x: Words34): void {
  const w = acc.w;
  const xw = x.w;
  for (let i = 0; i < x.length; i++) w[i] = xw[i]!;
  acc.length = x.length;
  acc.e = x.e;
  acc.n = x.n;
}

/** acc ← settle()'s result in s. */
function storeSettled(acc: Accumulator, s: Int32Array): void {
  const words = settledTop - settledLow;
  const w = acc.w;
  for (let i = 0; i < words; i++) w[i] = s[settledLow + i]!;
  acc.length = words;
  acc.e = settledE;
  acc.n = settledN;
}

/** a × b, rounded to 34 significant digits, half-up. */
export function times(a: Words34, b: Words34): Words34 {
  if (a.n === 0 || b.n === 0) return ZERO_WORDS;
  multiply(a, b);
  return settledValue(buffer);
}

/** a ÷ n for a whole n from 1 to 10^7 (a count of periods), rounded to 34 significant digits, half-up. */
export function divInt(a: Words34, n: number): Words34 {
  checkDivisor(n);
  if (n === 1 || a.n === 0) return rounded(a);
  divide(a, n);
  return settledValue(buffer);
}

function checkDivisor(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > BASE) throw new RangeError(`words34: divisor ${n} is not a whole number from 1 to 10^7`);
}

/** The exact a × b (both non-zero) in the buffer, settled (rounded). */
function multiply(a: Words34, b: Words34): void {
  const x = a.w;
  const y = b.w;
  const xl = a.length;
  const yl = b.length;
  const s = scratch(xl + yl);
  for (let i = 0; i < xl; i++) {
    let carry = 0;
    const xi = x[i]!;
    for (let j = 0; j < yl; j++) {
      // < 10^7 + 10^14 + 10^7: exact
      const t = s[i + j]! + xi * y[j]! + carry;
      carry = Math.floor(t / BASE);
      s[i + j] = t - carry * BASE;
    }
    s[i + yl] = carry;
  }
  settle(s, xl + yl, a.e + b.e);
}

/** a ÷ n (a non-zero, 2 ≤ n ≤ 10^7) in the buffer, settled (rounded). */
function divide(a: Words34, n: number): void {
  // scaled so that the floored quotient has at least 35 digits: its digits are the exact
  // quotient's, so rounding it at the 34th looks at the exact quotient's 35th, as half-up needs
  // (a whole number of words, so that the quotient stays on word boundaries as every value does)
  const shift = 7 * Math.ceil(Math.max(0, PRECISION + 1 - a.n + wordDigits(n)) / 7);
  const length = wordsAbove(a, a.e - shift);
  const s = scratch(length);
  addWords(s, a, a.e - shift);
  let rem = 0;
  for (let i = length - 1; i >= 0; i--) {
    // rem < n ≤ 10^7, so t < 10^14 + 10^7 < 2^53: exact, and so is ⌊t / n⌋ (see below)
    const t = rem * BASE + s[i]!;
    const q = Math.floor(t / n);
    rem = t - q * n;
    s[i] = q;
  }
  settle(s, length, a.e - shift);
}

/** x half-up to dp decimals (1 ≤ dp ≤ 6), as text: what toFixedHalfUp gives for the Decimal of the same value. */
export function format(x: Words34, dp: number): string {
  if (x.n === 0) return fixedText(1, 0, dp);
  const shift = x.e + dp;
  // a value with at most dp decimals (a whole attainment, a short score) needs no rounding: its
  // units of 10^-dp are the coefficient times 10^shift, a whole number of at most 15 digits here: exact
  if (shift >= 0) {
    if (x.n + shift > 15) return toFixedHalfUp(toDec(x), dp);
    let units = 0;
    for (let i = x.length - 1; i >= 0; i--) units = units * BASE + x.w[i]!;
    for (let k = shift; k > 0; k -= 7) units *= POW10[Math.min(7, k)]!;
    return fixedText(1, units, dp);
  }
  // units of 10^-dp: the coefficient without its last `drop` digits, up by one when the first of them is 5 or more
  const drop = -shift;
  const kept = x.n - drop;
  if (kept < 0) return fixedText(1, 0, dp);
  if (kept > 15) return toFixedHalfUp(toDec(x), dp);
  const w = x.w;
  const at = drop - 1;
  const up = digitAt(w[Math.floor(at / 7)]!, at % 7) >= 5 ? 1 : 0;
  if (kept === 0) return fixedText(1, up, dp);
  const boundary = Math.floor(drop / 7);
  const r = drop % 7;
  // every partial value has at most `kept` ≤ 15 digits: exact
  let units = 0;
  for (let i = x.length - 1; i > boundary; i--) units = units * BASE + w[i]!;
  units = units * POW10[7 - r]! + Math.floor(w[boundary]! / POW10[r]!);
  return fixedText(1, units + up, dp);
}

// ---------------------------------------------------------------- words

/** x itself when it has at most 34 significant digits (hasPrecision), else x rounded. */
function rounded(x: Words34): Words34 {
  return hasPrecision(x) ? x : settledValue(settledCopy(x));
}

/**
 * Whether x has at most 34 significant digits, so that rounding leaves it as it is: n counts the
 * digits to the end of its last word, which ends in zeros when x's last digit is not a word's last
 * (a 34-digit quotient of decimal.js's, read by fromDec, has 35 to 40).
 */
function hasPrecision(x: Words34): boolean {
  if (x.n <= PRECISION) return true;
  // the last word is not zero, so it ends in at most six zeros
  let last = x.w[0]!;
  let significant = x.n;
  while (last % 10 === 0) {
    last /= 10;
    significant--;
  }
  return significant <= PRECISION;
}

/** x copied into the buffer and settled (rounded) there. */
function settledCopy(x: Words34): Int32Array {
  const s = scratch(x.length);
  for (let i = 0; i < x.length; i++) s[i] = x.w[i]!;
  settle(s, x.length, x.e);
  return s;
}

/** Words x takes counted from the word of exponent low (≤ x.e, on a word boundary), with one for a carry. */
function wordsAbove(x: Words34, low: number): number {
  return (x.e - low) / 7 + x.length + 1;
}

/**
 * s += x's coefficient × 10^(x.e − low), low ≤ x.e: every value is on a word boundary, so x's words
 * add to s's from word (x.e − low) / 7 up, with a carry of 0 or 1. s must have room (wordsAbove).
 */
function addWords(s: Int32Array, x: Words34, low: number): void {
  const w = x.w;
  let carry = 0;
  let j = (x.e - low) / 7;
  for (let i = 0; i < x.length; i++, j++) {
    const t = w[i]! + s[j]! + carry;
    carry = t >= BASE ? 1 : 0;
    s[j] = t - carry * BASE;
  }
  while (carry !== 0) {
    const t = s[j]! + carry;
    carry = t >= BASE ? 1 : 0;
    s[j] = t - carry * BASE;
    j++;
  }
}

/** Where settle() leaves the rounded value: s[settledLow, settledTop) × 10^settledE, of settledN digits (0: zero). */
let settledLow = 0;
let settledTop = 0;
let settledE = 0;
let settledN = 0;

/** settle()'s result in s, as a new Words34: made at its size, as small integers (every word is below 10^7). */
function settledValue(s: Int32Array): Words34 {
  if (settledN === 0) return ZERO_WORDS;
  const length = settledTop - settledLow;
  const w = new Array<number>(length);
  for (let i = 0; i < length; i++) w[i] = s[settledLow + i]!;
  return { w, length, e: settledE, n: settledN };
}

/**
 * Rounds s[0, length) × 10^e to 34 significant digits half-up in s, and says where the result is
 * (settled*), without its zero words. The digits below the 34th become zeros where they are,
 * rather than the coefficient being shifted down: e stays where it was, on a word boundary for
 * every value made here (decimal.js's words, which fromDec reads, are on word boundaries, and
 * sums, products and divInt's quotients keep them there), so that sums add word to word. A
 * value's coefficient may so end in up to six zero digits; n counts them.
 */
function settle(s: Int32Array, length: number, e: number): void {
  let top = length;
  while (top > 0 && s[top - 1] === 0) top--;
  if (top === 0) {
    settledLow = settledTop = settledE = settledN = 0;
    return;
  }
  const digits = 7 * (top - 1) + wordDigits(s[top - 1]!);
  if (digits > PRECISION) {
    const drop = digits - PRECISION;
    const at = drop - 1;
    const up = digitAt(s[Math.floor(at / 7)]!, at % 7) >= 5;
    // the `drop` digits at the bottom become zeros: whole words, then the last r digits of word `skip`
    const skip = Math.floor(drop / 7);
    const r = drop - 7 * skip;
    for (let j = 0; j < skip; j++) s[j] = 0;
    const unit = POW10[r]!;
    if (r > 0) s[skip] = s[skip]! - (s[skip]! % unit);
    if (up) {
      // + 10^drop, carried up; a carry out of the top word makes the value 10^34 (scratch left room for it)
      let j = skip;
      let t = s[j]! + unit;
      while (t >= BASE) {
        s[j] = t - BASE;
        j++;
        t = s[j]! + 1;
      }
      s[j] = t;
      if (j === top) top++;
    }
  }
  trimmed(s, top, e);
}

/** settle()'s result s[0, top) × 10^e (s[top − 1] ≠ 0), without its zero words at the bottom. */
function trimmed(s: Int32Array, top: number, e: number): void {
  let low = 0;
  while (s[low] === 0) low++;
  settledLow = low;
  settledTop = top;
  settledE = e + 7 * low;
  settledN = 7 * (top - 1 - low) + wordDigits(s[top - 1]!);
}

/** The digit of a word (< 10^7) at position k (0: its last). */
function digitAt(word: number, k: number): number {
  // whole numbers below 2^31: integer division and remainder
  return ((word / POW10[k]!) | 0) % 10;
}

/** Decimal digits of a whole number from 1 to 10^7. */
function wordDigits(x: number): number {
  return x < 10_000 ? (x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : 4) : x < 1_000_000 ? (x < 100_000 ? 5 : 6) : x < BASE ? 7 : 8;
}

/** The coefficient's digits, without leading zeros ("0" for zero). */
function digitsOf(w: readonly number[], length: number): string {
  if (length === 0) return '0';
  let s = String(w[length - 1]);
  for (let i = length - 2; i >= 0; i--) {
    const word = String(w[i]);
    s += '0000000'.slice(word.length) + word;
  }
  return s;
}
