import { and, asc, desc, eq, getTableColumns, inArray, lte, sql, type Table } from 'drizzle-orm';
import type { HospitalRow } from '../hospitals/hospitals.repository.js';
import type { AnnualInput, PeriodInput, Scenario } from '../../core/schema.js';
import { insertUnnest, type BulkColumn } from '../../shared/db/bulk.js';
import type { Db, Tx } from '../../db/client.js';
import { plainSelect } from '../../shared/db/plain.js';
import { together } from '../../shared/db/together.js';
import { annualInputs, departmentInputs, departments, individualInputs, quarterInputs, schemeVersions, staff } from '../../db/schema.js';
import {
  annualFromRow,
  departmentFromRow,
  departmentInputFromRow,
  individualInputFromRow,
  staffFromRow,
  type AnnualRow,
  type DepartmentInputRow,
  type DepartmentRow,
  type IndividualInputRow,
  type QuarterRow,
  type StaffRow,
} from './inputs.mappers.js';

type Conn = Db | Tx;

const CHUNK = 1000;

/**
 * A table's record columns, without hospital_id and updated_at: what the mappers read. Large
 * reads (10,000 staff, 10,000 individual records) then parse no timestamp per row.
 */
function recordColumns<T extends Table>(table: T): Omit<T['_']['columns'], 'hospitalId' | 'updatedAt'> {
  const { hospitalId: _h, updatedAt: _u, ...columns } = getTableColumns(table) as Record<string, unknown>;
  return columns as Omit<T['_']['columns'], 'hospitalId' | 'updatedAt'>;
}
const STAFF_COLUMNS = recordColumns(staff);
const DEPARTMENT_COLUMNS = recordColumns(departments);
const DEPARTMENT_INPUT_COLUMNS = recordColumns(departmentInputs);
const INDIVIDUAL_INPUT_COLUMNS = recordColumns(individualInputs);
/** The two reads of thousands of rows a settlement makes, without drizzle's per-cell mapping. */
const selectStaff = plainSelect<StaffRow>(STAFF_COLUMNS, staff);
const selectIndividualInputs = plainSelect<IndividualInputRow>(INDIVIDUAL_INPUT_COLUMNS, individualInputs);

export async function listDepartments(db: Conn, hospitalId: number): Promise<DepartmentRow[]> {
  return db.select(DEPARTMENT_COLUMNS).from(departments).where(eq(departments.hospitalId, hospitalId)).orderBy(asc(departments.code));
}

export async function listStaff(db: Conn, hospitalId: number): Promise<StaffRow[]> {
  return selectStaff(db, eq(staff.hospitalId, hospitalId), sql`${staff.staffId}`);
}

export async function listDepartmentsIn(db: Conn, hospitalId: number, codes: string[]): Promise<DepartmentRow[]> {
  if (codes.length === 0) return [];
  return db
    .select(DEPARTMENT_COLUMNS)
    .from(departments)
    .where(and(eq(departments.hospitalId, hospitalId), inArray(departments.code, codes)))
    .orderBy(asc(departments.code));
}

export async function listStaffIn(db: Conn, hospitalId: number, ids: string[]): Promise<StaffRow[]> {
  if (ids.length === 0) return [];
  return selectStaff(db, and(eq(staff.hospitalId, hospitalId), inArray(staff.staffId, ids)), sql`${staff.staffId}`);
}

export async function upsertDepartments(tx: Tx, hospitalId: number, rows: DepartmentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(departments)
      .values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, hospitalId })))
      .onConflictDoUpdate({
        target: [departments.hospitalId, departments.code],
        set: { name: sql`excluded.name`, kind: sql`excluded.kind`, adminClass: sql`excluded.admin_class`, riskCoefficient: sql`excluded.risk_coefficient`, updatedAt: sql`now()` },
      });
  }
}

export async function findStaff(db: Conn, hospitalId: number, staffId: string): Promise<StaffRow | null> {
  const [row] = await db
    .select()
    .from(staff)
    .where(and(eq(staff.hospitalId, hospitalId), eq(staff.staffId, staffId)));
  return row ?? null;
}

export async function findIndividualInput(db: Conn, hospitalId: number, period: string, staffId: string): Promise<IndividualInputRow | null> {
  const [row] = await db
    .select()
    .from(individualInputs)
    .where(and(eq(individualInputs.hospitalId, hospitalId), eq(individualInputs.period, period), eq(individualInputs.staffId, staffId)));
  return row ?? null;
}

export async function findDepartmentInput(db: Conn, hospitalId: number, period: string, department: string): Promise<DepartmentInputRow | null> {
  const [row] = await db
    .select()
    .from(departmentInputs)
    .where(and(eq(departmentInputs.hospitalId, hospitalId), eq(departmentInputs.period, period), eq(departmentInputs.department, department)));
  return row ?? null;
}

