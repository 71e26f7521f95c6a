import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { monthsOf } from '../../core/assessment/validate.js';
import type { Db, Tx } from '../../db/client.js';
import { assessmentAppeals, type APPEAL_STATUSES } from '../../db/schema.js';
import type { DefectKind } from './assessment.repository.js';

/** Appeals of assessment defects (申诉): filed by a department head, decided by an admin. */
type Conn = Db | Tx;
export type AppealRow = typeof assessmentAppeals.$inferSelect;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

export async function insertAppeal(tx: Tx, row: typeof assessmentAppeals.$inferInsert): Promise<AppealRow> {
  const [inserted] = await tx.insert(assessmentAppeals).values(row).returning();
  return inserted!;
}

export async function findAppeal(db: Conn, hospitalId: number, id: string): Promise<AppealRow | null> {
  const [row] = await db
    .select()
    .from(assessmentAppeals)
    .where(and(eq(assessmentAppeals.hospitalId, hospitalId), eq(assessmentAppeals.id, id)));
  return row ?? null;
}

/** The open appeal of a defect, if any (the database allows one). */
export async function openAppealOf(db: Conn, hospitalId: number, kind: DefectKind, defectId: string): Promise<AppealRow | null> {
  const [row] = await db
    .select()
    .from(assessmentAppeals)
    .where(and(eq(assessmentAppeals.hospitalId, hospitalId), eq(assessmentAppeals.kind, kind), eq(assessmentAppeals.defectId, defectId), eq(assessmentAppeals.status, 'open')));
  return row ?? null;
}

/** A hospital's appeals, oldest first, optionally of one status, some departments or some defects' months. */
export async function listAppeals(db: Conn, hospitalId: number, filter: { status?: AppealStatus; departments?: string[]; months?: string[] } = {}): Promise<AppealRow[]> {
  const where = [eq(assessmentAppeals.hospitalId, hospitalId)];
  if (filter.status) where.push(eq(assessmentAppeals.status, filter.status));
  if (filter.departments) where.push(filter.departments.length ? inArray(assessmentAppeals.department, filter.departments) : sql`false`);
  if (filter.months) where.push(filter.months.length ? inArray(assessmentAppeals.month, filter.months) : sql`false`);
  return db
    .select()
    .from(assessmentAppeals)
    .where(and(...where))
    .orderBy(asc(assessmentAppeals.createdAt), asc(assessmentAppeals.id));
}

export async function decideAppealRow(tx: Tx, id: string, decision: { status: Exclude<AppealStatus, 'open'>; decisionReason: string; decidedBy: string; decidedAt: Date }): Promise<void> {
  await tx.update(assessmentAppeals).set(decision).where(eq(assessmentAppeals.id, id));
}

/** The undecided appeals of a run's period (a quarter's months, or a year's): they hold up its approval. */
export async function undecidedAppeals(db: Conn, hospitalId: number, period: string): Promise<AppealRow[]> {
  const quarters = period.length === 4 ? [1, 2, 3, 4].map((n) => `${period}Q${n}`) : [period];
  return listAppeals(db, hospitalId, { status: 'open', months: quarters.flatMap(monthsOf) });
}

/** How a run names an undecided appeal in its warnings and its approval's audit event. */
export const appealLabel = (a: AppealRow): string => `${a.kind} defect ${a.defectId} (appeal ${a.id} by ${a.department})`;
