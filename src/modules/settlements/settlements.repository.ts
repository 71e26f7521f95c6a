import { and, asc, desc, eq, getTableColumns, inArray, ne, sql } from 'drizzle-orm';
import type { AnnualResult, QuarterlyResult, ScoreComponents } from '../../core/index.js';
import { formatMoney, formatScore } from '../../core/index.js';
import { copyRows, insertUnnest, type BulkColumn } from '../../shared/db/bulk.js';
import type { Db, Tx } from '../../db/client.js';
import { plainSelect } from '../../shared/db/plain.js';
import { perDatabase } from '../../shared/db/prepared.js';
import { annualDepartmentLines, annualIndividualLines, bankBalances, departmentLines, individualLines, settlementRuns } from '../../db/schema.js';

/** A run without its inputs document and assessment (megabytes for a large hospital): what every read needs. */
export type RunRow = Omit<typeof settlementRuns.$inferSelect, 'inputs' | 'assessment'>;
const { inputs: _inputs, assessment: _assessment, ...runColumns } = getTableColumns(settlementRuns);
export type DepartmentLineRow = typeof departmentLines.$inferSelect;
export type IndividualLineRow = typeof individualLines.$inferSelect;
type Conn = Db | Tx;

export const ACTIVE_STATUSES = ['queued', 'running'] as const;

export async function findRun(db: Conn, id: string): Promise<RunRow | null> {
  const [row] = await db.select(runColumns).from(settlementRuns).where(eq(settlementRuns.id, id));
  return row ?? null;
}

export async function findActiveRun(db: Conn, hospitalId: number, period: string): Promise<RunRow | null> {
  const [row] = await db
    .select(runColumns)
    .from(settlementRuns)
    .where(and(eq(settlementRuns.hospitalId, hospitalId), eq(settlementRuns.period, period), inArray(settlementRuns.status, [...ACTIVE_STATUSES])));
  return row ?? null;
}

export async function findApprovedRun(db: Conn, hospitalId: number, period: string): Promise<RunRow | null> {
  const [row] = await db
    .select(runColumns)
    .from(settlementRuns)
    .where(and(eq(settlementRuns.hospitalId, hospitalId), eq(settlementRuns.period, period), eq(settlementRuns.status, 'approved')));
  return row ?? null;
}

/** The period's most recent succeeded run (not approved, superseded or failed), if any. */
export async function findLatestSucceededRun(db: Conn, hospitalId: number, period: string): Promise<RunRow | null> {
  const [row] = await db
    .select(runColumns)
    .from(settlementRuns)
    .where(and(eq(settlementRuns.hospitalId, hospitalId), eq(settlementRuns.period, period), eq(settlementRuns.status, 'succeeded')))
    .orderBy(desc(settlementRuns.createdAt), desc(settlementRuns.id))
    .limit(1);
  return row ?? null;
}

export async function listRuns(db: Conn, hospitalId: number, period?: string): Promise<RunRow[]> {
  const where = period ? and(eq(settlementRuns.hospitalId, hospitalId), eq(settlementRuns.period, period)) : eq(settlementRuns.hospitalId, hospitalId);
  return db.select(runColumns).from(settlementRuns).where(where).orderBy(desc(settlementRuns.createdAt), asc(settlementRuns.id));
}

export async function listQueuedRuns(db: Conn): Promise<RunRow[]> {
  return db
    .select(runColumns)
    .from(settlementRuns)
    .where(inArray(settlementRuns.status, [...ACTIVE_STATUSES]))
    .orderBy(asc(settlementRuns.createdAt));
}

export async function insertRun(tx: Tx, row: typeof settlementRuns.$inferInsert): Promise<RunRow> {
  const [created] = await tx.insert(settlementRuns).values(row).returning(runColumns);
  return created!;
}

/** The scenario document a run settled (null before it has run). */
export async function runInputs(db: Conn, id: string): Promise<unknown> {
  const [row] = await db.select({ inputs: settlementRuns.inputs }).from(settlementRuns).where(eq(settlementRuns.id, id));
  return row?.inputs ?? null;
}

