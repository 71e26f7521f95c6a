import { and, asc, desc, eq, gt, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { auditEvents, auditHeads, hospitals } from '../../db/schema.js';
import { canonicalJson, sha256 } from '../../shared/canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  entityType: string;
  entityKey: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditContext {
  actor: string;
  requestId: string | null;
}

type EventRow = typeof auditEvents.$inferSelect;

/** What the hash covers: every field of the event but its own hash. */
function eventHash(e: Omit<EventRow, 'id' | 'hash'>): string {
  const body = canonicalJson({
    hospitalId: e.hospitalId,
    seq: e.seq,
    occurredAt: e.occurredAt,
    actor: e.actor,
    action: e.action,
    entityType: e.entityType,
    entityKey: e.entityKey,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId ?? null,
  });
  return sha256(`${e.prevHash}\n${body}`);
}

/**
 * Appends events to a hospital's chain inside the caller's transaction. The caller holds the
 * hospital row's lock (see lockHospital), so no other transaction appends to the chain meanwhile.
 */
export async function appendAudit(tx: Tx, hospitalId: number, ctx: AuditContext, entries: AuditEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  const [last] = await tx.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).where(eq(auditEvents.hospitalId, hospitalId)).orderBy(desc(auditEvents.seq)).limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const occurredAt = now.toISOString();
  const rows = entries.map((entry) => {
    seq += 1;
    const row = {
      hospitalId,
      seq,
      occurredAt,
      actor: ctx.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityKey: entry.entityKey,
      before: entry.before ?? null,
      after: entry.after ?? null,
      requestId: ctx.requestId,
      prevHash,
    };
    const hash = eventHash(row);
    prevHash = hash;
    return { ...row, hash };
  });
  for (let i = 0; i < rows.length; i += 500) await tx.insert(auditEvents).values(rows.slice(i, i + 500));
}

/** The hospital whose chain a reader asks for (the audit log depends on no other module). */
export async function hospitalByCode(db: Db, code: string): Promise<{ id: number; code: string } | null> {
  const [row] = await db.select({ id: hospitals.id, code: hospitals.code }).from(hospitals).where(eq(hospitals.code, code));
  return row ?? null;
}

export interface AuditFilter {
  action?: string;
  entityType?: string;
  entityKey?: string;
  actor?: string;
  from?: string;
  to?: string;
  afterSeq?: number;
  limit: number;
}

export async function listAudit(db: Db, hospitalId: number, f: AuditFilter): Promise<EventRow[]> {
  const where: SQL[] = [eq(auditEvents.hospitalId, hospitalId)];
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.entityType) where.push(eq(auditEvents.entityType, f.entityType));
  if (f.entityKey) where.push(eq(auditEvents.entityKey, f.entityKey));
  if (f.actor) where.push(eq(auditEvents.actor, f.actor));
  if (f.from) where.push(gte(auditEvents.occurredAt, f.from));
  if (f.to) where.push(lte(auditEvents.occurredAt, f.to));
  if (f.afterSeq !== undefined) where.push(gt(auditEvents.seq, f.afterSeq));
  return db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(asc(auditEvents.seq))
    .limit(f.limit);
}

export interface AuditVerification {
  valid: boolean;
  /** Events the chain holds now. */
  events: number;
  /** The last event that verified (0: none). */
  lastVerifiedSeq: number;
  /** The chain's anchor: the seq of the last event ever appended (0: none). */
  anchoredSeq: number;
  /** The first event that does not verify, or the first one missing. */
  firstInvalidSeq?: number;
  reason?: string;
}

/**
 * Re-checks the whole chain: each event's hash, its link to the previous one, no gaps, and that it
 * ends at its anchor (audit_heads), so that events removed from its end, or the whole chain,
 * are reported too.
 */
export async function verifyAudit(db: Db, hospitalId: number): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let events = 0;
  const [head] = await db.select().from(auditHeads).where(eq(auditHeads.hospitalId, hospitalId));
  const anchoredSeq = head?.seq ?? 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.hospitalId, hospitalId), gte(auditEvents.seq, expectedSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(1000);
    for (const e of page) {
      events += 1;
      if (e.seq !== expectedSeq || e.prevHash !== prevHash || eventHash(e) !== e.hash) {
        const total = await countEvents(db, hospitalId);
        const reason = e.seq !== expectedSeq ? `event ${expectedSeq} is missing` : `event ${expectedSeq} does not match its hash or its link to the event before it`;
        return { valid: false, events: total, lastVerifiedSeq: expectedSeq - 1, anchoredSeq, firstInvalidSeq: expectedSeq, reason };
      }
      prevHash = e.hash;
      expectedSeq += 1;
    }
    if (page.length < 1000) break;
  }
  const lastVerifiedSeq = expectedSeq - 1;
  if (anchoredSeq !== lastVerifiedSeq || (head && head.hash !== prevHash)) {
    const reason =
      anchoredSeq > lastVerifiedSeq
        ? `the chain ends at event ${lastVerifiedSeq} but event ${anchoredSeq} was appended: events ${lastVerifiedSeq + 1} to ${anchoredSeq} were removed`
        : `the chain's last event ${lastVerifiedSeq} is not the one its anchor records (${anchoredSeq})`;
    return { valid: false, events, lastVerifiedSeq, anchoredSeq, firstInvalidSeq: Math.min(lastVerifiedSeq, anchoredSeq) + 1, reason };
  }
  return { valid: true, events, lastVerifiedSeq, anchoredSeq };
}

async function countEvents(db: Db, hospitalId: number): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.hospitalId, hospitalId));
  return row?.n ?? 0;
}
