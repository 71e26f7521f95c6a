import { Dec, HUNDRED, ZERO, div34, exact, formatExact, fromExact, plus34, times34, type Exact } from '../money.js';
import type { IndicatorScore } from '../result.js';
import type { Cadence } from '../schema.js';
import type { Attainment, Scorecard } from './model.js';

/**
 * §2's department score and reported nodes of one assessment period, from the attainments of the
 * leaves assessed in it. `exactScore` is the arithmetic of the spec: 34 significant digits, every
 * operation rounded half-up (in Exact, money.ts: the values decimal.js gives). It is also the
 * costliest part of an assessed year — a few BigInt divisions for each of 200 departments × 40
 * leaves × 5 periods — so `score` first runs the same operations in binary floating point, as a
 * filter: every figure the spec reports is rounded half-up to 6 decimals, and when the double lies
 * far enough from a rounding boundary that the exact figure lies on the same side, its 6-decimal
 * text is the exact one's. A leaf whose figures are too close to call is computed exactly, and a
 * period whose department or inner-node score is, wholly. The reported texts and grades are the
 * exact arithmetic's in every case.
 *
 * Why the filter's margin is safe: every quantity is ≥ 0 (attainments in [0, 1], points > 0), so
 * sums have no cancellation and each rounding — the double's (relative error ≤ u = 2^-53) or the
 * 34-digit one's (≤ 5·10^-34) — only multiplies the real value R by (1 + δ). Along any figure's
 * chain of k roundings the double D and the exact E are both within γ_k = k·u / (1 − k·u) of R, so
 * |D − E| ≤ 2·γ_k·R. A chain is at most: one conversion of an attainment, 11 additions (12 months),
 * one division by the count, the points' conversion and product, one addition per leaf, the
 * Σ points' conversion and division, × 100, × 10^6 and + ½ in the rounding: fewer than
 * nodes + 20 roundings, so a margin of (nodes + 24) · 2^-52 of the figure covers them with room.
 */

export interface ScoredNodes {
  /** The department's score: exact, or already rounded to 6 decimals (the reported one — the same text and grade). */
  score: Dec;
  indicators: IndicatorScore[];
}

/** A scorecard's points as the two evaluations read them, made once per scorecard. */
export interface ScorecardPoints {
  exact: Exact[];
  approx: number[];
  /** Σ points of the leaves assessed in a quarter and at the year-end, as doubles. */
  quarter: number;
  year: number;
  /** The filter's margin, relative to the figure (see above). */
  tolerance: number;
}

export function scorecardPoints(sc: Scorecard): ScorecardPoints {
  return {
    exact: sc.nodes.map((node) => exact(node.points)),
    approx: sc.nodes.map((node) => node.points.toNumber()),
    quarter: sc.quarterPoints.toNumber(),
    year: sc.yearPoints.toNumber(),
    tolerance: (sc.nodes.length + 24) * 2 ** -52,
  };
}

/**
 * The attainments of one department's assessed leaves: by node position, each leaf's attainments
 * by the position of their cadence period (undefined: a node not assessed in the period), and the
 * positions the period covers, by cadence.
 */
export interface LeafAttainments {
  byNode: ((Attainment | undefined)[] | undefined)[];
  periods: Record<Cadence, readonly number[]>;
  inQuarter: boolean;
}

export function score(sc: Scorecard, points: ScorecardPoints, leaves: LeafAttainments): ScoredNodes {
  return filteredScore(sc, points, leaves) ?? exactScore(sc, points, leaves);
}

/** §2 in the spec's arithmetic, in exactly its order: the mean, points × attainment, the sums in pre-order, ÷ Σ points, × 100. */
export function exactScore(sc: Scorecard, points: ScorecardPoints, leaves: LeafAttainments): ScoredNodes {
  const n = sc.nodes.length;
  const nodeScores: (Exact | undefined)[] = new Array(n);
  const attainments: (Exact | undefined)[] = new Array(n);
  let total: Exact | undefined;
  for (let i = 0; i < n; i++) {
    const byPeriod = leaves.byNode[i];
    if (!byPeriod) continue;
    const node = sc.nodes[i]!;
    const { attainment, leafScore } = exactLeaf(byPeriod, leaves.periods[node.leaf!.cadence], points.exact[i]!);
    attainments[i] = attainment;
    nodeScores[i] = leafScore;
    total = total === undefined ? leafScore : plus34(total, leafScore);
    for (const ancestor of node.ancestors) {
      const before = nodeScores[ancestor];
      nodeScores[ancestor] = before === undefined ? leafScore : plus34(before, leafScore);
    }
  }
  const score = (total ? fromExact(total) : ZERO).div(leaves.inQuarter ? sc.quarterPoints : sc.yearPoints).times(HUNDRED);
  const indicators: IndicatorScore[] = [];
  for (let i = 0; i < n; i++) {
    const s = nodeScores[i];
    if (s === undefined) continue;
    const a = attainments[i];
    const code = sc.nodes[i]!.code;
    indicators.push(a === undefined ? { code, score: formatExact(s, 6) } : { code, score: formatExact(s, 6), attainment: formatExact(a, 6) });
  }
  return { score, indicators };
}