export async function upsertStaff(tx: Tx, hospitalId: number, rows: StaffRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(staff)
      .values(rows.slice(i, i + CHUNK).map((r) => ({ ...r, hospitalId })))
      .onConflictDoUpdate({
        target: [staff.hospitalId, staff.staffId],
        set: {
          name: sql`excluded.name`,
          department: sql`excluded.department`,
          titleGrade: sql`excluded.title_grade`,
          position: sql`excluded.position`,
          employment: sql`excluded.employment`,
          role: sql`excluded.role`,
          licensed: sql`excluded.licensed`,
          payRatioOverride: sql`excluded.pay_ratio_override`,
          updatedAt: sql`now()`,
        },
      });
  }
}

export interface StoredPeriod {
  quarter: QuarterRow;
  departments: DepartmentInputRow[];
  individuals: IndividualInputRow[];
}

/** A quarter's stored individual records, of the given people or (without ids) of everyone. */
export async function individualInputsOf(db: Conn, hospitalId: number, period: string, staffIds?: string[]): Promise<IndividualInputRow[]> {
  if (staffIds?.length === 0) return [];
  return selectIndividualInputs(
    db,
    and(eq(individualInputs.hospitalId, hospitalId), eq(individualInputs.period, period), staffIds ? inArray(individualInputs.staffId, staffIds) : undefined),
    sql`${individualInputs.staffId}`,
  );
}

/** A quarter's stored inputs; with a focus, only the named department and individual records. */
export async function loadPeriod(db: Conn, hospitalId: number, period: string, focus?: Pick<ScenarioFocus, 'departmentInputs' | 'individuals'>): Promise<StoredPeriod | null> {
  const none = sql`false`;
  // three independent reads: on a pool they run side by side
  const [[quarter], depts, people] = await together(db, [
    () =>
      db
        .select()
        .from(quarterInputs)
        .where(and(eq(quarterInputs.hospitalId, hospitalId), eq(quarterInputs.period, period))),
    () =>
      db
        .select(DEPARTMENT_INPUT_COLUMNS)
        .from(departmentInputs)
        .where(
          and(
            eq(departmentInputs.hospitalId, hospitalId),
            eq(departmentInputs.period, period),
            focus ? (focus.departmentInputs.length ? inArray(departmentInputs.department, focus.departmentInputs) : none) : undefined,
          ),
        )
        .orderBy(asc(departmentInputs.department)),
    () => individualInputsOf(db, hospitalId, period, focus?.individuals),
  ]);
  if (!quarter) return null;
  return { quarter, departments: depts, individuals: people };
}

export function periodToInput(p: StoredPeriod): PeriodInput {
  const out: PeriodInput = {
    period: p.quarter.period,
    revenue: p.quarter.revenue,
    workingDays: p.quarter.workingDays,
    departments: p.departments.map(departmentInputFromRow),
    individuals: p.individuals.map(individualInputFromRow),
  };
  if (p.quarter.adjustment != null) out.adjustment = p.quarter.adjustment;
  return out;
}

/** Replaces a quarter's inputs with the given rows (hospital figures, departments, individuals). */
export async function replacePeriod(tx: Tx, hospitalId: number, p: StoredPeriod): Promise<void> {
  const period = p.quarter.period;
  await tx.delete(departmentInputs).where(and(eq(departmentInputs.hospitalId, hospitalId), eq(departmentInputs.period, period)));
  await tx.delete(individualInputs).where(and(eq(individualInputs.hospitalId, hospitalId), eq(individualInputs.period, period)));
  await upsertQuarter(tx, hospitalId, p.quarter);
  for (let i = 0; i < p.departments.length; i += CHUNK) {
    await tx.insert(departmentInputs).values(p.departments.slice(i, i + CHUNK).map((r) => ({ ...r, hospitalId })));
  }
  for (let i = 0; i < p.individuals.length; i += CHUNK) {
    await tx.insert(individualInputs).values(p.individuals.slice(i, i + CHUNK).map((r) => ({ ...r, hospitalId })));
  }
}

export async function findQuarter(db: Conn, hospitalId: number, period: string): Promise<QuarterRow | null> {
  const [row] = await db
    .select()
    .from(quarterInputs)
    .where(and(eq(quarterInputs.hospitalId, hospitalId), eq(quarterInputs.period, period)));
  return row ?? null;
}

/** A quarter's stored department records of the given departments. */
export async function departmentInputsIn(db: Conn, hospitalId: number, period: string, codes: string[]): Promise<DepartmentInputRow[]> {
  if (codes.length === 0) return [];
  return db
    .select(DEPARTMENT_INPUT_COLUMNS)
    .from(departmentInputs)
    .where(and(eq(departmentInputs.hospitalId, hospitalId), eq(departmentInputs.period, period), inArray(departmentInputs.department, codes)));
}

