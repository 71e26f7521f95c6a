import { EngineError, validateScenario, type Scenario } from '../../core/index.js';
import { disputeEffects } from '../../core/disputes.js';
import { compareKeys } from '../../core/money.js';
import type { DisputeInput } from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { conflict, notFound } from '../../shared/errors.js';
import { disputeInvalid } from './disputes.errors.js';
import { appendAudit, type AuditContext, type AuditEntry } from '../audit/audit.repository.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import type { Caller } from '../../shared/principal.js';
import { canonicalJson } from '../../shared/canonical.js';
import { decimalText } from '../inputs/inputs.compare.js';
import { departmentFromRow, staffFromRow } from '../inputs/inputs.mappers.js';
import { listDepartments, listStaff, schemeFor } from '../inputs/inputs.repository.js';
import { closedPeriods, findHospital, isPeriodClosed, lockHospital, type HospitalRow } from '../hospitals/hospitals.repository.js';
import { currentDisputes, disputeVersions, insertDisputeVersion, recordOf, replaceFlags, storedFlags, type DisputeRow } from './disputes.repository.js';

type Deps = WriteDeps;

const yearOf = (period: string) => Number.parseInt(period.slice(0, 4), 10);

/**
 * The year's current disputes, with `record` in place of its current version (or added), checked
 * by the engine's own validator as a scenario holding the hospital's departments and staff; the
 * year's flags, derived by the engine, come back. A record the engine refuses is a 400 naming
 * the record's field (`parties[0].teamLead`).
 */
async function checkYear(tx: Tx, hospital: HospitalRow, year: number, records: DisputeInput[]) {
  const [departments, people, scheme] = [await listDepartments(tx, hospital.id), await listStaff(tx, hospital.id), await schemeFor(tx, hospital.id, `${year}Q4`)];
  const doc = {
    hospital: { code: hospital.code, name: hospital.name },
    scheme: scheme?.parameters ?? {},
    departments: departments.map(departmentFromRow),
    staff: people.map(staffFromRow),
    periods: [],
    priorDisputes: records,
  } as unknown as Scenario;
  try {
    const validated = validateScenario(doc);
    return disputeEffects(validated.disputes, validated.hospital.scheme).flags.get(year) ?? [];
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    // the record being written is always first: its errors are named by its own fields
    throw disputeInvalid(e);
  }
}

/**
 * POST (create) and PUT (correct) a dispute: under the hospital's lock, refused with 409 when the
 * quarter it is (or was) booked in is closed; a correction is a new version, never an update;
 * the year's flags are derived again and stored; both in one transaction with the audit event.
 */
async function hospitalNamed(db: Db, code: string): Promise<HospitalRow> {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

export async function writeDispute(deps: Deps, code: string, record: DisputeInput, mode: { kind: 'create' } | { kind: 'correct'; reason: string }) {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, code);
    if (!hospital) throw notFound(`hospital ${code}`);
    const versions = await disputeVersions(tx, hospital.id, { disputeId: record.id });
    const before = versions.at(-1);
    if (mode.kind === 'create' && before) throw conflict('already_exists', `dispute ${record.id} exists (version ${before.version}); correct it with PUT …/disputes/${record.id}`, 'id');
    if (mode.kind === 'correct' && !before) throw notFound(`dispute ${record.id}`);
    assertOpen(await closedPeriods(tx, hospital.id), record, before, 'bookedIn');
    const years = [...new Set([yearOf(record.bookedIn), ...(before ? [yearOf(before.bookedIn)] : [])])];
    for (const year of years) {
      const others = (await currentDisputes(tx, hospital.id, { year })).filter((d) => d.disputeId !== record.id).map(recordOf);
      const flags = await checkYear(tx, hospital, year, yearOf(record.bookedIn) === year ? [record, ...others] : others);
      await replaceFlags(tx, hospital.id, year, flags);
    }
    const version = (before?.version ?? 0) + 1;
    await insertDisputeVersion(tx, {
      hospitalId: hospital.id,
      disputeId: record.id,
      version,
      bookedIn: record.bookedIn,
      record,
      reason: mode.kind === 'correct' ? mode.reason : null,
      actor: deps.caller.actor,
      createdAt: deps.clock.now(),
    });
    const audit: AuditEntry[] = [
      {
        action: mode.kind === 'create' ? 'dispute.create' : 'dispute.correct',
        entityType: 'dispute',
        entityKey: record.id,
        before: before ? { version: before.version, record: before.record } : null,
        after: { version, record, ...(mode.kind === 'correct' ? { reason: mode.reason } : {}) },
      },
    ];
    await appendAudit(tx, hospital.id, deps.caller, audit, deps.clock.now());
    return { id: record.id, version, bookedIn: record.bookedIn, record, reason: mode.kind === 'correct' ? mode.reason : null };
  });
}

/**
 * An import's disputes: each that differs from its current version becomes a new version (the
 * caller holds the hospital's lock and checks closed periods); the years touched get their
 * flags again. Returns the audit events.
 */
