import DecimalJs from 'decimal.js';

/**
 * The one Decimal of the engine: 34 significant digits, every operation rounded half-up
 * (allocation-rules §1.1). Nothing in src/core uses another.
 */
export const Dec = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

export const ZERO = new Dec(0);
export const ONE = new Dec(1);
export const HUNDRED = new Dec(100);

/** money(x): x rounded half-up (四舍五入) to 0.01 yuan. */
export function money(x: Dec): Dec {
  return x.toDecimalPlaces(2, Dec.ROUND_HALF_UP);
}

/** decimal.js's internal representation (sign, exponent of the first digit, base-10^7 words). */
interface Internals {
  s: number;
  e: number;
  d: number[];
}

/**
 * a.cmp(b) for finite values — the same comparison as decimal.js's, read from both values'
 * digits without first copying b into a new Decimal (as `cmp`, `gte` and `eq` do).
 */
export function cmpDec(a: Dec, b: Dec): number {
  const x = a as unknown as Internals;
  const y = b as unknown as Internals;
  const xd = x.d;
  const yd = y.d;
  const xs = x.s;
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -y.s : 0;
  if (xs !== y.s) return xs;
  if (x.e !== y.e) return x.e > y.e !== xs < 0 ? 1 : -1;
  const n = Math.min(xd.length, yd.length);
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i]! > yd[i]! !== xs < 0 ? 1 : -1;
  return xd.length === yd.length ? 0 : xd.length > yd.length !== xs < 0 ? 1 : -1;
}

export function maxDec(a: Dec, b: Dec): Dec {
  return cmpDec(a, b) >= 0 ? a : b;
}

export function minDec(a: Dec, b: Dec): Dec {
  return cmpDec(a, b) <= 0 ? a : b;
}

/** Sum in the order given; callers pass parties already sorted by code / id (§1.1). */
export function sum(values: Iterable<Dec>): Dec {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** A 2-decimal money string; never "-0.00". */
export function formatMoney(x: Dec): string {
  return toFixedHalfUp(x, 2);
}

/** A 6-decimal string for scores, coefficients, ratios and averages (§1.4); never "-0.000000". */
export function formatScore(x: Dec): string {
  return toFixedHalfUp(x, 6);
}

const ZERO_TEXT = ['0', '0.0', '0.00', '0.000', '0.0000', '0.00000', '0.000000'];

/**
 * x.toFixed(dp, ROUND_HALF_UP) for a finite x and 1 ≤ dp ≤ 6, except that a value that rounds
 * to zero is never signed. The digits are read straight from x's words, so no intermediate
 * Decimal is made; a property test checks it against toFixed.
 */
export function toFixedHalfUp(x: Dec, dp: number): string {
  const { s, e, d } = x as unknown as Internals;
  if (!d[0]) return ZERO_TEXT[dp]!;
  const exactUnits = wholeUnits(x, dp);
  if (exactUnits !== null) return fixedText(s, exactUnits, dp);
  // `units` is |x| in units of 10^-dp, rounded half-up: the digits at or above 10^-dp, plus one
  // when the first digit below is 5 or more; the words past that digit are never read
  const keep = e + 1 + dp;
  let digits = String(d[0]);
  for (let i = 1; i < d.length && digits.length <= keep; i++) {
    const word = String(d[i]);
    digits += '0000000'.slice(word.length) + word;
  }
  let units: string;
  if (keep >= digits.length) units = digits + '0'.repeat(keep - digits.length);
  else if (keep < 0) units = '0';
  else {
    units = keep === 0 ? '0' : digits.slice(0, keep);
    if (digits.charCodeAt(keep) >= 53) units = incrementDigits(units);
  }
  if (units === '0') return ZERO_TEXT[dp]!;
  const padded = units.length <= dp ? '0'.repeat(dp + 1 - units.length) + units : units;
  const text = `${padded.slice(0, padded.length - dp)}.${padded.slice(padded.length - dp)}`;
  return s < 0 ? `-${text}` : text;
}

const NUMBER_POW10_DP = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];

/**
 * |x| in units of 10^-dp (1 ≤ dp ≤ 6) when that is a whole number below 10^15 — no digit below
 * the last decimal shown, so nothing to round — or null. Most amounts (whole cents) and many
 * scores (whole points) are: their text is then made from one Number.
 */
