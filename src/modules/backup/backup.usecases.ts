import { createHash } from 'node:crypto';
import { eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.js';
import {
  assessmentAppeals,
  assessmentDefects,
  indicatorValues,
  scorecardVersions,
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
} from '../../db/schema.js';
import { verifyAudit } from '../audit/audit.repository.js';
import { canonicalJson } from '../../shared/canonical.js';

/**
 * Backups of one hospital (issue #5): its whole history as one versioned JSON document that
 * another instance — embedded PGlite or PostgreSQL — imports in one transaction.
 *
 * The document holds every row of every table that belongs to the hospital, keyed by the SQL
 * column names, with each value as the database gives it: numeric columns as their exact
 * strings ("0.60" stays "0.60"), timestamps as ISO strings (the columns keep milliseconds, so
 * nothing is lost), jsonb as the JSON value it holds (read as text and parsed once). API keys are
 * kept as stored: their SHA-256 token hashes, never a token. Idempotency keys belong to callers,
 * and review-page sessions to browsers, not hospitals: neither is exported. The audit chain's
 * anchor (audit_heads) is not exported either: the database sets it from the events imported.
 *
 * Ids. The audit chain's hashes cover each event's hospital id (src/modules/audit), so the
 * hospital keeps its id: it is imported with the SAME id, and an instance where that id belongs
 * to another hospital refuses the import. Settlement runs and API keys keep their UUIDs. Scheme
 * versions keep their ids where those are free in the target and get new ones (with every run
 * that names them following) where they are not. Audit events get new row ids (a global
 * sequence the hashes do not cover) and keep everything the hashes cover. The serial sequences
 * are moved past every id imported, so the instance's own inserts never collide with them.
 */

export const EXPORT_FORMAT = 'perfpay-hospital-export';
export const EXPORT_VERSION = 1;

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

/** The exported tables' SQL names, in import order. */
export const EXPORT_TABLES: readonly string[] = SPECS.map((s) => getTableConfig(s.table).name);

export type ExportRow = Record<string, unknown>;

export interface HospitalExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  hospital: { id: number; code: string; name: string };
  /** table name → its rows, keyed by SQL column name */
  tables: Record<string, ExportRow[]>;
  /** SHA-256 of everything above, see checksumOf */
  sha256: string;
}

export interface ImportSummary {
  hospital: string;
  hospitalId: number;
  rows: Record<string, number>;
  /** scheme version ids that were taken in this instance: old id → the new one */
  schemeVersionIds: Record<string, number>;
  audit: { valid: boolean; events: number };
}

/** A refusal: the export or the target is not acceptable. Nothing was written. */
export class BackupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

// ------------------------------------------------------------------ columns

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

/** The primary key's columns (audit events in chain order), for a stable row order. */
function orderOf(table: PgTable): SQL[] {
  if (table === auditEvents) return [sql`${auditEvents.seq}`];
  const config = getTableConfig(table);
  const pk = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
  const kinds = new Map(columnsOf(table).map((c) => [c.name, c.kind]));
  return pk.map((c) => (kinds.get(c.name) === 'text' ? sql`${c} collate "C"` : sql`${c}`));
}

// ------------------------------------------------------------------ export

/**
 * The hospital's whole history as one document, read in one repeatable-read transaction (a
 * consistent snapshot while the service keeps running on PostgreSQL).
 */
