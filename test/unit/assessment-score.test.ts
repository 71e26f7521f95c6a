import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attainment, IndicatorNode, Scorecard } from '../../src/core/assessment/model.js';
import { score, scorecardPoints } from '../../src/core/assessment/score.js';
import { FULL_ATTAINMENT, attainmentOf } from '../../src/core/assessment/validate.js';
import { Dec, ONE, ZERO, toFixedHalfUp } from '../../src/core/money.js';
import { toDec } from '../../src/core/words34.js';
import type { Cadence } from '../../src/core/schema.js';

/**
 * score.ts against the spec's arithmetic written out in decimal.js (assessment.md §2; 34 significant
 * digits, half-up at every step): each leaf's attainments summed from 0 in period order, ÷ their
 * count, × points; the leaf scores summed from 0 in pre-order into the total and into each ancestor;
 * the total ÷ Σ points × 100. score.ts works in words34 and takes short cuts (a leaf of one period,
 * or at one attainment in every period, has a memoized line): the exact score and every reported
 * line must be decimal.js's. The total is divided in words when Σ points is a whole number and by
 * decimal.js otherwise: the random points give both.
 */

/** Attainments of every shape: full and zero, short figures, 34-digit quotients (1/3, 2/7 …), 34 nines (whose sums round), tiny values. */
const POOL_VALUES = [
  '1',
  '0',
  '0.5',
  '0.92',
  '0.3333333333333333333333333333333333',
  '0.2857142857142857142857142857142857',
  '0.9999999999999999999999999999999999',
  '0.99999999999999999999999999999999',
  '0.0000001234567890123456789012345678901',
  '0.6666666666666666666666666666666667',
  '0.125',
  // just above the guard (33 and 34 digits counted to the end of their last word): their k-fold sums round
  '0.00999999999999999999999999999999999',
  '0.08333333499999999999999999999999999',
];
/** One shared object per value, as validation interns them (attainmentOf gives full attainment its one object). */
const POOL: { dec: Dec; attainment: Attainment }[] = POOL_VALUES.map((v) => {
  const dec = new Dec(v).toSignificantDigits(34, Dec.ROUND_HALF_UP);
  return { dec, attainment: attainmentOf(dec) };
});

const PERIODS: Record<Cadence, number> = { monthly: 12, quarterly: 4, yearly: 1 };

interface Case {
  sc: Scorecard;
  /** Each leaf's attainments (pool indices) by period position. */
  values: (number[] | undefined)[];
  periods: Record<Cadence, number[]>;
  inQuarter: boolean;
}

/** A two-level scorecard: groups of leaves with random points, cadences and attainments. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    groups: fc.array(
      fc.array(fc.record({ points: fc.constantFrom('2.5', '1', '12.5', '0.3', '7', '3.125'), cadence: fc.constantFrom<Cadence>('monthly', 'quarterly', 'yearly') }), { minLength: 1, maxLength: 5 }),
      { minLength: 1, maxLength: 4 },
    ),
    inQuarter: fc.boolean(),
    quarter: fc.integer({ min: 0, max: 3 }),
    seed: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 400, maxLength: 400 }),
    sameProbability: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ groups, inQuarter, quarter, seed, sameProbability }) => {
    const nodes: IndicatorNode[] = [];
    const values: (number[] | undefined)[] = [];
    let s = 0;
    const next = () => seed[s++ % seed.length]!;
    groups.forEach((leaves, g) => {
      const group = nodes.length;
      const groupPoints = leaves.reduce((t, l) => t.plus(l.points), ZERO);
      nodes.push({ code: `G${g}`, points: groupPoints, position: group, ancestors: [], leaf: null });
      values.push(undefined);
      leaves.forEach((l, k) => {
        nodes.push({ code: `G${g}L${k}`, points: new Dec(l.points), position: nodes.length, ancestors: [group], leaf: { cadence: l.cadence, method: { type: 'manual' } } });
        // often one attainment in every period (the short cut), else a random one in each
        const one = next() % 4 < sameProbability ? next() % POOL.length : null;
        values.push(Array.from({ length: PERIODS[l.cadence] }, () => one ?? next() % POOL.length));
      });
    });
    const assessed = (node: IndicatorNode) => node.leaf !== null && !(inQuarter && node.leaf.cadence === 'yearly');
    const pointsOf = (keep: (n: IndicatorNode) => boolean) => nodes.filter((n) => n.leaf && keep(n)).reduce((t, n) => t.plus(n.points), ZERO);
    const sc: Scorecard = { id: 'S', nodes, quarterPoints: pointsOf((n) => n.leaf!.cadence !== 'yearly'), yearPoints: pointsOf(() => true) };
    const periods = inQuarter
      ? { monthly: [3 * quarter, 3 * quarter + 1, 3 * quarter + 2], quarterly: [quarter], yearly: [] }
      : { monthly: [...Array(12).keys()], quarterly: [0, 1, 2, 3], yearly: [0] };
    return { sc, values: nodes.map((n, i) => (assessed(n) ? values[i] : undefined)), periods, inQuarter };
  })
  // a quarter needs a leaf assessed in it (Σ points > 0)
  .filter((c) => (c.inQuarter ? c.sc.quarterPoints : c.sc.yearPoints).gt(0));

/** The spec's arithmetic in decimal.js: the exact score and the reported lines. */
function reference(c: Case): { score: Dec; indicators: { code: string; score: string; attainment?: string }[] } {
  const R = Dec.clone({ precision: 34, rounding: Dec.ROUND_HALF_UP });
  const n = c.sc.nodes.length;
  const sums: (InstanceType<typeof R> | null)[] = new Array(n).fill(null);
  const lines: ({ code: string; score: string; attainment?: string } | null)[] = new Array(n).fill(null);
  let total = new R(0);
  c.sc.nodes.forEach((node, i) => {
    const byPeriod = c.values[i];
    if (!node.leaf || byPeriod === undefined) return;
    const positions = c.periods[node.leaf.cadence];
    let sum = new R(0);
    for (const k of positions) sum = sum.plus(POOL[byPeriod[k]!]!.dec.toString());
    const mean = sum.div(positions.length);
    const leafScore = mean.times(node.points.toString());
    lines[i] = { code: node.code, score: toFixedHalfUp(new Dec(leafScore.toString()), 6), attainment: toFixedHalfUp(new Dec(mean.toString()), 6) };
    total = total.plus(leafScore);
    for (const a of node.ancestors) sums[a] = (sums[a] ?? new R(0)).plus(leafScore);
  });
  const points = c.inQuarter ? c.sc.quarterPoints : c.sc.yearPoints;
  const exact = total.div(points.toString()).times(100);
  const indicators = c.sc.nodes.flatMap((node, i) => {
    if (lines[i]) return [lines[i]!];
    const s = sums[i];
    return s ? [{ code: node.code, score: toFixedHalfUp(new Dec(s.toString()), 6) }] : [];
  });
  return { score: new Dec(exact.toString()), indicators };
}

