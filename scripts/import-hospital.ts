import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../src/db/client.js';
import { BackupError, importHospital } from '../src/modules/backup/backup.usecases.js';

/**
 * `npm run import-hospital -- <file|->`: imports a hospital written by export-hospital into this
 * instance's database (DATABASE_URL, or the embedded one in PERFPAY_DATA_DIR, ./.perfpay, made
 * if it does not exist yet), in one transaction: all of it or nothing. Refused (nothing written):
 * a file that is not an export or whose checksum does not match, a hospital code that exists
 * here, a hospital id that another hospital has here (the audit chain is hashed with it), or an
 * audit chain that does not verify. Stop a service running on an embedded database first.
 *
 * Exit status: 0 imported; 2 usage, an unreadable file or a refusal; 1 an internal fault.
 */
const USAGE = 'usage: npm run import-hospital -- <file|->   (DATABASE_URL or PERFPAY_DATA_DIR name the database)';

async function main(argv: string[]): Promise<number> {
  const [source, ...rest] = argv;
  if (!source || (source.startsWith('-') && source !== '-') || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let document: unknown;
  try {
    const text = source === '-' ? await readStdin() : readFileSync(source, 'utf8');
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const reason = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    process.stderr.write(`import-hospital: cannot read ${source === '-' ? 'standard input' : source}: ${reason}\n`);
    return 2;
  }
  let database: Database;
  try {
    database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.PERFPAY_DATA_DIR || './.perfpay' });
  } catch (e) {
    process.stderr.write(`import-hospital: cannot open the database: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const summary = await importHospital(database.db, document);
    const total = Object.values(summary.rows).reduce((n, c) => n + c, 0);
    process.stdout.write(
      `imported hospital ${summary.hospital} (id ${summary.hospitalId}): ${summary.rows.settlement_runs ?? 0} settlement runs, ${total} rows in all; ` +
        `audit chain valid with ${summary.audit.events} events\n`,
    );
    const remapped = Object.entries(summary.schemeVersionIds);
    if (remapped.length > 0) {
      process.stdout.write(`scheme version ids already used here were given new ones: ${remapped.map(([from, to]) => `${from} → ${to}`).join(', ')}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof BackupError) {
      process.stderr.write(`import-hospital: refused: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`import-hospital: internal error (nothing was imported): ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    await database.close().catch(() => {});
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await main(process.argv.slice(2));
