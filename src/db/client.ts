import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
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
  const client = new PGlite(memory ? undefined : options.dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS });
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}
