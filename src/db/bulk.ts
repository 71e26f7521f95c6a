import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';

export interface BulkColumn<R> {
  name: string;
  type: 'text' | 'numeric' | 'int' | 'boolean' | 'uuid' | 'jsonb';
  value: (row: R) => string | number | boolean | null;
}

/**
 * INSERT … SELECT FROM unnest(arrays): one statement and one parameter per column for any
 * number of rows (a row-per-values insert is limited to 65,535 parameters and is many times
 * slower). Works the same on PostgreSQL and PGlite.
 */
export async function insertUnnest<R>(
  tx: Tx,
  table: string,
  columns: BulkColumn<R>[],
  rows: readonly R[],
  options: { chunk?: number; upsertOn?: string[]; touch?: string } = {},
): Promise<void> {
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

