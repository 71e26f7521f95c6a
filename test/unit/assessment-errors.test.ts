import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ScenarioSchema, schemaError, simulate, type EngineErrorCode } from '../../src/core/index.js';
import { run } from '../../src/cli.js';
import { engineErrorOf } from '../fixtures/errors.js';

/**
 * assessment.md §5: every rule an assessed scenario adds, each through the library (code, path,
 * the record named in the message) and through the command line's own entry point (exit 2 and
 * `{"error": {code, message, path}}` on stdout). Each case mutates the assessment example minimally.
 */
type Doc = Record<string, any>;
const TEXT = readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8');
const example = (): Doc => JSON.parse(TEXT) as Doc;

/** Indices in the example: scorecards 0 BSC-CLINICAL (F: F1 [F11, F12], F2 [F21, F22], F3; C: C1, C2; P: P1 [P11 [P111, P112], P12, P13], P2; L: L1, L2), 1 BSC-FUNCTIONAL (W [W1, W2], S [S1, S2], D). */
const clinical = (d: Doc) => d.assessment.scorecards[0];
const functional = (d: Doc) => d.assessment.scorecards[1];
const node = (d: Doc, ...path: number[]) => path.reduce((n: Doc, i, k) => (k === 0 ? n.indicators[i] : n.children[i]), clinical(d));
const valueIndex = (d: Doc, indicator: string, department: string, period: string) =>
  (d.assessment.values as Doc[]).findIndex((v) => v.indicator === indicator && v.department === department && v.period === period);

interface Case {
  name: string;
  mutate: (d: Doc) => void;
  code: EngineErrorCode;
  path: string;
  message: string[];
}