/** An assessed run's stored assessment: its result block and the lineage behind it (null: none). */
export async function runAssessment(db: Conn, id: string): Promise<unknown> {
  const [row] = await db.select({ assessment: settlementRuns.assessment }).from(settlementRuns).where(eq(settlementRuns.id, id));
  return row?.assessment ?? null;
}

export async function updateRun(tx: Conn, id: string, set: Partial<typeof settlementRuns.$inferInsert>): Promise<void> {
  await tx.update(settlementRuns).set(set).where(eq(settlementRuns.id, id));
}

/** A quarter's inputs document written onto its running run as JSON text (json, not jsonb: the text as it is). */
export async function writeRunInputs(db: Conn, id: string, inputsJson: string): Promise<void> {
  await db
    .update(settlementRuns)
    .set({ inputs: sql`${inputsJson}::json` })
    .where(eq(settlementRuns.id, id));
}

export async function supersedeOthers(tx: Tx, run: RunRow): Promise<void> {
  await tx
    .update(settlementRuns)
    .set({ status: 'superseded', supersededBy: run.id })
    .where(and(eq(settlementRuns.hospitalId, run.hospitalId), eq(settlementRuns.period, run.period), ne(settlementRuns.id, run.id), inArray(settlementRuns.status, ['succeeded', 'failed'])));
}

// ------------------------------------------------------------------ result lines

const componentColumns = (components: (r: QuarterlyResult['individuals'][number]) => ScoreComponents | undefined) => {
  const c = (pick: (x: ScoreComponents) => Parameters<typeof formatScore>[0]) => (r: QuarterlyResult['individuals'][number]) => {
    const found = components(r);
    return found ? formatScore(pick(found)) : null;
  };
  return [
    { name: 'title_points', type: 'numeric', value: c((x) => x.title) },
    { name: 'position_points', type: 'numeric', value: c((x) => x.position) },
    { name: 'workload_points', type: 'numeric', value: c((x) => x.workload) },
    { name: 'quality_points', type: 'numeric', value: c((x) => x.quality) },
    { name: 'ethics_points', type: 'numeric', value: c((x) => x.ethics) },
    { name: 'discipline_points', type: 'numeric', value: c((x) => x.discipline) },
    { name: 'penalty_points', type: 'numeric', value: c((x) => x.penalties) },
  ] as BulkColumn<QuarterlyResult['individuals'][number]>[];
};