export async function exportHospital(db: Db, code: string, options: { now?: () => Date } = {}): Promise<HospitalExport> {
  const now = options.now ?? (() => new Date());
  return db.transaction(
    async (tx) => {
      const [hospital] = await tx.select().from(hospitals).where(eq(hospitals.code, code));
      if (!hospital) throw new BackupError('not_found', `hospital ${code} not found`);
      const tables: Record<string, ExportRow[]> = {};
      for (const spec of SPECS) tables[nameOf(spec.table)] = await readTable(tx, spec, hospital.id);
      const body = {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt: now().toISOString(),
        hospital: { id: hospital.id, code: hospital.code, name: hospital.name },
        tables,
      } as const;
      return { ...body, sha256: checksumOf(body) };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function readTable(tx: Tx, spec: Spec, hospitalId: number): Promise<ExportRow[]> {
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

/**
 * The document's checksum: SHA-256 over the canonical JSON (keys sorted) of the header and of
 * every row, table by table in the fixed order, so it is independent of formatting and key order
 * and is computed without building the whole document as one string. It finds damage and edits
 * made without recomputing it; it is not a signature.
 */
export function checksumOf(doc: Pick<HospitalExport, 'format' | 'version' | 'exportedAt' | 'hospital' | 'tables'>): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson({ format: doc.format, version: doc.version, exportedAt: doc.exportedAt, hospital: doc.hospital }));
  for (const name of EXPORT_TABLES) {
    hash.update(`\n${JSON.stringify(name)}`);
    for (const row of doc.tables[name] ?? []) hash.update(`\n${canonicalJson(row)}`);
  }
  return hash.digest('hex');
}

/**
 * The document as JSON text, in pieces (one row per line), so a large export is written
 * without first becoming one string. JSON.parse reads it back as the same document.
 */
export function* serializeExport(doc: HospitalExport): Generator<string> {
  yield `{\n  "format": ${JSON.stringify(doc.format)},\n  "version": ${JSON.stringify(doc.version)},\n  "exportedAt": ${JSON.stringify(doc.exportedAt)},\n`;
  yield `  "hospital": ${JSON.stringify(doc.hospital)},\n  "tables": {`;
  const names = Object.keys(doc.tables);
  for (const [t, name] of names.entries()) {
    const rows = doc.tables[name]!;
    yield `\n    ${JSON.stringify(name)}: [`;
    for (const [i, row] of rows.entries()) yield `${i === 0 ? '' : ','}\n      ${JSON.stringify(row)}`;
    yield `${rows.length > 0 ? '\n    ' : ''}]${t < names.length - 1 ? ',' : ''}`;
  }
  yield `\n  },\n  "sha256": ${JSON.stringify(doc.sha256)}\n}\n`;
}

// ------------------------------------------------------------------ import

/**
 * Imports an export into this instance in ONE transaction: every row, or (on any refusal or
 * error) nothing. Refused: a document that is not a version-1 perfpay hospital export or whose
 * checksum does not match; a hospital code that already exists here; a hospital id that belongs
 * to another hospital here (the audit hashes cover it); run or API-key ids already used here;
 * and an audit chain that does not verify once imported.
 */
export async function importHospital(db: Db, document: unknown): Promise<ImportSummary> {
  const doc = checkDocument(document);
  const { id: hospitalId, code } = doc.hospital;
  const rowsOf = (table: PgTable) => doc.tables[nameOf(table)]!;
  return db.transaction(async (tx) => {
    // no other transaction may insert a hospital or a scheme version (taking a serial id)
    // between the checks below and the inserts with the exported ids
    await tx.execute(sql`lock table ${hospitals}, ${schemeVersions} in share row exclusive mode`);
    const [sameCode] = await tx.select({ id: hospitals.id }).from(hospitals).where(eq(hospitals.code, code));
    if (sameCode) throw new BackupError('hospital_exists', `hospital ${code} already exists in this instance; an export is imported only into an instance that does not have the hospital`);
    const [sameId] = await tx.select({ code: hospitals.code }).from(hospitals).where(eq(hospitals.id, hospitalId));
    if (sameId) {
      throw new BackupError(
        'hospital_id_taken',
        `hospital id ${hospitalId} is already used by hospital ${sameId.code} in this instance; ${code}'s audit chain is hashed with its id ${hospitalId}, so it can only be imported into an instance where that id is free`,
      );
    }
    await refuseTakenIds(tx, rowsOf(settlementRuns), rowsOf(apiKeys));

    const counts: Record<string, number> = {};
    const schemeIds = new Map<number, number>();
    for (const spec of SPECS) {
      const table: PgTable = spec.table;
      let rows = rowsOf(table).map((row) => toInsert(table, row));
      if (table === schemeVersions) {
        await insertSchemeVersions(tx, rows, schemeIds);
        counts[nameOf(table)] = rows.length;
        continue;
      }
      if (table === settlementRuns) {
        rows = rows.map((r) => (r.schemeVersionId == null ? r : { ...r, schemeVersionId: schemeIds.get(r.schemeVersionId as number) ?? r.schemeVersionId }));
      }
      // audit events get this instance's row ids; the hash covers every other column
      if (table === auditEvents) rows = rows.map(({ id: _id, ...rest }) => rest);
      await insertChunks(tx, table, rows);
      if (table === hospitals) await advanceSequence(tx, 'hospitals', 'id');
      counts[nameOf(table)] = rows.length;
    }

    const audit = await verifyAudit(tx as unknown as Db, hospitalId);
    const exported = rowsOf(auditEvents).length;
    if (!audit.valid || audit.events !== exported) {
      throw new BackupError(
        'audit_invalid',
        `the export's audit chain does not verify (${audit.events} events, ${exported} exported${audit.firstInvalidSeq !== undefined ? `, first invalid event seq ${audit.firstInvalidSeq}` : ''}); nothing was imported`,
      );
    }
    const remapped = Object.fromEntries([...schemeIds].filter(([from, to]) => from !== to).map(([from, to]) => [String(from), to]));
    return { hospital: code, hospitalId, rows: counts, schemeVersionIds: remapped, audit: { valid: audit.valid, events: audit.events } };
  });
}

const ID_CHUNK = 1000;

async function refuseTakenIds(tx: Tx, runs: ExportRow[], keys: ExportRow[]): Promise<void> {
  const runIds = runs.map((r) => r.id as string);
  for (let i = 0; i < runIds.length; i += ID_CHUNK) {
    const [taken] = await tx
      .select({ id: settlementRuns.id })
      .from(settlementRuns)
      .where(inArray(settlementRuns.id, runIds.slice(i, i + ID_CHUNK)))
      .limit(1);
    if (taken) throw new BackupError('run_exists', `settlement run ${taken.id} already exists in this instance; was this hospital's history imported here under another code?`);
  }
  for (let i = 0; i < keys.length; i += ID_CHUNK) {
    const part = keys.slice(i, i + ID_CHUNK);
    const [taken] = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(
        or(
          inArray(
            apiKeys.id,
            part.map((k) => k.id as string),
          ),
          inArray(
            apiKeys.tokenHash,
            part.map((k) => k.token_hash as string),
          ),
        ),
      )
      .limit(1);
    if (taken) throw new BackupError('api_key_exists', `API key ${taken.id} (or one with the same token) already exists in this instance`);
  }
}

/** Scheme versions keep their ids where free here; the others get new ids from the sequence. */
async function insertSchemeVersions(tx: Tx, rows: Record<string, unknown>[], ids: Map<number, number>): Promise<void> {
  const wanted = rows.map((r) => r.id as number);
  const taken = new Set<number>();
  for (let i = 0; i < wanted.length; i += ID_CHUNK) {
    const found = await tx
      .select({ id: schemeVersions.id })
      .from(schemeVersions)
      .where(inArray(schemeVersions.id, wanted.slice(i, i + ID_CHUNK)));
    for (const f of found) taken.add(f.id);
  }
  const kept = rows.filter((r) => !taken.has(r.id as number));
  await insertChunks(tx, schemeVersions, kept);
  for (const r of kept) ids.set(r.id as number, r.id as number);
  // past every kept id before drawing new ones, so a new id is never one of them
  await advanceSequence(tx, 'scheme_versions', 'id');
  for (const r of rows.filter((x) => taken.has(x.id as number))) {
    const { id: old, ...rest } = r;
    const [created] = await tx
      .insert(schemeVersions)
      .values(rest as typeof schemeVersions.$inferInsert)
      .returning({ id: schemeVersions.id });
    ids.set(old as number, created!.id);
  }
}

/** Moves a serial's sequence past the table's largest id (never back). */
async function advanceSequence(tx: Tx, table: string, column: string): Promise<void> {
  await tx.execute(sql`select setval(
    pg_get_serial_sequence(${table}, ${column}),
    greatest(
      (select max(${sql.identifier(column)}) from ${sql.identifier(table)}),
      (select pg_sequence_last_value(pg_get_serial_sequence(${table}, ${column})::regclass)),
      1
    )
  )`);
}

/** drizzle inserts of at most 1,000 rows (and well under the 65,535 parameters of a statement). */
async function insertChunks(tx: Tx, table: PgTable, rows: Record<string, unknown>[]): Promise<void> {
  const size = Math.max(1, Math.min(1000, Math.floor(30_000 / columnsOf(table).length)));
  for (let i = 0; i < rows.length; i += size) {
    try {
      // the rows were checked against the table's columns (toInsert); drizzle's generic insert type cannot say so
      await tx.insert(table).values(rows.slice(i, i + size) as never);
    } catch (e) {
      const cause = e as { message?: string; cause?: { message?: string; detail?: string } };
      const message = cause.cause?.message ?? cause.message ?? String(e);
      throw new BackupError('import_failed', `importing ${nameOf(table)} failed: ${message}${cause.cause?.detail ? ` (${cause.cause.detail})` : ''}; nothing was imported`);
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

// ------------------------------------------------------------------ the document's checks

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkDocument(document: unknown): HospitalExport {
  const bad = (message: string) => new BackupError('invalid_export', message);
  if (!isObject(document) || document.format !== EXPORT_FORMAT) throw bad(`not a perfpay hospital export (format is not "${EXPORT_FORMAT}")`);
  if (document.version !== EXPORT_VERSION) throw bad(`export version ${JSON.stringify(document.version)} is not supported: this instance reads version ${EXPORT_VERSION}`);
  const { hospital, tables, sha256, exportedAt } = document;
  if (typeof exportedAt !== 'string') throw bad('exportedAt is missing');
  if (!isObject(hospital) || !Number.isSafeInteger(hospital.id) || typeof hospital.code !== 'string' || typeof hospital.name !== 'string') {
    throw bad('hospital must be {id, code, name}');
  }
  if (!isObject(tables)) throw bad('tables is missing');
  const unknown = Object.keys(tables).filter((t) => !EXPORT_TABLES.includes(t));
  if (unknown.length > 0) throw bad(`unknown table(s) ${unknown.join(', ')}: an export of a newer version?`);
  for (const name of EXPORT_TABLES) {
    const rows = tables[name];
    if (!Array.isArray(rows) || !rows.every(isObject)) throw bad(`tables.${name} must be an array of rows`);
  }
  if (typeof sha256 !== 'string') throw bad('sha256 is missing');
  const doc = document as unknown as HospitalExport;
  if (checksumOf(doc) !== sha256) throw new BackupError('checksum_mismatch', 'the checksum does not match: the export was changed or damaged after it was written; nothing was imported');

  // the rows are the hospital's own, and refer to each other only
  const id = doc.hospital.id;
  const rowsOf = (table: PgTable) => doc.tables[nameOf(table)]!;
  const [self, ...more] = rowsOf(hospitals);
  if (!self || more.length > 0 || self.id !== id || self.code !== doc.hospital.code) throw bad(`tables.hospitals must hold exactly the hospital ${doc.hospital.code} (id ${id})`);
  for (const spec of SPECS) {
    const name = nameOf(spec.table);
    const known = new Set(columnsOf(spec.table).map((c) => c.name));
    for (const [i, row] of rowsOf(spec.table).entries()) {
      const extra = Object.keys(row).filter((k) => !known.has(k));
      if (extra.length > 0) throw bad(`tables.${name}[${i}]: unknown column(s) ${extra.join(', ')}: an export of a newer version?`);
      if (spec.scope === 'hospital' && row.hospital_id !== id) throw bad(`tables.${name}[${i}] belongs to hospital id ${JSON.stringify(row.hospital_id)}, not ${id}`);
      for (const c of columnsOf(spec.table)) {
        if (c.kind === 'timestamp' && row[c.name] != null && (typeof row[c.name] !== 'string' || Number.isNaN(Date.parse(row[c.name] as string)))) {
          throw bad(`tables.${name}[${i}].${c.name} is not a timestamp`);
        }
      }
    }
  }
  const runIds = new Set(rowsOf(settlementRuns).map((r) => r.id));
  for (const spec of SPECS) {
    if (spec.scope !== 'run' && spec.table !== bankBalances) continue;
    const name = nameOf(spec.table);
    for (const [i, row] of rowsOf(spec.table).entries()) {
      if (!runIds.has(row.run_id)) throw bad(`tables.${name}[${i}] refers to settlement run ${JSON.stringify(row.run_id)}, which is not in the export`);
    }
  }
  const schemeIds = new Set(rowsOf(schemeVersions).map((r) => r.id));
  for (const [i, run] of rowsOf(settlementRuns).entries()) {
    if (run.scheme_version_id != null && !schemeIds.has(run.scheme_version_id)) {
      throw bad(`tables.settlement_runs[${i}] refers to scheme version ${JSON.stringify(run.scheme_version_id)}, which is not in the export`);
    }
  }
  for (const [i, v] of rowsOf(schemeVersions).entries()) {
    if (!Number.isSafeInteger(v.id)) throw bad(`tables.scheme_versions[${i}].id must be an integer`);
  }
  return doc;
}
