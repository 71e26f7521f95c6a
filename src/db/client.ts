import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
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
 * PostgreSQL (PGlite) kept in `dataDir` (or in memory for `memory://`). Migrations apply here.
 */
export async function openDatabase(options: { url?: string; dataDir: string; poolSize?: number }): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    pool.on('error', () => {}); // an idle client's lost connection is reported by the next query
    const db = drizzleNodePg(pool, { schema }) as unknown as Db;
    const client = await pool.connect();
    try {
      // several processes (service, workers) may start at once: one migrates, the others wait
      await client.query('select pg_advisory_lock(726354)');
      await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock(726354)').catch(() => {});
      client.release();
    }
    return {
      db,
      kind: 'postgres',
      ping: async () => void (await pool.query('select 1')),
      close: () => pool.end(),
    };
  }
  const memory = options.dataDir === 'memory://';
  if (!memory) mkdirSync(options.dataDir, { recursive: true });
  const assets = await pgliteAssets();
  const client = memory ? new PGlite({ ...assets, loadDataDir: await memoryTemplate(assets) }) : new PGlite(options.dataDir, assets);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  // a no-op when the template (or the data folder) is current
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS });
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
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
  const client = new PGlite(assets);
  try {
    await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS });
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}