function scored(c: Case, points = scorecardPoints(c.sc)) {
  const byNode = c.values.map((v) => (v === undefined ? undefined : v.map((k) => POOL[k]!.attainment)));
  return score(c.sc, points, { byNode, periods: c.periods, inQuarter: c.inQuarter });
}

/** A scorecard of one monthly leaf of 10 points at one attainment (a pool index) in every month, assessed over the given months (three: a quarter). */
function oneMonthlyLeaf(at: number, months: readonly number[]): Case {
  return {
    sc: {
      id: 'S',
      nodes: [{ code: 'A', points: new Dec(10), position: 0, ancestors: [], leaf: { cadence: 'monthly', method: { type: 'manual' } } }],
      quarterPoints: new Dec(10),
      yearPoints: new Dec(10),
    },
    values: [[...Array(12)].map(() => at)],
    periods: { monthly: [...months], quarterly: [0], yearly: [] },
    inQuarter: months.length === 3,
  };
}

describe('§2 department scores: score.ts gives decimal.js’s exact score and lines', () => {
  it('on random scorecards, cadences and attainments, many at one attainment in every period', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const want = reference(c);
        const got = scored(c);
        expect(toDec(got.score).toString()).toBe(want.score.toString());
        // reported and graded: the exact score rounded half-up to 6 decimals
        expect(got.reported).toBe(toFixedHalfUp(want.score, 6));
        expect(got.indicators).toEqual(want.indicators);
      }),
      { numRuns: 300 },
    );
  });

  it('memoized lines are shared by the departments of a scorecard and stay right from one department to the next', () => {
    fc.assert(
      fc.property(caseArb, (a) => {
        // another department on the same scorecard, with other attainments: one ScorecardPoints for both, as the evaluator keeps one per scorecard
        const second: Case = { ...a, values: a.values.map((v) => v?.map((k) => (k + 1) % POOL.length)) };
        const points = scorecardPoints(a.sc);
        for (const c of [a, second, a]) {
          const got = scored(c, points);
          const want = reference(c);
          expect(toDec(got.score).toString()).toBe(want.score.toString());
          expect(got.indicators).toEqual(want.indicators);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('34 nines three times do not average to themselves: their sums round, and the mean is 1', () => {
    const c = oneMonthlyLeaf(POOL_VALUES.indexOf('0.9999999999999999999999999999999999'), [0, 1, 2]);
    const got = scored(c);
    expect(toDec(got.score).toString()).toBe(reference(c).score.toString());
    expect(toDec(got.score).eq(100)).toBe(true);
  });

  it('an attainment of 33 or 34 digits at the end of its last word in every period is averaged, not taken as it is', () => {
    for (const [value, months] of [
      ['0.08333333499999999999999999999999999', [0, 1, 2]],
      ['0.00999999999999999999999999999999999', [...Array(12).keys()]],
    ] as const) {
      const c = oneMonthlyLeaf(POOL_VALUES.indexOf(value), months);
      const want = reference(c);
      const got = scored(c);
      expect(toDec(got.score).toString()).toBe(want.score.toString());
      expect(got.indicators).toEqual(want.indicators);
      // the mean is not the attainment itself: its sums rounded
      expect(want.score.eq(new Dec(value).times(100))).toBe(false);
    }
  });

  it('full attainment is one object wherever it is reached', () => {
    expect(attainmentOf(ONE)).toBe(FULL_ATTAINMENT);
    expect(attainmentOf(new Dec('1.000'))).toBe(FULL_ATTAINMENT);
    expect(attainmentOf(new Dec('0.5'))).not.toBe(FULL_ATTAINMENT);
  });
});
