import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type EngineError, simulate, validateScenario, type EngineErrorCode } from '../../src/core/index.js';
import { engineErrorOf } from '../fixtures/errors.js';

/**
 * allocation-rules.md §5: every case that makes a run fail. Each case mutates the worked
 * example minimally and checks the error's code, the path of the offending record and field,
 * and that the message names the record (contract.md §3: `{"error": {code, message, path}}`).
 */

type Doc = Record<string, any>;

const EXAMPLE_TEXT = readFileSync(fileURLToPath(new URL('../../examples/worked-example.scenario.json', import.meta.url)), 'utf8');

/** A fresh deep copy of the worked example. Indices used below:
 *  departments: 0 FIN, 1 IM, 2 LEAD, 3 MA, 4 PED, 5 SUR
 *  staff: 0 S01, 1 S02, 2 S03, 3 S10, 4 S11, 5 S12, 6 S13, 7 S14, 8 S15, 9 S20, 10 S21, 11 S22, 12 S30, 13 S31
 *  periods[0] (2026Q1) departments: 0 IM, 1 SUR, 2 PED, 3 MA; individuals: 0 S11, 1 S12, 2 S14, 3 S21, 4 S30, 5 S22
 *  periods[1] (2026Q2) departments: 0 IM, 1 SUR, 2 PED; individuals: 0 S14 */
function example(): Doc {
  return JSON.parse(EXAMPLE_TEXT) as Doc;
}

function mutated(mutate: (doc: Doc) => void): Doc {
  const doc = example();
  mutate(doc);
  return doc;
}

function caught(fn: () => unknown): EngineError {
  return engineErrorOf(fn, 'expected the run to fail');
}

interface Expected {
  code: EngineErrorCode;
  /** exact path, or a pattern when the spec leaves the field open */
  path: string | RegExp;
  /** fragments the message must contain (the record's label, the field) */
  message: string[];
}

function expectFailure(doc: unknown, expected: Expected): EngineError {
  const e = caught(() => simulate(doc));
  expect(e.code, `code (message: ${e.message})`).toBe(expected.code);
  if (typeof expected.path === 'string') expect(e.path, `path (message: ${e.message})`).toBe(expected.path);
  else expect(e.path, `path (message: ${e.message})`).toMatch(expected.path);
  for (const fragment of expected.message) expect(e.message).toContain(fragment);
  expect(e.message).not.toMatch(/\bat .*\.ts:\d+/); // no stack frames in the message
  // the JSON form the CLI prints carries the same three fields
  const json = e.toJSON();
  expect(json.error.code).toBe(e.code);
  expect(json.error.path).toBe(e.path);
  expect(json.error.message).toBe(e.message);
  return e;
}

interface Case extends Expected {
  name: string;
  mutate: (doc: Doc) => void;
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      expectFailure(mutated(c.mutate), c);
    });
  }
}

function settles(doc: Doc) {
  const result = simulate(doc);
  expect(result.results.length).toBeGreaterThan(0);
  return result;
}

function quarterSummary(result: ReturnType<typeof simulate>, period: string): Record<string, unknown> {
  const r = result.results.find((x) => x.period === period);
  expect(r, `result for ${period}`).toBeDefined();
  return r!.summary as unknown as Record<string, unknown>;
}

function setAllEmployment(doc: Doc, employment: string, where: (s: Doc) => boolean = () => true): void {
  for (const s of doc.staff as Doc[]) if (where(s)) s.employment = employment;
}

const CLINICAL = new Set(['IM', 'PED', 'SUR']);

/**
 * Every staff member a leader (positions in turn) at bonusRate 1, everyone's manager assessment
 * passed, and Q1's distributable one cent short of 12 × money(average bonus): 389,999.99 ÷ 12 =
 * 32,499.999…, each bonus 32,500.00, together 390,000.00.
 */
function everyoneALeader(doc: Doc, positions: string[]): void {
  for (const [i, s] of (doc.staff as Doc[]).entries()) s.position = positions[i % positions.length];
  doc.scheme.positions = Object.fromEntries(positions.map((p) => [p, { bonusRate: '1' }]));
  doc.periods[0].adjustment = '-0.01';
  for (const r of doc.periods[0].individuals as Doc[]) delete r.managerAssessmentPassed;
}

// ---------------------------------------------------------------------------------------------

describe('the worked example itself', () => {
  it('validates and settles (the base every mutation starts from)', () => {
    expect(() => validateScenario(example())).not.toThrow();
    const result = settles(example());
    expect(result.results.map((r) => r.period)).toEqual(['2026Q1', '2026Q2', '2026']);
  });
});

