import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { hospitals, settlementRuns } from '../../db/schema.js';

/** The hospitals (医院), the tenants: lookups, the lock every write takes, and the closed periods. */
export type HospitalRow = typeof hospitals.$inferSelect;
type Conn = Db | Tx;

export async function findHospital(db: Conn, code: string): Promise<HospitalRow | null> {
  const [row] = await db.select().from(hospitals).where(eq(hospitals.code, code));
  return row ?? null;
}

/**
 * Locks the hospital's row for the rest of the transaction. Every write to a hospital takes this
 * lock first: writes to one hospital are serialised (imports end as in some serial order, the
 * audit chain never forks), writes to different hospitals run in parallel.
 */
export async function lockHospital(tx: Tx, code: string): Promise<HospitalRow | null> {
  const [row] = await tx.select().from(hospitals).where(eq(hospitals.code, code)).for('update');
  return row ?? null;
}

export async function lockHospitalById(tx: Tx, id: number): Promise<HospitalRow | null> {
  const [row] = await tx.select().from(hospitals).where(eq(hospitals.id, id)).for('update');
  return row ?? null;
}

export async function findHospitalById(db: Conn, id: number): Promise<HospitalRow | null> {
  const [row] = await db.select().from(hospitals).where(eq(hospitals.id, id));
  return row ?? null;
}

export async function createHospitalLocked(tx: Tx, code: string, name: string): Promise<{ hospital: HospitalRow; created: boolean }> {
  const inserted = await tx.insert(hospitals).values({ code, name }).onConflictDoNothing().returning();
  const hospital = await lockHospital(tx, code);
  return { hospital: hospital!, created: inserted.length > 0 };
}

/** Periods ('2026Q1', '2026') with an approved run: closed, their inputs frozen. */
export async function closedPeriods(db: Conn, hospitalId: number): Promise<Set<string>> {
  const rows = await db
    .select({ period: settlementRuns.period })
    .from(settlementRuns)
    .where(and(eq(settlementRuns.hospitalId, hospitalId), eq(settlementRuns.status, 'approved')));
  return new Set(rows.map((r) => r.period));
}

/** A period is closed when it has an approved run, or when its year's year-end has one. */
export function isPeriodClosed(closed: ReadonlySet<string>, period: string): boolean {
  return closed.has(period) || closed.has(period.slice(0, 4));
}

export async function listHospitals(db: Conn): Promise<{ code: string; name: string }[]> {
  return db.select({ code: hospitals.code, name: hospitals.name }).from(hospitals).orderBy(asc(hospitals.code));
}

export async function renameHospital(tx: Tx, id: number, name: string, at: Date): Promise<void> {
  await tx.update(hospitals).set({ name, updatedAt: at }).where(eq(hospitals.id, id));
}
