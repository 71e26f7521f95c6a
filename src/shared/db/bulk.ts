import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';

export interface BulkColumn<R> {
  name: string;
  type: 'text' | 'numeric' | 'int' | 'boolean' | 'uuid' | 'json' | 'jsonb' | 'timestamptz';
  value: (row: R) => string | number | boolean | null;
}

/**
 * INSERT … SELECT FROM unnest(arrays): one statement and one parameter per column for any
 * number of rows (a row-per-values insert is limited to 65,535 parameters and is many times
 * slower). Works the same on PostgreSQL and PGlite.
 */
export async function insertUnnest<R>(tx: Tx, table: string, columns: BulkColumn<R>[], rows: readonly R[], options: { chunk?: number; upsertOn?: string[]; touch?: string } = {}): Promise<void> {
  const chunk = options.chunk ?? 20_000;
  // an upsert replaces every other column with the incoming row's value
  const conflict = options.upsertOn
    ? sql.raw(
        ` on conflict (${options.upsertOn.map((c) => `"${c}"`).join(', ')}) do update set ${columns
          .filter((c) => !options.upsertOn!.includes(c.name))
          .map((c) => `"${c.name}" = excluded."${c.name}"`)
          .concat(options.touch ? [`"${options.touch}" = now()`] : [])
          .join(', ')}`,
      )
    : sql.raw('');
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const names = sql.raw(columns.map((c) => `"${c.name}"`).join(', '));
    const arrays: SQL[] = columns.map((c) => sql`${sql.param(part.map(c.value))}::${sql.raw(c.type)}[]`);
    await tx.execute(sql`insert into ${sql.raw(`"${table}"`)} (${names}) select * from unnest(${sql.join(arrays, sql`, `)})${conflict}`);
  }
}

/** A value in PostgreSQL's COPY text format: \N for null, backslash escapes for the rest. */
function copyText(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

/**
 * Plain inserts of many rows with COPY … FROM STDIN (PostgreSQL) or COPY … FROM '/dev/blob'
 * (PGlite), inside the caller's transaction: the fastest way PostgreSQL has to load rows, about
 * twice the speed of INSERT … unnest for wide rows. Each value goes in COPY's text format.
 */
export async function copyRows<R>(tx: Tx, table: string, columns: BulkColumn<R>[], rows: readonly R[]): Promise<void> {
  if (rows.length === 0) return;
  const statement = `copy "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) from stdin`;
  const client = (tx as unknown as { session: { client: unknown } }).session.client;
  // numbers, numerics, uuids and booleans never hold a character COPY escapes: only text and
  // JSON values go through copyText's escaping
  const plain = columns.map((c) => c.type !== 'text' && c.type !== 'json' && c.type !== 'jsonb');
  const values = columns.map((c) => c.value);
  const lines = function* (): Generator<string> {
    let batch = '';
    for (const row of rows) {
      let line = '';
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!(row);
        line += (i === 0 ? '' : '\t') + (v === null ? '\\N' : plain[i] ? String(v) : copyText(v));
      }
      batch += `${line}\n`;
      if (batch.length > 1 << 16) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  };
  // pg and its COPY stream are loaded on the first COPY, not at start (nor ever on PGlite but to
  // tell its client from pg's)
  const { default: pg } = await import('pg');
  if (client instanceof pg.Client) {
    const { from: copyFrom } = await import('pg-copy-streams');
    await pipeline(Readable.from(lines()), client.query(copyFrom(statement)));
    return;
  }
  const pglite = client as { query(q: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };
  await pglite.query(statement.replace(/from stdin$/, "from '/dev/blob'"), [], { blob: new Blob([...lines()]) });
}