describe('not a scenario object', () => {
  for (const [name, doc] of [
    ['null', null],
    ['an array', []],
    ['a string', 'scenario'],
    ['a number', 42],
    ['a boolean', true],
    ['undefined', undefined],
  ] as const) {
    it(`rejects ${name} as invalid_document`, () => {
      const e = caught(() => validateScenario(doc));
      expect(e.code).toBe('invalid_document');
      expect(e.path).toBe('');
      expect(e.message.length).toBeGreaterThan(0);
      expect(caught(() => simulate(doc)).code).toBe('invalid_document');
    });
  }

  it('rejects an empty object, naming every missing top-level field in details', () => {
    const e = caught(() => simulate({}));
    expect(e.code).toBe('missing_field');
    const paths = e.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['hospital', 'departments', 'staff']));
    expect(e.details.every((d) => d.code === 'missing_field')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('unknown department or staff referenced', () => {
  runCases([
    {
      name: "staff.department names a department that doesn't exist",
      mutate: (d) => (d.staff[3].department = 'XX'),
      code: 'unknown_reference',
      path: 'staff[3].department',
      message: ['staff S10', 'XX'],
    },
    {
      name: "a quarter's department inputs name an unknown department",
      mutate: (d) => (d.periods[0].departments[1].code = 'XX'),
      code: 'unknown_reference',
      path: 'periods[0].departments[1].code',
      message: ['period 2026Q1', 'department XX'],
    },
    {
      name: 'an individual record names an unknown staffId',
      mutate: (d) => (d.periods[0].individuals[0].staffId = 'S99'),
      code: 'unknown_reference',
      path: 'periods[0].individuals[0].staffId',
      message: ['period 2026Q1', 'staff S99'],
    },
    {
      name: "an individual record's department override names an unknown department",
      mutate: (d) => (d.periods[0].individuals[0].department = 'XX'),
      code: 'unknown_reference',
      path: 'periods[0].individuals[0].department',
      message: ['period 2026Q1', 'staff S11', 'XX'],
    },
    {
      name: 'an unknown staffId in the second quarter is reported against that quarter',
      mutate: (d) => (d.periods[1].individuals[0].staffId = 'S98'),
      code: 'unknown_reference',
      path: 'periods[1].individuals[0].staffId',
      message: ['period 2026Q2', 'staff S98'],
    },
    {
      name: 'annual departments name an unknown department',
      mutate: (d) => (d.annual.departments[0].code = 'XX'),
      code: 'unknown_reference',
      path: 'annual.departments[0].code',
      message: ['annual', 'department XX'],
    },
    {
      name: 'failedStaff names an unknown staff member',
      mutate: (d) => (d.annual.failedStaff = ['S13', 'S99']),
      code: 'unknown_reference',
      path: 'annual.failedStaff[1]',
      message: ['annual', 'S99', 'failedStaff'],
    },
  ]);

  it('a department override to a known department is accepted', () => {
    settles(mutated((d) => (d.periods[0].individuals[0].department = 'PED')));
  });
});

// ---------------------------------------------------------------------------------------------

describe('duplicates', () => {
  runCases([
    {
      name: 'a department code twice',
      mutate: (d) => d.departments.push({ ...d.departments[1], name: '内科二' }),
      code: 'duplicate',
      path: 'departments[6].code',
      message: ['department IM'],
    },
    {
      name: 'a staff id twice',
      mutate: (d) => d.staff.push({ ...d.staff[4], name: '重复' }),
      code: 'duplicate',
      path: 'staff[14].id',
      message: ['staff S11'],
    },
    {
      name: 'a quarter twice',
      mutate: (d) => (d.periods[1].period = '2026Q1'),
      code: 'duplicate',
      path: 'periods[1].period',
      message: ['period 2026Q1'],
    },
    {
      name: "a department's record twice within a quarter",
      mutate: (d) => d.periods[0].departments.push(structuredClone(d.periods[0].departments[0])),
      code: 'duplicate',
      path: 'periods[0].departments[4].code',
      message: ['period 2026Q1', 'department IM'],
    },
    {
      name: 'an admin department record twice within a quarter',
      mutate: (d) => d.periods[0].departments.push({ code: 'MA' }),
      code: 'duplicate',
      path: 'periods[0].departments[4].code',
      message: ['period 2026Q1', 'department MA'],
    },
    {
      name: "a person's individual record twice within a quarter",
      mutate: (d) => d.periods[0].individuals.push({ staffId: 'S11' }),
      code: 'duplicate',
      path: 'periods[0].individuals[6].staffId',
      message: ['period 2026Q1', 'staff S11'],
    },
    {
      name: 'a department twice in the annual inputs',
      mutate: (d) => d.annual.departments.push({ code: 'SUR', assessmentFactor: '1' }),
      code: 'duplicate',
      path: 'annual.departments[1].code',
      message: ['annual', 'department SUR'],
    },
    {
      name: 'a person twice in failedStaff',
      mutate: (d) => (d.annual.failedStaff = ['S13', 'S13']),
      code: 'duplicate',
      path: 'annual.failedStaff[1]',
      message: ['annual', 'S13'],
    },
  ]);

  it('the same staff member in two different quarters is not a duplicate', () => {
    settles(mutated((d) => d.periods[1].individuals.push({ staffId: 'S11', workloadScore: '30' })));
  });
});

// ---------------------------------------------------------------------------------------------

describe('a number where a decimal string is required, a string where an integer is required', () => {
  runCases([
    {
      name: 'totalCost as a JSON number',
      mutate: (d) => (d.periods[0].departments[1].totalCost = 2500000),
      code: 'invalid_type',
      path: 'periods[0].departments[1].totalCost',
      message: ['period 2026Q1', 'department SUR', 'totalCost'],
    },
    {
      name: 'revenue as a JSON number',
      mutate: (d) => (d.periods[0].revenue = 6500000),
      code: 'invalid_type',
      path: 'periods[0].revenue',
      message: ['period 2026Q1', 'revenue'],
    },
    {
      name: 'a workload actual as a JSON number',
      mutate: (d) => (d.periods[0].departments[0].workload[1].actual = 300),
      code: 'invalid_type',
      path: 'periods[0].departments[0].workload[1].actual',
      message: ['period 2026Q1', 'department IM', 'actual'],
    },
    {
      name: 'a quality deduction as a JSON number',
      mutate: (d) => (d.periods[0].departments[0].qualityDeductions.medical = 5),
      code: 'invalid_type',
      path: 'periods[0].departments[0].qualityDeductions.medical',
      message: ['period 2026Q1', 'department IM', 'medical'],
    },
    {
      name: 'a fee target as a JSON number',
      mutate: (d) => (d.periods[0].departments[0].outpatientFee.target = 200),
      code: 'invalid_type',
      path: 'periods[0].departments[0].outpatientFee.target',
      message: ['period 2026Q1', 'department IM', 'target'],
    },
    {
      name: 'workloadScore as a JSON number',
      mutate: (d) => (d.periods[0].individuals[0].workloadScore = 36),
      code: 'invalid_type',
      path: 'periods[0].individuals[0].workloadScore',
      message: ['period 2026Q1', 'staff S11', 'workloadScore'],
    },
    {
      name: 'fines as a JSON number',
      mutate: (d) => (d.periods[0].individuals[3].fines = 500),
      code: 'invalid_type',
      path: 'periods[0].individuals[3].fines',
      message: ['period 2026Q1', 'staff S21', 'fines'],
    },
    {
      name: 'riskCoefficient as a JSON number',
      mutate: (d) => (d.departments[1].riskCoefficient = 1.2),
      code: 'invalid_type',
      path: 'departments[1].riskCoefficient',
      message: ['department IM', 'riskCoefficient'],
    },
    {
      name: 'payRatioOverride as a JSON number',
      mutate: (d) => (d.staff[6].payRatioOverride = 0.15),
      code: 'invalid_type',
      path: 'staff[6].payRatioOverride',
      message: ['staff S13', 'payRatioOverride'],
    },
    {
      name: 'a scheme rate as a JSON number',
      mutate: (d) => (d.scheme.poolRate = 0.09),
      code: 'invalid_type',
      path: 'scheme.poolRate',
      message: ['scheme', 'poolRate'],
    },
    {
      name: 'a quarterly adjustment as a JSON number',
      mutate: (d) => (d.periods[0].adjustment = -1000),
      code: 'invalid_type',
      path: 'periods[0].adjustment',
      message: ['period 2026Q1', 'adjustment'],
    },
    {
      name: 'the annual adjustment as a JSON number',
      mutate: (d) => (d.annual.adjustment = -10000),
      code: 'invalid_type',
      path: 'annual.adjustment',
      message: ['annual', 'adjustment'],
    },
    {
      name: 'a decimal in exponent notation',
      mutate: (d) => (d.periods[0].revenue = '6.5e6'),
      code: 'invalid_type',
      path: 'periods[0].revenue',
      message: ['period 2026Q1', 'revenue'],
    },
    {
      name: 'a decimal with a thousands separator',
      mutate: (d) => (d.periods[0].departments[2].totalCost = '600,000.00'),
      code: 'invalid_type',
      path: 'periods[0].departments[2].totalCost',
      message: ['period 2026Q1', 'department PED', 'totalCost'],
    },
    {
      name: 'an empty decimal string',
      mutate: (d) => (d.periods[0].departments[2].medicalRevenue = ''),
      code: 'invalid_type',
      path: 'periods[0].departments[2].medicalRevenue',
      message: ['period 2026Q1', 'department PED', 'medicalRevenue'],
    },
    {
      name: 'workingDays as a string',
      mutate: (d) => (d.periods[0].workingDays = '60'),
      code: 'invalid_type',
      path: 'periods[0].workingDays',
      message: ['period 2026Q1', 'workingDays'],
    },
    {
      name: 'workingDays as a fraction',
      mutate: (d) => (d.periods[1].workingDays = 60.5),
      code: 'invalid_type',
      path: 'periods[1].workingDays',
      message: ['period 2026Q2', 'workingDays'],
    },
    {
      name: 'errors (a count) as a string',
      mutate: (d) => (d.periods[0].individuals[0].errors = '1'),
      code: 'invalid_type',
      path: 'periods[0].individuals[0].errors',
      message: ['period 2026Q1', 'staff S11', 'errors'],
    },
    {
      name: 'absentDays as a fraction',
      mutate: (d) => (d.periods[0].individuals[0].absentDays = 3.5),
      code: 'invalid_type',
      path: 'periods[0].individuals[0].absentDays',
      message: ['period 2026Q1', 'staff S11', 'absentDays'],
    },
    {
      name: 'overtimeDays as a string',
      mutate: (d) => (d.periods[0].individuals[1].overtimeDays = '4'),
      code: 'invalid_type',
      path: 'periods[0].individuals[1].overtimeDays',
      message: ['period 2026Q1', 'staff S12', 'overtimeDays'],
    },
    {
      name: 'requiredDays as a string',
      mutate: (d) => (d.periods[0].individuals[0].requiredDays = '60'),
      code: 'invalid_type',
      path: 'periods[0].individuals[0].requiredDays',
      message: ['period 2026Q1', 'staff S11', 'requiredDays'],
    },
    {
      name: 'the annual year as a string',
      mutate: (d) => (d.annual.year = '2026'),
      code: 'invalid_type',
      path: 'annual.year',
      message: ['annual', 'year'],
    },
    {
      name: 'a failedStaff entry as a number',
      mutate: (d) => (d.annual.failedStaff = [13]),
      code: 'invalid_type',
      path: 'annual.failedStaff[0]',
      message: ['annual', 'failedStaff'],
    },
    {
      name: 'an annual assessmentFactor as a number',
      mutate: (d) => (d.annual.departments[0].assessmentFactor = 0.9),
      code: 'invalid_type',
      path: 'annual.departments[0].assessmentFactor',
      message: ['annual', 'department SUR', 'assessmentFactor'],
    },
    {
      name: 'studyLeaveMonths as something neither an integer nor a decimal string',
      mutate: (d) => (d.periods[0].individuals[2].studyLeaveMonths = 'four'),
      code: 'invalid_type',
      path: 'periods[0].individuals[2].studyLeaveMonths',
      message: ['period 2026Q1', 'staff S14', 'studyLeaveMonths'],
    },
    {
      name: 'a boolean given as a string',
      mutate: (d) => (d.periods[0].individuals[4].accident = 'true'),
      code: 'invalid_type',
      path: 'periods[0].individuals[4].accident',
      message: ['period 2026Q1', 'staff S30', 'accident'],
    },
    {
      name: 'a malformed quarter',
      mutate: (d) => (d.periods[1].period = '2026Q5'),
      code: 'invalid_type',
      path: 'periods[1].period',
      message: ['2026Q5'],
    },
  ]);

  it('studyLeaveMonths accepts an integer or a decimal string', () => {
    settles(mutated((d) => (d.periods[0].individuals[2].studyLeaveMonths = '4.5')));
    settles(mutated((d) => (d.periods[0].individuals[2].studyLeaveMonths = 4)));
  });
});

// ---------------------------------------------------------------------------------------------

describe('negative amounts, counts, deductions and rates (only adjustment may be negative)', () => {
  runCases([
    {
      name: 'a negative revenue',
      mutate: (d) => (d.periods[0].revenue = '-6500000.00'),
      code: 'invalid_value',
      path: 'periods[0].revenue',
      message: ['period 2026Q1', 'revenue'],
    },
    {
      name: 'a negative medicalRevenue',
      mutate: (d) => (d.periods[0].departments[1].medicalRevenue = '-3000000.00'),
      code: 'invalid_value',
      path: 'periods[0].departments[1].medicalRevenue',
      message: ['period 2026Q1', 'department SUR', 'medicalRevenue'],
    },
    {
      name: 'a negative variableCost',
      mutate: (d) => (d.periods[0].departments[1].variableCost = '-1.00'),
      code: 'invalid_value',
      path: 'periods[0].departments[1].variableCost',
      message: ['period 2026Q1', 'department SUR', 'variableCost'],
    },
    {
      name: 'a negative inventoryLoss',
      mutate: (d) => (d.periods[0].departments[2].inventoryLoss = '-120.50'),
      code: 'invalid_value',
      path: 'periods[0].departments[2].inventoryLoss',
      message: ['period 2026Q1', 'department PED', 'inventoryLoss'],
    },
    {
      name: 'a negative workload actual',
      mutate: (d) => (d.periods[0].departments[0].workload[0].actual = '-5200'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].workload[0].actual',
      message: ['period 2026Q1', 'department IM', 'actual'],
    },
    {
      name: 'a negative quality deduction',
      mutate: (d) => (d.periods[0].departments[0].qualityDeductions.medical = '-5'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].qualityDeductions.medical',
      message: ['period 2026Q1', 'department IM', 'medical'],
    },
    {
      name: 'a negative clinical ethicsDeductions',
      mutate: (d) => (d.periods[0].departments[0].ethicsDeductions = '-2'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].ethicsDeductions',
      message: ['period 2026Q1', 'department IM', 'ethicsDeductions'],
    },
    {
      name: 'a negative adminDeductions',
      mutate: (d) => (d.periods[0].departments[3].adminDeductions = '-5'),
      code: 'invalid_value',
      path: 'periods[0].departments[3].adminDeductions',
      message: ['period 2026Q1', 'department MA', 'adminDeductions'],
    },
    {
      name: 'a negative drugRatioTarget (a rate)',
      mutate: (d) => (d.periods[0].departments[0].drugRatioTarget = '-0.35'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].drugRatioTarget',
      message: ['period 2026Q1', 'department IM', 'drugRatioTarget'],
    },
    {
      name: 'a negative costQuotaRatio (a rate)',
      mutate: (d) => (d.periods[0].departments[1].costQuotaRatio = '-0.55'),
      code: 'invalid_value',
      path: 'periods[0].departments[1].costQuotaRatio',
      message: ['period 2026Q1', 'department SUR', 'costQuotaRatio'],
    },
    {
      name: 'a negative errors count',
      mutate: (d) => (d.periods[0].individuals[0].errors = -1),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].errors',
      message: ['period 2026Q1', 'staff S11', 'errors'],
    },
    {
      name: 'a negative lateOver5 count',
      mutate: (d) => (d.periods[0].individuals[0].lateOver5 = -2),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].lateOver5',
      message: ['period 2026Q1', 'staff S11', 'lateOver5'],
    },
    {
      name: 'a negative overtimeDays',
      mutate: (d) => (d.periods[0].individuals[1].overtimeDays = -4),
      code: 'invalid_value',
      path: 'periods[0].individuals[1].overtimeDays',
      message: ['period 2026Q1', 'staff S12', 'overtimeDays'],
    },
    {
      name: 'a negative individual ethicsDeduction',
      mutate: (d) => (d.periods[0].individuals[3].ethicsDeduction = '-3'),
      code: 'invalid_value',
      path: 'periods[0].individuals[3].ethicsDeduction',
      message: ['period 2026Q1', 'staff S21', 'ethicsDeduction'],
    },
    {
      name: 'negative fines',
      mutate: (d) => (d.periods[0].individuals[3].fines = '-500.00'),
      code: 'invalid_value',
      path: 'periods[0].individuals[3].fines',
      message: ['period 2026Q1', 'staff S21', 'fines'],
    },
    {
      name: 'a negative studyLeaveMonths (integer form)',
      mutate: (d) => (d.periods[0].individuals[2].studyLeaveMonths = -4),
      code: 'invalid_value',
      path: 'periods[0].individuals[2].studyLeaveMonths',
      message: ['period 2026Q1', 'staff S14', 'studyLeaveMonths'],
    },
    {
      name: 'a negative studyLeaveMonths (decimal-string form)',
      mutate: (d) => (d.periods[0].individuals[2].studyLeaveMonths = '-4.5'),
      code: 'invalid_value',
      path: 'periods[0].individuals[2].studyLeaveMonths',
      message: ['period 2026Q1', 'staff S14', 'studyLeaveMonths'],
    },
    {
      name: 'a negative cmeCredits',
      mutate: (d) => (d.periods[0].individuals[0].cmeCredits = -1),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].cmeCredits',
      message: ['period 2026Q1', 'staff S11', 'cmeCredits'],
    },
    {
      name: 'a negative payRatioOverride (a rate)',
      mutate: (d) => (d.staff[6].payRatioOverride = '-0.15'),
      code: 'invalid_value',
      path: 'staff[6].payRatioOverride',
      message: ['staff S13', 'payRatioOverride'],
    },
    {
      name: 'a negative scheme poolRate',
      mutate: (d) => (d.scheme.poolRate = '-0.09'),
      code: 'invalid_value',
      path: 'scheme.poolRate',
      message: ['scheme', 'poolRate'],
    },
    {
      name: 'a negative scheme leader bonusRate',
      mutate: (d) => (d.scheme.positions = { key_director: { bonusRate: '-0.30' } }),
      code: 'invalid_value',
      path: 'scheme.positions.key_director.bonusRate',
      message: ['scheme', 'bonusRate'],
    },
    {
      name: 'a negative annual assessmentFactor',
      mutate: (d) => (d.annual.departments[0].assessmentFactor = '-0.9'),
      code: 'invalid_value',
      path: 'annual.departments[0].assessmentFactor',
      message: ['annual', 'department SUR', 'assessmentFactor'],
    },
  ]);

  it('a negative quarterly adjustment is allowed and settles, lowering the distributable amount', () => {
    const base = quarterSummary(settles(example()), '2026Q1');
    const result = settles(mutated((d) => (d.periods[0].adjustment = '-1000.00')));
    const summary = quarterSummary(result, '2026Q1');
    expect(summary.adjustment).toBe('-1000.00');
    expect(summary.distributable).toBe('389000.00');
    expect(base.distributable).toBe('390000.00');
  });

  it('a negative annual adjustment is allowed and settles (the worked example has one)', () => {
    const result = settles(example());
    const annual = result.results.find((r) => r.kind === 'annual')!;
    expect((annual.summary as { fund: string }).fund).toBe('395000.00');
  });
});