export async function upsertQuarter(tx: Tx, hospitalId: number, q: QuarterRow): Promise<void> {
  await tx
    .insert(quarterInputs)
    .values({ ...q, hospitalId })
    .onConflictDoUpdate({
      target: [quarterInputs.hospitalId, quarterInputs.period],
      set: { revenue: q.revenue, workingDays: q.workingDays, adjustment: q.adjustment ?? null, updatedAt: sql`now()` },
    });
}

export async function upsertDepartmentInput(tx: Tx, hospitalId: number, row: DepartmentInputRow): Promise<void> {
  const { period: _p, department: _d, ...rest } = row;
  await tx
    .insert(departmentInputs)
    .values({ ...row, hospitalId })
    .onConflictDoUpdate({ target: [departmentInputs.hospitalId, departmentInputs.period, departmentInputs.department], set: { ...nullFill(rest), updatedAt: sql`now()` } });
}

/** Many departments' records of one quarter, a thousand rows a statement; each replaces the whole record. */
export async function upsertDepartmentInputs(tx: Tx, hospitalId: number, rows: DepartmentInputRow[]): Promise<void> {
  const { hospitalId: _h, period: _p, department: _d, updatedAt: _u, ...replaced } = getTableColumns(departmentInputs);
  const set = Object.fromEntries(Object.entries(replaced).map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(departmentInputs)
      .values(rows.slice(i, i + CHUNK).map((r) => ({ ...nullFill(r), hospitalId })))
      .onConflictDoUpdate({ target: [departmentInputs.hospitalId, departmentInputs.period, departmentInputs.department], set: { ...set, updatedAt: sql`now()` } });
  }
}

export async function upsertIndividualInput(tx: Tx, hospitalId: number, row: IndividualInputRow): Promise<void> {
  await upsertIndividualInputs(tx, hospitalId, [row]);
}

/** Many people's records of one quarter in one statement (INSERT … unnest … ON CONFLICT). */
export async function upsertIndividualInputs(tx: Tx, hospitalId: number, rows: IndividualInputRow[]): Promise<void> {
  type R = IndividualInputRow;
  const col = (name: string, type: BulkColumn<R>['type'], value: (r: R) => string | number | boolean | null | undefined): BulkColumn<R> => ({
    name,
    type,
    value: (r) => value(r) ?? null,
  });
  await insertUnnest<R>(
    tx,
    'individual_inputs',
    [
      col('hospital_id', 'int', () => hospitalId),
      col('period', 'text', (r) => r.period),
      col('staff_id', 'text', (r) => r.staffId),
      col('workload_score', 'numeric', (r) => r.workloadScore),
      col('errors', 'int', (r) => r.errors),
      col('accident', 'boolean', (r) => r.accident),
      col('ethics_deduction', 'numeric', (r) => r.ethicsDeduction),
      col('ethics_zero', 'boolean', (r) => r.ethicsZero),
      col('late_over5', 'int', (r) => r.lateOver5),
      col('late_over30', 'int', (r) => r.lateOver30),
      col('absent_half_days', 'int', (r) => r.absentHalfDays),
      col('absent_full_days', 'int', (r) => r.absentFullDays),
      col('required_days', 'int', (r) => r.requiredDays),
      col('absent_days', 'int', (r) => r.absentDays),
      col('overtime_days', 'int', (r) => r.overtimeDays),
      col('cme_credits', 'text', (r) => r.cmeCredits),
      col('refused_training', 'boolean', (r) => r.refusedTraining),
      col('study_leave_months', 'text', (r) => r.studyLeaveMonths),
      col('department', 'text', (r) => r.department),
      col('manager_assessment_passed', 'boolean', (r) => r.managerAssessmentPassed),
      col('fines', 'numeric', (r) => r.fines),
    ],
    rows,
    { upsertOn: ['hospital_id', 'period', 'staff_id'], touch: 'updated_at' },
  );
}

/** An upsert replaces the whole record: fields left out become null, not the old values. */
function nullFill<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v ?? null])) as T;
}

export async function deleteDepartmentInput(tx: Tx, hospitalId: number, period: string, department: string): Promise<number> {
  const rows = await tx
    .delete(departmentInputs)
    .where(and(eq(departmentInputs.hospitalId, hospitalId), eq(departmentInputs.period, period), eq(departmentInputs.department, department)))
    .returning({ d: departmentInputs.department });
  return rows.length;
}

export async function deleteIndividualInput(tx: Tx, hospitalId: number, period: string, staffId: string): Promise<number> {
  const rows = await tx
    .delete(individualInputs)
    .where(and(eq(individualInputs.hospitalId, hospitalId), eq(individualInputs.period, period), eq(individualInputs.staffId, staffId)))
    .returning({ s: individualInputs.staffId });
  return rows.length;
}

