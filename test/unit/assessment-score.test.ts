import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attainment, IndicatorNode, Scorecard } from '../../src/core/assessment/model.js';
import { exactScore, filteredScore, score, scorecardPoints, type LeafAttainments } from '../../src/core/assessment/score.js';
import { attainmentOf } from '../../src/core/assessment/validate.js';
import { Dec, formatScore, sum } from '../../src/core/money.js';

/**
 * score.ts's floating-point filter never changes a reported figure: where it answers, its texts
 * and score are the exact arithmetic's; where a figure lies on or next to a rounding boundary, the
 * exact arithmetic answers.
 */
const D = (x: string | number) => new Dec(x);

/** A scorecard of dimensions with leaves (monthly, quarterly or yearly), in pre-order. */
function scorecard(dimensions: { leaves: { points: string; cadence: 'monthly' | 'quarterly' | 'yearly' }[] }[]): Scorecard {
  const nodes: IndicatorNode[] = [];
  dimensions.forEach((dim, d) => {
    const at = nodes.length;
    nodes.push({ code: `D${d}`, points: sum(dim.leaves.map((l) => D(l.points))), ancestors: [], leaf: null });
    for (const [k, l] of dim.leaves.entries()) nodes.push({ code: `D${d}L${k}`, points: D(l.points), ancestors: [at], leaf: { cadence: l.cadence, method: { type: 'manual' } } });
  });
  const leaves = nodes.filter((n) => n.leaf);
  return {
    id: 'SC',
    nodes,
    quarterPoints: sum(leaves.filter((n) => n.leaf!.cadence !== 'yearly').map((n) => n.points)),
    yearPoints: sum(leaves.map((n) => n.points)),
  };
}

/** A year's attainments of every leaf: 12 months, 4 quarters and the year, by position. */
function yearOf(sc: Scorecard, values: Attainment[], inQuarter: boolean): LeafAttainments {
  let next = 0;
  const byNode = sc.nodes.map((node) => {
    if (!node.leaf || (inQuarter && node.leaf.cadence === 'yearly')) return undefined;
    const count = node.leaf.cadence === 'monthly' ? 12 : node.leaf.cadence === 'quarterly' ? 4 : 1;
    return Array.from({ length: count }, () => values[next++ % values.length]!);
  });
  const periods = inQuarter ? { monthly: [3, 4, 5], quarterly: [1], yearly: [] } : { monthly: [...Array(12).keys()], quarterly: [0, 1, 2, 3], yearly: [0] };
  return { byNode, periods, inQuarter };
}

const reported = (s: { score: InstanceType<typeof Dec>; indicators: unknown }) => ({ score: formatScore(s.score), indicators: s.indicators });

// attainments as the methods give them: quotients at 34 digits, and short ones that sit on 6-decimal boundaries
const attainmentArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([a, b]) => Dec.min(D(1), D(a).div(b))),
  fc.constantFrom('0', '1', '0.5', '0.9765625', '0.9921875', '0.0000005', '0.1234565', '0.9999995', '0.000000005').map(D),
  fc.integer({ min: 0, max: 10_000_000 }).map((k) => D(k).div(10_000_000)),
);
const pointsArb = fc.oneof(
  fc.constantFrom('2.5', '12.5', '3.125', '10', '0.01', '100'),
  fc.integer({ min: 1, max: 5000 }).map((k) => (k / 100).toFixed(2)),
);
const cardArb = fc.array(
  fc.record({ leaves: fc.array(fc.record({ points: pointsArb, cadence: fc.constantFrom('monthly' as const, 'quarterly' as const, 'yearly' as const) }), { minLength: 1, maxLength: 8 }) }),
  { minLength: 1, maxLength: 5 },
);

describe('the scores’ floating-point filter', () => {
  it('reports exactly what the 34-digit arithmetic reports, in quarters and at the year-end', () => {
    fc.assert(
      fc.property(cardArb, fc.array(attainmentArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (dims, values, inQuarter) => {
        const sc = scorecard(dims);
        if (inQuarter && sc.quarterPoints.isZero()) return;
        const points = scorecardPoints(sc);
        const leaves = yearOf(sc, values.map(attainmentOf), inQuarter);
        const exactly = reported(exactScore(sc, points, leaves));
        const filtered = filteredScore(sc, points, leaves);
        if (filtered) expect(reported(filtered)).toEqual(exactly);
        expect(reported(score(sc, points, leaves))).toEqual(exactly);
      }),
      { numRuns: 2000 },
    );
  });

  it('a leaf attainment on a boundary (25 / 25.6 = 0.9765625) is rounded half-up as the exact one is: 0.976563', () => {
    const sc = scorecard([{ leaves: [{ points: '100', cadence: 'quarterly' }] }]);
    const leaves = yearOf(sc, [attainmentOf(D(25).div('25.6'))], true);
    const filtered = filteredScore(sc, scorecardPoints(sc), leaves)!;
    expect(filtered.indicators).toEqual([
      { code: 'D0', score: '97.656250' },
      { code: 'D0L0', score: '97.656250', attainment: '0.976563' },
    ]);
  });

  it('a department score on a boundary is left to the exact arithmetic: 100 × 0.000000005 = 0.0000005 → 0.000001', () => {
    const sc = scorecard([{ leaves: [{ points: '100', cadence: 'quarterly' }] }]);
    const points = scorecardPoints(sc);
    const leaves = yearOf(sc, [attainmentOf(D('0.000000005'))], true);
    expect(filteredScore(sc, points, leaves)).toBeNull();
    const scored = score(sc, points, leaves);
    expect(formatScore(scored.score)).toBe('0.000001');
    expect(scored.indicators).toEqual([
      { code: 'D0', score: '0.000001' },
      { code: 'D0L0', score: '0.000001', attainment: '0.000000' },
    ]);
  });
});