export async function insertQuarterLines(
  tx: Tx,
  runId: string,
  result: QuarterlyResult,
  components: Map<string, ScoreComponents>,
  records: Map<string, unknown>,
  disputeItems: Map<string, { disputeId: string; amount: Parameters<typeof formatScore>[0] }[]> = new Map(),
): Promise<void> {
  type D = QuarterlyResult['departments'][number];
  const departmentColumns: BulkColumn<D>[] = [
    { name: 'run_id', type: 'uuid', value: () => runId },
    { name: 'department', type: 'text', value: (d) => d.code },
    { name: 'name', type: 'text', value: (d) => d.name },
    { name: 'kind', type: 'text', value: (d) => d.kind },
    { name: 'headcount', type: 'int', value: (d) => d.headcount },
    { name: 'score', type: 'numeric', value: (d) => d.score },
    { name: 'risk_coefficient', type: 'numeric', value: (d) => d.riskCoefficient },
    { name: 'gross', type: 'numeric', value: (d) => d.gross },
    { name: 'penalty_cost_quota', type: 'numeric', value: (d) => d.penalties.costQuota },
    { name: 'penalty_outpatient_fee', type: 'numeric', value: (d) => d.penalties.outpatientFee },
    { name: 'penalty_inpatient_fee', type: 'numeric', value: (d) => d.penalties.inpatientFee },
    { name: 'penalty_drug_ratio', type: 'numeric', value: (d) => d.penalties.drugRatio },
    { name: 'penalty_inventory_loss', type: 'numeric', value: (d) => d.penalties.inventoryLoss },
    { name: 'penalty_total', type: 'numeric', value: (d) => d.penaltyTotal },
    { name: 'net', type: 'numeric', value: (d) => d.net },
    { name: 'cap', type: 'numeric', value: (d) => d.cap },
    { name: 'bank_deposit', type: 'numeric', value: (d) => d.bankDeposit },
    { name: 'bank_draw', type: 'numeric', value: (d) => d.bankDraw },
    { name: 'floor_subsidy', type: 'numeric', value: (d) => d.floorSubsidy },
    { name: 'final', type: 'numeric', value: (d) => d.final },
    { name: 'bank_balance_after', type: 'numeric', value: (d) => d.bankBalanceAfter },
    { name: 'workload_score', type: 'numeric', value: (d) => d.workloadScore ?? null },
    { name: 'quality_score', type: 'numeric', value: (d) => d.qualityScore ?? null },
    { name: 'ethics_score', type: 'numeric', value: (d) => d.ethicsScore ?? null },
    { name: 'cost_coefficient', type: 'numeric', value: (d) => d.costCoefficient ?? null },
    { name: 'base_per_capita', type: 'numeric', value: (d) => d.basePerCapita ?? null },
  ];
  await insertUnnest(tx, 'department_lines', departmentColumns, result.departments);
  type I = QuarterlyResult['individuals'][number];
  const individualColumns: BulkColumn<I>[] = [
    { name: 'run_id', type: 'uuid', value: () => runId },
    { name: 'staff_id', type: 'text', value: (i) => i.staffId },
    { name: 'name', type: 'text', value: (i) => i.name },
    { name: 'department', type: 'text', value: (i) => i.department },
    ...componentColumns((i) => components.get(i.staffId)),
    { name: 'raw_score', type: 'numeric', value: (i) => i.rawScore },
    { name: 'attendance_deduction', type: 'numeric', value: (i) => i.attendanceDeduction },
    { name: 'overtime_addition', type: 'numeric', value: (i) => i.overtimeAddition },
    { name: 'pay_ratio', type: 'numeric', value: (i) => i.payRatio },
    { name: 'effective_score', type: 'numeric', value: (i) => i.effectiveScore },
    { name: 'tier2_pay', type: 'numeric', value: (i) => i.tier2Pay },
    { name: 'leader_bonus', type: 'numeric', value: (i) => i.leaderBonus },
    { name: 'study_leave_pay', type: 'numeric', value: (i) => i.studyLeavePay },
    { name: 'fines_applied', type: 'numeric', value: (i) => i.finesApplied },
    { name: 'total', type: 'numeric', value: (i) => i.total },
    { name: 'input_record', type: 'json', value: (i) => (records.has(i.staffId) ? JSON.stringify(records.get(i.staffId)) : null) },
    { name: 'dispute_fines', type: 'numeric', value: (i) => i.disputeFines ?? null },
    {
      name: 'dispute_items',
      type: 'json',
      value: (i) => {
        const items = disputeItems.get(i.staffId);
        return items?.length ? JSON.stringify(items.map((d) => ({ disputeId: d.disputeId, amount: formatMoney(d.amount) }))) : null;
      },
    },
  ];
  await copyRows(tx, 'individual_lines', individualColumns, result.individuals);
}

