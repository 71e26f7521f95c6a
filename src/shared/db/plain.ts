import { is, sql, type SQL, type Table } from 'drizzle-orm';
import { PgBoolean, PgInteger, PgNumeric, PgSerial, PgText, type PgColumn } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.js';

/**
 * Column types both drivers (node-postgres, PGlite) return exactly as drizzle would map them.
 * Not json: drizzle parses a json value that the driver gives as a string a second time.
 */
const AS_THE_DRIVER_GIVES = [PgText, PgInteger, PgSerial, PgBoolean, PgNumeric] as const;

/**
 * A select of large reads (a hospital's 10,000 staff, a quarter's 10,000 individual records)
 * whose rows come back already keyed as drizzle keys them: each column is selected `AS` its
 * key, and the rows are taken as the driver parsed them, without drizzle's per-cell result
 * mapping, which took a tenth of a settlement job's time. Only for columns whose driver value is
 * what drizzle returns (text, integer, boolean, numeric as its exact decimal string): any
 * other column is refused when the select is defined.
 */
export function plainSelect<Row>(columns: Record<string, PgColumn>, from: Table): (db: Db | Tx, where: SQL | undefined, orderBy: SQL, limit?: number) => Promise<Row[]> {
  for (const [key, column] of Object.entries(columns)) {
    if (!AS_THE_DRIVER_GIVES.some((type) => is(column, type))) {
      throw new Error(`plainSelect: column ${key} (${column.columnType}) is not read exactly as the driver returns it`);
    }
  }
  const list = sql.join(
    Object.entries(columns).map(([key, column]) => sql`${sql.identifier(column.name)} AS ${sql.identifier(key)}`),
    sql`, `,
  );
  return async (db, where, orderBy, limit) => {
    const result = (await db.execute(sql`SELECT ${list} FROM ${from} ${where ? sql`WHERE ${where}` : sql``} ORDER BY ${orderBy} ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`)) as unknown as {
      rows: Row[];
    };
    return result.rows;
  };
}
