import { type Dec, HUNDRED } from '../money.js';
import type { IndicatorScore } from '../result.js';
import type { Cadence } from '../schema.js';
import { type Accumulator, PRECISION, type Words34, accumulator, add, clear, divInt, divIntInto, format, fromDec, times, timesInto, toDec } from '../words34.js';
import type { Attainment, Scorecard } from './model.js';

/**
 * §2's department score and reported nodes of one assessment period, from the attainments of the
 * leaves assessed in it, in the arithmetic of the spec (allocation-rules §1.1: decimal, never
 * binary floating point): 34 significant digits, every operation rounded half-up, in Words34
 * (words34.ts: the values decimal.js gives, without a Decimal or a BigInt per step).
 */

export interface ScoredNodes {
  /** The department's score, exact (what `reported` rounds; the score test checks it against decimal.js). */
  score: Words34;
  /** The score as it is reported and graded: rounded half-up to 6 decimals, as text. */
  reported: string;
  indicators: IndicatorScore[];
}

/**
 * A scorecard's points, made once per scorecard, and what a leaf assessed in one cadence period
 * gives for each attainment it takes (most leaves take a few values in every period and department).
 */
export interface ScorecardPoints {
  words: Words34[];
  single: Map<Attainment, SingleLeaf>[];
  /**
   * Σ points of the leaves assessed in a quarter and at the year-end as a whole number to divide by
   * in words (divInt), or null when they are not one (the division is then decimal.js's).
   */
  quarterDivisor: number | null;
  yearDivisor: number | null;
  /** Each node's running sum and the total's, kept in place and reused by every department and period of the scorecard. */
  sums: Accumulator[];
  total: Accumulator;
}

interface SingleLeaf {
  leafScore: Words34;
  indicator: IndicatorScore;
}

export function scorecardPoints(sc: Scorecard): ScorecardPoints {
  return {
    quarterDivisor: wholeDivisor(sc.quarterPoints),
    yearDivisor: wholeDivisor(sc.yearPoints),
    words: sc.nodes.map((node) => fromDec(node.points)),
    single: sc.nodes.map(() => new Map()),
    sums: sc.nodes.map(() => accumulator()),
    total: accumulator(),
  };
}

/**
 * A whole number of points from 1 to 10^7 (what divInt divides by), else null: a count held
 * exactly by a number, as a number of periods is, which the division in words divides by.
 */
function wholeDivisor(points: Dec): number | null {
  return points.isInteger() && points.gte(1) && points.lte(10_000_000) ? points.toNumber() : null;
}

const HUNDRED_WORDS = fromDec(HUNDRED);

/**
 * The attainments of one department's assessed leaves: by node position, each leaf's attainments
 * by the position of their cadence period (undefined: a node not assessed in the period), and the
 * positions the period covers, by cadence.
 */
export interface LeafAttainments {
  byNode: (readonly (Attainment | undefined)[] | undefined)[];
  periods: Record<Cadence, readonly number[]>;
  inQuarter: boolean;
}

/**
 * §2 in the spec's arithmetic, in exactly its order: the mean, points × attainment, the sums in
 * pre-order, ÷ Σ points, × 100. Every sum is a running sum from 0, each step rounded (words34's
 * add): the values summed (attainments and leaf scores) have at most 34 digits, so 0 + x is x.
 */
