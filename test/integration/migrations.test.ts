import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { POSTGRES_URL, createDatabase, dropDatabase } from './harness.js';

/**
 * The migrations (migrations/*.sql) build the whole schema on an empty database — PGlite in
 * memory or on disk, and a fresh PostgreSQL database when DATABASE_URL is set — and applying
 * them again to a database that has them already is harmless.
 */
const EXPECTED_TABLES = [
  'annual_department_lines',
  'annual_individual_lines',
  'annual_inputs',
  'audit_events',
  'bank_balances',
  'department_inputs',
  'department_lines',
  'departments',
  'hospitals',
  'individual_inputs',
  'individual_lines',
  'quarter_inputs',
  'scheme_versions',
  'settlement_runs',
  'staff',
];
const AUDIT_TRIGGERS = ['audit_events_move_head', 'audit_events_no_delete', 'audit_events_no_truncate', 'audit_events_no_update'];
const MIGRATIONS = new URL('../../migrations/', import.meta.url);
/** Every migration drizzle's journal lists: each one applied is a row of drizzle.__drizzle_migrations. */
const JOURNAL: { entries: { tag: string }[] } = JSON.parse(readFileSync(new URL('meta/_journal.json', MIGRATIONS), 'utf8'));
/** Every table a migration creates, whatever later migrations add. */
const CREATED_TABLES = readdirSync(MIGRATIONS)
  .filter((f) => f.endsWith('.sql'))
  .flatMap((f) => [...readFileSync(new URL(f, MIGRATIONS), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)].map((m) => m[1]!));

type Rows<T> = { rows: T[] };
const rowsOf = async <T>(database: Database, query: ReturnType<typeof sql>): Promise<T[]> => ((await database.db.execute(query)) as unknown as Rows<T>).rows;

