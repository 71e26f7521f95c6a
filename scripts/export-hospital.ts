import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { openDatabase, type Database } from '../src/db/client.js';
import { BackupError, exportHospital, serializeExport, type HospitalExport } from '../src/modules/backup/backup.usecases.js';

/**
 * `npm run export-hospital -- <hospital-code> [file|-]`: writes one hospital's whole history as
 * a JSON document to the file (written aside and renamed into place when complete, readable by
 * its owner only: it holds personal data and API-key hashes) or to standard output (`-`, the
 * default). The database is the service's: DATABASE_URL, or the embedded one in
 * PERFPAY_DATA_DIR (./.perfpay). Stop a service running on an embedded database first: PGlite's
 * folder is for one process at a time. On PostgreSQL the export is a consistent snapshot and
 * the service may keep running.
 *
 * Exit status: 0 written; 2 usage, an unknown hospital or no database; 1 an internal fault.
 */
const USAGE = 'usage: npm run export-hospital -- <hospital-code> [file|-]   (DATABASE_URL or PERFPAY_DATA_DIR name the database)';

async function main(argv: string[]): Promise<number> {
  const [code, target = '-', ...rest] = argv;
  if (!code || code.startsWith('-') || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = process.env.PERFPAY_DATA_DIR || './.perfpay';
  if (!url && dataDir !== 'memory://' && !existsSync(dataDir)) {
    process.stderr.write(`export-hospital: there is no embedded database in ${dataDir} (set PERFPAY_DATA_DIR, or DATABASE_URL for PostgreSQL)\n`);
    return 2;
  }
  let database: Database;
  try {
    database = await openDatabase({ url, dataDir });
  } catch (e) {
    process.stderr.write(`export-hospital: cannot open the database: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const doc = await exportHospital(database.db, code);
    await write(doc, target);
    const count = (t: string) => doc.tables[t]?.length ?? 0;
    process.stderr.write(
      `exported hospital ${doc.hospital.code} (id ${doc.hospital.id}): ${count('settlement_runs')} settlement runs, ${count('audit_events')} audit events, ` +
        `${Object.values(doc.tables).reduce((n, rows) => n + rows.length, 0)} rows in all, to ${target === '-' ? 'standard output' : target} (sha256 ${doc.sha256})\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof BackupError) {
      process.stderr.write(`export-hospital: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`export-hospital: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    await database.close().catch(() => {});
  }
}

async function write(doc: HospitalExport, target: string): Promise<void> {
  if (target === '-') {
    for (const chunk of serializeExport(doc)) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    await new Promise<void>((resolve, reject) => process.stdout.write('', (e) => (e ? reject(e) : resolve())));
    return;
  }
  const partial = `${target}.partial-${process.pid}`;
  const out = createWriteStream(partial, { mode: 0o600 });
  try {
    for (const chunk of serializeExport(doc)) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    renameSync(partial, target);
  } catch (e) {
    out.destroy();
    rmSync(partial, { force: true });
    throw new BackupError('write_failed', `cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

process.exitCode = await main(process.argv.slice(2));