export async function importDisputes(tx: Tx, hospital: HospitalRow, records: DisputeInput[], closed: Set<string>, ctx: AuditContext, now: Date): Promise<AuditEntry[]> {
  const audit: AuditEntry[] = [];
  const years = new Set<number>();
  const latest = new Map<string, DisputeRow>();
  for (const row of await disputeVersions(tx, hospital.id)) latest.set(row.disputeId, row);
  for (const record of records) {
    const before = latest.get(record.id);
    if (before && sameDispute(recordOf(before), record)) continue;
    assertOpen(closed, record, before, 'disputes');
    years.add(yearOf(record.bookedIn));
    if (before) years.add(yearOf(before.bookedIn));
    const version = (before?.version ?? 0) + 1;
    await insertDisputeVersion(tx, { hospitalId: hospital.id, disputeId: record.id, version, bookedIn: record.bookedIn, record, reason: before ? 'import' : null, actor: ctx.actor, createdAt: now });
    audit.push({
      action: before ? 'dispute.correct' : 'dispute.create',
      entityType: 'dispute',
      entityKey: record.id,
      before: before ? { version: before.version, record: before.record } : null,
      after: { version, record },
    });
  }
  for (const year of years) {
    const all = (await currentDisputes(tx, hospital.id, { year })).map(recordOf);
    await replaceFlags(tx, hospital.id, year, all.length > 0 ? await checkYear(tx, hospital, year, all) : []);
  }
  return audit;
}

/**
 * A dispute record as what it means, in one spelling: decimals by value, parties in department
 * order (their order means nothing: §3 splits by department code), and a non-bed party's
 * teamLead, which §1 ignores, left out; an absent optional field is the same as null. The stored
 * record comes back from jsonb with its keys in another order, so the texts as sent never compare.
 */
export function disputeMeaning(r: DisputeInput): string {
  return canonicalJson({
    id: r.id,
    bookedIn: r.bookedIn,
    compensation: decimalText(r.compensation),
    classification: r.classification,
    parties: r.parties
      .map((p) => ({
        department: p.department,
        share: decimalText(p.share),
        departmentType: p.departmentType,
        responsible: p.responsible,
        teamLead: p.departmentType === 'bed' ? (p.teamLead ?? null) : null,
        departmentHead: p.departmentHead,
      }))
      .sort((a, b) => compareKeys(a.department, b.department)),
  });
}

export const sameDispute = (a: DisputeInput, b: DisputeInput): boolean => disputeMeaning(a) === disputeMeaning(b);

/** A dispute may change only while the quarter it is booked in (and was, before) is open. */
function assertOpen(closed: Set<string>, record: DisputeInput, before: DisputeRow | undefined, path: string): void {
  for (const period of new Set([record.bookedIn, ...(before ? [before.bookedIn] : [])])) {
    if (isPeriodClosed(closed, period)) {
      throw conflict('period_closed', `${period} is closed (its settlement is approved); dispute ${record.id} booked in it cannot change`, path);
    }
  }
}

export async function listDisputes(deps: { db: Db }, code: string, filter: { year?: number; history?: boolean }) {
  const { db } = deps;
  const hospital = await hospitalNamed(db, code);
  const rows = filter.history ? await disputeVersions(db, hospital.id, { year: filter.year }) : await currentDisputes(db, hospital.id, { year: filter.year });
  return rows.map((r) => ({ id: r.disputeId, version: r.version, bookedIn: r.bookedIn, record: recordOf(r), reason: r.reason, by: r.actor, at: r.createdAt.toISOString() }));
}

export async function disputeHistory(deps: { db: Db }, code: string, id: string) {
  const { db } = deps;
  const hospital = await hospitalNamed(db, code);
  const rows = await disputeVersions(db, hospital.id, { disputeId: id });
  if (rows.length === 0) throw notFound(`dispute ${id}`);
  return { id, versions: rows.map((r) => ({ version: r.version, bookedIn: r.bookedIn, record: recordOf(r), reason: r.reason, by: r.actor, at: r.createdAt.toISOString() })) };
}

/** The dispute flags; a department head sees their departments' people's and departments'. */
export async function flagsOf(deps: { db: Db; caller: Caller }, code: string, filter: { year?: number; staffId?: string }) {
  const { db } = deps;
  const hospital = await hospitalNamed(db, code);
  const rows = await storedFlags(db, hospital.id, filter);
  // the year-end result's order: (staff id or department, flag, dispute id), in code-point order
  const subject = (r: (typeof rows)[number]) => r.staffId ?? r.department ?? '';
  rows.sort((a, b) => a.year - b.year || compareKeys(subject(a), subject(b)) || compareKeys(a.flag, b.flag) || compareKeys(a.disputeId, b.disputeId));
  const flags = rows.map((r) => ({ year: r.year, ...(r.staffId ? { staffId: r.staffId } : { department: r.department! }), flag: r.flag, disputeId: r.disputeId }));
  const p = deps.caller.principal;
  if (p.role !== 'dept_head') return flags;
  const mine = new Set((await listStaff(db, hospital.id)).filter((s) => p.departments.includes(s.department)).map((s) => s.staffId));
  return flags.filter((f) => ('staffId' in f ? mine.has(f.staffId!) : p.departments.includes(f.department)));
}