// ---------------------------------------------------------------------------------------------

describe('riskCoefficient must be greater than 0', () => {
  runCases([
    {
      name: 'riskCoefficient "0"',
      mutate: (d) => (d.departments[5].riskCoefficient = '0'),
      code: 'invalid_value',
      path: 'departments[5].riskCoefficient',
      message: ['department SUR', 'riskCoefficient'],
    },
    {
      name: 'riskCoefficient "0.00" on an admin department',
      mutate: (d) => (d.departments[0].riskCoefficient = '0.00'),
      code: 'invalid_value',
      path: 'departments[0].riskCoefficient',
      message: ['department FIN', 'riskCoefficient'],
    },
    {
      name: 'a negative riskCoefficient',
      mutate: (d) => (d.departments[5].riskCoefficient = '-1.30'),
      code: 'invalid_value',
      path: 'departments[5].riskCoefficient',
      message: ['department SUR', 'riskCoefficient'],
    },
  ]);
});

// ---------------------------------------------------------------------------------------------

describe('workloadScore and ethicsDeduction above their base', () => {
  runCases([
    {
      name: 'workloadScore above 40',
      mutate: (d) => (d.periods[0].individuals[0].workloadScore = '40.01'),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].workloadScore',
      message: ['period 2026Q1', 'staff S11', 'workloadScore'],
    },
    {
      name: "workloadScore above the scheme's individualBase.workload override",
      mutate: (d) => (d.scheme.individualBase = { workload: '30' }),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].workloadScore',
      message: ['period 2026Q1', 'staff S11', 'workloadScore'],
    },
    {
      name: 'ethicsDeduction above 10',
      mutate: (d) => (d.periods[0].individuals[3].ethicsDeduction = '11'),
      code: 'invalid_value',
      path: 'periods[0].individuals[3].ethicsDeduction',
      message: ['period 2026Q1', 'staff S21', 'ethicsDeduction'],
    },
    {
      name: 'ethicsDeduction above 10 in the second quarter',
      mutate: (d) => (d.periods[1].individuals[0].ethicsDeduction = '10.5'),
      code: 'invalid_value',
      path: 'periods[1].individuals[0].ethicsDeduction',
      message: ['period 2026Q2', 'staff S14', 'ethicsDeduction'],
    },
  ]);

  it('exactly the base is accepted', () => {
    settles(
      mutated((d) => {
        d.periods[0].individuals[0].workloadScore = '40';
        d.periods[0].individuals[3].ethicsDeduction = '10';
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('unknown enum values', () => {
  runCases([
    {
      name: 'titleGrade',
      mutate: (d) => (d.staff[0].titleGrade = 'professor'),
      code: 'invalid_enum',
      path: 'staff[0].titleGrade',
      message: ['staff S01', 'titleGrade', 'professor'],
    },
    {
      name: 'position',
      mutate: (d) => (d.staff[1].position = 'ceo'),
      code: 'invalid_enum',
      path: 'staff[1].position',
      message: ['staff S02', 'position', 'ceo'],
    },
    {
      name: 'employment',
      mutate: (d) => (d.staff[6].employment = 'intern'),
      code: 'invalid_enum',
      path: 'staff[6].employment',
      message: ['staff S13', 'employment', 'intern'],
    },
    {
      name: 'role',
      mutate: (d) => (d.staff[4].role = 'doctor'),
      code: 'invalid_enum',
      path: 'staff[4].role',
      message: ['staff S11', 'role', 'doctor'],
    },
    {
      name: 'kind',
      mutate: (d) => (d.departments[1].kind = 'medical'),
      code: 'invalid_enum',
      path: 'departments[1].kind',
      message: ['department IM', 'kind', 'medical'],
    },
    {
      name: 'adminClass',
      mutate: (d) => (d.departments[0].adminClass = 'finance'),
      code: 'invalid_enum',
      path: 'departments[0].adminClass',
      message: ['department FIN', 'adminClass', 'finance'],
    },
    {
      name: 'an enum value in the wrong case',
      mutate: (d) => (d.staff[9].titleGrade = 'Chief'),
      code: 'invalid_enum',
      path: 'staff[9].titleGrade',
      message: ['staff S20', 'titleGrade'],
    },
  ]);

  it('the message lists the allowed values', () => {
    const e = expectFailure(
      mutated((d) => (d.staff[0].employment = 'intern')),
      {
        code: 'invalid_enum',
        path: 'staff[0].employment',
        message: ['staff S01'],
      },
    );
    for (const v of ['regular', 'temporary', 'contract', 'probation', 'lump_sum']) expect(e.message).toContain(v);
  });
});

// ---------------------------------------------------------------------------------------------

describe('department kind and adminClass', () => {
  runCases([
    {
      name: 'an admin department without adminClass',
      mutate: (d) => delete d.departments[0].adminClass,
      code: 'missing_field',
      path: 'departments[0].adminClass',
      message: ['department FIN', 'adminClass'],
    },
    {
      name: 'a clinical department with an adminClass',
      mutate: (d) => (d.departments[1].adminClass = 'general_admin'),
      code: 'not_applicable',
      path: 'departments[1].adminClass',
      message: ['department IM', 'adminClass'],
    },
    {
      name: 'adminDeductions on a clinical department',
      mutate: (d) => (d.periods[0].departments[0].adminDeductions = '1'),
      code: 'not_applicable',
      path: 'periods[0].departments[0].adminDeductions',
      message: ['period 2026Q1', 'department IM', 'adminDeductions'],
    },
    {
      name: 'a clinical-only field on an admin department',
      mutate: (d) => (d.periods[0].departments[3].totalCost = '1000.00'),
      code: 'not_applicable',
      path: 'periods[0].departments[3].totalCost',
      message: ['period 2026Q1', 'department MA', 'totalCost'],
    },
  ]);
});

// ---------------------------------------------------------------------------------------------

describe('scheme', () => {
  runCases([
    {
      name: 'costCoefficientBounds with min > max',
      mutate: (d) => (d.scheme.costCoefficientBounds = { min: '2', max: '1' }),
      code: 'invalid_scheme',
      path: /^scheme\.costCoefficientBounds(\.min|\.max)?$/,
      message: ['scheme', 'costCoefficientBounds'],
    },
    {
      name: 'costCoefficientBounds with a typo in a field name',
      mutate: (d) => (d.scheme.costCoefficientBounds = { min: '0.5', maxx: '2' }),
      code: 'unknown_field',
      path: 'scheme.costCoefficientBounds.maxx',
      message: ['scheme', 'maxx'],
    },
    {
      name: 'costCoefficientBounds with a number for min',
      mutate: (d) => (d.scheme.costCoefficientBounds = { min: 0.5, max: '2' }),
      code: 'invalid_type',
      path: 'scheme.costCoefficientBounds.min',
      message: ['scheme', 'min'],
    },
    {
      name: 'costCoefficientBounds missing max',
      mutate: (d) => (d.scheme.costCoefficientBounds = { min: '0.5' }),
      code: 'missing_field',
      path: 'scheme.costCoefficientBounds.max',
      message: ['scheme', 'max'],
    },
  ]);

  it('costCoefficientBounds with min = max is accepted', () => {
    settles(mutated((d) => (d.scheme.costCoefficientBounds = { min: '1', max: '1' })));
  });
});

// ---------------------------------------------------------------------------------------------

describe('quarter inputs that make a run fail', () => {
  runCases([
    {
      name: 'missing workingDays',
      mutate: (d) => delete d.periods[0].workingDays,
      code: 'missing_field',
      path: 'periods[0].workingDays',
      message: ['period 2026Q1', 'workingDays'],
    },
    {
      name: 'workingDays 0',
      mutate: (d) => (d.periods[1].workingDays = 0),
      code: 'invalid_value',
      path: 'periods[1].workingDays',
      message: ['period 2026Q2', 'workingDays'],
    },
    {
      name: 'missing revenue',
      mutate: (d) => delete d.periods[1].revenue,
      code: 'missing_field',
      path: 'periods[1].revenue',
      message: ['period 2026Q2', 'revenue'],
    },
    {
      name: 'a clinical department with staff but no inputs',
      mutate: (d) => d.periods[0].departments.splice(2, 1), // PED
      code: 'missing_inputs',
      path: /^periods\[0\]\.departments/,
      message: ['period 2026Q1', 'department PED'],
    },
    {
      name: 'a clinical department with staff but no inputs, second quarter',
      mutate: (d) => d.periods[1].departments.splice(1, 1), // SUR
      code: 'missing_inputs',
      path: /^periods\[1\]\.departments/,
      message: ['period 2026Q2', 'department SUR'],
    },
    {
      name: 'a clinical department with staff and an empty workload list',
      mutate: (d) => (d.periods[0].departments[0].workload = []),
      code: 'missing_inputs',
      path: 'periods[0].departments[0].workload',
      message: ['period 2026Q1', 'department IM', 'workload'],
    },
    {
      name: 'a clinical department with staff and no workload field',
      mutate: (d) => delete d.periods[0].departments[1].workload,
      code: 'missing_inputs',
      path: 'periods[0].departments[1].workload',
      message: ['period 2026Q1', 'department SUR', 'workload'],
    },
    {
      name: 'a workload base of 0',
      mutate: (d) => (d.periods[0].departments[0].workload[1].base = '0'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].workload[1].base',
      message: ['period 2026Q1', 'department IM', 'base'],
    },
    {
      name: 'a negative workload base',
      mutate: (d) => (d.periods[0].departments[2].workload[0].base = '-3000'),
      code: 'invalid_value',
      path: 'periods[0].departments[2].workload[0].base',
      message: ['period 2026Q1', 'department PED', 'base'],
    },
    {
      name: 'workload weights that do not sum to 1',
      mutate: (d) => (d.periods[1].departments[0].workload[1].weight = '0.3'),
      code: 'invalid_value',
      path: /^periods\[1\]\.departments\[0\]\.workload/,
      message: ['period 2026Q2', 'department IM', 'weight'],
    },
    {
      name: 'workload weights that sum to more than 1',
      mutate: (d) => (d.periods[1].departments[0].workload[1].weight = '0.41'),
      code: 'invalid_value',
      path: /^periods\[1\]\.departments\[0\]\.workload/,
      message: ['period 2026Q2', 'department IM', 'weight'],
    },
    {
      name: 'some workload weights missing',
      mutate: (d) => delete d.periods[1].departments[0].workload[1].weight,
      code: 'invalid_value',
      path: 'periods[1].departments[0].workload[1].weight',
      message: ['period 2026Q2', 'department IM', 'weight'],
    },
    {
      name: 'a single weight given on the first of two indicators',
      mutate: (d) => (d.periods[0].departments[0].workload[0].weight = '1'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].workload[1].weight',
      message: ['period 2026Q1', 'department IM', 'weight'],
    },
    {
      name: 'totalCost 0',
      mutate: (d) => (d.periods[0].departments[1].totalCost = '0'),
      code: 'invalid_value',
      path: 'periods[0].departments[1].totalCost',
      message: ['period 2026Q1', 'department SUR', 'totalCost'],
    },
    {
      name: 'totalCost 0.00',
      mutate: (d) => (d.periods[1].departments[2].totalCost = '0.00'),
      code: 'invalid_value',
      path: 'periods[1].departments[2].totalCost',
      message: ['period 2026Q2', 'department PED', 'totalCost'],
    },
    {
      name: 'a negative totalCost',
      mutate: (d) => (d.periods[0].departments[1].totalCost = '-2500000.00'),
      code: 'invalid_value',
      path: 'periods[0].departments[1].totalCost',
      message: ['period 2026Q1', 'department SUR', 'totalCost'],
    },
    {
      name: 'a clinical department with staff and no totalCost',
      mutate: (d) => delete d.periods[0].departments[1].totalCost,
      code: 'missing_field',
      path: 'periods[0].departments[1].totalCost',
      message: ['period 2026Q1', 'department SUR', 'totalCost'],
    },
    {
      name: 'a clinical department with staff and no medicalRevenue',
      mutate: (d) => delete d.periods[0].departments[2].medicalRevenue,
      code: 'missing_field',
      path: 'periods[0].departments[2].medicalRevenue',
      message: ['period 2026Q1', 'department PED', 'medicalRevenue'],
    },
    {
      name: 'costQuotaRatio without variableCost',
      mutate: (d) => delete d.periods[0].departments[1].variableCost,
      code: 'missing_field',
      path: /^periods\[0\]\.departments\[1\]\.(variableCost|costQuotaRatio)$/,
      message: ['period 2026Q1', 'department SUR', 'costQuotaRatio', 'variableCost'],
    },
    {
      name: 'an outpatient fee target of 0',
      mutate: (d) => (d.periods[0].departments[0].outpatientFee.target = '0'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].outpatientFee.target',
      message: ['period 2026Q1', 'department IM', 'outpatientFee', 'target'],
    },
    {
      name: 'an inpatient fee target of 0.00',
      mutate: (d) => (d.periods[0].departments[0].inpatientFee.target = '0.00'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].inpatientFee.target',
      message: ['period 2026Q1', 'department IM', 'inpatientFee', 'target'],
    },
    {
      name: 'a negative fee target',
      mutate: (d) => (d.periods[0].departments[0].inpatientFee.target = '-9500.00'),
      code: 'invalid_value',
      path: 'periods[0].departments[0].inpatientFee.target',
      message: ['period 2026Q1', 'department IM', 'target'],
    },
    {
      name: 'requiredDays 0',
      mutate: (d) => (d.periods[0].individuals[1].requiredDays = 0),
      code: 'invalid_value',
      path: 'periods[0].individuals[1].requiredDays',
      message: ['period 2026Q1', 'staff S12', 'requiredDays'],
    },
    {
      name: 'a negative requiredDays',
      mutate: (d) => (d.periods[0].individuals[1].requiredDays = -5),
      code: 'invalid_value',
      path: 'periods[0].individuals[1].requiredDays',
      message: ['period 2026Q1', 'staff S12', 'requiredDays'],
    },
    {
      name: 'absentDays greater than an explicit requiredDays',
      mutate: (d) => (d.periods[0].individuals[0].requiredDays = 2),
      code: 'invalid_value',
      path: 'periods[0].individuals[0].absentDays',
      message: ['period 2026Q1', 'staff S11', 'absentDays', 'requiredDays'],
    },
    {
      name: "absentDays greater than the default requiredDays (the quarter's workingDays)",
      mutate: (d) => (d.periods[1].individuals[0] = { staffId: 'S14', studyLeaveMonths: 4, absentDays: 62 }),
      code: 'invalid_value',
      path: 'periods[1].individuals[0].absentDays',
      message: ['period 2026Q2', 'staff S14', 'absentDays'],
    },
  ]);

  it('absentDays equal to requiredDays is accepted', () => {
    settles(mutated((d) => (d.periods[0].individuals[0].absentDays = 60)));
  });

  it('a clinical department without staff may have no inputs (it scores 0 with a warning)', () => {
    const result = settles(
      mutated((d) => {
        setAllEmployment(d, 'probation', (s) => s.department === 'PED');
        d.periods[0].departments.splice(2, 1);
        d.periods[0].individuals = d.periods[0].individuals.filter((r: Doc) => r.staffId !== 'S30');
      }),
    );
    const q1 = result.results[0]!;
    expect(q1.warnings.some((w) => w.includes('PED'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('run-level failures', () => {
  runCases([
    {
      name: 'admin departments with staff but no clinical department with staff',
      mutate: (d) => setAllEmployment(d, 'probation', (s) => CLINICAL.has(s.department)),
      code: 'no_clinical_staff',
      path: /^periods\[0\]/,
      message: ['period 2026Q1', 'department FIN'],
    },
    {
      name: 'no eligible staff at all',
      mutate: (d) => setAllEmployment(d, 'lump_sum'),
      code: 'no_eligible_staff',
      path: /^(staff|periods\[0\])/,
      message: ['period 2026Q1'],
    },
    {
      name: 'no eligible staff because every member is on study leave',
      mutate: (d) => {
        setAllEmployment(d, 'probation', (s) => s.id !== 'S14');
      },
      code: 'no_eligible_staff',
      path: /^(staff|periods\[0\])/,
      message: ['period 2026Q1'],
    },
    {
      name: 'a negative distributable amount (negative adjustment too large)',
      mutate: (d) => (d.periods[0].adjustment = '-390000.01'),
      code: 'negative_distributable',
      path: 'periods[0].adjustment',
      message: ['period 2026Q1', 'adjustment'],
    },
    {
      name: 'a negative distributable amount in the second quarter',
      mutate: (d) => (d.periods[1].adjustment = '-500000.00'),
      code: 'negative_distributable',
      path: 'periods[1].adjustment',
      message: ['period 2026Q2'],
    },
    {
      // bonus rates are at most 1 (src/core/bounds.ts): every member a leader at rate 1 takes the
      // whole distributable amount, and one cent less of it makes the cent-rounded bonuses exceed it
      name: 'leader bonuses exceeding the pool (every member a hospital leader at bonusRate 1, one cent short)',
      mutate: (d) => everyoneALeader(d, ['hospital_leader']),
      code: 'leader_bonus_exceeds_pool',
      path: /^(periods\[0\]|scheme\.positions)/,
      message: ['period 2026Q1'],
    },
    {
      name: 'leader bonuses exceeding the pool, spread over several positions',
      mutate: (d) => everyoneALeader(d, ['hospital_leader', 'key_director', 'clinical_director', 'functional_director']),
      code: 'leader_bonus_exceeds_pool',
      path: /^(periods\[0\]|scheme\.positions)/,
      message: ['period 2026Q1'],
    },
    {
      name: 'every department scoring 0 (no medical revenue anywhere)',
      mutate: (d) => {
        for (const r of d.periods[0].departments as Doc[]) if (CLINICAL.has(r.code)) r.medicalRevenue = '0.00';
      },
      code: 'zero_total_score',
      path: /^periods\[0\]/,
      message: ['period 2026Q1'],
    },
    {
      name: 'a year-end whose year has no settled quarter',
      mutate: (d) => (d.annual.year = 2025),
      code: 'no_settled_quarter',
      path: /^annual/,
      message: ['2025'],
    },
    {
      name: 'a year-end with no quarters at all',
      mutate: (d) => (d.periods = []),
      code: 'no_settled_quarter',
      path: /^annual/,
      message: ['2026'],
    },
    {
      name: 'a negative year-end fund',
      mutate: (d) => (d.annual.adjustment = '-405000.01'),
      code: 'negative_fund',
      path: 'annual.adjustment',
      message: ['2026', 'adjustment'],
    },
  ]);

  it('leader bonuses exactly within the pool settle', () => {
    // Q1: H = 12; hospital_leader 0.35, key_director 0.30, clinical_director 0.25 ×2 (S22 failed its assessment).
    settles(mutated((d) => (d.scheme.positions = { hospital_leader: { bonusRate: '1' } })));
  });

  it('a distributable amount of exactly 0 settles', () => {
    const summary = quarterSummary(settles(mutated((d) => (d.periods[0].adjustment = '-390000.00'))), '2026Q1');
    expect(summary.distributable).toBe('0.00');
  });

  it('a year-end fund of exactly 0 settles', () => {
    const result = settles(mutated((d) => (d.annual.adjustment = '-405000.00')));
    const annual = result.results.find((r) => r.kind === 'annual')!;
    expect((annual.summary as { fund: string }).fund).toBe('0.00');
  });
});

// ---------------------------------------------------------------------------------------------

describe('unknown fields (typos) are rejected', () => {
  runCases([
    {
      name: 'a typo in an optional individual field',
      mutate: (d) => {
        d.periods[0].individuals[0].workloadscore = d.periods[0].individuals[0].workloadScore;
        delete d.periods[0].individuals[0].workloadScore;
      },
      code: 'unknown_field',
      path: 'periods[0].individuals[0].workloadscore',
      message: ['period 2026Q1', 'staff S11', 'workloadscore'],
    },
    {
      name: 'a typo in an optional department input field',
      mutate: (d) => {
        d.periods[0].departments[2].inventoryLos = '120.50';
        delete d.periods[0].departments[2].inventoryLoss;
      },
      code: 'unknown_field',
      path: 'periods[0].departments[2].inventoryLos',
      message: ['period 2026Q1', 'department PED', 'inventoryLos'],
    },
    {
      name: 'a typo in a scheme parameter',
      mutate: (d) => (d.scheme.poolrate = '0.09'),
      code: 'unknown_field',
      path: 'scheme.poolrate',
      message: ['scheme', 'poolrate'],
    },
    {
      name: 'a typo in a nested scheme parameter',
      mutate: (d) => (d.scheme.positions = { hospital_leader: { bonus_rate: '0.35' } }),
      code: 'unknown_field',
      path: 'scheme.positions.hospital_leader.bonus_rate',
      message: ['scheme', 'bonus_rate'],
    },
    {
      name: 'a typo in a top-level field',
      mutate: (d) => (d.anual = d.annual),
      code: 'unknown_field',
      path: 'anual',
      message: ['anual'],
    },
    {
      name: 'a typo in an annual field',
      mutate: (d) => {
        d.annual.failedstaff = d.annual.failedStaff;
        delete d.annual.failedStaff;
      },
      code: 'unknown_field',
      path: 'annual.failedstaff',
      message: ['annual', 'failedstaff'],
    },
    {
      name: 'an extra field in a workload indicator',
      mutate: (d) => (d.periods[0].departments[1].workload[0].wieght = '1'),
      code: 'unknown_field',
      path: 'periods[0].departments[1].workload[0].wieght',
      message: ['period 2026Q1', 'department SUR', 'wieght'],
    },
  ]);

  it('a typo in a required field reports both the unknown and the missing field', () => {
    const doc = mutated((d) => {
      d.departments[1].riskcoefficient = d.departments[1].riskCoefficient;
      delete d.departments[1].riskCoefficient;
    });
    const e = caught(() => simulate(doc));
    expect(['unknown_field', 'missing_field']).toContain(e.code);
    expect(e.message).toContain('department IM');
    expect(e.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_field', path: 'departments[1].riskcoefficient' }),
        expect.objectContaining({ code: 'missing_field', path: 'departments[1].riskCoefficient' }),
      ]),
    );
    expect(e.toJSON().error.details).toEqual(e.details);
  });
});

// ---------------------------------------------------------------------------------------------

describe('structural errors with several problems carry details', () => {
  it('lists every problem with its own code, path and message, the first one being the error itself', () => {
    const doc = mutated((d) => {
      d.periods[0].departments[1].totalCost = 2500000; // invalid_type
      d.staff[0].titleGrade = 'professor'; // invalid_enum
      d.periods[0].individuals[0].errors = -1; // invalid_value
      d.periods[1].individuals[0].studyleave = 4; // unknown_field
      delete d.periods[1].workingDays; // missing_field
    });
    const e = caught(() => validateScenario(doc));
    expect(e.details.length).toBeGreaterThanOrEqual(5);
    expect(e.details[0]).toEqual({ code: e.code, message: e.message, path: e.path });
    const byPath = new Map(e.details.map((x) => [x.path, x]));
    expect(byPath.get('periods[0].departments[1].totalCost')).toMatchObject({ code: 'invalid_type' });
    expect(byPath.get('periods[0].departments[1].totalCost')!.message).toContain('department SUR');
    expect(byPath.get('staff[0].titleGrade')).toMatchObject({ code: 'invalid_enum' });
    expect(byPath.get('staff[0].titleGrade')!.message).toContain('staff S01');
    expect(byPath.get('periods[0].individuals[0].errors')).toMatchObject({ code: 'invalid_value' });
    expect(byPath.get('periods[0].individuals[0].errors')!.message).toContain('staff S11');
    expect(byPath.get('periods[1].individuals[0].studyleave')).toMatchObject({ code: 'unknown_field' });
    expect(byPath.get('periods[1].workingDays')).toMatchObject({ code: 'missing_field' });
    expect(byPath.get('periods[1].workingDays')!.message).toContain('period 2026Q2');
    for (const d of e.details) {
      expect(typeof d.message).toBe('string');
      expect(d.message.length).toBeGreaterThan(0);
    }
    const json = e.toJSON();
    expect(json.error.details).toEqual(e.details);
    // the JSON the CLI prints survives a round-trip
    expect(JSON.parse(JSON.stringify(e))).toEqual(json);
  });

  it('caps the details list and reports each path once', () => {
    const doc = mutated((d) => {
      for (const s of d.staff as Doc[]) {
        s.titleGrade = 'x';
        s.role = 'y';
      }
    });
    const e = caught(() => validateScenario(doc));
    expect(e.details.length).toBeGreaterThan(1);
    expect(e.details.length).toBeLessThanOrEqual(20);
    const paths = e.details.map((d) => d.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('a single problem has no details list in its JSON form', () => {
    const e = caught(() => simulate(mutated((d) => (d.periods[0].revenue = 1)))); // invalid_type
    expect(e.details.length).toBeLessThanOrEqual(1);
    expect(e.toJSON().error).not.toHaveProperty('details');
  });
});

// ---------------------------------------------------------------------------------------------

describe('validateScenario and simulate agree', () => {
  it('a structural or reference error is thrown by validateScenario already', () => {
    const doc = mutated((d) => (d.periods[0].individuals[0].staffId = 'S99'));
    const a = caught(() => validateScenario(doc));
    const b = caught(() => simulate(doc));
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('validation does not mutate the document', () => {
    const doc = example();
    const before = JSON.stringify(doc);
    simulate(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });
});
