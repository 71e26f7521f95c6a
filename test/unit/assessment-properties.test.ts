import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeOf } from '../../src/core/assessment/evaluate.js';
import { attainment } from '../../src/core/assessment/methods.js';
import type { Method } from '../../src/core/assessment/model.js';
import { simulate, type QuarterlyResult, type ResultDocument } from '../../src/core/index.js';
import { Dec } from '../../src/core/money.js';
import type { GradeBand } from '../../src/core/scheme.js';
import { withAssessment, withDerivedInputs } from '../fixtures/assessment.js';
import { plainHospital, scenarioArb } from '../fixtures/generator.js';
import { EngineError } from '../../src/core/index.js';

/** Properties of assessment.md on random values, defects, bands and generated hospitals (test/setup.ts fixes the seed). */
type Doc = Record<string, any>;
const TEXT = readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8');
const example = (): Doc => JSON.parse(TEXT) as Doc;
const decimal = (maxInt: number) => fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 9999 })).map(([i, f]) => `${i}.${String(f).padStart(4, '0')}`);
const positive = (maxInt: number) => decimal(maxInt).filter((x) => new Dec(x).gt(0));

const methodArb: fc.Arbitrary<Method> = fc.oneof(
  fc.tuple(fc.boolean(), positive(200)).map(([higher, t]) => ({ type: 'ratio' as const, higher, target: new Dec(t) })),
  fc
    .tuple(fc.boolean(), decimal(200), positive(20), positive(2))
    .map(([higher, t, s, share]) => ({ type: 'deviation' as const, higher, target: new Dec(t), step: new Dec(s), stepShare: new Dec(share) })),
  fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }).chain((froms) =>
    fc.array(fc.integer({ min: 0, max: 100 }), { minLength: froms.length, maxLength: froms.length }).map((as) => ({
      type: 'bands' as const,
      bands: [...froms].sort((x, y) => x - y).map((from, k) => ({ from: new Dec(from), attainment: new Dec(as[k]!).div(100) })),
    })),
  ),
  fc.constant({ type: 'manual' as const }),
);

