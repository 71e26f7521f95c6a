import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { uiSessions } from '../../db/schema.js';

export type SessionRow = typeof uiSessions.$inferSelect;

/** A new session; sessions that ended more than a day ago are cleared on the way. */
export async function createSession(db: Db, row: typeof uiSessions.$inferInsert & { createdAt: Date }): Promise<void> {
  await db.delete(uiSessions).where(lt(uiSessions.expiresAt, new Date(row.createdAt.getTime() - 86_400_000)));
  await db.insert(uiSessions).values(row);
}

/** The session with this id hash, if it is neither revoked nor expired. */
export async function findLiveSession(db: Db, idHash: string, at: Date): Promise<SessionRow | null> {
  const [row] = await db
    .select()
    .from(uiSessions)
    .where(and(eq(uiSessions.idHash, idHash), isNull(uiSessions.revokedAt), gt(uiSessions.expiresAt, at)));
  return row ?? null;
}

export async function revokeSession(db: Db, idHash: string, at: Date): Promise<void> {
  await db.update(uiSessions).set({ revokedAt: at }).where(eq(uiSessions.idHash, idHash));
}
