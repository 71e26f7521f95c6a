import { eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/client.js';
import {
  annualDepartmentLines,
  annualIndividualLines,
  annualInputs,
  apiKeys,
  auditEvents,
  bankBalances,
  departmentInputs,
  departmentLines,
  departments,
  hospitals,
  individualInputs,
  individualLines,
  quarterInputs,
  schemeVersions,
  settlementReviews,
  disputes,
  disputeFlags,
  settlementRuns,
  staff,
  scorecardVersions,
  indicatorValues,
  assessmentDefects,
  assessmentAppeals,
} from '../../db/schema.js';
import { BackupError } from './backup.errors.js';

/**
 * The backup's queries (src/modules/backup/backup.usecases.ts says what a backup is): which
 * tables hold a hospital, reading them as plain rows keyed by SQL column name, and writing such
 * rows back.
 */

/** Every table that holds a hospital's data, in an order that satisfies the foreign keys. */
const SPECS = [
  { table: hospitals, scope: 'self' },
  { table: schemeVersions, scope: 'hospital' },
  { table: departments, scope: 'hospital' },
  { table: staff, scope: 'hospital' },
  { table: quarterInputs, scope: 'hospital' },
  { table: departmentInputs, scope: 'hospital' },
  { table: individualInputs, scope: 'hospital' },
  { table: annualInputs, scope: 'hospital' },
  { table: settlementRuns, scope: 'hospital' },
  { table: departmentLines, scope: 'run' },
  { table: individualLines, scope: 'run' },
  { table: annualDepartmentLines, scope: 'run' },
  { table: annualIndividualLines, scope: 'run' },
  { table: bankBalances, scope: 'hospital' },
  { table: settlementReviews, scope: 'run' },
  { table: disputes, scope: 'hospital' },
  { table: disputeFlags, scope: 'hospital' },
  { table: scorecardVersions, scope: 'hospital' },
  { table: indicatorValues, scope: 'hospital' },
  { table: assessmentDefects, scope: 'hospital' },
  { table: assessmentAppeals, scope: 'hospital' },
  { table: apiKeys, scope: 'hospital' },
  { table: auditEvents, scope: 'hospital' },
] as const satisfies readonly { table: PgTable; scope: 'self' | 'hospital' | 'run' }[];

type Spec = (typeof SPECS)[number];

export type ExportRow = Record<string, unknown>;

interface ColumnInfo {
  key: string; // the drizzle property
  name: string; // the SQL column
  column: PgColumn;
  kind: 'jsonb' | 'timestamp' | 'text' | 'other';
}

const columnCache = new Map<PgTable, ColumnInfo[]>();

function columnsOf(table: PgTable): ColumnInfo[] {
  let found = columnCache.get(table);
  if (!found) {
    found = Object.entries(getTableColumns(table) as Record<string, PgColumn>).map(([key, column]) => ({
      key,
      name: column.name,
      column,
      kind: column.columnType === 'PgJsonb' ? 'jsonb' : column.columnType === 'PgTimestamp' ? 'timestamp' : column.columnType === 'PgText' ? 'text' : 'other',
    }));
    columnCache.set(table, found);
  }
  return found;
}

const nameOf = (table: PgTable) => getTableConfig(table).name;

/** A hospital's table as the document sees it: its SQL name, how its rows belong to the hospital, its columns. */
export interface TableSpec {
  name: string;
  scope: Spec['scope'];
  columns: { name: string; kind: ColumnInfo['kind'] }[];
}

/** The exported tables, in import order. */
export const TABLE_SPECS: readonly TableSpec[] = SPECS.map((s) => ({ name: nameOf(s.table), scope: s.scope, columns: columnsOf(s.table).map(({ name, kind }) => ({ name, kind })) }));
const tableNamed = new Map<string, PgTable>(SPECS.map((s) => [nameOf(s.table), s.table]));
const specNamed = new Map<string, Spec>(SPECS.map((s) => [nameOf(s.table), s]));

/** The primary key's columns (audit events in chain order), for a stable row order. */
function orderOf(table: PgTable): SQL[] {
  if (table === auditEvents) return [sql`${auditEvents.seq}`];
  const config = getTableConfig(table);
  const pk = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
  const kinds = new Map(columnsOf(table).map((c) => [c.name, c.kind]));
  return pk.map((c) => (kinds.get(c.name) === 'text' ? sql`${c} collate "C"` : sql`${c}`));
}

// ------------------------------------------------------------------ reading

export async function findHospitalByCode(tx: Tx, code: string): Promise<{ id: number; code: string; name: string } | null> {
  const [hospital] = await tx.select({ id: hospitals.id, code: hospitals.code, name: hospitals.name }).from(hospitals).where(eq(hospitals.code, code));
  return hospital ?? null;
}

export async function hospitalCodeOfId(tx: Tx, id: number): Promise<string | null> {
  const [row] = await tx.select({ code: hospitals.code }).from(hospitals).where(eq(hospitals.id, id));
  return row?.code ?? null;
}

/** A table's rows of the hospital, keyed by SQL column name, each value as the database gives it (jsonb parsed once, timestamps as ISO strings). */
export async function readTable(tx: Tx, name: string, hospitalId: number): Promise<ExportRow[]> {
  const spec = specNamed.get(name)!;
  const table: PgTable = spec.table;
  const columns = columnsOf(table);
  // jsonb is read as its text and parsed here once: drizzle's own reading parses a JSON string
  // value a second time ('"12"' would come back as the number 12)
  const selection = Object.fromEntries(columns.map((c) => [c.key, c.kind === 'jsonb' ? sql<string | null>`${c.column}::text` : c.column]));
  let where: SQL;
  if (spec.scope === 'self') where = eq(hospitals.id, hospitalId);
  else if (spec.scope === 'hospital') where = eq((spec.table as typeof schemeVersions).hospitalId, hospitalId);
  else {
    const runIds = tx.select({ id: settlementRuns.id }).from(settlementRuns).where(eq(settlementRuns.hospitalId, hospitalId));
    where = inArray((spec.table as typeof departmentLines).runId, runIds);
  }
  const rows = (await tx
    .select(selection)
    .from(table)
    .where(where)
    .orderBy(...orderOf(table))) as Record<string, unknown>[];
  return rows.map((row) => {
    const out: ExportRow = {};
    for (const c of columns) {
      const value = row[c.key];
      if (value === null || value === undefined) out[c.name] = null;
      else if (c.kind === 'jsonb') out[c.name] = JSON.parse(value as string);
      else if (value instanceof Date) out[c.name] = value.toISOString();
      else out[c.name] = value;
    }
    return out;
  });
}

// ------------------------------------------------------------------ writing

/** No other transaction may insert a hospital or a scheme version (taking a serial id) until this one ends. */
export async function lockHospitalIds(tx: Tx): Promise<void> {
  await tx.execute(sql`lock table ${hospitals}, ${schemeVersions} in share row exclusive mode`);
}

const ID_CHUNK = 1000;

/** The first of these settlement run ids already used here, if any. */
export async function firstTakenRunId(tx: Tx, ids: string[]): Promise<string | null> {
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const [taken] = await tx
      .select({ id: settlementRuns.id })
      .from(settlementRuns)
      .where(inArray(settlementRuns.id, ids.slice(i, i + ID_CHUNK)))
      .limit(1);
    if (taken) return taken.id;
  }
  return null;
}

