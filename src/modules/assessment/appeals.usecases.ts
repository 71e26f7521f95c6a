import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import type { Principal } from '../../shared/principal.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import { assertDepartment, departmentsFor } from '../access/access.js';
import { appendAudit } from '../audit/audit.repository.js';
import { closedPeriods, findHospital, isPeriodClosed, lockHospital } from '../hospitals/hospitals.repository.js';
import { findStaff, listStaff } from '../inputs/inputs.repository.js';
import { decideAppealRow, findAppeal, insertAppeal, listAppeals, openAppealOf, type AppealRow, type AppealStatus } from './appeals.repository.js';
import { appealDecided, appealNotFound, appealOpen, assessmentPeriodClosed, defectNotCounting, defectNotFound } from './assessment.errors.js';
import { counts, defectRecordOf, defectVersions, quarterOf, type DefectKind } from './assessment.repository.js';
import { assertDefectOpen, listDefects, listValues, writeDefectVersion } from './assessment.usecases.js';

/**
 * Appeals (申诉) of assessment defects: a department head appeals a defect booked against their
 * department or one of its people, with a reason; an admin upholds it (the defect stands) or
 * overturns it (a new version of the defect, status overturned, that no longer counts), with a
 * reason. Each step is audited in the transaction that makes it. An undecided appeal holds up its
 * quarter's approval: the run warns of it, and approving needs an override reason.
 */

export function appealView(a: AppealRow) {
  return {
    id: a.id,
    kind: a.kind,
    defectId: a.defectId,
    defectVersion: a.defectVersion,
    month: a.month,
    department: a.department,
    reason: a.reason,
    appellant: a.appellant,
    at: a.createdAt.toISOString(),
    status: a.status,
    decision: a.decidedBy && a.decidedAt ? { reason: a.decisionReason ?? '', by: a.decidedBy, at: a.decidedAt.toISOString() } : null,
  };
}

/** A department head files an appeal against a counting defect of an open quarter, booked against their department or people. */
export async function fileAppeal(deps: WriteDeps, code: string, kind: DefectKind, defectId: string, reason: string) {
  const { principal } = deps.caller;
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, code);
    if (!hospital) throw notFound(`hospital ${code}`);
    const current = (await defectVersions(tx, hospital.id, { kind, defectId })).at(-1);
    if (!current) throw defectNotFound(kind, defectId);
    const department = kind === 'department' ? current.subject : (await findStaff(tx, hospital.id, current.subject))?.department;
    // another department's defect is unknown to a department head, as another department's person is
    if (!department || !(departmentsFor(principal) ?? [department]).includes(department)) throw defectNotFound(kind, defectId);
    if (!counts(current)) throw defectNotCounting(kind, defectId, current.status);
    const period = quarterOf(current.month);
    if (isPeriodClosed(await closedPeriods(tx, hospital.id), period)) throw assessmentPeriodClosed(period, `${kind} defect ${defectId} cannot be appealed`);
    const open = await openAppealOf(tx, hospital.id, kind, defectId);
    if (open) throw appealOpen(kind, defectId, open.id);
    const at = deps.clock.now();
    const row = await insertAppeal(tx, {
      id: randomUUID(),
      hospitalId: hospital.id,
      kind,
      defectId,
      defectVersion: current.version,
      month: current.month,
      department,
      reason,
      appellant: deps.caller.actor,
      createdAt: at,
      status: 'open',
    });
    await appendAudit(
      tx,
      hospital.id,
      deps.caller,
      [{ action: 'appeal.file', entityType: 'assessment_appeal', entityKey: row.id, after: { kind, defectId, defectVersion: current.version, department, reason } }],
      at,
    );
    return { ...appealView(row), defect: defectRecordOf(current) };
  });
}

/**
 * An admin decides an open appeal. Overturned: the defect gets a new version that no longer counts
 * (refused with 409 while its quarter is closed); upheld: the defect stands as it is.
 */
