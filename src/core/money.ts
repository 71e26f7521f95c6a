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

export function maxDec(a: Dec, b: Dec): Dec {
  return a.gte(b) ? a : b;
}

export function minDec(a: Dec, b: Dec): Dec {
  return a.lte(b) ? a : b;
}

/** Sum in the order given; callers pass parties already sorted by code / id (§1.1). */
export function sum(values: Iterable<Dec>): Dec {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** A 2-decimal money string; never "-0.00". */
export function formatMoney(x: Dec): string {
  return x.isZero() ? '0.00' : x.toFixed(2, Dec.ROUND_HALF_UP);
}

/** A 6-decimal string for scores, coefficients, ratios and averages (§1.4); never "-0.000000". */
export function formatScore(x: Dec): string {
  if (x.isZero()) return '0.000000';
  const s = x.toFixed(6, Dec.ROUND_HALF_UP);
  return s === '-0.000000' ? '0.000000' : s;
}

const formattedConstants = new WeakMap<Dec, string>();

/** formatScore for values shared by many lines (scheme parameters such as pay ratios). */
export function formatConstantScore(x: Dec): string {
  let s = formattedConstants.get(x);
  if (s === undefined) formattedConstants.set(x, (s = formatScore(x)));
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
  const parts = new Map<string, Dec>();
  let W = ZERO;
  for (const p of parties) W = W.plus(p.weight);
  if (W.isZero()) {
    for (const p of parties) parts.set(p.key, ZERO);
    return { parts, unallocated: true };
  }
  const t = stripZeros(exact(total));
  const w = exact(W);
  if (t.exponent < -2) throw new RangeError(`split: the total ${total.toString()} is not a whole number of cents`);
  const totalCents = t.coefficient * 10n ** BigInt(t.exponent + 2);
  const shares: { key: string; floorCents: bigint; remainder: bigint; exponent: number }[] = [];
  let floorSum = 0n;
  let minExponent = 0;
  for (const p of parties) {
    if (p.weight.isZero()) {
      parts.set(p.key, ZERO);
      continue;
    }
    const product = round34(mulExact(t, exact(p.weight)));
    const raw = divRound34(product, w);
    // raw = c × 10^x; floor to cents and keep what lies below the cent, in units of 10^x
    let floorCents: bigint;
    let remainder = 0n;
    if (raw.exponent >= -2) floorCents = raw.coefficient * 10n ** BigInt(raw.exponent + 2);
    else {
      const unit = 10n ** BigInt(-raw.exponent - 2);
      floorCents = raw.coefficient / unit;
      remainder = raw.coefficient - floorCents * unit;
    }
    floorSum += floorCents;
    if (raw.exponent < minExponent) minExponent = raw.exponent;
    shares.push({ key: p.key, floorCents, remainder, exponent: raw.exponent });
  }
  for (const s of shares) if (s.exponent > minExponent) s.remainder *= 10n ** BigInt(s.exponent - minExponent);
  let leftover = totalCents - floorSum;
  if (leftover > 0n) {
    shares.sort((a, b) => (a.remainder === b.remainder ? compareKeys(a.key, b.key) : a.remainder > b.remainder ? -1 : 1));
    for (let i = 0; leftover > 0n; i++, leftover--) shares[i]!.floorCents += 1n;
  }
  for (const s of shares) parts.set(s.key, s.floorCents === 0n ? ZERO : decimalFromCents(s.floorCents));
  return { parts, unallocated: false };
}

/** A finite non-negative decimal as coefficient × 10^exponent, read from decimal.js's digits. */
interface Exact {
  coefficient: bigint;
  exponent: number;
}

function exact(x: Dec): Exact {
  if (x.isNegative()) throw new RangeError('split: negative amounts and weights are not split');
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

function mulExact(a: Exact, b: Exact): Exact {
  return { coefficient: a.coefficient * b.coefficient, exponent: a.exponent + b.exponent };
}

const PRECISION = 34;
const POW10: bigint[] = Array.from({ length: 120 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number) => POW10[n] ?? 10n ** BigInt(n);

/** Decimal digits of a non-negative BigInt, by binary search over powers of ten. */
function digitCount(n: bigint): number {
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
  const drop = digitCount(x.coefficient) - PRECISION;
  if (drop <= 0) return x;
  const unit = pow10(drop);
  let q = x.coefficient / unit;
  if ((x.coefficient - q * unit) * 2n >= unit) q += 1n;
  return { coefficient: q, exponent: x.exponent + drop };
}

/** a / b correctly rounded to 34 significant digits, half-up. */
function divRound34(a: Exact, b: Exact): Exact {
  if (a.coefficient === 0n) return { coefficient: 0n, exponent: 0 };
  const shift = Math.max(0, PRECISION + 2 - digitCount(a.coefficient) + digitCount(b.coefficient));
  const q = (a.coefficient * pow10(shift)) / b.coefficient;
  // q has at least 35 digits; drop the surplus, rounding up when the dropped part is ≥ half
  // (an exactly-half tail rounds up, and so does one above half whose digits go on past q)
  const drop = digitCount(q) - PRECISION;
  const unit = pow10(drop);
  let c = q / unit;
  if ((q - c * unit) * 2n >= unit) c += 1n;
  return { coefficient: c, exponent: a.exponent - b.exponent - shift + drop };
}

/**
 * A positive whole number of cents as a Decimal, built directly in decimal.js's documented
 * representation (sign s, exponent e, digits d in base-10^7 words aligned on the decimal point,
 * no trailing zero words) instead of parsing a string — the same value and the same digits
 * (a test compares it with `new Decimal(text)`), at a fraction of the cost.
 */
export function decimalFromCents(cents: bigint): Dec {
  const integer = cents / 100n;
  // Number() here only ever holds a count of cents below 100 or a base-10^7 digit word: exact
  const fraction = Number(cents - integer * 100n);
  const words: number[] = [];
  let e: number;
  if (integer > 0n) {
    for (let rest = integer; rest > 0n; rest /= WORD) words.unshift(Number(rest % WORD));
    e = digitCount(integer) - 1;
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
