import { and, asc, desc, eq, gt, inArray, lte, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { monthsOf, quarterOfMonth } from '../../core/assessment/validate.js';
import { compareKeys } from '../../core/money.js';
import type { AssessmentInput, ScorecardInput } from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { type BulkColumn, insertUnnest } from '../../shared/db/bulk.js';
import { assessmentDefects, indicatorValues, scorecardVersions, type DEFECT_KINDS } from '../../db/schema.js';

/** The assessment's storage (assessment.md §1): scorecard versions, indicator values, defect versions. */
type Conn = Db | Tx;
export type ScorecardVersionRow = typeof scorecardVersions.$inferSelect;
export type ValueRow = typeof indicatorValues.$inferSelect;
export type DefectRow = typeof assessmentDefects.$inferSelect;
export type DefectKind = (typeof DEFECT_KINDS)[number];
export type ValueRecord = NonNullable<AssessmentInput['values']>[number];
export type DepartmentDefectRecord = NonNullable<AssessmentInput['departmentDefects']>[number];
export type PersonalDefectRecord = NonNullable<AssessmentInput['personalDefects']>[number];
export type DefectRecord = DepartmentDefectRecord | PersonalDefectRecord;

/** The quarter (YYYYQn) a value's cadence period or a defect's month belongs to; a yearly value's is its year. */
export function quarterOf(period: string): string {
  return period.length === 7 ? quarterOfMonth(period) : period;
}

// ------------------------------------------------------------------ scorecards

/** The scorecards in force for a quarter: the latest version effective from it or earlier. */
export async function scorecardsFor(db: Conn, hospitalId: number, quarter: string): Promise<ScorecardVersionRow | null> {
  const [row] = await db
    .select()
    .from(scorecardVersions)
    .where(and(eq(scorecardVersions.hospitalId, hospitalId), lte(scorecardVersions.effectiveFrom, quarter)))
    .orderBy(desc(scorecardVersions.effectiveFrom))
    .limit(1);
  return row ?? null;
}

export async function listScorecardVersions(db: Conn, hospitalId: number): Promise<ScorecardVersionRow[]> {
  return db.select().from(scorecardVersions).where(eq(scorecardVersions.hospitalId, hospitalId)).orderBy(asc(scorecardVersions.effectiveFrom));
}

/** Every leaf's owner, in code-point order without repeats. */
export function ownersOf(scorecards: ScorecardInput[]): string[] {
  const owners = new Set<string>();
  const walk = (nodes: ScorecardInput['indicators']): void => {
    for (const n of nodes) {
      if (n.owner) owners.add(n.owner);
      if (n.children) walk(n.children);
    }
  };
  for (const sc of scorecards) walk(sc.indicators);
  return [...owners].sort(compareKeys);
}

/** Each leaf's owner, by the leaf's code (a code used by two scorecards keeps both owners). */
export function leafOwners(scorecards: ScorecardInput[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const walk = (nodes: ScorecardInput['indicators']): void => {
    for (const n of nodes) {
      if (n.owner) owners.set(n.code, [...(owners.get(n.code) ?? []), n.owner]);
      if (n.children) walk(n.children);
    }
  };
  for (const sc of scorecards) walk(sc.indicators);
  return owners;
}

export async function upsertScorecardVersion(tx: Tx, row: { hospitalId: number; effectiveFrom: string; scorecards: ScorecardInput[]; actor: string; createdAt: Date }): Promise<void> {
  const values = { ...row, owners: ownersOf(row.scorecards) };
  await tx
    .insert(scorecardVersions)
    .values(values)
    .onConflictDoUpdate({
      target: [scorecardVersions.hospitalId, scorecardVersions.effectiveFrom],
      set: { scorecards: values.scorecards, owners: values.owners, actor: values.actor, createdAt: values.createdAt },
    });
}

// ------------------------------------------------------------------ values

/** The values of the given cadence periods (every period when none is given), in (indicator, department, period) order. */
export async function valuesIn(db: Conn, hospitalId: number, filter: { periods?: string[]; department?: string; indicators?: string[] } = {}): Promise<ValueRow[]> {
  const where = [eq(indicatorValues.hospitalId, hospitalId)];
  if (filter.periods) where.push(filter.periods.length ? inArray(indicatorValues.period, filter.periods) : sql`false`);
  if (filter.department !== undefined) where.push(eq(indicatorValues.department, filter.department));
  if (filter.indicators) where.push(filter.indicators.length ? inArray(indicatorValues.indicator, filter.indicators) : sql`false`);
  return db
    .select()
    .from(indicatorValues)
    .where(and(...where))
    .orderBy(sql`${indicatorValues.indicator} collate "C"`, sql`${indicatorValues.department} collate "C"`, sql`${indicatorValues.period} collate "C"`);
}

/**
 * Values written in one statement a chunk (INSERT … unnest: a parameter per column, not per value,
 * so a year of 200 departments' values is not refused for PostgreSQL's 65,535 parameters).
 */
export async function upsertValues(tx: Tx, hospitalId: number, rows: { record: ValueRecord; actor: string; at: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await insertUnnest(tx, 'indicator_values', VALUE_COLUMNS(hospitalId), rows, { upsertOn: ['hospital_id', 'indicator', 'department', 'period'] });
}

const VALUE_COLUMNS = (hospitalId: number): BulkColumn<{ record: ValueRecord; actor: string; at: Date }>[] => [
  { name: 'hospital_id', type: 'int', value: () => hospitalId },
  { name: 'indicator', type: 'text', value: (r) => r.record.indicator },
  { name: 'department', type: 'text', value: (r) => r.record.department },
  { name: 'period', type: 'text', value: (r) => r.record.period },
  { name: 'value', type: 'numeric', value: (r) => r.record.value },
  { name: 'actor', type: 'text', value: (r) => r.actor },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.at.toISOString() },
];

export const valueRecordOf = (row: ValueRow): ValueRecord => ({ indicator: row.indicator, department: row.department, period: row.period, value: row.value });

// ------------------------------------------------------------------ defects

/** Every version of a hospital's defects (of one kind, id or set of months), oldest first. */
export async function defectVersions(db: Conn, hospitalId: number, filter: { kind?: DefectKind; defectId?: string; months?: string[] } = {}): Promise<DefectRow[]> {
  const where = [eq(assessmentDefects.hospitalId, hospitalId)];
  if (filter.kind) where.push(eq(assessmentDefects.kind, filter.kind));
  if (filter.defectId !== undefined) where.push(eq(assessmentDefects.defectId, filter.defectId));
  if (filter.months) where.push(filter.months.length ? inArray(assessmentDefects.month, filter.months) : sql`false`);
  return db
    .select()
    .from(assessmentDefects)
    .where(and(...where))
    .orderBy(asc(assessmentDefects.kind), sql`${assessmentDefects.defectId} collate "C"`, asc(assessmentDefects.version));
}

/**
 * The current (highest) version of each defect whose current version falls in one of the months,
 * in (kind, id) order: the index on (hospital, month) finds the candidates and the primary key
 * answers "is there a later version", so a run reads its own quarters, not every year's defects.
 */
export async function currentDefectsIn(db: Conn, hospitalId: number, months: string[]): Promise<DefectRow[]> {
  if (months.length === 0) return [];
  const later = alias(assessmentDefects, 'later');
  return db
    .select()
    .from(assessmentDefects)
    .where(
      and(
        eq(assessmentDefects.hospitalId, hospitalId),
        inArray(assessmentDefects.month, months),
        notExists(
          db
            .select({ one: sql`1` })
            .from(later)
            .where(
              and(
                eq(later.hospitalId, assessmentDefects.hospitalId),
                eq(later.kind, assessmentDefects.kind),
                eq(later.defectId, assessmentDefects.defectId),
                gt(later.version, assessmentDefects.version),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(assessmentDefects.kind), sql`${assessmentDefects.defectId} collate "C"`);
}

/** The current (highest) version of each defect, by (kind, id). */
export function latestOf(rows: DefectRow[]): Map<string, DefectRow> {
  const latest = new Map<string, DefectRow>();
  for (const row of rows) latest.set(`${row.kind}:${row.defectId}`, row);
  return latest;
}

export async function insertDefectVersion(tx: Tx, row: typeof assessmentDefects.$inferInsert): Promise<void> {
  await tx.insert(assessmentDefects).values(row);
}

/** A defect record in the scenario's field order (jsonb gives its keys back in another). */
export function defectRecordOf(row: Pick<DefectRow, 'kind' | 'record'>): DefectRecord {
  const r = row.record as DepartmentDefectRecord & PersonalDefectRecord;
  const common = { id: r.id, month: r.month, owner: r.owner };
  if (row.kind === 'department') {
    return {
      ...common,
      department: r.department,
      ...(r.category !== undefined ? { category: r.category } : {}),
      ...(r.indicator !== undefined ? { indicator: r.indicator } : {}),
      points: r.points,
      ...(r.note !== undefined ? { note: r.note } : {}),
    };
  }
  return { ...common, staffId: r.staffId, category: r.category, points: r.points, ...(r.veto !== undefined ? { veto: r.veto } : {}), ...(r.note !== undefined ? { note: r.note } : {}) };
}

/** A current version that counts (neither withdrawn nor overturned on appeal). */
export const counts = (row: DefectRow): boolean => row.status !== 'withdrawn' && row.status !== 'overturned';

// ------------------------------------------------------------------ what a run settles

/**
 * The `assessment` of a run's scenario (assessment.md §1): the scorecards in force for its last
 * quarter, the values of its quarters' months and quarters (and of its year, for a year-end), and
 * the defects booked in its quarters' months that count; in one fixed order, so the document's
 * JSON is its fingerprint. Undefined when the hospital has no assessment for these periods (no
 * scorecards in force, no value, no defect): the scenario then settles exactly as before.
 */
export async function assessmentForRun(db: Conn, hospitalId: number, scope: { quarters: string[]; year?: number }): Promise<AssessmentInput | undefined> {
  const last = scope.quarters.at(-1) ?? (scope.year !== undefined ? `${scope.year}Q4` : null);
  if (last === null) return undefined;
  const months = scope.quarters.flatMap(monthsOf);
  const periods = [...months, ...scope.quarters, ...(scope.year !== undefined ? [String(scope.year)] : [])];
  // the current version decides the month: a defect corrected into another quarter counts there only
  const [version, values, defects] = [await scorecardsFor(db, hospitalId, last), await valuesIn(db, hospitalId, { periods }), await currentDefectsIn(db, hospitalId, months)];
  const current = defects.filter(counts);
  if (!version && values.length === 0 && current.length === 0) return undefined;
  const byId = (a: DefectRow, b: DefectRow) => compareKeys(a.defectId, b.defectId);
  return {
    scorecards: (version?.scorecards ?? []) as ScorecardInput[],
    values: values.map(valueRecordOf),
    departmentDefects: current
      .filter((d) => d.kind === 'department')
      .sort(byId)
      .map((d) => defectRecordOf(d) as DepartmentDefectRecord),
    personalDefects: current
      .filter((d) => d.kind === 'personal')
      .sort(byId)
      .map((d) => defectRecordOf(d) as PersonalDefectRecord),
  };
}