describe('attainment is always in [0, 1]', () => {
  it('for every method and value', () => {
    fc.assert(
      fc.property(methodArb, positive(100), decimal(100_000), (method, points, v) => {
        const value = method.type === 'manual' ? Dec.min(new Dec(v), new Dec(points)) : new Dec(v);
        const a = attainment(method, new Dec(points), value);
        expect(a.gte(0) && a.lte(1)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('scores are in [0, 100]', () => {
  it('for random values and defects on the example’s scorecards', () => {
    const leaves = new Map<string, Doc>();
    const walk = (n: Doc) => (n.children ? n.children.forEach(walk) : leaves.set(n.code, n));
    for (const sc of example().assessment.scorecards) sc.indicators.forEach(walk);
    fc.assert(
      fc.property(fc.array(decimal(400), { minLength: 200, maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 10 }), (values, points) => {
        const d = example();
        (d.assessment.values as Doc[]).forEach((v, k) => {
          const leaf = leaves.get(v.indicator)!;
          v.value = leaf.method.type === 'manual' ? Dec.min(new Dec(values[k % values.length]!), new Dec(leaf.points)).toString() : values[k % values.length];
        });
        for (const [k, p] of points.entries()) d.assessment.departmentDefects[k % d.assessment.departmentDefects.length].points = (p / 100).toFixed(2);
        for (const r of simulate(d).results) {
          for (const dept of r.assessment!.departments) {
            if (dept.score === null) continue;
            const s = new Dec(dept.score);
            expect(s.gte(0) && s.lte(100), `${r.period} ${dept.code} ${dept.score}`).toBe(true);
            for (const i of dept.indicators) if (i.attainment) expect(new Dec(i.attainment).lte(1) && new Dec(i.attainment).gte(0)).toBe(true);
          }
          for (const person of r.assessment!.individuals) {
            if ('score' in person) expect(new Dec(person.score).gte(0) && new Dec(person.score).lte(100)).toBe(true);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('derived deductions are the sums of the defects they come from', () => {
  const categories = ['medical', 'nursing', 'infectionControl', 'ethics'] as const;
  const defectArb = fc.record({
    department: fc.constantFrom('IM', 'PED', 'SUR', 'FIN', 'MA', 'LEAD'),
    category: fc.constantFrom(...categories, 'admin' as const),
    month: fc.constantFrom('2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'),
    points: fc.integer({ min: 1, max: 2000 }),
  });
  const personArb = fc.record({
    staffId: fc.constantFrom('S03', 'S11', 'S12', 'S21', 'S30', 'S31'),
    category: fc.constantFrom('error', 'accident', 'ethics', 'discipline'),
    month: fc.constantFrom('2026-01', '2026-02', '2026-04', '2026-06'),
    points: fc.integer({ min: 0, max: 1500 }),
    veto: fc.boolean(),
  });
  it('department deductions by category, a person’s errors, accident and ethics, with their ids', () => {
    fc.assert(
      fc.property(fc.array(defectArb, { maxLength: 30 }), fc.array(personArb, { maxLength: 30 }), (defects, people) => {
        const d = example();
        const clinical = new Set(['IM', 'PED', 'SUR']);
        d.assessment.departmentDefects = defects.map((x, k) => ({
          id: `X${String(k).padStart(3, '0')}`,
          owner: 'MA',
          ...x,
          category: clinical.has(x.department) ? (x.category === 'admin' ? 'medical' : x.category) : x.category === 'ethics' ? 'ethics' : 'admin',
          points: (x.points / 100).toFixed(2),
        }));
        d.assessment.personalDefects = people.map((x, k) => ({
          id: `Y${String(k).padStart(3, '0')}`,
          owner: 'MA',
          ...x,
          points: (x.points / 100).toFixed(2),
          veto: x.category === 'ethics' && x.veto,
        }));
        const result = simulate(d);
        for (const r of result.results.filter((x): x is QuarterlyResult => x.kind === 'quarterly')) {
          const inQuarter = (month: string) => `${month.slice(0, 4)}Q${Math.ceil(Number(month.slice(5)) / 3)}` === r.period;
          for (const dept of r.assessment!.departments) {
            for (const c of [...categories, 'admin'] as const) {
              const mine = d.assessment.departmentDefects.filter((x: Doc) => x.department === dept.code && x.category === c && inQuarter(x.month));
              const total = mine.reduce((acc: InstanceType<typeof Dec>, x: Doc) => acc.plus(x.points), new Dec(0));
              expect(dept.deductions[c], `${r.period} ${dept.code} ${c}`).toBe(total.toFixed(6));
            }
          }
          for (const person of r.assessment!.individuals) {
            const mine = d.assessment.personalDefects.filter((x: Doc) => x.staffId === person.staffId && inQuarter(x.month));
            const ethics = mine.filter((x: Doc) => x.category === 'ethics');
            const ethicsPoints = ethics.reduce((acc: InstanceType<typeof Dec>, x: Doc) => acc.plus(x.points), new Dec(0));
            expect(person.errors).toBe(mine.filter((x: Doc) => x.category === 'error').length);
            expect(person.accident).toBe(mine.some((x: Doc) => x.category === 'accident'));
            expect(person.ethicsDeduction).toBe(Dec.min(ethicsPoints, 10).toFixed(6));
            expect(person.ethicsZero).toBe(ethics.some((x: Doc) => x.veto));
            expect(person.defects).toEqual(mine.map((x: Doc) => x.id).sort());
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('grades are monotone in the score', () => {
  const GRADES = ['pass', 'basic_pass', 'fail'] as const;
  const bandsArb: fc.Arbitrary<GradeBand[]> = fc
    .uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 0, maxLength: 2 })
    .map((mins) => [...[...mins].sort((x, y) => y - x), 0].map((m, k, all) => ({ grade: GRADES[GRADES.length - all.length + k]!, min: new Dec(m).div(1000) })));
  it('a higher score never gets a lower grade', () => {
    fc.assert(
      fc.property(bandsArb, decimal(100), decimal(100), (bands, x, y) => {
        const [low, high] = new Dec(x).lte(y) ? [x, y] : [y, x];
        const rank = (g: string) => GRADES.indexOf(g as (typeof GRADES)[number]);
        expect(rank(gradeOf(bands, new Dec(high)))).toBeLessThanOrEqual(rank(gradeOf(bands, new Dec(low))));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('an assessed hospital settles exactly as the same hospital with the derived inputs given directly', () => {
  /** Everything but the assessment blocks and the warnings (the direct document has records the assessed one has not). */
  const allocation = (doc: ResultDocument) =>
    doc.results.map((r) => {
      const { assessment: _assessment, warnings: _warnings, ...rest } = r;
      return rest;
    });
  it('on generated hospitals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 24 }),
        fc.integer({ min: 30, max: 300 }),
        fc.constantFrom(1, 2, 5), // leaves per group: 12.5 points shared exactly
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (departments, staff, groups, defects, seed) => {
          const assessed = withAssessment(plainHospital({ departments, staff, seed }), { leaves: 8 * groups, departmentDefects: defects, personalDefects: defects, seed });
          const result = simulate(assessed);
          expect(allocation(simulate(withDerivedInputs(assessed, result)))).toEqual(allocation(result));
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('without scorecards or defects, an assessment changes nothing in the allocation', () => {
  /** The outcome of a document: its allocation (no assessment blocks), or the error it fails with. */
  const outcome = (doc: unknown) => {
    try {
      return simulate(doc).results.map((r) => {
        const { assessment: _assessment, ...rest } = r;
        return rest;
      });
    } catch (e) {
      if (e instanceof EngineError) return { code: e.code, path: e.path };
      throw e;
    }
  };
  it('on generated scenarios: the document without the key, and with an empty assessment, settle the same', () => {
    fc.assert(
      fc.property(scenarioArb({ maxStaff: 60 }), (generated) => {
        const doc = structuredClone(generated) as Doc;
        // the inputs an assessment derives (all 0 here) are left out of both
        for (const p of doc.periods ?? []) {
          for (const d of p.departments) for (const field of ['qualityDeductions', 'ethicsDeductions', 'adminDeductions']) delete d[field];
          for (const r of p.individuals ?? []) for (const field of ['errors', 'accident', 'ethicsDeduction', 'ethicsZero']) delete r[field];
        }
        expect(outcome({ ...doc, assessment: {} })).toEqual(outcome(doc));
      }),
      { numRuns: 150 },
    );
  });
});