function wholeUnits(x: Dec, dp: number): number | null {
  const { e, d } = x as unknown as Internals;
  if (e + dp > 14) return null;
  // base-10^7 words aligned on the decimal point, trailing zero words dropped: the first
  // ⌊e/7⌋+1 words are the integer part (missing ones are zeros), the next one the fraction
  const integerWords = Math.floor(e / 7) + 1;
  if (integerWords < 0 || d.length > integerWords + 1) return null;
  let integer = 0;
  for (let i = 0; i < integerWords; i++) integer = integer * 1e7 + (d[i] ?? 0);
  let fraction = 0;
  if (d.length === integerWords + 1) {
    const below = NUMBER_POW10_DP[7 - dp]!;
    const word = d[integerWords]!;
    if (word % below !== 0) return null;
    fraction = word / below;
  }
  return integer * NUMBER_POW10_DP[dp]! + fraction;
}

/** The text of `units` × 10^-dp (1 ≤ dp ≤ 6, units a whole number below 2^53) with sign s; a value that shows as zero is never signed. */
export function fixedText(s: number, units: number, dp: number): string {
  if (units === 0) return ZERO_TEXT[dp]!;
  const scale = NUMBER_POW10_DP[dp]!;
  const integer = Math.floor(units / scale);
  const f = units - integer * scale;
  const whole = integer < 1000 ? THREE_DIGITS[integer]! : String(integer);
  let text: string;
  // scores (6 places) and money (2), hundreds of thousands of lines a year: the fraction's digits
  // are read from tables of texts made once, rather than written and padded one by one
  if (dp === 6) text = whole + POINT_AND_THREE[Math.floor(f / 1000)]! + PADDED_THREE[f % 1000]!;
  else if (dp === 2) text = whole + POINT_AND_TWO[f]!;
  else {
    const fraction = String(f);
    text = `${whole}.${'00000'.slice(0, dp - fraction.length)}${fraction}`;
  }
  return s < 0 ? `-${text}` : text;
}

/** The texts of 0–999; of 000–999; and of .000–.999 and .00–.99. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, k) => String(k));
const PADDED_THREE = THREE_DIGITS.map((t) => t.padStart(3, '0'));
const POINT_AND_THREE = PADDED_THREE.map((t) => `.${t}`);
const POINT_AND_TWO = THREE_DIGITS.slice(0, 100).map((t) => `.${t.padStart(2, '0')}`);

/** A string of decimal digits plus one. */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i);
}

const formattedConstants = new WeakMap<Dec, string>();

/** formatScore for values shared by many lines (scheme parameters such as pay ratios). */
export function formatConstantScore(x: Dec): string {
  let s = formattedConstants.get(x);
  if (s === undefined) {
    s = formatScore(x);
    formattedConstants.set(x, s);
  }
  return s;
}

export interface SplitParty {
  key: string;
  weight: Dec;
}

export interface SplitOutcome {
  parts: Map<string, Dec>;
  /** true when the weights add up to 0: nothing was split and the whole total is unallocated. */
  unallocated: boolean;
}

/**
 * Largest-remainder split (§1.3): each party gets its raw share rounded down to the cent, and
 * the leftover cents go one each to the largest remainders, ties by key in code-point order.
 * The parts always add up to `total` exactly.
 *
 * raw_k = (total × w_k) / W is evaluated exactly as decimal.js does it — each operation
 * correctly rounded to 34 significant digits, half-up — but in BigInt integer arithmetic, which
 * is several times faster than Decimal division and gives the same digits (a property test
 * checks it against the Decimal evaluation).
 */
export function split(total: Dec, parties: readonly SplitParty[]): SplitOutcome {
  const amounts = splitInOrder(total, parties);
  const parts = new Map<string, Dec>();
  for (let i = 0; i < parties.length; i++) parts.set(parties[i]!.key, amounts ? amounts[i]! : ZERO);
  return { parts, unallocated: amounts === null };
}

/**
 * split()'s parts in the parties' order, or null when the weights add up to 0 (nothing is
 * split): for callers that read each party's part by its place rather than by its key.
 */