async function tables(database: Database): Promise<string[]> {
  const rows = await rowsOf<{ table_name: string }>(database, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
  return rows.map((r) => r.table_name);
}

async function auditTriggers(database: Database): Promise<string[]> {
  const rows = await rowsOf<{ tgname: string }>(database, sql`select tgname from pg_trigger where tgrelid = 'audit_events'::regclass and not tgisinternal order by tgname`);
  return rows.map((r) => r.tgname);
}

async function appliedMigrations(database: Database): Promise<number> {
  const rows = await rowsOf<{ n: number }>(database, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return rows[0]!.n;
}

/** The schema is there and usable: the tables, the audit triggers, the partial unique indexes. */
async function expectFullSchema(database: Database): Promise<void> {
  const present = await tables(database);
  expect(present).toEqual(expect.arrayContaining(EXPECTED_TABLES));
  expect(present).toEqual(expect.arrayContaining(CREATED_TABLES));
  expect(await auditTriggers(database)).toEqual(AUDIT_TRIGGERS);
  expect(await appliedMigrations(database)).toBe(JOURNAL.entries.length);
  const indexes = await rowsOf<{ indexname: string }>(database, sql`select indexname from pg_indexes where tablename = 'settlement_runs'`);
  expect(indexes.map((i) => i.indexname)).toEqual(expect.arrayContaining(['settlement_runs_one_active', 'settlement_runs_one_approved']));
}

/**
 * A migrations folder holding the migrations up to `lastTag` only (the journal cut there), for a
 * database as an older release left it.
 */
function migrationsUpTo(lastTag: string): { folder: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'perfpay-migrations-upto-'));
  const last = JOURNAL.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag}`);
  const entries = JOURNAL.entries.slice(0, last + 1);
  mkdirSync(join(folder, 'meta'));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...JOURNAL, entries }));
  for (const e of entries) copyFileSync(fileURLToPath(new URL(`${e.tag}.sql`, MIGRATIONS)), join(folder, `${e.tag}.sql`));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** What an older release stored for a replay: a key's creation with its token, and an answer with no secret in it. */
const STORED_TOKEN = 'pp_stored-before-0008-0123456789abcdef';
const STORED_REPLAYS = sql`insert into idempotency_keys (actor, key, request_hash, status, response) values
  ('bootstrap-admin', 'create-key-1', 'h1', 201, ${JSON.stringify({ id: 7, name: 'finance', role: 'finance', hospital: 'H1', token: STORED_TOKEN })}::jsonb),
  ('bootstrap-admin', 'import-1', 'h2', 200, ${JSON.stringify({ hospital: 'H1', changed: true })}::jsonb)`;

/** After 0008: the token is gone from the stored key creation (a note says why); the other answer is as it was. */
async function expectTokensScrubbed(database: Database): Promise<void> {
  const rows = await rowsOf<{ key: string; response: Record<string, unknown> }>(database, sql`select key, response from idempotency_keys order by key`);
  expect(rows.map((r) => r.key)).toEqual(['create-key-1', 'import-1']);
  const [created, imported] = rows;
  expect(created!.response).toMatchObject({ id: 7, name: 'finance', role: 'finance', hospital: 'H1', note: expect.stringContaining('not shown again') });
  expect(created!.response).not.toHaveProperty('token');
  expect(imported!.response).toEqual({ hospital: 'H1', changed: true });
  const text = await rowsOf<{ n: number }>(database, sql`select count(*)::int as n from idempotency_keys where response::text like ${`%${STORED_TOKEN}%`}`);
  expect(text[0]!.n).toBe(0);
}

describe('migrations on PGlite', () => {
  it('apply to an empty in-memory database: every table, trigger and index exists', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      expect(database.kind).toBe('pglite');
      await expectFullSchema(database);
      expect(await rowsOf(database, sql`select * from hospitals`)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('applying them again to a PGlite data directory that has them is harmless and keeps the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfpay-migrations-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await expectFullSchema(first);
      await first.db.execute(sql`insert into hospitals (code, name) values ('MIG-PGLITE', 'kept')`);
      await first.close();

      const second = await openDatabase({ dataDir: dir });
      try {
        await expectFullSchema(second);
        expect(await rowsOf(second, sql`select code, name from hospitals`)).toEqual([{ code: 'MIG-PGLITE', name: 'kept' }]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('0008 removes API tokens already stored in idempotency_keys by an older release (migrated up to 0007, then the rest)', async () => {
    const older = migrationsUpTo('0007_individual_lines_run_check');
    const client = new PGlite();
    try {
      const db = drizzlePglite(client);
      await migratePglite(db, { migrationsFolder: older.folder });
      await db.execute(STORED_REPLAYS);
      // the release with 0008 starts on it: its migrations apply the rest
      await migratePglite(db, { migrationsFolder: fileURLToPath(MIGRATIONS) });
      const database: Database = { db: db as unknown as Database['db'], kind: 'pglite', ping: async () => {}, close: () => client.close() };
      await expectFullSchema(database);
      await expectTokensScrubbed(database);
    } finally {
      await client.close();
      older.remove();
    }
  });
});

describe.skipIf(!POSTGRES_URL)('migrations on PostgreSQL', () => {
  it('apply to a fresh database, and applying them again (close, open again) is harmless and keeps the data', async () => {
    const url = await createDatabase();
    try {
      const first = await openDatabase({ url, dataDir: 'memory://' });
      try {
        expect(first.kind).toBe('postgres');
        await expectFullSchema(first);
        expect(await rowsOf(first, sql`select * from hospitals`)).toEqual([]);
        await first.db.execute(sql`insert into hospitals (code, name) values ('MIG-PG', 'kept')`);
      } finally {
        await first.close();
      }

      const second = await openDatabase({ url, dataDir: 'memory://' });
      try {
        await expectFullSchema(second);
        expect(await rowsOf(second, sql`select code, name from hospitals`)).toEqual([{ code: 'MIG-PG', name: 'kept' }]);
      } finally {
        await second.close();
      }
    } finally {
      await dropDatabase(url);
    }
  });

  it('several processes opening a fresh database at once: one migrates, the others wait, all succeed', async () => {
    const url = await createDatabase();
    try {
      const opened = await Promise.all([0, 1, 2].map(() => openDatabase({ url, dataDir: 'memory://', poolSize: 2 })));
      try {
        for (const database of opened) await expectFullSchema(database);
      } finally {
        await Promise.all(opened.map((d) => d.close()));
      }
    } finally {
      await dropDatabase(url);
    }
  });

  it('0008 removes API tokens already stored in idempotency_keys by an older release (migrated up to 0007, then the rest)', async () => {
    const url = await createDatabase();
    const older = migrationsUpTo('0007_individual_lines_run_check');
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migrateNodePg(drizzleNodePg(client), { migrationsFolder: older.folder });
        await drizzleNodePg(client).execute(STORED_REPLAYS);
      } finally {
        await client.end();
      }

      const database = await openDatabase({ url, dataDir: 'memory://' });
      try {
        await expectFullSchema(database);
        await expectTokensScrubbed(database);
      } finally {
        await database.close();
      }
    } finally {
      older.remove();
      await dropDatabase(url);
    }
  });
});
