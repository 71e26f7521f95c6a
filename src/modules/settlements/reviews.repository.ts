import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { settlementReviews } from '../../db/schema.js';

type Conn = Db | Tx;
export type ReviewRow = typeof settlementReviews.$inferSelect;

export async function reviewsOfRun(db: Conn, runId: string): Promise<ReviewRow[]> {
  return db.select().from(settlementReviews).where(eq(settlementReviews.runId, runId)).orderBy(asc(settlementReviews.department));
}

export async function findReview(db: Conn, runId: string, department: string): Promise<ReviewRow | null> {
  const [row] = await db
    .select()
    .from(settlementReviews)
    .where(and(eq(settlementReviews.runId, runId), eq(settlementReviews.department, department)));
  return row ?? null;
}

export async function upsertReview(tx: Tx, row: typeof settlementReviews.$inferInsert & { updatedAt: Date }): Promise<void> {
  await tx
    .insert(settlementReviews)
    .values(row)
    .onConflictDoUpdate({ target: [settlementReviews.runId, settlementReviews.department], set: { status: row.status, reason: row.reason, actor: row.actor, updatedAt: row.updatedAt } });
}

/** The departments that dispute a run, in code order. */
export async function openDisputes(db: Conn, runId: string): Promise<string[]> {
  const rows = await db
    .select({ department: settlementReviews.department })
    .from(settlementReviews)
    .where(and(eq(settlementReviews.runId, runId), eq(settlementReviews.status, 'disputed')));
  return rows.map((r) => r.department).sort();
}