const cases: Case[] = [
  // scorecards
  { name: 'a duplicate scorecard id', mutate: (d) => (functional(d).id = 'BSC-CLINICAL'), code: 'duplicate', path: 'assessment.scorecards[1].id', message: ['scorecard BSC-CLINICAL'] },
  {
    name: 'a duplicate node code',
    mutate: (d) => (node(d, 0, 0, 1).code = 'F11'),
    code: 'duplicate',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[1].code',
    message: ['indicator F11'],
  },
  {
    name: 'children whose points do not add up to their parent’s',
    mutate: (d) => (node(d, 0, 0, 1).points = '14'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[0].children',
    message: ['indicator F1', '29', '30'],
  },
  {
    name: 'top-level points that do not add up to 100',
    mutate: (d) => {
      const l = node(d, 3);
      l.points = '6';
      l.children[0].points = '3.5';
    },
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators',
    message: ['scorecard BSC-CLINICAL', '101'],
  },
  {
    name: 'more than 4 levels',
    mutate: (d) => {
      const leaf = node(d, 2, 0, 0, 0);
      node(d, 2, 0, 0).children[0] = { code: 'P1111', name: 'deeper', points: leaf.points, children: [{ ...leaf, code: 'P11111' }] };
    },
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[2].children[0].children[0].children[0].children[0]',
    message: ['indicator P11111', '4 levels'],
  },
  {
    name: 'a department matched by two scorecards’ lists',
    mutate: (d) => functional(d).appliesTo.departments.push('FIN'),
    code: 'duplicate',
    path: 'assessment.scorecards[1].appliesTo.departments[2]',
    message: ['FIN'],
  },
  {
    name: 'two scorecards of one kind',
    mutate: (d) => d.assessment.scorecards.push({ ...structuredClone(clinical(d)), id: 'BSC-2' }),
    code: 'duplicate',
    path: 'assessment.scorecards[2].appliesTo.kind',
    message: ['scorecard BSC-2', 'BSC-CLINICAL'],
  },
  {
    name: 'a department matched twice at the same precedence (listed in two scorecards)',
    mutate: (d) => d.assessment.scorecards.push({ ...structuredClone(functional(d)), id: 'BSC-F2', appliesTo: { departments: ['MA'] } }),
    code: 'duplicate',
    path: 'assessment.scorecards[2].appliesTo.departments[0]',
    message: ['MA', 'BSC-FUNCTIONAL'],
  },
  {
    name: 'appliesTo with both keys',
    mutate: (d) => (functional(d).appliesTo.kind = 'admin'),
    code: 'invalid_value',
    path: 'assessment.scorecards[1].appliesTo',
    message: ['scorecard BSC-FUNCTIONAL'],
  },
  { name: 'appliesTo with neither key', mutate: (d) => (functional(d).appliesTo = {}), code: 'invalid_value', path: 'assessment.scorecards[1].appliesTo', message: ['scorecard BSC-FUNCTIONAL'] },
  {
    name: 'one department twice in a list',
    mutate: (d) => (functional(d).appliesTo.departments = ['FIN', 'FIN']),
    code: 'duplicate',
    path: 'assessment.scorecards[1].appliesTo.departments[1]',
    message: ['FIN'],
  },
  {
    name: 'an unknown department in appliesTo',
    mutate: (d) => functional(d).appliesTo.departments.push('XX'),
    code: 'unknown_reference',
    path: 'assessment.scorecards[1].appliesTo.departments[2]',
    message: ['XX'],
  },
  {
    name: 'a leaf without cadence',
    mutate: (d) => delete node(d, 0, 0, 0).cadence,
    code: 'missing_field',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].cadence',
    message: ['indicator F11', 'cadence'],
  },
  {
    name: 'a leaf without owner',
    mutate: (d) => delete node(d, 0, 0, 0).owner,
    code: 'missing_field',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].owner',
    message: ['indicator F11', 'owner'],
  },
  {
    name: 'a leaf without method',
    mutate: (d) => delete node(d, 0, 0, 0).method,
    code: 'missing_field',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].method',
    message: ['indicator F11', 'method'],
  },
  {
    name: 'an inner node with a cadence',
    mutate: (d) => (node(d, 0, 0).cadence = 'monthly'),
    code: 'not_applicable',
    path: 'assessment.scorecards[0].indicators[0].children[0].cadence',
    message: ['indicator F1', 'cadence'],
  },
  { name: 'a node with children []', mutate: (d) => (node(d, 0, 0).children = []), code: 'invalid_value', path: 'assessment.scorecards[0].indicators[0].children[0].children', message: ['children'] },
  {
    name: 'an owner that is not a department',
    mutate: (d) => (node(d, 0, 0, 0).owner = 'XX'),
    code: 'unknown_reference',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].owner',
    message: ['indicator F11', 'XX'],
  },
  {
    name: 'an unknown method',
    mutate: (d) => (node(d, 0, 0, 0).method.type = 'guess'),
    code: 'invalid_enum',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].method.type',
    message: ['type'],
  },
  {
    name: 'an unknown direction',
    mutate: (d) => (node(d, 0, 0, 0).method.direction = 'up'),
    code: 'invalid_enum',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].method.direction',
    message: ['direction'],
  },
  {
    name: 'a ratio target of 0',
    mutate: (d) => (node(d, 0, 0, 0).method.target = '0'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[0].children[0].method.target',
    message: ['indicator F11', 'target'],
  },
  {
    name: 'a deviation step of 0',
    mutate: (d) => (node(d, 0, 1, 0).method.step = '0'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[1].children[0].method.step',
    message: ['indicator F21', 'step'],
  },
  {
    name: 'a deviation stepShare of 0',
    mutate: (d) => (node(d, 0, 1, 0).method.stepShare = '0.00'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[1].children[0].method.stepShare',
    message: ['indicator F21', 'stepShare'],
  },
  {
    name: 'a deviation target below 0',
    mutate: (d) => (node(d, 0, 1, 0).method.target = '-1'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[1].children[0].method.target',
    message: ['target', 'negative'],
  },
  {
    name: 'bands not strictly ascending',
    mutate: (d) => (node(d, 0, 2).method.bands[2].from = '5'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[2].method.bands[2].from',
    message: ['indicator F3'],
  },
  {
    name: 'a band attainment above 1',
    mutate: (d) => (node(d, 0, 2).method.bands[3].attainment = '1.01'),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[2].method.bands[3].attainment',
    message: ['indicator F3'],
  },
  {
    name: 'an empty bands list',
    mutate: (d) => (node(d, 0, 2).method.bands = []),
    code: 'invalid_value',
    path: 'assessment.scorecards[0].indicators[0].children[2].method.bands',
    message: ['indicator F3'],
  },
  {
    name: 'a method parameter its type does not take',
    mutate: (d) => (node(d, 2, 1).method.target = '5'),
    code: 'not_applicable',
    path: 'assessment.scorecards[0].indicators[2].children[1].method.target',
    message: ['indicator P2', 'target'],
  },
  {
    name: 'a scorecard with only yearly leaves',
    mutate: (d) => {
      const sc = functional(d);
      sc.indicators = [{ ...sc.indicators[2], points: '100' }];
      d.assessment.values = (d.assessment.values as Doc[]).filter((v) => !['FIN', 'MA'].includes(v.department) || v.indicator === 'D');
      d.assessment.departmentDefects = (d.assessment.departmentDefects as Doc[]).filter((x) => !x.indicator?.startsWith('W'));
    },
    code: 'invalid_value',
    path: 'assessment.scorecards[1].indicators',
    message: ['scorecard BSC-FUNCTIONAL', 'yearly'],
  },
  // values
  {
    name: 'a value for an unknown department',
    mutate: (d) => (d.assessment.values[0].department = 'XX'),
    code: 'unknown_reference',
    path: 'assessment.values[0].department',
    message: ['value of F11', 'XX'],
  },
  {
    name: 'a value for an unknown indicator',
    mutate: (d) => (d.assessment.values[0].indicator = 'Z9'),
    code: 'unknown_reference',
    path: 'assessment.values[0].indicator',
    message: ['Z9', 'BSC-CLINICAL'],
  },
  { name: 'a value for an unscored department', mutate: (d) => (d.assessment.values[0].department = 'LEAD'), code: 'not_applicable', path: 'assessment.values[0].department', message: ['LEAD'] },
  { name: 'a value for an inner node', mutate: (d) => (d.assessment.values[0].indicator = 'F1'), code: 'not_applicable', path: 'assessment.values[0].indicator', message: ['value of F1'] },
  { name: 'a value for a defects leaf', mutate: (d) => (d.assessment.values[0].indicator = 'C2'), code: 'not_applicable', path: 'assessment.values[0].indicator', message: ['value of C2'] },
  {
    name: 'a value period of the wrong form for the cadence',
    mutate: (d) => (d.assessment.values[0].period = '2026-01'),
    code: 'invalid_value',
    path: 'assessment.values[0].period',
    message: ['value of F11', 'YYYYQn'],
  },
  { name: 'a value period outside the scenario', mutate: (d) => (d.assessment.values[0].period = '2026Q3'), code: 'unknown_reference', path: 'assessment.values[0].period', message: ['2026Q3'] },
  {
    name: 'a yearly value without the year-end of that year',
    mutate: (d) => (d.assessment.values[valueIndex(d, 'L1', 'IM', '2026')].period = '2025'),
    code: 'unknown_reference',
    path: `assessment.values[${valueIndex(example(), 'L1', 'IM', '2026')}].period`,
    message: ['2025'],
  },
  {
    name: 'a duplicate value record',
    mutate: (d) => d.assessment.values.push({ ...d.assessment.values[0] }),
    code: 'duplicate',
    path: `assessment.values[${example().assessment.values.length}]`,
    message: ['value of F11 for department IM in 2026Q1'],
  },
  {
    name: 'a manual value above the leaf’s points',
    mutate: (d) => (d.assessment.values[valueIndex(d, 'P2', 'IM', '2026Q1')].value = '6.5'),
    code: 'invalid_value',
    path: `assessment.values[${valueIndex(example(), 'P2', 'IM', '2026Q1')}].value`,
    message: ['value of P2 for department IM in 2026Q1', '6'],
  },
  {
    name: 'a missing assessment value',
    mutate: (d) => d.assessment.values.splice(valueIndex(d, 'F12', 'PED', '2026-05'), 1),
    code: 'missing_assessment_value',
    path: 'assessment.values',
    message: ['F12', 'PED', '2026-05'],
  },
  // defects
  {
    name: 'a duplicate department defect id',
    mutate: (d) => (d.assessment.departmentDefects[1].id = 'DD01'),
    code: 'duplicate',
    path: 'assessment.departmentDefects[1].id',
    message: ['department defect DD01'],
  },
  {
    name: 'a duplicate personal defect id',
    mutate: (d) => (d.assessment.personalDefects[1].id = 'PD01'),
    code: 'duplicate',
    path: 'assessment.personalDefects[1].id',
    message: ['personal defect PD01'],
  },
  {
    name: 'a defect month outside the scenario',
    mutate: (d) => (d.assessment.departmentDefects[0].month = '2026-07'),
    code: 'unknown_reference',
    path: 'assessment.departmentDefects[0].month',
    message: ['DD01', '2026-07'],
  },
  {
    name: 'a personal defect month outside the scenario',
    mutate: (d) => (d.assessment.personalDefects[0].month = '2025-12'),
    code: 'unknown_reference',
    path: 'assessment.personalDefects[0].month',
    message: ['PD01', '2025-12'],
  },
  {
    name: 'a department defect against an unknown department',
    mutate: (d) => (d.assessment.departmentDefects[0].department = 'XX'),
    code: 'unknown_reference',
    path: 'assessment.departmentDefects[0].department',
    message: ['DD01', 'XX'],
  },
  {
    name: 'a defect owner that is not a department',
    mutate: (d) => (d.assessment.departmentDefects[0].owner = 'XX'),
    code: 'unknown_reference',
    path: 'assessment.departmentDefects[0].owner',
    message: ['DD01', 'XX'],
  },
  {
    name: 'a personal defect against an unknown staff member',
    mutate: (d) => (d.assessment.personalDefects[0].staffId = 'S99'),
    code: 'unknown_reference',
    path: 'assessment.personalDefects[0].staffId',
    message: ['PD01', 'S99'],
  },
  {
    name: 'a department defect with neither category nor indicator',
    mutate: (d) => delete d.assessment.departmentDefects[0].category,
    code: 'missing_field',
    path: 'assessment.departmentDefects[0].category',
    message: ['DD01'],
  },
  {
    name: 'a category that does not fit the department’s kind',
    mutate: (d) => (d.assessment.departmentDefects[0].category = 'admin'),
    code: 'not_applicable',
    path: 'assessment.departmentDefects[0].category',
    message: ['DD01', 'admin', 'clinical'],
  },
  {
    name: 'a clinical category on an admin department',
    mutate: (d) => (d.assessment.departmentDefects[5].category = 'nursing'),
    code: 'not_applicable',
    path: 'assessment.departmentDefects[5].category',
    message: ['DD06', 'nursing', 'admin'],
  },
  {
    name: 'an indicator that is not a defects leaf',
    mutate: (d) => (d.assessment.departmentDefects[6].indicator = 'C1'),
    code: 'not_applicable',
    path: 'assessment.departmentDefects[6].indicator',
    message: ['DD07', 'C1'],
  },
  {
    name: 'an indicator of another scorecard',
    mutate: (d) => (d.assessment.departmentDefects[6].indicator = 'W2'),
    code: 'unknown_reference',
    path: 'assessment.departmentDefects[6].indicator',
    message: ['DD07', 'W2'],
  },
  {
    name: 'an indicator on an unscored department',
    mutate: (d) => Object.assign(d.assessment.departmentDefects[5], { department: 'LEAD' }),
    code: 'not_applicable',
    path: 'assessment.departmentDefects[5].indicator',
    message: ['DD06', 'LEAD'],
  },
  {
    name: 'a veto on a defect that is not ethics',
    mutate: (d) => (d.assessment.personalDefects[0].veto = true),
    code: 'not_applicable',
    path: 'assessment.personalDefects[0].veto',
    message: ['PD01', 'veto'],
  },
  {
    name: 'defect points with 3 decimals',
    mutate: (d) => (d.assessment.departmentDefects[0].points = '1.125'),
    code: 'invalid_value',
    path: 'assessment.departmentDefects[0].points',
    message: ['DD01', '2 decimals'],
  },
  {
    name: 'personal defect points with 3 decimals',
    mutate: (d) => (d.assessment.personalDefects[0].points = '0.001'),
    code: 'invalid_value',
    path: 'assessment.personalDefects[0].points',
    message: ['PD01', '2 decimals'],
  },
  {
    name: 'department defect points of 0',
    mutate: (d) => (d.assessment.departmentDefects[0].points = '0'),
    code: 'invalid_value',
    path: 'assessment.departmentDefects[0].points',
    message: ['DD01', 'points'],
  },
  // derived fields
  {
    name: 'qualityDeductions given',
    mutate: (d) => (d.periods[0].departments[0].qualityDeductions = { medical: '1' }),
    code: 'derived_field_given',
    path: 'periods[0].departments[0].qualityDeductions',
    message: ['period 2026Q1, department IM', 'qualityDeductions'],
  },
  {
    name: 'ethicsDeductions given',
    mutate: (d) => (d.periods[1].departments[2].ethicsDeductions = '0'),
    code: 'derived_field_given',
    path: 'periods[1].departments[2].ethicsDeductions',
    message: ['period 2026Q2, department PED', 'ethicsDeductions'],
  },
  {
    name: 'adminDeductions given',
    mutate: (d) => d.periods[0].departments.push({ code: 'MA', adminDeductions: '2' }),
    code: 'derived_field_given',
    path: 'periods[0].departments[3].adminDeductions',
    message: ['department MA', 'adminDeductions'],
  },
  { name: 'errors given', mutate: (d) => (d.periods[0].individuals[0].errors = 0), code: 'derived_field_given', path: 'periods[0].individuals[0].errors', message: ['staff S11', 'errors'] },
  { name: 'accident given', mutate: (d) => (d.periods[0].individuals[4].accident = true), code: 'derived_field_given', path: 'periods[0].individuals[4].accident', message: ['staff S30', 'accident'] },
  {
    name: 'ethicsDeduction given',
    mutate: (d) => (d.periods[0].individuals[1].ethicsDeduction = '1'),
    code: 'derived_field_given',
    path: 'periods[0].individuals[1].ethicsDeduction',
    message: ['staff S12', 'ethicsDeduction'],
  },
  {
    name: 'ethicsZero given (on anyone’s record)',
    mutate: (d) => (d.periods[0].individuals[3].ethicsZero = false),
    code: 'derived_field_given',
    path: 'periods[0].individuals[3].ethicsZero',
    message: ['staff S21', 'ethicsZero'],
  },
  {
    name: 'managerAssessmentPassed given for a director of a scored department',
    mutate: (d) => d.periods[0].individuals.push({ staffId: 'S20', managerAssessmentPassed: true }),
    code: 'derived_field_given',
    path: 'periods[0].individuals[5].managerAssessmentPassed',
    message: ['staff S20', 'managerAssessmentPassed'],
  },
  {
    name: 'the year-end assessmentFactor of a scored department',
    mutate: (d) => d.annual.departments.push({ code: 'IM', assessmentFactor: '1' }),
    code: 'derived_field_given',
    path: 'annual.departments[0].assessmentFactor',
    message: ['annual, department IM', 'assessmentFactor'],
  },
  // scheme
  {
    name: 'a grade list whose mins do not descend',
    mutate: (d) =>
      (d.scheme.assessment = {
        departmentGrades: [
          { grade: 'pass', min: '60' },
          { grade: 'basic_pass', min: '85' },
          { grade: 'fail', min: '0' },
        ],
      }),
    code: 'invalid_scheme',
    path: 'scheme.assessment.departmentGrades[1].min',
    message: ['departmentGrades'],
  },
  {
    name: 'a grade list whose last min is not 0',
    mutate: (d) =>
      (d.scheme.assessment = {
        personalGrades: [
          { grade: 'pass', min: '85' },
          { grade: 'fail', min: '10' },
        ],
      }),
    code: 'invalid_scheme',
    path: 'scheme.assessment.personalGrades[1].min',
    message: ['personalGrades'],
  },
  {
    name: 'an unknown grade word',
    mutate: (d) => (d.scheme.assessment = { directorGrades: [{ grade: 'excellent', min: '0' }] }),
    code: 'invalid_enum',
    path: 'scheme.assessment.directorGrades[0].grade',
    message: ['grade'],
  },
];

function mutated(c: Case): Doc {
  const d = example();
  c.mutate(d);
  return d;
}

describe('assessment.md §5 through the library', () => {
  it('the example itself settles', () => expect(() => simulate(example())).not.toThrow());
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const e = engineErrorOf(() => simulate(mutated(c)), 'expected the scenario to be refused');
    expect([e.code, e.path], e.message).toEqual([c.code, c.path]);
    for (const fragment of c.message) expect(e.message).toContain(fragment);
  });
});

describe('assessment.md §5 through the command line (exit 2, the error object on stdout)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let stdout = '';
    let stderr = '';
    const status = run(['simulate', '-'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), stdin: () => JSON.stringify(mutated(c)) });
    expect(status, stderr).toBe(2);
    const out = JSON.parse(stdout) as { error: { code: string; message: string; path: string } };
    expect(Object.keys(out)).toEqual(['error']);
    expect(out.error.code).toBe(c.code);
    expect(out.error.path).toBe(c.path);
    expect(stderr).toBe('');
  });
});