export async function loadAnnual(db: Conn, hospitalId: number, year: number): Promise<AnnualInput | null> {
  const [row] = await db
    .select()
    .from(annualInputs)
    .where(and(eq(annualInputs.hospitalId, hospitalId), eq(annualInputs.year, year)));
  return row ? annualFromRow(row) : null;
}

export async function upsertAnnual(tx: Tx, hospitalId: number, row: AnnualRow): Promise<void> {
  await tx
    .insert(annualInputs)
    .values({ ...row, hospitalId })
    .onConflictDoUpdate({
      target: [annualInputs.hospitalId, annualInputs.year],
      set: { adjustment: row.adjustment ?? null, departments: row.departments, failedStaff: row.failedStaff, updatedAt: sql`now()` },
    });
}

export async function quarterPeriods(db: Conn, hospitalId: number, year: number): Promise<string[]> {
  const rows = await db
    .select({ period: quarterInputs.period })
    .from(quarterInputs)
    .where(and(eq(quarterInputs.hospitalId, hospitalId), sql`${quarterInputs.period} like ${`${year}Q%`}`))
    .orderBy(asc(quarterInputs.period));
  return rows.map((r) => r.period);
}

export type SchemeVersionRow = typeof schemeVersions.$inferSelect;

/** The scheme version in force for a period: the latest one effective from it or before. */
export async function schemeFor(db: Conn, hospitalId: number, period: string): Promise<SchemeVersionRow | null> {
  const [row] = await db
    .select()
    .from(schemeVersions)
    .where(and(eq(schemeVersions.hospitalId, hospitalId), lte(schemeVersions.effectiveFrom, period)))
    .orderBy(desc(schemeVersions.effectiveFrom))
    .limit(1);
  return row ?? null;
}

export async function listSchemeVersions(db: Conn, hospitalId: number): Promise<SchemeVersionRow[]> {
  return db.select().from(schemeVersions).where(eq(schemeVersions.hospitalId, hospitalId)).orderBy(asc(schemeVersions.effectiveFrom));
}

export async function upsertSchemeVersion(tx: Tx, hospitalId: number, effectiveFrom: string, parameters: unknown): Promise<SchemeVersionRow> {
  const [row] = await tx
    .insert(schemeVersions)
    .values({ hospitalId, effectiveFrom, parameters })
    .onConflictDoUpdate({ target: [schemeVersions.hospitalId, schemeVersions.effectiveFrom], set: { parameters } })
    .returning();
  return row!;
}

/**
 * The scenario document of a hospital for the given quarters (and year-end), from the stored
 * inputs: what the engine settles and what a run keeps as its inputs.
 */
/**
 * Which records a scenario needs when only some changed: a granular write of one person's
 * record is validated with every department but only that person, not the whole hospital.
 */
export interface ScenarioFocus {
  staff: string[];
  departmentInputs: string[];
  individuals: string[];
}

export async function buildScenario(db: Conn, hospital: HospitalRow, options: { periods: string[]; annualYear?: number; schemeParameters: unknown; focus?: ScenarioFocus }): Promise<Scenario> {
  const focus = options.focus;
  // the staff list and the periods are independent reads: on a pool they run side by side
  const [people, stored] = await together(db, [
    () => (focus ? listStaffIn(db, hospital.id, focus.staff) : listStaff(db, hospital.id)),
    () =>
      together(
        db,
        options.periods.map((period) => () => loadPeriod(db, hospital.id, period, focus)),
      ),
  ]);
  const periods: PeriodInput[] = stored.filter((p): p is StoredPeriod => p !== null).map(periodToInput);
  // with a focus, only the departments the focused records name (a code that names none is
  // then reported as unknown, exactly as with every department loaded)
  const named = new Set<string>([
    ...people.map((p) => p.department),
    ...periods.flatMap((p) => [...p.departments.map((d) => d.code), ...(p.individuals ?? []).flatMap((r) => (r.department ? [r.department] : []))]),
  ]);
  const depts = focus ? await listDepartmentsIn(db, hospital.id, [...named]) : await listDepartments(db, hospital.id);
  const doc: Scenario = {
    hospital: { code: hospital.code, name: hospital.name },
    scheme: (options.schemeParameters ?? {}) as Scenario['scheme'],
    departments: depts.map(departmentFromRow),
    staff: people.map(staffFromRow),
    periods,
  };
  if (options.annualYear !== undefined) {
    const annual = await loadAnnual(db, hospital.id, options.annualYear);
    doc.annual = annual ?? { year: options.annualYear };
  }
  return doc;
}
