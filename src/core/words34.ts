import { Dec, ZERO, fixedText, toFixedHalfUp } from './money.js';

/**
 * Non-negative decimals in the arithmetic of the spec (allocation-rules §1.1: 34 significant
 * digits, every result rounded half-up, decimal, never binary floating point), for the
 * assessment's hot loops: each department's leaf means, leaf scores and running sums in every
 * period (about 270,000 operations in a 200-department year).
 *
 * A value is an integer coefficient in base-10^7 words, least significant first, times 10^e —
 * decimal.js's own digits (its words, in the other order), without decimal.js's generality or
 * BigInt's. Every word operation is on integers below 2^53, which a double holds exactly, and
 * every quotient ⌊t / d⌋ of such a t by d ≤ 10^7 is Math.floor of the double quotient, which is
 * exact: t / d is an integer or at least 1/d from the next one, while the division's rounding
 * error is at most (t / d) · 2^-53 < 1/d. An operation works its exact result out in
 * one reused buffer and allocates only the rounded value it returns. Each gives the value
 * decimal.js gives (the exact result, correctly rounded to 34 significant digits half-up); a
 * property test (test/unit/words34.test.ts) checks each against decimal.js.
 */
export interface Words34 {
  /** The coefficient's base-10^7 words, least significant first, with no zero word on top or at the bottom; [] is zero. */
  readonly w: readonly number[];
  /** The exponent of the coefficient's last digit. */
  readonly e: number;
  /** The coefficient's digits (0 for zero). */
  readonly n: number;
}

const BASE = 10_000_000;
const PRECISION = 34;
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];
const ZERO_WORDS: Words34 = { w: [], e: 0, n: 0 };

/** The exact results' words, reused by every operation (the engine is single-threaded and no operation calls another while it holds it). */
let buffer = new Float64Array(64);
function scratch(length: number): Float64Array {
  if (buffer.length < length) buffer = new Float64Array(2 * length);
  buffer.fill(0, 0, length);
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
  // its own allocation, not copied()'s: values read and kept are not the operations' short-lived results
  return { w, e: e0 + 7 * low, n: 7 * (d.length - 1 - low) + wordDigits(d[0]!) };
}

/** The value as a Decimal. */
export function toDec(x: Words34): Dec {
  if (x.n === 0) return ZERO;
  return new Dec(`${digitsOf(x.w)}e${x.e}`);
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
  const length = Math.max(wordsAfterShift(a, a.e - low), wordsAfterShift(b, b.e - low)) + 1;
  const s = scratch(length);
  addShifted(s, a, a.e - low);
  addShifted(s, b, b.e - low);
  return made(s, length, low);
}

/** a × b, rounded to 34 significant digits, half-up. */
export function times(a: Words34, b: Words34): Words34 {
  if (a.n === 0 || b.n === 0) return ZERO_WORDS;
  const x = a.w;
  const y = b.w;
  const s = scratch(x.length + y.length);
  for (let i = 0; i < x.length; i++) {
    let carry = 0;
    const xi = x[i]!;
    for (let j = 0; j < y.length; j++) {
      // < 10^7 + 10^14 + 10^7: exact
      const t = s[i + j]! + xi * y[j]! + carry;
      carry = Math.floor(t / BASE);
      s[i + j] = t - carry * BASE;
    }
    s[i + y.length] = carry;
  }
  return made(s, x.length + y.length, a.e + b.e);
}

/** a ÷ n for a whole n from 1 to 10^7 (a count of periods), rounded to 34 significant digits, half-up. */
export function divInt(a: Words34, n: number): Words34 {
  if (!Number.isInteger(n) || n < 1 || n > BASE) throw new RangeError(`words34: divisor ${n} is not a whole number from 1 to 10^7`);
  if (n === 1 || a.n === 0) return rounded(a);
  // scaled so that the floored quotient has at least 35 digits: its digits are the exact
  // quotient's, so rounding it at the 34th looks at the exact quotient's 35th, as half-up needs
  const shift = Math.max(0, PRECISION + 1 - a.n + wordDigits(n));
  const length = wordsAfterShift(a, shift);
  const s = scratch(length);
  addShifted(s, a, shift);
  let rem = 0;
  for (let i = length - 1; i >= 0; i--) {
    // rem < n ≤ 10^7, so t < 10^14 + 10^7 < 2^53: exact, and so is ⌊t / n⌋ (see below)
    const t = rem * BASE + s[i]!;
    const q = Math.floor(t / n);
    rem = t - q * n;
    s[i] = q;
  }
  return made(s, length, a.e - shift);
}

/** x half-up to dp decimals (1 ≤ dp ≤ 6), as text: what toFixedHalfUp gives for the Decimal of the same value. */
export function format(x: Words34, dp: number): string {
  if (x.n === 0) return fixedText(1, 0, dp);
  const shift = x.e + dp;
  // a value with at most dp decimals (a whole attainment, a short score) needs no rounding: money.ts spells it
  if (shift >= 0) return toFixedHalfUp(toDec(x), dp);
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
  for (let i = w.length - 1; i > boundary; i--) units = units * BASE + w[i]!;
  units = units * POW10[7 - r]! + Math.floor(w[boundary]! / POW10[r]!);
  return fixedText(1, units + up, dp);
}