export function splitInOrder(total: Dec, parties: readonly SplitParty[]): Dec[] | null {
  const n = parties.length;
  // W = Σ w_k evaluated as decimal.js does (each addition's exact sum rounded to 34 significant
  // digits, half-up), in BigInt; each weight is read into BigInt once, for the sum and its share
  const weights: (Exact | null)[] = new Array(n);
  let w: Exact | null = null;
  for (let i = 0; i < n; i++) {
    const weight = parties[i]!.weight;
    const x = weight.isZero() ? null : exact(weight);
    weights[i] = x;
    if (x) w = addRounded(w, x);
  }
  if (w === null) return null;
  const t = stripZeros(exact(total));
  if (t.exponent < -2) throw new RangeError(`split: the total ${total.toString()} is not a whole number of cents`);
  const totalCents = t.coefficient * pow10(t.exponent + 2);
  const shares: Share[] = [];
  let floorSum = 0n;
  let minExponent = 0;
  for (let i = 0; i < n; i++) {
    const x = weights[i];
    if (!x) continue;
    const share = rawShare(i, t, x, w);
    floorSum += share.floorCents;
    if (share.exponent < minExponent) minExponent = share.exponent;
    shares.push(share);
  }
  for (const s of shares) if (s.exponent > minExponent) s.remainder *= pow10(s.exponent - minExponent);
  let leftover = totalCents - floorSum;
  if (leftover > 0n) {
    shares.sort((a, b) => (a.remainder === b.remainder ? compareKeys(parties[a.index]!.key, parties[b.index]!.key) : a.remainder > b.remainder ? -1 : 1));
    for (let i = 0; leftover > 0n; i++, leftover--) shares[i]!.floorCents += 1n;
  }
  const amounts: Dec[] = new Array(n).fill(ZERO);
  for (const s of shares) if (s.floorCents !== 0n) amounts[s.index] = decimalFromCents(s.floorCents);
  return amounts;
}

/** A party's raw share, floored to the cent, with what lies below the cent in units of 10^exponent. */
interface Share {
  index: number;
  floorCents: bigint;
  remainder: bigint;
  exponent: number;
}

/** raw = round34(round34(total × weight) / W) = c × 10^x, floored to cents, keeping what lies below the cent. */
function rawShare(index: number, total: Exact, weight: Exact, w: Exact): Share {
  const raw = divRound34(round34(mulExact(total, weight)), w);
  if (raw.exponent >= -2) return { index, floorCents: raw.coefficient * pow10(raw.exponent + 2), remainder: 0n, exponent: raw.exponent };
  const unit = pow10(-raw.exponent - 2);
  const floorCents = raw.coefficient / unit;
  return { index, floorCents, remainder: raw.coefficient - floorCents * unit, exponent: raw.exponent };
}

/**
 * The reference for split(): allocation-rules §1.3 written plainly in Decimal operations, in
 * the order the rule states them. split() must give the same parts for every input (a property
 * test checks it); this one is the rule to read.
 */
export function referenceSplit(total: Dec, parties: readonly SplitParty[]): SplitOutcome {
  const parts = new Map<string, Dec>();
  const W = sum(parties.map((p) => p.weight));
  if (W.isZero()) {
    for (const p of parties) parts.set(p.key, ZERO);
    return { parts, unallocated: true };
  }
  const CENT = new Dec('0.01');
  const rows = parties.map((p) => {
    const raw = total.times(p.weight).div(W);
    const floor = raw.toDecimalPlaces(2, Dec.ROUND_DOWN);
    return { key: p.key, floor, remainder: raw.minus(floor) };
  });
  let leftover = total.minus(sum(rows.map((r) => r.floor)));
  const byRemainder = [...rows].sort((a, b) => b.remainder.comparedTo(a.remainder) || compareKeys(a.key, b.key));
  for (let i = 0; leftover.gt(0); i++, leftover = leftover.minus(CENT)) byRemainder[i]!.floor = byRemainder[i]!.floor.plus(CENT);
  for (const r of rows) parts.set(r.key, r.floor);
  return { parts, unallocated: false };
}

/** A finite non-negative decimal as coefficient × 10^exponent, read from decimal.js's digits. */
interface Exact {
  coefficient: bigint;
  exponent: number;
}

function exact(x: Dec): Exact {
  if (x.isNegative()) throw new RangeError('exact: a negative value (amounts, weights and scores split or summed this way are ≥ 0)');
  // decimal.js keeps base-10^7 words aligned on the decimal point; e is the first digit's exponent
  const { d: words, e } = x as unknown as { d: number[]; e: number };
  let coefficient = BigInt(words[0]!);
  for (let i = 1; i < words.length; i++) coefficient = coefficient * WORD + BigInt(words[i]!);
  return { coefficient, exponent: 7 * (Math.floor(e / 7) - (words.length - 1)) };
}

