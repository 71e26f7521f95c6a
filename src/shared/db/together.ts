import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.js';

type Results<T extends readonly (() => Promise<unknown>)[]> = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Independent reads side by side on a pool, one after the other inside a transaction (a
 * transaction has one connection, and node-postgres deprecates overlapping queries on one).
 */
export async function together<const T extends readonly (() => Promise<unknown>)[]>(db: Db | Tx, reads: T): Promise<Results<T>> {
  if (db instanceof PgTransaction) {
    const out: unknown[] = [];
    for (const read of reads) out.push(await read());
    return out as Results<T>;
  }
  return Promise.all(reads.map((read) => read())) as Promise<Results<T>>;
}
