import { ZERO } from '../money.js';
import type { Scenario } from '../schema.js';
import { ELIGIBLE_EMPLOYMENTS, type Grade } from '../schema.js';
import type { AnnualInputs, Department, Hospital, IndividualInputs, QuarterInputs, Staff } from '../types.js';
import { AssessmentEvaluator, type DerivedIndividual, type QuarterAssessmentOutcome } from './evaluate.js';
import { assessmentContextOf, validateAssessment } from './validate.js';

/**
 * An assessed scenario (assessment.md §5): validates `assessment`, evaluates every quarter and
 * the year-end, and writes what it derives into the quarters' and the year-end's inputs, so that
 * the allocation then runs on them exactly as on inputs given directly.
 */
export function applyAssessment(
  scenario: Scenario,
  hospital: Hospital,
  lookups: { departments: Map<string, Department>; staff: Map<string, Staff> },
  quarters: QuarterInputs[],
  annual: AnnualInputs | null,
  defaults: (workingDays: number) => IndividualInputs,
): void {
  const ctx = assessmentContextOf(lookups.departments, lookups.staff, new Set(quarters.map((q) => q.period)), annual?.year ?? null);
  const assessment = validateAssessment(scenario, scenario.assessment!, ctx);
  const eligible = hospital.staff.filter((s) => (ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(s.employment));
  const evaluator = new AssessmentEvaluator(assessment, hospital.departments, hospital.scheme);
  const personalGrades = new Map<string, Map<string, Grade>>();
  for (const q of quarters) {
    const outcome = evaluator.quarter(q.period, eligible);
    applyToQuarter(q, outcome, hospital, defaults);
    q.assessment = { block: outcome.block, lineage: outcome.lineage };
    personalGrades.set(q.period, outcome.personalGrades);
  }
  const yearQuarters = quarters.filter((q) => q.year === annual?.year).map((q) => q.period);
  // a year-end without a settled quarter fails as allocation-rules §4 says, not here
  if (!annual || yearQuarters.length === 0) return;
  const flags = (annual.flags ?? []).map((f) => ('staffId' in f ? { staffId: f.staffId, flag: f.flag } : { flag: f.flag }));
  const year = evaluator.year(
    annual.year,
    yearQuarters,
    eligible,
    yearQuarters.map((p) => personalGrades.get(p)!),
    flags,
  );
  for (const [code, factor] of year.factors) annual.assessmentFactors.set(code, factor);
  for (const id of year.failed) annual.failedStaff.add(id);
  annual.assessment = { block: year.block, lineage: year.lineage };
}

/** §3 and §5: the derived department and individual inputs of one quarter. */
function applyToQuarter(q: QuarterInputs, outcome: QuarterAssessmentOutcome, hospital: Hospital, defaults: (workingDays: number) => IndividualInputs): void {
  for (const d of hospital.departments) {
    const sums = outcome.deductions.get(d.code)!;
    const inputs = q.departments.get(d.code);
    if (inputs?.kind === 'clinical') {
      inputs.qualityDeductions = { medical: sums.medical, nursing: sums.nursing, infectionControl: sums.infectionControl };
      inputs.ethicsDeductions = sums.ethics;
    } else if (inputs?.kind === 'admin') {
      inputs.adminDeductions = sums.admin;
      inputs.ethicsDeductions = sums.ethics;
    } else if (d.kind === 'admin') {
      // an admin department's inputs are optional: without a record it gets one holding just the derived fields
      q.departments.set(d.code, { kind: 'admin', path: `${q.path}.departments`, adminDeductions: sums.admin, ethicsDeductions: sums.ethics, inventoryLoss: ZERO });
    }
  }
  // only people with a defect in the quarter and directors who did not pass change: the others keep their inputs
  for (const [staffId, derived] of outcome.derived) applyToPerson(q, staffId, derived, outcome.directorPassed.get(staffId), defaults);
  for (const [staffId, passed] of outcome.directorPassed) if (!passed && !outcome.derived.has(staffId)) applyToPerson(q, staffId, undefined, passed, defaults);
}

/** One person's derived inputs, written into their record of the quarter or, without one, into a default record kept beside the records. */
function applyToPerson(q: QuarterInputs, staffId: string, derived: DerivedIndividual | undefined, passed: boolean | undefined, defaults: (workingDays: number) => IndividualInputs): void {
  const record = q.individuals.get(staffId);
  const inputs = record ?? defaults(q.workingDays);
  if (derived) {
    // field by field: Object.assign's generic copy cost more than these four stores, thousands of times a year
    inputs.errors = derived.errors;
    inputs.accident = derived.accident;
    inputs.ethicsDeduction = derived.ethicsDeduction;
    inputs.ethicsZero = derived.ethicsZero;
  }
  if (passed !== undefined) inputs.managerAssessmentPassed = passed;
  if (!record) q.derivedDefaults.set(staffId, inputs);
}