export async function decideAppeal(deps: WriteDeps, code: string, id: string, decision: Exclude<AppealStatus, 'open'>, reason: string) {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, code);
    if (!hospital) throw notFound(`hospital ${code}`);
    const appeal = await findAppeal(tx, hospital.id, id);
    if (!appeal) throw appealNotFound(id);
    if (appeal.status !== 'open') throw appealDecided(id, appeal.status);
    const at = deps.clock.now();
    const events = [];
    const current = (await defectVersions(tx, hospital.id, { kind: appeal.kind, defectId: appeal.defectId })).at(-1)!;
    if (decision === 'overturned' && counts(current)) {
      const record = defectRecordOf(current);
      assertDefectOpen(await closedPeriods(tx, hospital.id), appeal.kind, record, current, 'id');
      events.push(await writeDefectVersion(tx, hospital.id, { kind: appeal.kind, record, before: current, status: 'overturned', reason: `appeal ${id}: ${reason}` }, deps.caller.actor, at));
    }
    await decideAppealRow(tx, id, { status: decision, decisionReason: reason, decidedBy: deps.caller.actor, decidedAt: at });
    events.push({
      action: 'appeal.decide',
      entityType: 'assessment_appeal',
      entityKey: id,
      before: { status: 'open' },
      after: { status: decision, reason, kind: appeal.kind, defectId: appeal.defectId },
    });
    await appendAudit(tx, hospital.id, deps.caller, events, at);
    return { ...appealView((await findAppeal(tx, hospital.id, id))!), defect: defectRecordOf(current) };
  });
}

async function hospitalOf(db: Db, code: string) {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

/** The appeals (a department head: their departments'), oldest first, optionally of one status. */
export async function appealsOf(deps: { db: Db; caller: { principal: Principal } }, code: string, status?: AppealStatus) {
  const hospital = await hospitalOf(deps.db, code);
  const departments = departmentsFor(deps.caller.principal);
  return (await listAppeals(deps.db, hospital.id, { status, departments })).map(appealView);
}

/** One appeal; another department's is unknown to a department head. */
export async function appealOf(deps: { db: Db; caller: { principal: Principal } }, code: string, id: string) {
  const hospital = await hospitalOf(deps.db, code);
  const appeal = await findAppeal(deps.db, hospital.id, id);
  const departments = departmentsFor(deps.caller.principal);
  if (!appeal || (departments && !departments.includes(appeal.department))) throw appealNotFound(id);
  return appealView(appeal);
}

/**
 * A department's register for a quarter (or year): its values, the defects booked against it and
 * its people (current versions, withdrawn and overturned ones included, so a head sees what
 * became of them), and their appeals — what a department head reads to appeal. A department head
 * asks for their own departments (403 for another).
 */
export async function departmentRegister(deps: { db: Db; caller: { principal: Principal } }, code: string, department: string, quarter: string) {
  assertDepartment(deps.caller.principal, department);
  const hospital = await hospitalOf(deps.db, code);
  const people = new Set((await listStaff(deps.db, hospital.id)).filter((s) => s.department === department).map((s) => s.staffId));
  const defects = await listDefects(deps, code, 'department', { quarter });
  const personal = await listDefects(deps, code, 'personal', { quarter });
  const departmentDefects = defects.filter((d) => 'department' in d.record && d.record.department === department);
  const personalDefects = personal.filter((d) => 'staffId' in d.record && people.has(d.record.staffId));
  const ids = new Set([...departmentDefects.map((d) => `department:${d.id}`), ...personalDefects.map((d) => `personal:${d.id}`)]);
  const appeals = (await listAppeals(deps.db, hospital.id)).filter((a) => ids.has(`${a.kind}:${a.defectId}`)).map(appealView);
  return { department, quarter, values: await listValues(deps, code, { period: quarter, department }), departmentDefects, personalDefects, appeals };
}
