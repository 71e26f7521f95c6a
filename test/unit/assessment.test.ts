import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeOf } from '../../src/core/assessment/evaluate.js';
import { attainment, defectsAttainment } from '../../src/core/assessment/methods.js';
import type { Method } from '../../src/core/assessment/model.js';
import { DEFAULT_SCHEME, settleQuarter, simulate, validateScenario, type QuarterlyResult } from '../../src/core/index.js';
import { Dec } from '../../src/core/money.js';
import { toScheme, mergeScheme } from '../../src/core/scheme.js';

/**
 * assessment.md §1.2–§4 with figures computed by hand (Python's decimal module at 34 digits,
 * half-up), never copied from the engine's output.
 */
type Doc = Record<string, any>;
const TEXT = readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8');
const example = (): Doc => JSON.parse(TEXT) as Doc;
const D = (x: string | number) => new Dec(x);
const text = (x: InstanceType<typeof Dec>) => x.toString();

describe('§1.2 methods, each clamped to [0, 1]', () => {
  const ratio = (higher: boolean, target: string): Method => ({ type: 'ratio', higher, target: D(target) });
  const deviation = (higher: boolean, target: string, step: string, stepShare: string): Method => ({ type: 'deviation', higher, target: D(target), step: D(step), stepShare: D(stepShare) });
  const bands: Method = {
    type: 'bands',
    bands: [
      { from: D(80), attainment: D('0.6') },
      { from: D(90), attainment: D('0.85') },
      { from: D(95), attainment: D(1) },
    ],
  };
  const cases: [string, Method, string, string, string][] = [
    ['ratio higher: 85.5 / 90', ratio(true, '90'), '10', '85.5', '0.95'],
    ['ratio higher: 77.7 / 90, 34 digits', ratio(true, '90'), '10', '77.7', '0.8633333333333333333333333333333333'],
    ['ratio higher above target: 99 / 90 clamped', ratio(true, '90'), '10', '99', '1'],
    ['ratio lower: 25 / 26.5', ratio(false, '25'), '10', '26.5', '0.9433962264150943396226415094339623'],
    ['ratio lower below target: 25 / 24 clamped', ratio(false, '25'), '10', '24', '1'],
    ['ratio lower at v = 0', ratio(false, '25'), '10', '0', '1'],
    ['deviation lower: 1 − 0.05 × (1.7 / 1)', deviation(false, '30', '1', '0.05'), '10', '31.7', '0.915'],
    ['deviation lower, far off: 1 − 0.05 × 30 clamped to 0', deviation(false, '30', '1', '0.05'), '10', '60', '0'],
    ['deviation lower within target', deviation(false, '30', '1', '0.05'), '10', '29', '1'],
    ['deviation: the quotient is not rounded to whole steps (0.3 / 0.5)', deviation(false, '9', '0.5', '0.1'), '3', '9.3', '0.94'],
    ['deviation higher: 1 − 0.1 × 2', deviation(true, '100', '1', '0.1'), '3', '98', '0.8'],
    ['bands below the first band', bands, '10', '79.99', '0'],
    ['bands at a band’s from', bands, '10', '80', '0.6'],
    ['bands inside a band', bands, '10', '94.99', '0.85'],
    ['bands above the last from', bands, '10', '100', '1'],
    ['manual: 4.5 of 6 points', { type: 'manual' }, '6', '4.5', '0.75'],
    ['manual: full points', { type: 'manual' }, '6', '6', '1'],
  ];
  it.each(cases)('%s', (_name, method, points, v, want) => {
    expect(text(attainment(method, D(points), D(v)))).toBe(text(D(want)));
  });

  it.each([
    ['no defect', '0', '1'],
    ['3 of 5 points booked: (5 − 3) / 5', '3', '0.4'],
    ['more booked than the points: max(0, 5 − 6) / 5', '6', '0'],
  ])('defects: %s', (_name, booked, want) => {
    expect(text(defectsAttainment(D(5), D(booked)))).toBe(text(D(want)));
  });
});

describe('§2 grades compare the score rounded half-up to 6 decimals', () => {
  const bands = toScheme(mergeScheme(undefined)).assessment.departmentGrades;
  it.each([
    ['85', 'pass'],
    ['84.9999995', 'pass'],
    ['84.99999949', 'basic_pass'],
    ['60', 'basic_pass'],
    ['59.9999995', 'basic_pass'],
    ['59.9999994999', 'fail'],
    ['0', 'fail'],
    ['100', 'pass'],
  ])('%s → %s', (score, grade) => {
    expect(gradeOf(bands, D(score))).toBe(grade);
  });
  it('the default grade lists are those of the spec', () => {
    expect(DEFAULT_SCHEME.assessment.departmentGrades).toEqual([
      { grade: 'pass', min: '85' },
      { grade: 'basic_pass', min: '60' },
      { grade: 'fail', min: '0' },
    ]);
    expect(DEFAULT_SCHEME.assessment.directorGrades.map((b) => b.min)).toEqual(['75', '60', '0']);
  });
});