/** The same value with the trailing zeros of its coefficient moved into the exponent. */
function stripZeros(x: Exact): Exact {
  let { coefficient, exponent } = x;
  while (coefficient !== 0n && coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1;
  }
  return { coefficient, exponent };
}

const WORD = 10_000_000n;

/**
 * Σ values as decimal.js's running sum gives it (each exact sum rounded to 34 significant
 * digits, half-up), computed the way split() computes its total weight: for tests.
 */
export function runningSum34(values: readonly Dec[]): Dec {
  let acc: Exact | null = null;
  for (const v of values) {
    if (v.isZero()) continue;
    const x = exact(v);
    acc = addRounded(acc, x);
  }
  return acc === null ? ZERO : new Dec(`${acc.coefficient.toString()}e${acc.exponent}`);
}

/** One step of decimal.js's running sum: the exact sum, rounded to 34 significant digits half-up. */
function addRounded(acc: Exact | null, x: Exact): Exact {
  return round34(acc === null ? x : addExact(acc, x));
}

function addExact(a: Exact, b: Exact): Exact {
  if (a.exponent === b.exponent) return { coefficient: a.coefficient + b.coefficient, exponent: a.exponent };
  return a.exponent > b.exponent
    ? { coefficient: a.coefficient * pow10(a.exponent - b.exponent) + b.coefficient, exponent: b.exponent }
    : { coefficient: a.coefficient + b.coefficient * pow10(b.exponent - a.exponent), exponent: a.exponent };
}

function mulExact(a: Exact, b: Exact): Exact {
  return { coefficient: a.coefficient * b.coefficient, exponent: a.exponent + b.exponent };
}

const PRECISION = 34;
const POW10: bigint[] = Array.from({ length: 120 }, (_, i) => 10n ** BigInt(i));
const HALF_POW10: bigint[] = POW10.map((p) => p / 2n);
const pow10 = (n: number) => POW10[n] ?? 10n ** BigInt(n);

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const NUMBER_POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Decimal digits of a non-negative integer below 2^53 (exact as a Number, as are 10^0…10^15). */
function safeDigitCount(x: number): number {
  let d = 1;
  while (d < 16 && x >= NUMBER_POW10[d]!) d++;
  return d;
}