/**
 * The value records' form is checked as the assessment reads them, not in the schema's walk of the
 * document (src/core/validate.ts): a record not of the form must still be refused exactly as the
 * whole schema refuses it — the same first error and details — even where a rule further on (a
 * period's record, another value) would refuse the scenario too.
 */
describe('a value record not of the form is refused as the whole schema refuses it', () => {
  const checkAll = TypeCompiler.Compile(ScenarioSchema);
  const asTheSchemaSays = (d: Doc) => {
    const e = schemaError(d, checkAll.Errors(d));
    return { code: e.code, path: e.path, message: e.message, details: e.details };
  };
  const last = (d: Doc) => d.assessment.values.length - 1;
  const forms: [string, (d: Doc) => void][] = [
    ['a value that is not a decimal', (d) => (d.assessment.values[last(d)].value = '1e5')],
    ['a value given as a number', (d) => (d.assessment.values[3].value = 12)],
    ['a negative value', (d) => (d.assessment.values[3].value = '-1')],
    ['a value record with a field too many', (d) => (d.assessment.values[3].note = 'x')],
    ['a value record without its period', (d) => delete d.assessment.values[3].period],
    ['a value record that is null', (d) => (d.assessment.values[3] = null)],
    ['a value record that is a list', (d) => (d.assessment.values[3] = [])],
    ['a month that is not one', (d) => (d.assessment.values[3].period = '2026-13')],
    ['a period given as a number', (d) => (d.assessment.values[3].period = 2026)],
    ['a department code with a space around it', (d) => (d.assessment.values[3].department = ' IM')],
    ['an indicator code of 65 characters', (d) => (d.assessment.values[3].indicator = 'F'.repeat(65))],
    [
      'a bad value after a value that breaks a rule',
      (d) => {
        d.assessment.values[0].department = 'XX';
        d.assessment.values[last(d)].value = 'abc';
      },
    ],
    [
      'a bad value in a scenario that breaks a rule before the assessment',
      (d) => {
        d.periods[0].departments[0].code = 'NOPE';
        d.assessment.values[last(d)].value = '';
      },
    ],
    [
      'two records not of the form (both in the details)',
      (d) => {
        d.assessment.values[2].value = 'x';
        d.assessment.values[7].period = 7;
      },
    ],
  ];
  it.each(forms)('%s', (_name, mutate) => {
    const d = example();
    mutate(d);
    const expected = asTheSchemaSays(d);
    expect(expected.path).toMatch(/^assessment\.values\[/);
    const e = engineErrorOf(() => simulate(d), 'expected the scenario to be refused');
    expect({ code: e.code, path: e.path, message: e.message, details: e.details }).toEqual(expected);
  });
});
