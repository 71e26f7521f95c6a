import { AssessmentEvaluator } from '../../core/assessment/evaluate.js';
import { assessmentContextOf, validateAssessment } from '../../core/assessment/validate.js';
import { EngineError } from '../../core/errors.js';
import type { QuarterlyAssessment } from '../../core/result.js';
import { type AssessmentInput, ELIGIBLE_EMPLOYMENTS, type ScorecardInput } from '../../core/schema.js';
import { validateScenario } from '../../core/validate.js';
import type { Db } from '../../db/client.js';
import type { HospitalRow } from '../hospitals/hospitals.repository.js';
import { buildScenario, schemeFor } from '../inputs/inputs.repository.js';
import { listRuns, runAssessment } from '../settlements/settlements.repository.js';
import { assessmentForRun } from './assessment.repository.js';

/**
 * A quarter's assessment as the engine gives it from what is stored now, before (or after) a
 * run: the run's own assessment document (assessmentForRun) checked and evaluated by the core's
 * own functions, on the hospital's departments, staff and scheme as a run of the quarter reads
 * them, so the preview and the run cannot disagree (assessment.md §2–§4).
 */

export type EngineRefusal = { code: string; message: string; path: string };

export type AssessmentPreview =
  /** No scorecard, value or defect touches the quarter. */
  | { kind: 'none' }
  | {
      kind: 'evaluated';
      scorecards: ScorecardInput[];
      block: QuarterlyAssessment;
      /**
       * Why the engine cannot score the departments yet (a value still missing, mid-quarter):
       * the block then holds what it does give — the people and the departments' deductions,
       * from the defects alone — and no department score.
       */
      refused: EngineRefusal | null;
    }
  /** The engine refuses even the defects (a record breaks a rule). */
  | { kind: 'refused'; scorecards: ScorecardInput[]; refused: EngineRefusal };

export async function assessmentPreview(db: Db, hospital: HospitalRow, quarter: string): Promise<AssessmentPreview> {
  const input = await assessmentForRun(db, hospital.id, { quarters: [quarter] });
  if (!input) return { kind: 'none' };
  const scorecards = input.scorecards ?? [];
  const scheme = await schemeFor(db, hospital.id, quarter);
  // the hospital without the quarter's money inputs: an assessment is previewed before they are in
  const doc = await buildScenario(db, hospital, { periods: [], schemeParameters: scheme?.parameters ?? {} });
  try {
    return { kind: 'evaluated', scorecards, block: evaluateQuarter(doc, input, quarter), refused: null };
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    const refused = { code: e.code, message: e.message, path: e.path };
    try {
      return { kind: 'evaluated', scorecards, block: evaluateQuarter(doc, defectsOnly(input), quarter), refused };
    } catch (again) {
      if (!(again instanceof EngineError)) throw again;
      return { kind: 'refused', scorecards, refused };
    }
  }
}

/** What applyAssessment does for one quarter of a run: validate, then evaluate on the eligible staff. */
function evaluateQuarter(doc: Awaited<ReturnType<typeof buildScenario>>, input: AssessmentInput, quarter: string): QuarterlyAssessment {
  const { hospital } = validateScenario(doc);
  const assessment = validateAssessment(
    doc,
    input,
    assessmentContextOf(new Map(hospital.departments.map((d) => [d.code, d])), new Map(hospital.staff.map((s) => [s.id, s])), new Set([quarter]), null),
  );
  const eligible = hospital.staff.filter((s) => (ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(s.employment));
  return new AssessmentEvaluator(assessment, hospital.departments, hospital.scheme).quarter(quarter, eligible).block;
}

/**
 * The defects without the scorecards: what the people's scores and the departments' deductions
 * by category are made of (§1.4, §3), evaluated while a value the scores need is still missing.
 */
function defectsOnly(input: AssessmentInput): AssessmentInput {
  return {
    scorecards: [],
    values: [],
    departmentDefects: (input.departmentDefects ?? []).filter((d) => d.category !== undefined).map(({ indicator: _indicator, ...d }) => d),
    personalDefects: input.personalDefects ?? [],
  };
}

/** The quarter's latest run that settled an assessment (succeeded or approved), with its stored block; null if none. */
export async function latestAssessedRun(db: Db, hospital: HospitalRow, quarter: string) {
  const run = (await listRuns(db, hospital.id, quarter)).find((r) => r.kind === 'quarterly' && (r.status === 'succeeded' || r.status === 'approved'));
  if (!run) return null;
  const stored = (await runAssessment(db, run.id)) as { block: QuarterlyAssessment } | null;
  return stored ? { run, block: stored.block } : null;
}