export function score(sc: Scorecard, points: ScorecardPoints, leaves: LeafAttainments): ScoredNodes {
  const n = sc.nodes.length;
  const { sums, total } = points;
  // which inner nodes have an assessed leaf below them in the period (the others are not reported)
  const summed = new Uint8Array(n);
  const leafLines: (IndicatorScore | undefined)[] = new Array(n);
  // the lines reported: the assessed leaves and the inner nodes above them
  let lines = 0;
  clear(total);
  for (let i = 0; i < n; i++) {
    const byPeriod = leaves.byNode[i];
    if (byPeriod === undefined) continue;
    const node = sc.nodes[i]!;
    leafLines[i] = leafOf(byPeriod, leaves.periods[node.leaf!.cadence], points, i, node.code);
    lines++;
    add(total, scored);
    const ancestors = node.ancestors;
    for (let k = 0; k < ancestors.length; k++) {
      const a = ancestors[k]!;
      if (summed[a] === 0) {
        summed[a] = 1;
        lines++;
        clear(sums[a]!);
      }
      add(sums[a]!, scored);
    }
  }
  // ÷ Σ points, × 100: in words when Σ points is a whole number (most scorecards), which is
  // decimal.js's division to the digit without a Decimal made for each department and period
  const divisor = leaves.inQuarter ? points.quarterDivisor : points.yearDivisor;
  const score =
    divisor !== null
      ? times(divInt(total, divisor), HUNDRED_WORDS)
      : fromDec(
          toDec(total)
            .div(leaves.inQuarter ? sc.quarterPoints : sc.yearPoints)
            .times(HUNDRED),
        );
  // made at its size: one list a department and period, not one grown as it is filled
  const indicators: IndicatorScore[] = new Array(lines);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const leaf = leafLines[i];
    if (leaf !== undefined) indicators[at++] = leaf;
    else if (summed[i] === 1) indicators[at++] = { code: sc.nodes[i]!.code, score: format(sums[i]!, 6) };
  }
  return { score, reported: format(score, 6), indicators };
}

/**
 * The attainment of every one of the periods when it is the same one and their mean is exactly it,
 * else undefined. k equal terms of at most 32 digits add up exactly, without rounding, for k < 100
 * (k·a has at most 34), and k·a ÷ k is a again: the mean of k periods at one attainment (most
 * often full attainment, a `defects` leaf without a defect) is that attainment, and its line that
 * of a single period at it.
 */
function sameInEvery(byPeriod: readonly (Attainment | undefined)[], positions: readonly number[]): Attainment | undefined {
  const first = byPeriod[positions[0]!]!;
  if (positions.length === 1) return first;
  if (first.value.n > PRECISION - 2 || positions.length >= 100) return undefined;
  for (let k = 1; k < positions.length; k++) if (byPeriod[positions[k]!] !== first) return undefined;
  return first;
}

/** A leaf's running sum of its cadence periods' attainments, then their mean (one leaf at a time). */
const mean = accumulator();
/** A leaf's score when leafOf made it here (not memoized). */
const leafScore = accumulator();
/** The score of the leaf leafOf last gave the line of: leafScore, or a memoized one. */
let scored: Words34 = leafScore;

/**
 * A leaf's reported line in the period, its attainment being the mean of its cadence periods';
 * its score (points × attainment) is left in `scored`. A leaf of one cadence period in the period,
 * or at one attainment in each of its periods (sameInEvery), gives the same for the same attainment
 * wherever it is assessed: made once per scorecard node and attainment, and shared.
 */
function leafOf(byPeriod: readonly (Attainment | undefined)[], positions: readonly number[], points: ScorecardPoints, i: number, code: string): IndicatorScore {
  const a = sameInEvery(byPeriod, positions);
  if (a !== undefined) {
    const memo = points.single[i]!;
    let leaf = memo.get(a);
    if (leaf === undefined) {
      const value = times(points.words[i]!, a.value);
      // shared by the periods and departments that give the same line: never changed
      leaf = { leafScore: value, indicator: Object.freeze({ code, score: format(value, 6), attainment: format(a.value, 6) }) };
      memo.set(a, leaf);
    }
    scored = leaf.leafScore;
    return leaf.indicator;
  }
  clear(mean);
  for (let k = 0; k < positions.length; k++) add(mean, byPeriod[positions[k]!]!.value);
  divIntInto(mean, mean, positions.length);
  timesInto(leafScore, points.words[i]!, mean);
  scored = leafScore;
  return { code, score: format(leafScore, 6), attainment: format(mean, 6) };
}
