import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumpMigrated } from '../src/db/client.js';

/**
 * Before any test file: the tests that start processes run the compiled dist/ (the bin, `npm
 * start`, `npm run worker`, the backup scripts), as a user does, so it is built once, if a source
 * changed; and an empty database with every migration applied is dumped once, for each in-memory
 * database of the run to start from (PERFPAY_PGLITE_TEMPLATE, read by src/db/client.ts) instead
 * of running initdb and the migrations again.
 */
export default async function setup(): Promise<() => void> {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale', '--quiet'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'perfpay-template-'));
  const file = join(dir, 'pglite-migrated.tar');
  writeFileSync(file, Buffer.from(await (await dumpMigrated()).arrayBuffer()));
  process.env.PERFPAY_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