/** A leaf's attainment in the period (the mean of its cadence periods') and its score, points × attainment. */
function exactLeaf(byPeriod: readonly (Attainment | undefined)[], positions: readonly number[], points: Exact): { attainment: Exact; leafScore: Exact } {
  // a sum starts from its first term (0 + x = x)
  let sum: Exact | undefined;
  for (const k of positions) {
    const a = byPeriod[k]!.exact;
    sum = sum === undefined ? a : plus34(sum, a);
  }
  const attainment = positions.length === 1 ? sum! : div34(sum!, countOf(positions.length));
  return { attainment, leafScore: times34(points, attainment) };
}

/** The same operations in doubles; null when a reported figure is too close to a rounding boundary to tell (then exactScore decides). */
export function filteredScore(sc: Scorecard, points: ScorecardPoints, leaves: LeafAttainments): ScoredNodes | null {
  const n = sc.nodes.length;
  // NaN: a node not assessed in the period
  const nodeScores = new Float64Array(n).fill(Number.NaN);
  const attainments = new Float64Array(n).fill(Number.NaN);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const byPeriod = leaves.byNode[i];
    if (!byPeriod) continue;
    const node = sc.nodes[i]!;
    const positions = leaves.periods[node.leaf!.cadence];
    let sum = 0;
    for (const k of positions) sum += byPeriod[k]!.approx;
    const a = sum / positions.length;
    const leafScore = points.approx[i]! * a;
    attainments[i] = a;
    nodeScores[i] = leafScore;
    total += leafScore;
    for (const ancestor of node.ancestors) {
      const before = nodeScores[ancestor]!;
      nodeScores[ancestor] = Number.isNaN(before) ? leafScore : before + leafScore;
    }
  }
  const { tolerance } = points;
  const scoreUnits = reportedUnits((total / (leaves.inQuarter ? points.quarter : points.year)) * 100, tolerance);
  if (scoreUnits === null) return null;
  const indicators: IndicatorScore[] = [];
  for (let i = 0; i < n; i++) {
    const s = nodeScores[i]!;
    if (Number.isNaN(s)) continue;
    const node = sc.nodes[i]!;
    const a = attainments[i]!;
    let scoreText = reportedText(s, tolerance);
    if (Number.isNaN(a)) {
      // an inner node's score is a sum over its leaves: too close to call, the whole period is computed exactly
      if (scoreText === null) return null;
      indicators.push({ code: node.code, score: scoreText });
      continue;
    }
    let attainmentText = reportedText(a, tolerance);
    if (scoreText === null || attainmentText === null) {
      // a leaf's figures too close to call (an attainment such as 25 / 25.6 = 0.9765625 lies on a boundary): that leaf's, exactly
      const exactly = exactLeaf(leaves.byNode[i]!, leaves.periods[node.leaf!.cadence], points.exact[i]!);
      scoreText = formatExact(exactly.leafScore, 6);
      attainmentText = formatExact(exactly.attainment, 6);
    }
    indicators.push({ code: node.code, score: scoreText, attainment: attainmentText });
  }
  return { score: new Dec(`${scoreUnits}e-6`), indicators };
}

/**
 * A figure ≥ 0 computed in doubles, in millionths rounded half-up — what the exact figure rounds
 * to, unless the two could lie on either side of a rounding boundary: null then.
 */
function reportedUnits(x: number, tolerance: number): number | null {
  const shifted = x * 1e6 + 0.5;
  const units = Math.floor(shifted);
  const margin = shifted * tolerance;
  return shifted - units <= margin || units + 1 - shifted <= margin ? null : units;
}

/** formatScore's 6-decimal text of a figure ≥ 0 computed in doubles, or null (reportedUnits). */
function reportedText(x: number, tolerance: number): string | null {
  const units = reportedUnits(x, tolerance);
  if (units === null) return null;
  const whole = Math.floor(units / 1e6);
  const fraction = String(units - whole * 1e6);
  return `${whole}.${'000000'.slice(fraction.length)}${fraction}`;
}

const COUNTS = Array.from({ length: 13 }, (_, n) => ({ coefficient: BigInt(n), exponent: 0 }));
/** A count of cadence periods (3 months, up to 12 in a year) as an Exact. */
function countOf(n: number): Exact {
  return COUNTS[n] ?? { coefficient: BigInt(n), exponent: 0 };
}
