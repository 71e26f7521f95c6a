import { type Dec, HUNDRED, ZERO } from '../money.js';
import type { IndicatorScore } from '../result.js';
import type { Cadence } from '../schema.js';
import { type Words34, divInt, format, fromDec, plus, times, toDec } from '../words34.js';
import type { Attainment, Scorecard } from './model.js';

/**
 * §2's department score and reported nodes of one assessment period, from the attainments of the
 * leaves assessed in it, in the arithmetic of the spec (allocation-rules §1.1: decimal, never
 * binary floating point): 34 significant digits, every operation rounded half-up, in Words34
 * (words34.ts: the values decimal.js gives, without a Decimal or a BigInt per step).
 */

export interface ScoredNodes {
  /** The department's score, exact (reported and graded rounded half-up to 6 decimals). */
  score: Dec;
  indicators: IndicatorScore[];
}

/**
 * A scorecard's points, made once per scorecard, and what a leaf assessed in one cadence period
 * gives for each attainment it takes (most leaves take a few values in every period and department).
 */
export interface ScorecardPoints {
  words: Words34[];
  single: Map<Attainment, SingleLeaf>[];
}

interface SingleLeaf {
  leafScore: Words34;
  indicator: IndicatorScore;
}

export function scorecardPoints(sc: Scorecard): ScorecardPoints {
  return { words: sc.nodes.map((node) => fromDec(node.points)), single: sc.nodes.map(() => new Map()) };
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
  const nodeScores: (Words34 | undefined)[] = new Array(n);
  const leafIndicators: (IndicatorScore | undefined)[] = new Array(n);
  let total: Words34 | undefined;
  for (let i = 0; i < n; i++) {
    const byPeriod = leaves.byNode[i];
    if (!byPeriod) continue;
    const node = sc.nodes[i]!;
    const { leafScore, indicator } = leafOf(byPeriod, leaves.periods[node.leaf!.cadence], points, i, node.code);
    nodeScores[i] = leafScore;
    leafIndicators[i] = indicator;
    // a sum starts from its first term (0 + x = x)
    total = total === undefined ? leafScore : plus(total, leafScore);
    for (const ancestor of node.ancestors) {
      const before = nodeScores[ancestor];
      nodeScores[ancestor] = before === undefined ? leafScore : plus(before, leafScore);
    }
  }
  const score = (total ? toDec(total) : ZERO).div(leaves.inQuarter ? sc.quarterPoints : sc.yearPoints).times(HUNDRED);
  const indicators: IndicatorScore[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = leafIndicators[i];
    if (leaf !== undefined) {
      indicators.push(leaf);
      continue;
    }
    const s = nodeScores[i];
    if (s !== undefined) indicators.push({ code: sc.nodes[i]!.code, score: format(s, 6) });
  }
  return { score, indicators };
}

/**
 * A leaf's attainment in the period (the mean of its cadence periods'), its score (points ×
 * attainment) and its reported line. A leaf of one cadence period in the period gives the same for
 * the same attainment wherever it is assessed: made once per scorecard node and attainment.
 */
function leafOf(byPeriod: readonly (Attainment | undefined)[], positions: readonly number[], points: ScorecardPoints, i: number, code: string): SingleLeaf {
  if (positions.length === 1) {
    const a = byPeriod[positions[0]!]!;
    const memo = points.single[i]!;
    let leaf = memo.get(a);
    if (leaf === undefined) {
      leaf = leafLine(code, points.words[i]!, a.value);
      memo.set(a, leaf);
    }
    return leaf;
  }
  let sum: Words34 | undefined;
  for (const k of positions) {
    const a = byPeriod[k]!.value;
    sum = sum === undefined ? a : plus(sum, a);
  }
  return leafLine(code, points.words[i]!, divInt(sum!, positions.length));
}

function leafLine(code: string, points: Words34, attainment: Words34): SingleLeaf {
  const leafScore = times(points, attainment);
  // shared by the periods and departments that give the same line: never changed
  return { leafScore, indicator: Object.freeze({ code, score: format(leafScore, 6), attainment: format(attainment, 6) }) };
}