/** The example with its clinical scorecard replaced by three quarterly leaves (points 30, 45, 25). */
function threeLeaves(): Doc {
  const d = example();
  const leaf = (code: string, points: string, method: Doc) => ({ code, name: code, points, cadence: 'quarterly', owner: 'MA', method });
  d.assessment.scorecards[0].indicators = [
    { code: 'G', name: 'G', points: '75', children: [leaf('A', '30', { type: 'manual' }), leaf('B', '45', { type: 'ratio', direction: 'higher', target: '7' })] },
    leaf('C', '25', { type: 'bands', bands: [{ from: '0', attainment: '0.9' }] }),
  ];
  d.assessment.values = (d.assessment.values as Doc[]).filter((v) => ['FIN', 'MA'].includes(v.department));
  for (const department of ['IM', 'PED', 'SUR']) {
    for (const period of ['2026Q1', '2026Q2']) {
      d.assessment.values.push({ indicator: 'A', department, period, value: '10' }, { indicator: 'B', department, period, value: '2' }, { indicator: 'C', department, period, value: '50' });
    }
  }
  d.assessment.departmentDefects = (d.assessment.departmentDefects as Doc[]).filter((x) => !x.indicator || !['C2', 'P13'].includes(x.indicator));
  return d;
}

describe('§2 department scores, in the order the spec states', () => {
  it('leaf scores, the inner node, Σ ÷ Σ points × 100 and the grades (hand-computed at 34 digits)', () => {
    const q1 = simulate(threeLeaves()).results[0] as QuarterlyResult;
    const im = q1.assessment!.departments.find((x) => x.code === 'IM')!;
    // A: 30 × 0.3333333333333333333333333333333333 = 9.999999999999999999999999999999999
    // B: 45 × 0.2857142857142857142857142857142857 = 12.85714285714285714285714285714286
    // C: 25 × 0.9 = 22.5; G = A + B = 22.85714285714285714285714285714286
    // Σ = 45.35714285714285714285714285714286, ÷ 100 × 100 = 45.35714285714285714285714285714286
    expect(im.indicators).toEqual([
      { code: 'G', score: '22.857143' },
      { code: 'A', score: '10.000000', attainment: '0.333333' },
      { code: 'B', score: '12.857143', attainment: '0.285714' },
      { code: 'C', score: '22.500000', attainment: '0.900000' },
    ]);
    expect([im.score, im.grade, im.directorGrade]).toEqual(['45.357143', 'fail', 'fail']);
  });

  it('the year-end factor is the score rounded to 6 decimals ÷ 100, used exactly', () => {
    const doc = simulate(threeLeaves());
    const year = doc.results[2]!;
    if (year.kind !== 'annual') throw new Error('expected the year-end');
    const im = year.assessment!.departments.find((x) => x.code === 'IM')!;
    expect([im.score, im.assessmentFactor]).toEqual(['45.357143', '0.453571']);
    // the year's score of IM = (S_Q1 + S_Q2) × 0.45357143 (the factor's 8 decimals, not its 6-decimal report)
    const quarters = doc.results.slice(0, 2).map((r) => D((r as QuarterlyResult).departments.find((x) => x.code === 'IM')!.score));
    const line = year.departments.find((x) => x.code === 'IM')!;
    expect(D(line.score).minus(quarters[0]!.plus(quarters[1]!).times('0.45357143')).abs().lte('0.000001')).toBe(true);
    expect(D(line.score).minus(quarters[0]!.plus(quarters[1]!).times('0.453571')).abs().gt('0.00001')).toBe(true);
  });

  it('a quarter does not assess yearly leaves; the year-end does, with every node', () => {
    const doc = simulate(example());
    const q1 = (doc.results[0] as QuarterlyResult).assessment!.departments.find((x) => x.code === 'IM')!;
    expect(q1.indicators.map((i) => i.code)).not.toContain('F3');
    expect(q1.indicators.map((i) => i.code)).not.toContain('L');
    const year = doc.results[2]!;
    if (year.kind !== 'annual') throw new Error('expected the year-end');
    expect(year.assessment!.departments.find((x) => x.code === 'IM')!.indicators.map((i) => i.code)).toContain('L1');
  });

  it('an unscored department has nulls and no indicators, and is not in the year-end block', () => {
    const doc = simulate(example());
    const lead = (doc.results[0] as QuarterlyResult).assessment!.departments.find((x) => x.code === 'LEAD')!;
    expect([lead.scorecard, lead.score, lead.grade, lead.directorGrade, lead.indicators]).toEqual([null, null, null, null, []]);
    const year = doc.results[2]!;
    expect(year.kind === 'annual' && year.assessment!.departments.map((x) => x.code)).toEqual(['FIN', 'IM', 'MA', 'PED', 'SUR']);
  });
});

