import { and, asc, eq, like } from 'drizzle-orm';
import type { DisputeInput } from '../../core/schema.js';
import type { DisputeFlag } from '../../core/types.js';
import type { Db, Tx } from '../../db/client.js';
import { disputeFlags, disputes } from '../../db/schema.js';

type Conn = Db | Tx;
export type DisputeRow = typeof disputes.$inferSelect;

/** Every version of a hospital's disputes (of one year, or one dispute), oldest first. */
export async function disputeVersions(db: Conn, hospitalId: number, filter: { year?: number; disputeId?: string } = {}): Promise<DisputeRow[]> {
  const where = [eq(disputes.hospitalId, hospitalId)];
  if (filter.year !== undefined) where.push(like(disputes.bookedIn, `${filter.year}Q%`));
  if (filter.disputeId !== undefined) where.push(eq(disputes.disputeId, filter.disputeId));
  return db
    .select()
    .from(disputes)
    .where(and(...where))
    .orderBy(asc(disputes.disputeId), asc(disputes.version));
}

/** The current (highest) version of each dispute, in (bookedIn, id) order. */
export async function currentDisputes(db: Conn, hospitalId: number, filter: { year?: number } = {}): Promise<DisputeRow[]> {
  const latest = new Map<string, DisputeRow>();
  for (const row of await disputeVersions(db, hospitalId, filter)) latest.set(row.disputeId, row);
  return [...latest.values()].sort((a, b) => (a.bookedIn === b.bookedIn ? (a.disputeId < b.disputeId ? -1 : a.disputeId > b.disputeId ? 1 : 0) : a.bookedIn < b.bookedIn ? -1 : 1));
}

export async function insertDisputeVersion(tx: Tx, row: typeof disputes.$inferInsert): Promise<void> {
  await tx.insert(disputes).values(row);
}

export const recordOf = (row: DisputeRow): DisputeInput => row.record as DisputeInput;

/** Replaces the stored flags of a year with the engine's. */
export async function replaceFlags(tx: Tx, hospitalId: number, year: number, flags: DisputeFlag[]): Promise<void> {
  await tx.delete(disputeFlags).where(and(eq(disputeFlags.hospitalId, hospitalId), eq(disputeFlags.year, year)));
  if (flags.length === 0) return;
  await tx.insert(disputeFlags).values(
    flags.map((f) => ({
      hospitalId,
      year,
      staffId: 'staffId' in f ? f.staffId : null,
      department: 'department' in f ? f.department : null,
      flag: f.flag,
      disputeId: f.disputeId,
    })),
  );
}

export async function storedFlags(db: Conn, hospitalId: number, filter: { year?: number; staffId?: string }) {
  const where = [eq(disputeFlags.hospitalId, hospitalId)];
  if (filter.year !== undefined) where.push(eq(disputeFlags.year, filter.year));
  if (filter.staffId !== undefined) where.push(eq(disputeFlags.staffId, filter.staffId));
  return db
    .select({ year: disputeFlags.year, staffId: disputeFlags.staffId, department: disputeFlags.department, flag: disputeFlags.flag, disputeId: disputeFlags.disputeId })
    .from(disputeFlags)
    .where(and(...where))
    .orderBy(asc(disputeFlags.year), asc(disputeFlags.staffId), asc(disputeFlags.department), asc(disputeFlags.flag), asc(disputeFlags.disputeId));
}

/**
 * The disputes a run's document carries: those booked in its quarters, and those booked earlier in
 * the same year (priorDisputes: they decide suspensions and flags); a year-end's: all of the year's.
 */
export async function disputesForRun(db: Conn, hospitalId: number, scope: { periods: string[]; annualYear?: number }): Promise<{ disputes?: DisputeInput[]; priorDisputes?: DisputeInput[] }> {
  const year = scope.annualYear ?? Number.parseInt(scope.periods[0]!.slice(0, 4), 10);
  const current = (await currentDisputes(db, hospitalId, { year })).map(recordOf);
  const inDoc = new Set(scope.periods);
  const booked = current.filter((d) => inDoc.has(d.bookedIn));
  const prior = current.filter((d) => !inDoc.has(d.bookedIn) && (scope.annualYear !== undefined || scope.periods.every((p) => d.bookedIn < p)));
  return { ...(booked.length > 0 ? { disputes: booked } : {}), ...(prior.length > 0 ? { priorDisputes: prior } : {}) };
}
