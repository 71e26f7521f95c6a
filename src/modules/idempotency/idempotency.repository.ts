import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;
const where = (actor: string, key: string) => and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key));

/** Claims a (caller, key) for a request: true when this request is the first with it. */
export async function claimKey(db: Db, actor: string, key: string, requestHash: string): Promise<boolean> {
  const inserted = await db.insert(idempotencyKeys).values({ actor, key, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
  return inserted.length > 0;
}

export async function findKey(db: Db, actor: string, key: string): Promise<IdempotencyRow | null> {
  const [row] = await db.select().from(idempotencyKeys).where(where(actor, key));
  return row ?? null;
}

export async function forgetKey(db: Db, actor: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(where(actor, key));
}

export async function keepAnswer(db: Db, actor: string, key: string, status: number, response: unknown): Promise<void> {
  await db.update(idempotencyKeys).set({ status, response }).where(where(actor, key));
}