export async function insertAnnualLines(tx: Tx, runId: string, result: AnnualResult): Promise<void> {
  type D = AnnualResult['departments'][number];
  await insertUnnest<D>(
    tx,
    'annual_department_lines',
    [
      { name: 'run_id', type: 'uuid', value: () => runId },
      { name: 'department', type: 'text', value: (d) => d.code },
      { name: 'name', type: 'text', value: (d) => d.name },
      { name: 'score', type: 'numeric', value: (d) => d.score },
      { name: 'amount', type: 'numeric', value: (d) => d.amount },
      { name: 'bank_expired', type: 'numeric', value: (d) => d.bankExpired },
      { name: 'risk_award', type: 'numeric', value: (d) => d.riskAward ?? null },
    ],
    result.departments,
  );
  type I = AnnualResult['individuals'][number];
  await insertUnnest<I>(
    tx,
    'annual_individual_lines',
    [
      { name: 'run_id', type: 'uuid', value: () => runId },
      { name: 'staff_id', type: 'text', value: (i) => i.staffId },
      { name: 'department', type: 'text', value: (i) => i.department },
      { name: 'name', type: 'text', value: (i) => i.name },
      { name: 'weight', type: 'numeric', value: (i) => i.weight },
      { name: 'amount', type: 'numeric', value: (i) => i.amount },
      { name: 'risk_award', type: 'numeric', value: (i) => i.riskAward ?? null },
    ],
    result.individuals,
  );
}

export async function departmentLinesOf(db: Conn, runId: string, department?: string): Promise<DepartmentLineRow[]> {
  const where = department ? and(eq(departmentLines.runId, runId), eq(departmentLines.department, department)) : eq(departmentLines.runId, runId);
  return db.select().from(departmentLines).where(where).orderBy(sql`${departmentLines.department} collate "C"`);
}

/** The columns of a person's line that the result document (contract.md §2) shows. */
const RESULT_LINE_COLUMNS = {
  staffId: individualLines.staffId,
  name: individualLines.name,
  department: individualLines.department,
  rawScore: individualLines.rawScore,
  attendanceDeduction: individualLines.attendanceDeduction,
  overtimeAddition: individualLines.overtimeAddition,
  payRatio: individualLines.payRatio,
  effectiveScore: individualLines.effectiveScore,
  tier2Pay: individualLines.tier2Pay,
  leaderBonus: individualLines.leaderBonus,
  studyLeavePay: individualLines.studyLeavePay,
  finesApplied: individualLines.finesApplied,
  total: individualLines.total,
  disputeFines: individualLines.disputeFines,
};
export type ResultLineRow = { [K in Exclude<keyof typeof RESULT_LINE_COLUMNS, 'disputeFines'>]: string } & { disputeFines: string | null };

export interface LinePage {
  /** Only these departments' lines (a department head's, or the one asked for). */
  departments?: string[];
  /** Lines after this staff id, in code-point order (the previous page's last). */
  after?: string;
  limit: number;
}

/**
 * A page of a quarterly run's lines in staff-id order, with the result columns only (not the
 * components or the input record). Keyset paging: `after` is the last staff id already read.
 */
const selectResultLines = plainSelect<ResultLineRow>(RESULT_LINE_COLUMNS, individualLines);

export async function resultLinesPage(db: Conn, runId: string, page: LinePage): Promise<ResultLineRow[]> {
  const where = [eq(individualLines.runId, runId)];
  if (page.departments) where.push(page.departments.length ? inArray(individualLines.department, page.departments) : sql`false`);
  if (page.after !== undefined) where.push(sql`${individualLines.staffId} collate "C" > ${page.after}`);
  // the driver's rows as they come (every column text or numeric): no per-cell mapping of 10,000 lines
  return selectResultLines(db, and(...where), sql`${individualLines.staffId} collate "C"`, page.limit);
}

/** The same for a year-end run's lines (staff id, then department). */
export async function annualLinesPage(db: Conn, runId: string, page: LinePage & { afterDepartment?: string }) {
  const t = annualIndividualLines;
  const where = [eq(t.runId, runId)];
  if (page.departments) where.push(page.departments.length ? inArray(t.department, page.departments) : sql`false`);
  if (page.after !== undefined) where.push(sql`(${t.staffId} collate "C", ${t.department} collate "C") > (${page.after}, ${page.afterDepartment ?? ''})`);
  return db
    .select({ staffId: t.staffId, name: t.name, department: t.department, weight: t.weight, amount: t.amount, riskAward: t.riskAward })
    .from(t)
    .where(and(...where))
    .orderBy(sql`${t.staffId} collate "C"`, sql`${t.department} collate "C"`)
    .limit(page.limit);
}

