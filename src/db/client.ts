import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The migrations folder, found upwards from this module: beside src/ in a checkout, beside dist/ in a build. */
const MIGRATIONS = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'migrations', 'meta', '_journal.json'))) return join(dir, 'migrations');
    if (dirname(dir) === dir) throw new Error('the migrations folder was not found above this module');
  }
})();

/**
 * PostgreSQL when a URL is given, otherwise the same schema and migrations on an embedded
 * PostgreSQL (PGlite) kept in `dataDir` (or in memory for `memory://`). Migrations apply here,
 * when the database is behind the migrations folder (isCurrent); a current one starts without
 * reading a migration. Each driver is loaded only when it is the one used.
 */
export function openDatabase(options: { url?: string; dataDir: string; poolSize?: number }): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const [{ default: pg }, { drizzle }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {}); // an idle client's lost connection is reported by the next query
  const db = drizzle(pool, { schema }) as unknown as Db;
  const client = await pool.connect();
  try {
    if (!(await isCurrent((text) => client.query(text).then((r) => r.rows)))) {
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      // several processes (service, workers) may start at once: one migrates, the others wait
      // (and then find nothing left to apply)
      await client.query('select pg_advisory_lock(726354)');
      try {
        await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS });
      } finally {
        await client.query('select pg_advisory_unlock(726354)').catch(() => {});
      }
    }
  } finally {
    client.release();
  }
  return {
    db,
    kind: 'postgres',
    ping: async () => void (await pool.query('select 1')),
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const memory = dataDir === 'memory://';
  if (!memory) mkdirSync(dataDir, { recursive: true });
  // a data folder is opened once a process, as PGlite opens it by itself (initdb's WebAssembly
  // is compiled only for a new one); in-memory databases, made by the dozen in tests, share
  // the modules compiled once
  const [{ PGlite }, { drizzle }, assets] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite'), memory ? pgliteAssets() : {}]);
  const client = memory ? new PGlite({ ...assets, loadDataDir: await memoryTemplate(assets) }) : new PGlite(dataDir, assets);
  const db = drizzle(client, { schema }) as unknown as Db;
  // the template (or the data folder) is usually current already; a data folder migrated by this
  // build says so in a file of its own, so its start does not query the catalog for it
  const mark = memory ? null : join(dataDir, 'perfpay-migrations.json');
  if (!mark || !existsSync(mark) || readFileSync(mark, 'utf8') !== journalMark()) {
    if (!(await isCurrent((text) => client.query<Record<string, unknown>>(text).then((r) => r.rows)))) await migratePglite(client);
    if (mark) writeFileSync(mark, journalMark());
  }
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}

async function migratePglite(client: PGlite): Promise<void> {
  const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS });
}

/**
 * True when every migration of the journal has been applied: drizzle's migrator applies those
 * whose `when` is later than the last one it recorded (drizzle.__drizzle_migrations.created_at),
 * so the database is current when that is at least the journal's last `when` and it has recorded
 * as many. False when the table is not there (a new database).
 */
async function isCurrent(query: (text: string) => Promise<Record<string, unknown>[]>): Promise<boolean> {
  const entries = journal();
  if (entries.length === 0) return true;
  try {
    const [row] = await query('select count(*)::int as n, coalesce(max(created_at), 0)::text as last from drizzle.__drizzle_migrations');
    return Number(row?.n) >= entries.length && Number(row?.last) >= Math.max(...entries.map((e) => e.when));
  } catch {
    return false;
  }
}

/** The journal's length and last `when`: what a data folder's perfpay-migrations.json holds once it is current. */
function journalMark(): string {
  const entries = journal();
  return `${JSON.stringify({ migrations: entries.length, last: Math.max(0, ...entries.map((e) => e.when)) })}\n`;
}

let journalEntries: { when: number }[] | undefined;
function journal(): { when: number }[] {
  journalEntries ??= (JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] }).entries;
  return journalEntries;
}

type PgliteAssets = Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>;

/**
 * Kept on globalThis: once a process, whatever loads this module again (a test runner's isolated
 * module graphs, the bundled scripts).
 */
const CACHE = Symbol.for('perfpay.pglite');
const shared = globalThis as { [CACHE]?: { assets?: Promise<PgliteAssets>; template?: Promise<Blob> } };
shared[CACHE] ??= {};
const cache = shared[CACHE];

/**
 * PGlite's WebAssembly compiled, and its file system bundle read, once a process: each new
 * instance would otherwise compile both modules again (a third of its start). Where the files are
 * not found, PGlite finds them itself.
 */
function pgliteAssets(): Promise<PgliteAssets> {
  cache.assets ??= (async () => {
    try {
      const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
      const [pglite, initdb, data] = await Promise.all(['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((name) => readFile(join(dist, name))));
      const [pgliteWasmModule, initdbWasmModule] = await Promise.all([WebAssembly.compile(pglite!), WebAssembly.compile(initdb!)]);
      return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([data!]) };
    } catch {
      return {};
    }
  })();
  return cache.assets;
}

/**
 * An in-memory database starts from a copy of an empty, migrated one instead of running initdb
 * and every migration again (a memory:// database is made per test, per generated document): made
 * once a process, or read from PERFPAY_PGLITE_TEMPLATE, a dump the test run makes once before
 * its tests (test/global-setup.ts) from the same migrations.
 */
function memoryTemplate(assets: PgliteAssets): Promise<Blob> {
  cache.template ??= (async () => {
    const file = process.env.PERFPAY_PGLITE_TEMPLATE;
    if (file && existsSync(file)) return new Blob([readFileSync(file)]);
    return dumpMigrated(assets);
  })();
  return cache.template;
}

/** An empty database with every migration applied, dumped (an uncompressed tar of its data folder). */
export async function dumpMigrated(assets: PgliteAssets = {}): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const client = new PGlite(assets);
  try {
    await migratePglite(client);
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}
