import type { AnnualAssessment, AssessmentLineage, QuarterlyAssessment } from '../../core/index.js';
import type { AssessmentInput, Scenario } from '../../core/schema.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible } from '../access/access.js';
import { findRun, runAssessment, runInputs } from '../settlements/settlements.repository.js';
import { resultNotFound } from '../settlements/settlements.errors.js';
import { noAssessment } from './assessment.errors.js';
import type { DepartmentDefectRecord, PersonalDefectRecord, ValueRecord } from './assessment.repository.js';

/** What an assessed run stores beside its lines: the result's block and where its figures came from. */
export interface StoredAssessment {
  block: QuarterlyAssessment | AnnualAssessment;
  lineage: AssessmentLineage;
}

export function storedAssessment(block: QuarterlyAssessment | AnnualAssessment | undefined, lineage: AssessmentLineage | null | undefined): StoredAssessment | null {
  return block && lineage ? { block, lineage } : null;
}

type Deps = { db: Db; caller: Caller };

/** The run, its stored assessment and the assessment of its own inputs (the records exactly as it settled them). */
async function assessedRun(db: Db, runId: string) {
  const run = await findRun(db, runId);
  if (!run?.summary) throw resultNotFound(runId);
  const stored = (await runAssessment(db, runId)) as StoredAssessment | null;
  if (!stored) throw noAssessment(runId);
  const inputs = (await runInputs(db, runId)) as Scenario;
  return { run, stored, inputs, records: inputs.assessment ?? ({} as AssessmentInput) };
}

const byId = <T extends { id: string }>(list: T[] | undefined) => new Map((list ?? []).map((d) => [d.id, d]));
const pick = <T>(map: Map<string, T>, ids: readonly string[]): T[] => ids.map((id) => map.get(id)!).filter(Boolean);

/**
 * Where a department's assessed figures in a run came from (assessment.md §4): for each deduction
 * (quality: medical, nursing, infection control; ethics; admin) the defects behind it, and for each
 * assessed leaf behind its score (and, at the year-end, the assessment factor) the value records
 * and defects — read from the run's stored lineage and the records of its own inputs.
 */
export async function departmentLineage(deps: Deps, runId: string, department: string) {
  assertDepartment(deps.caller.principal, department);
  const { run, stored, records } = await assessedRun(deps.db, runId);
  const lineage = stored.lineage.departments.find((d) => d.code === department);
  const block = (stored.block.departments as { code: string }[]).find((d) => d.code === department) as
    | (QuarterlyAssessment['departments'][number] & Partial<AnnualAssessment['departments'][number]>)
    | undefined;
  if (!lineage || !block) throw notFound(`department ${department} in the assessment of settlement ${runId}`);
  const defects = byId(records.departmentDefects);
  const values = new Map((records.values ?? []).map((v) => [`${v.indicator}\u0000${v.period}\u0000${v.department}`, v]));
  const valueRecord = (ref: { indicator: string; period: string }): ValueRecord | undefined => values.get(`${ref.indicator}\u0000${ref.period}\u0000${department}`);
  const scores = new Map(block.indicators.map((i) => [i.code, i]));
  return {
    runId,
    period: run.period,
    kind: run.kind,
    department,
    scorecard: block.scorecard,
    score: block.score,
    grade: block.grade,
    ...(block.assessmentFactor !== undefined ? { assessmentFactor: block.assessmentFactor } : {}),
    deductions: deductionsOf(lineage.deductions, block.deductions, defects),
    indicators: lineage.indicators.map((leaf) => ({
      code: leaf.code,
      score: scores.get(leaf.code)?.score ?? null,
      attainment: scores.get(leaf.code)?.attainment ?? null,
      values: leaf.values.map(valueRecord).filter((v): v is ValueRecord => v !== undefined),
      defects: pick(defects, leaf.defects) as DepartmentDefectRecord[],
    })),
  };
}

type Category = keyof QuarterlyAssessment['departments'][number]['deductions'];

/** Each category's deduction (a quarter's; none at the year-end) and the defects behind it. */
function deductionsOf(ids: Record<Category, string[]>, points: Record<Category, string> | undefined, defects: Map<string, DepartmentDefectRecord>) {
  const entry = (c: Category) => ({ points: points?.[c] ?? null, defects: pick(defects, ids[c] ?? []) });
  return { medical: entry('medical'), nursing: entry('nursing'), infectionControl: entry('infectionControl'), ethics: entry('ethics'), admin: entry('admin') };
}

/**
 * Where a person's assessed figures in a run came from: the defects behind the derived errors,
 * accident and ethics deduction (their ethics points), and every defect of the period.
 */
export async function personLineage(deps: Deps, runId: string, staffId: string) {
  const { run, stored, inputs, records } = await assessedRun(deps.db, runId);
  const notHere = `staff ${staffId} in the assessment of settlement ${runId}`;
  const person = inputs.staff.find((s) => s.id === staffId);
  if (!person) throw notFound(notHere);
  assertPersonVisible(deps.caller.principal, person.department, notHere);
  const block = (stored.block.individuals as { staffId: string }[]).find((i) => i.staffId === staffId);
  if (!block) throw notFound(notHere);
  const lineage = stored.lineage.individuals.find((i) => i.staffId === staffId) ?? { defects: [], errors: [], accident: [], ethics: [] };
  const defects = byId(records.personalDefects);
  const of = (ids: readonly string[]) => pick(defects, ids) as PersonalDefectRecord[];
  return {
    runId,
    period: run.period,
    kind: run.kind,
    staffId,
    assessment: block as QuarterlyAssessment['individuals'][number] | AnnualAssessment['individuals'][number],
    defects: of(lineage.defects),
    errors: of(lineage.errors),
    accident: of(lineage.accident),
    ethics: of(lineage.ethics),
  };
}