/** The first API key here with one of these ids or token hashes, if any. */
export async function firstTakenApiKey(tx: Tx, keys: { id: string; tokenHash: string }[]): Promise<string | null> {
  for (let i = 0; i < keys.length; i += ID_CHUNK) {
    const part = keys.slice(i, i + ID_CHUNK);
    const [taken] = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(
        or(
          inArray(
            apiKeys.id,
            part.map((k) => k.id),
          ),
          inArray(
            apiKeys.tokenHash,
            part.map((k) => k.tokenHash),
          ),
        ),
      )
      .limit(1);
    if (taken) return taken.id;
  }
  return null;
}

/** Which of these scheme version ids are used here. */
export async function takenSchemeVersionIds(tx: Tx, ids: number[]): Promise<Set<number>> {
  const taken = new Set<number>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const found = await tx
      .select({ id: schemeVersions.id })
      .from(schemeVersions)
      .where(inArray(schemeVersions.id, ids.slice(i, i + ID_CHUNK)));
    for (const f of found) taken.add(f.id);
  }
  return taken;
}

/** A scheme version (an exported row without its id) inserted with a new id from the sequence; the new id. */
export async function insertSchemeVersionAnew(tx: Tx, row: ExportRow): Promise<number> {
  const { id: _old, ...rest } = toInsert(schemeVersions, row);
  const [created] = await tx
    .insert(schemeVersions)
    .values(rest as typeof schemeVersions.$inferInsert)
    .returning({ id: schemeVersions.id });
  return created!.id;
}

/** Moves a serial's sequence past the table's largest id (never back). */
export async function advanceSequence(tx: Tx, table: string, column: string): Promise<void> {
  await tx.execute(sql`select setval(
    pg_get_serial_sequence(${table}, ${column}),
    greatest(
      (select max(${sql.identifier(column)}) from ${sql.identifier(table)}),
      (select pg_sequence_last_value(pg_get_serial_sequence(${table}, ${column})::regclass)),
      1
    )
  )`);
}

/** Exported rows (SQL column names) inserted into their table by drizzle, at most 1,000 rows a statement (well under the 65,535 parameters of one). */
export async function insertRows(tx: Tx, name: string, exported: ExportRow[]): Promise<void> {
  const table = tableNamed.get(name)!;
  const rows = exported.map((row) => toInsert(table, row));
  const size = Math.max(1, Math.min(1000, Math.floor(30_000 / columnsOf(table).length)));
  for (let i = 0; i < rows.length; i += size) {
    try {
      // the rows were checked against the table's columns (toInsert); drizzle's generic insert type cannot say so
      await tx.insert(table).values(rows.slice(i, i + size) as never);
    } catch (e) {
      const cause = e as { message?: string; cause?: { message?: string; detail?: string } };
      const message = cause.cause?.message ?? cause.message ?? String(e);
      throw new BackupError('import_failed', `importing ${name} failed: ${message}${cause.cause?.detail ? ` (${cause.cause.detail})` : ''}; nothing was imported`);
    }
  }
}

/** An exported row (SQL column names) as a drizzle insert (property names, Dates). */
function toInsert(table: PgTable, row: ExportRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columnsOf(table)) {
    if (!(c.name in row)) continue; // a column this export predates: its default
    const value = row[c.name];
    out[c.key] = c.kind === 'timestamp' && value !== null ? new Date(value as string) : value;
  }
  return out;
}
