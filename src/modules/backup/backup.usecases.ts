import { createHash } from 'node:crypto';
import type { Db, Tx } from '../../db/client.js';
import { verifyAudit } from '../audit/audit.repository.js';
import { canonicalJson } from '../../shared/canonical.js';
import { BackupError } from './backup.errors.js';
import {
  advanceSequence,
  findHospitalByCode,
  firstTakenApiKey,
  firstTakenRunId,
  hospitalCodeOfId,
  insertRows,
  insertSchemeVersionAnew,
  lockHospitalIds,
  readTable,
  TABLE_SPECS,
  takenSchemeVersionIds,
  type ExportRow,
} from './backup.repository.js';

export { BackupError } from './backup.errors.js';

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

/** The exported tables' SQL names, in import order. */
export const EXPORT_TABLES: readonly string[] = TABLE_SPECS.map((s) => s.name);

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

// ------------------------------------------------------------------ export

/**
 * The hospital's whole history as one document, read in one repeatable-read transaction (a
 * consistent snapshot while the service keeps running on PostgreSQL).
 */
export async function exportHospital(db: Db, code: string, options: { now?: () => Date } = {}): Promise<HospitalExport> {
  const now = options.now ?? (() => new Date());
  return db.transaction(
    async (tx) => {
      const hospital = await findHospitalByCode(tx, code);
      if (!hospital) throw new BackupError('not_found', `hospital ${code} not found`);
      const tables: Record<string, ExportRow[]> = {};
      for (const name of EXPORT_TABLES) tables[name] = await readTable(tx, name, hospital.id);
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
  const rowsOf = (name: string) => doc.tables[name]!;
  return db.transaction(async (tx) => {
    // no other transaction may insert a hospital or a scheme version (taking a serial id)
    // between the checks below and the inserts with the exported ids
    await lockHospitalIds(tx);
    if (await findHospitalByCode(tx, code)) {
      throw new BackupError('hospital_exists', `hospital ${code} already exists in this instance; an export is imported only into an instance that does not have the hospital`);
    }
    const sameId = await hospitalCodeOfId(tx, hospitalId);
    if (sameId) {
      throw new BackupError(
        'hospital_id_taken',
        `hospital id ${hospitalId} is already used by hospital ${sameId} in this instance; ${code}'s audit chain is hashed with its id ${hospitalId}, so it can only be imported into an instance where that id is free`,
      );
    }
    const takenRun = await firstTakenRunId(
      tx,
      rowsOf('settlement_runs').map((r) => r.id as string),
    );
    if (takenRun) throw new BackupError('run_exists', `settlement run ${takenRun} already exists in this instance; was this hospital's history imported here under another code?`);
    const takenKey = await firstTakenApiKey(
      tx,
      rowsOf('api_keys').map((k) => ({ id: k.id as string, tokenHash: k.token_hash as string })),
    );
    if (takenKey) throw new BackupError('api_key_exists', `API key ${takenKey} (or one with the same token) already exists in this instance`);

    const counts: Record<string, number> = {};
    const schemeIds = new Map<number, number>();
    for (const name of EXPORT_TABLES) {
      let rows = rowsOf(name);
      if (name === 'scheme_versions') {
        await insertSchemeVersions(tx, rows, schemeIds);
        counts[name] = rows.length;
        continue;
      }
      if (name === 'settlement_runs') {
        rows = rows.map((r) => (r.scheme_version_id == null ? r : { ...r, scheme_version_id: schemeIds.get(r.scheme_version_id as number) ?? r.scheme_version_id }));
      }
      // audit events get this instance's row ids; the hash covers every other column
      if (name === 'audit_events') rows = rows.map(({ id: _id, ...rest }) => rest);
      await insertRows(tx, name, rows);
      if (name === 'hospitals') await advanceSequence(tx, 'hospitals', 'id');
      counts[name] = rows.length;
    }

    const audit = await verifyAudit(tx as unknown as Db, hospitalId);
    const exported = rowsOf('audit_events').length;
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

/** Scheme versions keep their ids where free here; the others get new ids from the sequence. */
async function insertSchemeVersions(tx: Tx, rows: ExportRow[], ids: Map<number, number>): Promise<void> {
  const taken = await takenSchemeVersionIds(
    tx,
    rows.map((r) => r.id as number),
  );
  const kept = rows.filter((r) => !taken.has(r.id as number));
  await insertRows(tx, 'scheme_versions', kept);
  for (const r of kept) ids.set(r.id as number, r.id as number);
  // past every kept id before drawing new ones, so a new id is never one of them
  await advanceSequence(tx, 'scheme_versions', 'id');
  for (const r of rows.filter((x) => taken.has(x.id as number))) ids.set(r.id as number, await insertSchemeVersionAnew(tx, r));
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
  const rowsOf = (name: string) => doc.tables[name]!;
  const [self, ...more] = rowsOf('hospitals');
  if (!self || more.length > 0 || self.id !== id || self.code !== doc.hospital.code) throw bad(`tables.hospitals must hold exactly the hospital ${doc.hospital.code} (id ${id})`);
  for (const spec of TABLE_SPECS) {
    const name = spec.name;
    const known = new Set(spec.columns.map((c) => c.name));
    for (const [i, row] of rowsOf(name).entries()) {
      const extra = Object.keys(row).filter((k) => !known.has(k));
      if (extra.length > 0) throw bad(`tables.${name}[${i}]: unknown column(s) ${extra.join(', ')}: an export of a newer version?`);
      if (spec.scope === 'hospital' && row.hospital_id !== id) throw bad(`tables.${name}[${i}] belongs to hospital id ${JSON.stringify(row.hospital_id)}, not ${id}`);
      for (const c of spec.columns) {
        if (c.kind === 'timestamp' && row[c.name] != null && (typeof row[c.name] !== 'string' || Number.isNaN(Date.parse(row[c.name] as string)))) {
          throw bad(`tables.${name}[${i}].${c.name} is not a timestamp`);
        }
      }
    }
  }
  const runIds = new Set(rowsOf('settlement_runs').map((r) => r.id));
  for (const spec of TABLE_SPECS) {
    if (spec.scope !== 'run' && spec.name !== 'bank_balances') continue;
    const name = spec.name;
    for (const [i, row] of rowsOf(name).entries()) {
      if (!runIds.has(row.run_id)) throw bad(`tables.${name}[${i}] refers to settlement run ${JSON.stringify(row.run_id)}, which is not in the export`);
    }
  }
  const schemeIds = new Set(rowsOf('scheme_versions').map((r) => r.id));
  for (const [i, run] of rowsOf('settlement_runs').entries()) {
    if (run.scheme_version_id != null && !schemeIds.has(run.scheme_version_id)) {
      throw bad(`tables.settlement_runs[${i}] refers to scheme version ${JSON.stringify(run.scheme_version_id)}, which is not in the export`);
    }
  }
  for (const [i, v] of rowsOf('scheme_versions').entries()) {
    if (!Number.isSafeInteger(v.id)) throw bad(`tables.scheme_versions[${i}].id must be an integer`);
  }
  return doc;
}