describe('§3 derived inputs reach the allocation', () => {
  it('a director whose department is not graded pass gets no leader bonus; a hospital leader is not assessed', () => {
    const q1 = simulate(example()).results[0] as QuarterlyResult;
    // SUR 69.522266 → basic_pass for S20 and S22; MA 71.25 → basic_pass for S02; IM 97.88 → pass for S10
    const bonus = (id: string) => q1.individuals.find((l) => l.staffId === id)!.leaderBonus;
    expect(['S01', 'S02', 'S10', 'S20', 'S22'].map(bonus)).toEqual(['11375.00', '0.00', '8125.00', '0.00', '0.00']);
  });

  it('a person without an individual record is settled on the derived fields, and still warned about', () => {
    const q1 = simulate(example()).results[0] as QuarterlyResult;
    // S31: 8 ethics points in Q1, no record: raw 40 + 40 + 10 + (10 − 8) + 10 = 102
    expect(q1.individuals.find((l) => l.staffId === 'S31')!.rawScore).toBe('102.000000');
    expect(q1.warnings).toContain('staff S31: no individual record, defaults used');
  });

  it('the veto zeroes the quarter’s ethics points but not the personal score; the year’s ethics grade is poor and the year fails', () => {
    const doc = simulate(example());
    const q2 = doc.results[1] as QuarterlyResult;
    expect(q2.assessment!.individuals.find((l) => l.staffId === 'S12')).toMatchObject({ score: '90.000000', grade: 'pass', ethicsZero: true });
    // S12: 35 + 40 + 10 + 0 + 10 − 10 (unlicensed nurse) = 85
    expect(q2.individuals.find((l) => l.staffId === 'S12')!.rawScore).toBe('85.000000');
    const year = doc.results[2]!;
    if (year.kind !== 'annual') throw new Error('expected the year-end');
    expect(year.assessment!.individuals.find((l) => l.staffId === 'S12')).toMatchObject({ grade: 'fail', ethicsGrade: 'poor' });
    expect(year.individuals.some((l) => l.staffId === 'S12')).toBe(false);
  });

  it('a dispute flag of the year limits the annual grade: grade_basic_pass makes a pass basic_pass', () => {
    const d = example();
    d.disputes = [
      {
        id: 'X1',
        bookedIn: '2026Q2',
        compensation: '60000.00',
        classification: 'defect',
        parties: [{ department: 'PED', share: '1', departmentType: 'non_bed', responsible: 'S31', departmentHead: 'S30' }],
      },
    ];
    const year = simulate(d).results[2]!;
    if (year.kind !== 'annual') throw new Error('expected the year-end');
    expect(year.assessment!.individuals.find((l) => l.staffId === 'S31')!.grade).toBe('basic_pass');
  });
});

describe('lineage: which defects and value records are behind a figure', () => {
  const v = validateScenario(example());
  const q1 = settleQuarter(v.hospital, v.quarters[0]!, new Map());
  const q2 = settleQuarter(v.hospital, v.quarters[1]!, q1.bankAfter);
  const dept = (o: typeof q1, code: string) => o.assessment!.departments.find((d) => d.code === code)!;

  it('a department’s deductions, by category', () => {
    expect(dept(q1, 'IM').deductions).toEqual({ medical: ['DD01', 'DD02'], nursing: ['DD03'], infectionControl: [], ethics: ['DD04'], admin: [] });
    expect(dept(q2, 'FIN').deductions).toMatchObject({ admin: ['DD10'], ethics: ['DD11'] });
  });

  it('a defect with a category and an indicator is behind both', () => {
    expect(dept(q2, 'SUR').deductions.medical).toEqual(['DD08']);
    expect(dept(q2, 'SUR').indicators.find((i) => i.code === 'P13')!.defects).toEqual(['DD08']);
  });

  it('a leaf’s value records, by (indicator, period)', () => {
    expect(dept(q1, 'IM').indicators.find((i) => i.code === 'F12')!.values).toEqual([
      { indicator: 'F12', period: '2026-01' },
      { indicator: 'F12', period: '2026-02' },
      { indicator: 'F12', period: '2026-03' },
    ]);
    const year = v.annual!.assessment!.lineage;
    expect(year.departments.find((d) => d.code === 'IM')!.indicators.find((i) => i.code === 'L1')!.values).toEqual([{ indicator: 'L1', period: '2026' }]);
    expect(
      year.departments
        .find((d) => d.code === 'IM')!
        .indicators.find((i) => i.code === 'F11')!
        .values.map((x) => x.period),
    ).toEqual(['2026Q1', '2026Q2']);
  });

  it('a person’s derived fields, by defect', () => {
    expect(q1.assessment!.individuals.find((p) => p.staffId === 'S11')).toEqual({ staffId: 'S11', defects: ['PD01', 'PD02'], errors: ['PD01'], accident: [], ethics: [] });
    expect(q2.assessment!.individuals.find((p) => p.staffId === 'S12')!.ethics).toEqual(['PD10']);
    expect(v.annual!.assessment!.lineage.individuals.find((p) => p.staffId === 'S31')!.ethics).toEqual(['PD11', 'PD12']);
  });

  it('a scenario without an assessment has none', () => {
    const plain = validateScenario(JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8')));
    expect(settleQuarter(plain.hospital, plain.quarters[0]!, new Map()).assessment).toBeNull();
  });
});