/**
 * One person's line of a quarterly run with its run and department line, in one query — the
 * read a department head's screen makes for every person; null when the run has no such line.
 */
const personLineQuery = perDatabase((db) =>
  db
    .select({ run: runColumns, line: individualLines, department: departmentLines })
    .from(individualLines)
    .innerJoin(settlementRuns, eq(settlementRuns.id, individualLines.runId))
    .leftJoin(departmentLines, and(eq(departmentLines.runId, individualLines.runId), eq(departmentLines.department, individualLines.department)))
    .where(and(eq(individualLines.runId, sql.placeholder('runId')), eq(individualLines.staffId, sql.placeholder('staffId'))))
    .prepare('perfpay_person_line'),
);

export async function personLineOf(db: Db, runId: string, staffId: string): Promise<{ run: RunRow; line: IndividualLineRow; department: DepartmentLineRow | null } | null> {
  const [row] = await personLineQuery(db).execute({ runId, staffId });
  return row ? { run: row.run as RunRow, line: row.line, department: row.department } : null;
}

/** Whether a quarterly run's lines carry dispute liabilities (its scenario had disputes). */
export async function hasDisputeFines(db: Conn, runId: string): Promise<boolean> {
  const [row] = await db.select({ f: individualLines.disputeFines }).from(individualLines).where(eq(individualLines.runId, runId)).limit(1);
  return row !== undefined && row.f !== null;
}

export async function individualLinesOf(db: Conn, runId: string, filter: { department?: string; staffId?: string } = {}): Promise<IndividualLineRow[]> {
  const where = [eq(individualLines.runId, runId)];
  if (filter.department) where.push(eq(individualLines.department, filter.department));
  if (filter.staffId) where.push(eq(individualLines.staffId, filter.staffId));
  return db
    .select()
    .from(individualLines)
    .where(and(...where))
    .orderBy(sql`${individualLines.staffId} collate "C"`);
}

export async function annualLinesOf(db: Conn, runId: string) {
  const departments = await db.select().from(annualDepartmentLines).where(eq(annualDepartmentLines.runId, runId)).orderBy(sql`${annualDepartmentLines.department} collate "C"`);
  const individuals = await db
    .select()
    .from(annualIndividualLines)
    .where(eq(annualIndividualLines.runId, runId))
    .orderBy(sql`${annualIndividualLines.staffId} collate "C"`, sql`${annualIndividualLines.department} collate "C"`);
  return { departments, individuals };
}

/**
 * The carry-over bank (调节金): each department's balance after the year's latest approved
 * quarter, written when a quarter is approved. A quarter's run opens with it: all the quarters
 * before it are approved, none after it can be.
 */
export async function saveBankBalances(tx: Tx, hospitalId: number, run: RunRow, lines: DepartmentLineRow[]): Promise<void> {
  if (lines.length === 0) return;
  const year = Number.parseInt(run.period.slice(0, 4), 10);
  await tx
    .insert(bankBalances)
    .values(lines.map((line) => ({ hospitalId, year, department: line.department, balance: line.bankBalanceAfter, asOfPeriod: run.period, runId: run.id })))
    .onConflictDoUpdate({
      target: [bankBalances.hospitalId, bankBalances.year, bankBalances.department],
      set: { balance: sql`excluded.balance`, asOfPeriod: sql`excluded.as_of_period`, runId: sql`excluded.run_id` },
    });
}

/** The bank as the given approved quarter left it, by department (code-point order). */
export async function bankAsOf(db: Conn, hospitalId: number, period: string): Promise<Record<string, string>> {
  const rows = await db
    .select({ department: bankBalances.department, balance: bankBalances.balance })
    .from(bankBalances)
    .where(and(eq(bankBalances.hospitalId, hospitalId), eq(bankBalances.year, Number.parseInt(period.slice(0, 4), 10)), eq(bankBalances.asOfPeriod, period)))
    .orderBy(sql`${bankBalances.department} collate "C"`);
  return Object.fromEntries(rows.map((r) => [r.department, r.balance]));
}
