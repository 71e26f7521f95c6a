import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { EMPTY_ASSESSMENT, EMPTY_SCORECARD } from '../../src/core/assessment/validate.js';
import { keptSamples } from '../../src/core/shapes.js';

/**
 * src/core/shapes.ts: the records the assessment makes once or a few times a settlement take the
 * hidden class of a sample kept for the life of the process, so that no full collection between
 * two settlements drops it and the optimized code that checks for it. V8 tells whether two objects
 * share a hidden class only with --allow-natives-syntax, so the check runs in a process of its own,
 * on the assessment example, and reports each record by name.
 */
const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = `
import { readFileSync } from 'node:fs';
import { validateScenario } from ${url('../../src/core/validate.ts')};
import { keptSamples } from ${url('../../src/core/shapes.ts')};
import { AssessmentEvaluator } from ${url('../../src/core/assessment/evaluate.ts')};
import { scorecardPoints } from ${url('../../src/core/assessment/score.ts')};
import { assessmentContextOf, validateAssessment, valueIndexOf } from ${url('../../src/core/assessment/validate.ts')};
const doc = JSON.parse(readFileSync(new URL(${url('../../examples/assessment-example.scenario.json')}), 'utf8'));
const v = validateScenario(doc);
const ctx = assessmentContextOf(new Map(v.hospital.departments.map((d) => [d.code, d])), new Map(v.hospital.staff.map((s) => [s.id, s])), new Set(v.quarters.map((q) => q.period)), v.annual?.year ?? null);
const assessment = validateAssessment(doc, doc.assessment, ctx);
const scorecard = [...assessment.scorecardOf.values()][0];
const lineage = v.quarters[0].assessment.lineage.departments.flatMap((d) => d.indicators).find((l) => l.values.length > 0);
// a department's ids of its defects by category, in a quarter where it has one (the others share a frozen record)
const deductions = v.quarters.flatMap((q) => q.assessment.lineage.departments).map((d) => d.deductions).find((ids) => !Object.isFrozen(ids));
const records = {
  context: ctx,
  'value index': valueIndexOf(assessment.scorecardOf, ctx, assessment.cadencePeriods),
  assessment,
  scorecard,
  points: scorecardPoints(scorecard),
  evaluator: new AssessmentEvaluator(assessment, v.hospital.departments, v.hospital.scheme),
  'leaf lineage': lineage,
  'its values': lineage.values,
  'a value of it': lineage.values[0],
  'deduction ids': deductions,
};
// a sample keeps the classes of the objects it holds, too (the lineage's list of values and a value of it)
const held = (x, depth) => (depth === 0 || typeof x !== 'object' || x === null ? [] : Object.values(x).filter((y) => typeof y === 'object' && y !== null).flatMap((y) => [y, ...held(y, depth - 1)]));
const kept = keptSamples().flatMap((sample) => [sample, ...held(sample, 2)]);
process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(records).map(([name, record]) => [name, kept.some((sample) => %HaveSameMap(sample, record))]))));
`;

it('gives the records made once or a few times a settlement the hidden class of a kept sample', () => {
  // from the repository's root, where --import finds tsx
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', PROBE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `${r.error ?? ''} ${r.signal ?? ''} ${r.stderr}`).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    context: true,
    'value index': true,
    assessment: true,
    scorecard: true,
    points: true,
    evaluator: true,
    'leaf lineage': true,
    'its values': true,
    'a value of it': true,
    'deduction ids': true,
  });
});

it('keeps the samples the assessment gives it', () => {
  expect(keptSamples()).toContain(EMPTY_ASSESSMENT);
  expect(keptSamples()).toContain(EMPTY_SCORECARD);
});
