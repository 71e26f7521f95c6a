import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
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
});
