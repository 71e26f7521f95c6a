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
const CENT = new Dec('0.01');

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
 */
export function split(total: Dec, parties: readonly SplitParty[]): SplitOutcome {
  const parts = new Map<string, Dec>();
  let W = ZERO;
  for (const p of parties) W = W.plus(p.weight);
  if (W.isZero()) {
    for (const p of parties) parts.set(p.key, ZERO);
    return { parts, unallocated: true };
  }
  const remainders: { key: string; remainder: Dec }[] = [];
  let floorSum = ZERO;
  for (const p of parties) {
    if (p.weight.isZero()) {
      parts.set(p.key, ZERO);
      continue;
    }
    const raw = total.times(p.weight).div(W);
    const floor = raw.toDecimalPlaces(2, Dec.ROUND_DOWN);
    parts.set(p.key, floor);
    floorSum = floorSum.plus(floor);
    remainders.push({ key: p.key, remainder: raw.minus(floor) });
  }
  let leftoverCents = total.minus(floorSum).div(CENT).toNumber();
  if (leftoverCents > 0) {
    remainders.sort((a, b) => b.remainder.comparedTo(a.remainder) || compareKeys(a.key, b.key));
    for (let i = 0; leftoverCents > 0; i++, leftoverCents--) {
      const r = remainders[i]!;
      parts.set(r.key, parts.get(r.key)!.plus(CENT));
    }
  }
  return { parts, unallocated: false };
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
