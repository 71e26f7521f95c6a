import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Db, Tx } from '../../db/client.js';
import { apiKeys, hospitals } from '../../db/schema.js';
import { perDatabase } from '../../shared/db/prepared.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
type Conn = Db | Tx;

export async function insertKey(tx: Tx, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [created] = await tx.insert(apiKeys).values(row).returning();
  return created!;
}

const liveKeyQuery = perDatabase((db) =>
  db
    .select({ key: apiKeys, hospitalCode: hospitals.code })
    .from(apiKeys)
    .innerJoin(hospitals, eq(hospitals.id, apiKeys.hospitalId))
    .where(and(eq(apiKeys.tokenHash, sql.placeholder('tokenHash')), isNull(apiKeys.revokedAt)))
    .prepare('perfpay_live_key'),
);

/**
 * The live (not revoked) key with this token hash, with its hospital's code. Every call makes
 * it, so it is a prepared statement: built once per database, planned once per connection.
 */
export async function findLiveKey(db: Db, tokenHash: string): Promise<(ApiKeyRow & { hospitalCode: string }) | null> {
  const [row] = await liveKeyQuery(db).execute({ tokenHash });
  return row ? { ...row.key, hospitalCode: row.hospitalCode } : null;
}

export async function listKeys(db: Conn, hospitalId: number): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.hospitalId, hospitalId)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

export async function findKey(db: Conn, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

export async function revokeKey(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id));
}

/** When this process last wrote each key's last-used time (ms). */
const touched = new LRUCache<string, number>({ max: 10_000 });

/**
 * Last-used time, written at most once a minute per key so that reads do not each cost a write:
 * a process that wrote it less than a minute ago does not even ask the database.
 */
export async function touchKey(db: Conn, id: string, at: Date): Promise<void> {
  const last = touched.get(id);
  if (last !== undefined && at.getTime() - last < 60_000 && at.getTime() >= last) return;
  touched.set(id, at.getTime());
  const aMinuteAgo = new Date(at.getTime() - 60_000);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, aMinuteAgo))));
}
