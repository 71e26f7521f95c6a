import { type Dec, HUNDRED, ZERO, div34, exact, formatExact, fromExact, plus34, times34, type Exact } from '../money.js';
import type { IndicatorScore } from '../result.js';
import type { Cadence } from '../schema.js';
import type { Attainment, Scorecard } from './model.js';

/**
 * §2's department score and reported nodes of one assessment period, from the attainments of the
 * leaves assessed in it, in the arithmetic of the spec (allocation-rules §1.1: decimal, never
 * binary floating point): 34 significant digits, every operation rounded half-up, in Exact
 * (money.ts: the values decimal.js gives, without a Decimal per step).
 */

export interface ScoredNodes {
  /** The department's score, exact (reported and graded rounded half-up to 6 decimals). */
  score: Dec;
  indicators: IndicatorScore[];
}

/** A scorecard's points as Exact, made once per scorecard. */
export interface ScorecardPoints {
  exact: Exact[];
}

export function scorecardPoints(sc: Scorecard): ScorecardPoints {
  return { exact: sc.nodes.map((node) => exact(node.points)) };
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

/** §2 in the spec's arithmetic, in exactly its order: the mean, points × attainment, the sums in pre-order, ÷ Σ points, × 100. */
export function score(sc: Scorecard, points: ScorecardPoints, leaves: LeafAttainments): ScoredNodes {
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

const COUNTS = Array.from({ length: 13 }, (_, n) => ({ coefficient: BigInt(n), exponent: 0 }));
/** A count of cadence periods (3 months, up to 12 in a year) as an Exact. */
function countOf(n: number): Exact {
  return COUNTS[n] ?? { coefficient: BigInt(n), exponent: 0 };
}