// ---------------------------------------------------------------- words

/** x itself when it has at most 34 digits (every value the engine makes), else rounded. */
function rounded(x: Words34): Words34 {
  if (x.n <= PRECISION) return x;
  const s = scratch(x.w.length);
  for (let i = 0; i < x.w.length; i++) s[i] = x.w[i]!;
  return made(s, x.w.length, x.e);
}

/** Words x × 10^k takes, with one for a carry. */
function wordsAfterShift(x: Words34, k: number): number {
  return Math.floor(k / 7) + x.w.length + 1;
}

/** s += x × 10^k (k ≥ 0): k / 7 words up, then times 10^(k mod 7). s must have room (wordsAfterShift). */
function addShifted(s: Float64Array, x: Words34, k: number): void {
  const words = Math.floor(k / 7);
  const factor = POW10[k % 7]!;
  const w = x.w;
  let carry = 0;
  let j = words;
  for (let i = 0; i < w.length; i++, j++) {
    // < 10^7 · 10^6 + 10^7 + 10^7: exact
    const t = w[i]! * factor + s[j]! + carry;
    carry = Math.floor(t / BASE);
    s[j] = t - carry * BASE;
  }
  while (carry !== 0) {
    const t = s[j]! + carry;
    carry = t >= BASE ? 1 : 0;
    s[j] = t - carry * BASE;
    j++;
  }
}

/** The value s[0, length) × 10^e, rounded to 34 significant digits half-up, as a new Words34. s is changed. */
function made(s: Float64Array, length: number, e: number): Words34 {
  let top = length;
  while (top > 0 && s[top - 1] === 0) top--;
  if (top === 0) return ZERO_WORDS;
  const digits = 7 * (top - 1) + wordDigits(s[top - 1]!);
  if (digits <= PRECISION) return copied(s, top, e);
  const drop = digits - PRECISION;
  const at = drop - 1;
  const up = digitAt(s[Math.floor(at / 7)]!, at % 7) >= 5;
  // s ← ⌊s / 10^drop⌋ in place, from the bottom: word j takes its digits from words j + skip and j + skip + 1
  const skip = Math.floor(drop / 7);
  const r = drop % 7;
  const kept = top - skip;
  if (r === 0) {
    for (let j = 0; j < kept; j++) s[j] = s[j + skip]!;
  } else {
    const divisor = POW10[r]!;
    const factor = POW10[7 - r]!;
    for (let j = 0; j < kept; j++) {
      const next = j + skip + 1 < top ? s[j + skip + 1]! : 0;
      s[j] = Math.floor(s[j + skip]! / divisor) + (next - Math.floor(next / divisor) * divisor) * factor;
    }
  }
  let length2 = kept;
  while (length2 > 0 && s[length2 - 1] === 0) length2--;
  if (up) {
    let j = 0;
    while (j < length2 && s[j] === BASE - 1) s[j++] = 0;
    if (j === length2) s[length2++] = 1;
    else s[j] = s[j]! + 1;
    // 999…9 rounded up is 10^34: one digit more, all zeros but the first
    if (7 * (length2 - 1) + wordDigits(s[length2 - 1]!) > PRECISION) return { w: [1], e: e + drop + PRECISION, n: 1 };
  }
  return copied(s, length2, e + drop);
}

/** s[0, top) × 10^e without its zero words at the bottom (s[top − 1] ≠ 0), as a new Words34. */
function copied(s: Float64Array, top: number, e: number): Words34 {
  let low = 0;
  while (s[low] === 0) low++;
  // made at its size, as small integers (every word is below 10^7)
  const w = new Array<number>(top - low);
  for (let i = low; i < top; i++) w[i - low] = s[i]! | 0;
  return { w, e: e + 7 * low, n: 7 * (top - 1 - low) + wordDigits(s[top - 1]!) };
}

/** The digit of a word (< 10^7) at position k (0: its last). */
function digitAt(word: number, k: number): number {
  const q = Math.floor(word / POW10[k]!);
  return q - Math.floor(q / 10) * 10;
}

/** Decimal digits of a whole number from 1 to 10^7. */
function wordDigits(x: number): number {
  return x < 10_000 ? (x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : 4) : x < 1_000_000 ? (x < 100_000 ? 5 : 6) : x < BASE ? 7 : 8;
}

/** The coefficient's digits, without leading zeros ("0" for zero). */
function digitsOf(w: readonly number[]): string {
  if (w.length === 0) return '0';
  let s = String(w[w.length - 1]);
  for (let i = w.length - 2; i >= 0; i--) {
    const word = String(w[i]);
    s += '0000000'.slice(word.length) + word;
  }
  return s;
}