/** Decimal digits of a non-negative BigInt, by binary search over powers of ten. */
function digitCount(n: bigint): number {
  // a count of digits, not an amount: below 2^53 the integer is exact as a Number
  if (n <= MAX_SAFE) return safeDigitCount(Number(n));
  if (n >= POW10[POW10.length - 1]!) return n.toString().length;
  let lo = 1;
  let hi = POW10.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (n < POW10[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rounds to 34 significant digits, half-up (decimal.js's ROUND_HALF_UP on a positive value). */
function round34(x: Exact): Exact {
  const c = x.coefficient;
  // most sums of 34-digit values have 34 or 35 digits: two comparisons instead of a search
  if (c < POW10[PRECISION]!) return x;
  const drop = c < POW10[PRECISION + 1]! ? 1 : digitCount(c) - PRECISION;
  return { coefficient: roundedQuotient(c, drop), exponent: x.exponent + drop };
}

/** a / b correctly rounded to 34 significant digits, half-up. */
function divRound34(a: Exact, b: Exact): Exact {
  if (a.coefficient === 0n) return { coefficient: 0n, exponent: 0 };
  const shift = Math.max(0, PRECISION + 2 - digitCount(a.coefficient) + digitCount(b.coefficient));
  const q = (a.coefficient * pow10(shift)) / b.coefficient;
  // q has at least 35 digits; drop the surplus, rounding up when the dropped part is ≥ half
  // (an exactly-half tail rounds up, and so does one above half whose digits go on past q)
  const drop = digitCount(q) - PRECISION;
  return { coefficient: roundedQuotient(q, drop), exponent: a.exponent - b.exponent - shift + drop };
}

/** n / 10^drop rounded half-up (n ≥ 0, drop ≥ 1): adding half of 10^drop first makes the floor round. */
function roundedQuotient(n: bigint, drop: number): bigint {
  return (n + (HALF_POW10[drop] ?? pow10(drop) / 2n)) / pow10(drop);
}

/**
 * A positive whole number of cents as a Decimal, built directly in decimal.js's documented
 * representation (sign s, exponent e, digits d in base-10^7 words aligned on the decimal point,
 * no trailing zero words) instead of parsing a string — the same value and the same digits
 * (a test compares it with `new Decimal(text)`), at a fraction of the cost.
 */
export function decimalFromCents(cents: bigint): Dec {
  if (cents <= MAX_SAFE) return decimalFromSafeCents(Number(cents));
  const integer = cents / 100n;
  const words: number[] = [];
  // Number() here only ever holds a base-10^7 digit word or a count of cents below 100: exact
  for (let rest = integer; rest > 0n; rest /= WORD) words.unshift(Number(rest % WORD));
  return decimalOfCentWords(words, digitCount(integer), Number(cents - integer * 100n));
}

/**
 * decimalFromCents for a count of cents below 2^53 (every amount a hospital pays): the same
 * words, computed in exact integer Number arithmetic instead of BigInt.
 */
function decimalFromSafeCents(cents: number): Dec {
  const integer = Math.floor(cents / 100);
  const words: number[] = [];
  for (let rest = integer; rest > 0; rest = Math.floor(rest / 1e7)) words.unshift(rest % 1e7);
  return decimalOfCentWords(words, safeDigitCount(integer), cents - integer * 100);
}

/**
 * The Decimal of an amount given as its integer part's base-10^7 words (most significant
 * first, none for 0) and digit count, and its cents (0–99), in decimal.js's representation:
 * sign s, exponent e of the first digit, words d aligned on the decimal point, no trailing zero word.
 */
function decimalOfCentWords(integerWords: number[], integerDigits: number, fraction: number): Dec {
  const words = integerWords;
  let e: number;
  if (words.length > 0) {
    e = integerDigits - 1;
    if (fraction > 0) words.push(fraction * 100_000);
  } else {
    words.push(fraction * 100_000);
    e = fraction >= 10 ? -1 : -2;
  }
  while (words.length > 1 && words[words.length - 1] === 0) words.pop();
  const x = Object.create(Dec.prototype) as Dec & { s: number; e: number; d: number[] };
  (x as { constructor: unknown }).constructor = Dec;
  x.s = 1;
  x.e = e;
  x.d = words;
  return x;
}

/**
 * A running total of money amounts (non-negative, whole cents): the same value as adding the
 * Decimals one by one — each sum of cents is exact, as decimal.js's would be at these sizes —
 * kept as a count of cents in a Number while it stays below 2^53 (every hospital's total does),
 * in Decimals otherwise or for any amount that is not a whole number of cents.
 */
export class MoneyTotal {
  private cents = 0;
  private decimal: Dec | null = null;

  add(x: Dec): void {
    if (this.decimal) {
      this.decimal = this.decimal.plus(x);
      return;
    }
    const c = safeCents(x);
    if (c === null || this.cents + c > Number.MAX_SAFE_INTEGER) {
      this.decimal = decimalFromSafeCentsOrZero(this.cents).plus(x);
      return;
    }
    this.cents += c;
  }

  value(): Dec {
    return this.decimal ?? decimalFromSafeCentsOrZero(this.cents);
  }
}

function decimalFromSafeCentsOrZero(cents: number): Dec {
  return cents === 0 ? ZERO : decimalFromSafeCents(cents);
}

/** x as a Number of cents, when x ≥ 0 is a whole number of cents below 2^53; null otherwise. */
function safeCents(x: Dec): number | null {
  const { s, e, d } = x as unknown as Internals;
  if (!d[0]) return 0;
  if (s < 0 || e > 12) return null;
  // base-10^7 words aligned on the decimal point, trailing zero words dropped: the first
  // ⌊e/7⌋+1 words are the integer part (missing ones are zeros), the next one the fraction
  const integerWords = Math.floor(e / 7) + 1;
  if (integerWords < 0 || d.length > integerWords + 1) return null;
  let integer = 0;
  for (let i = 0; i < integerWords; i++) integer = integer * 1e7 + (d[i] ?? 0);
  let fraction = 0;
  if (d.length === integerWords + 1) {
    const word = d[integerWords]!;
    if (word % 100_000 !== 0) return null; // a digit below the cent
    fraction = word / 100_000;
  }
  return integer * 100 + fraction;
}

/** Ascending code-point order of department codes and staff ids (not locale order). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // UTF-16 order differs from code-point order only when a surrogate meets U+E000..U+FFFF.
    return (a.codePointAt(i) ?? ca) - (b.codePointAt(i) ?? cb) < 0 ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : 1;
}
