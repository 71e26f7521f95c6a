import { compiledOnUse } from '../../shared/schemas.js';
import type { TObject } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { schemaError, validateScenario } from '../../core/index.js';
import {
  DepartmentInputSchema,
  DepartmentSchema,
  IndividualInputSchema,
  PeriodSchema,
  StaffSchema,
  type AnnualInput,
  type DepartmentInput,
  type DepartmentRecord,
  type IndividualInput,
  type PeriodInput,
  type SchemeOverridesInput,
  type StaffRecord,
} from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import type { UseCaseDeps } from '../../shared/context.js';
import { notFound } from '../../shared/errors.js';
import { mergePatch, missingClinicalInputs } from '../../shared/patch.js';
import type { Caller, Principal } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible, readsTier2Inputs } from '../access/access.js';
import { appendAudit, type AuditEntry } from '../audit/audit.repository.js';
import { closedPeriods, findHospital, isPeriodClosed, lockHospital, type HospitalRow } from '../hospitals/hospitals.repository.js';
import { incompleteClinical, periodClosed, quarterMissing, recordInvalid, recordRefused, yearClosed } from './inputs.errors.js';
import { sameRecord } from './inputs.compare.js';
import {
  annualFromRow,
  annualToRow,
  auditable,
  departmentFromRow,
  departmentInputFromRow,
  departmentInputToRow,
  departmentToRow,
  individualInputFromRow,
  individualInputToRow,
  quarterToRow,
  staffFromRow,
  staffToRow,
} from './inputs.mappers.js';
import {
  buildScenario,
  deleteDepartmentInput,
  deleteIndividualInput,
  findDepartmentInput,
  findIndividualInput,
  findQuarter,
  findStaff,
  listDepartments,
  listSchemeVersions,
  listStaff,
  loadAnnual,
  loadPeriod,
  periodToInput,
  schemeFor,
  upsertAnnual,
  upsertDepartmentInput,
  upsertDepartments,
  upsertIndividualInput,
  upsertQuarter,
  upsertSchemeVersion,
  upsertStaff,
  type ScenarioFocus,
} from './inputs.repository.js';

/** What a write is given: the database, the clock, and who is writing (for access and the audit log). */
export type WriteDeps = Pick<UseCaseDeps, 'db' | 'clock'> & { caller: Caller };
type ReadDeps = Pick<UseCaseDeps, 'db'>;

export interface WriteScope {
  /** The quarter the write changes (checked against closed periods and validated), if any. */
  period?: string;
  /** The year whose year-end inputs the write changes, if any. */
  year?: number;
  /**
   * A write of one record (a person, a person's or a department's quarter inputs) is validated
   * with every department and only the records it touches; without a focus, the whole hospital.
   */
  focus?: ScenarioFocus;
}

/**
 * Every input write: under the hospital's lock, refuse a closed period (409), apply the change,
 * then validate the hospital's resulting inputs exactly as the engine will read them — a change
 * that would make the scenario invalid rolls back with the engine's error (400) — and append the
 * audit events, all in one transaction.
 */
export async function writeInputs<T>(deps: WriteDeps, hospitalCode: string, scope: WriteScope, change: (tx: Tx, hospital: HospitalRow) => Promise<{ audit: AuditEntry[]; result: T }>): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, hospitalCode);
    if (!hospital) throw notFound(`hospital ${hospitalCode}`);
    const closed = await closedPeriods(tx, hospital.id);
    if (scope.period && isPeriodClosed(closed, scope.period)) throw periodClosed(scope.period);
    if (scope.year !== undefined && closed.has(String(scope.year))) throw yearClosed(scope.year);
    const { audit, result } = await change(tx, hospital);
    const scheme = await schemeFor(tx, hospital.id, scope.period ?? `${scope.year ?? 9999}Q4`);
    const doc = await buildScenario(tx, hospital, {
      periods: scope.period ? [scope.period] : [],
      annualYear: scope.year,
      schemeParameters: scheme?.parameters ?? {},
      focus: scope.focus,
    });
    validateScenario(doc);
    await appendAudit(tx, hospital.id, deps.caller, audit, deps.clock.now());
    return result;
  });
}

async function hospitalNamed(db: Db | Tx, code: string): Promise<HospitalRow> {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

// ------------------------------------------------------------------ one record: PUT and PATCH

/**
 * One record written by its natural key: PUT gives the whole record (`replace`), PATCH a JSON
 * merge patch over the stored one (`merge`). Either way the record that results is checked as
 * the scenario document's record, then as the engine reads the hospital (writeInputs), written
 * only when it differs from the stored one, and audited in the same transaction.
 */
export type Change<T> = { kind: 'replace'; record: T } | { kind: 'merge'; patch: Record<string, unknown> };

const checks = new Map<TObject, ReturnType<typeof TypeCompiler.Compile>>();

/** The record as the scenario document's schema reads it; a merge that leaves a required field out is a 400 naming it. */
function checked<T>(schema: TObject, record: T): T {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  if (!check.Check(record)) throw recordInvalid(schemaError(record, check.Errors(record)));
  return record;
}

/** The record a change leaves: the whole record given, or the patch over the stored one; its key always the path's. */
function resolve<T extends object>(change: Change<unknown>, stored: T | null, key: Partial<T>): T {
  return change.kind === 'replace' ? { ...(change.record as T), ...key } : { ...mergePatch<T>(stored, change.patch), ...key };
}

export async function setDepartment(deps: WriteDeps, code: string, department: string, change: Change<Omit<DepartmentRecord, 'code'>>): Promise<DepartmentRecord> {
  return writeInputs(deps, code, {}, async (tx, hospital) => {
    const before = (await listDepartments(tx, hospital.id)).find((d) => d.code === department) ?? null;
    const record = checked(DepartmentSchema, resolve<DepartmentRecord>(change, before && departmentFromRow(before), { code: department }));
    const row = departmentToRow(record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertDepartments(tx, hospital.id, [row]);
    return { audit: [{ action: before ? 'department.update' : 'department.create', entityType: 'department', entityKey: department, before: auditable(before), after: row }], result: record };
  });
}

export async function setStaff(deps: WriteDeps, code: string, staffId: string, change: Change<Omit<StaffRecord, 'id'>>): Promise<StaffRecord> {
  return writeInputs(deps, code, { focus: { staff: [staffId], departmentInputs: [], individuals: [] } }, async (tx, hospital) => {
    const before = await findStaff(tx, hospital.id, staffId);
    const record = checked(StaffSchema, resolve<StaffRecord>(change, before && staffFromRow(before), { id: staffId }));
    const row = staffToRow(record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertStaff(tx, hospital.id, [row]);
    return { audit: [{ action: before ? 'staff.update' : 'staff.create', entityType: 'staff', entityKey: staffId, before: auditable(before), after: row }], result: record };
  });
}

export type QuarterFigures = Pick<PeriodInput, 'revenue' | 'workingDays' | 'adjustment'> & { period: string };
const quarterRecord = compiledOnUse(() => PeriodSchema);

export async function setQuarter(deps: WriteDeps, code: string, period: string, change: Change<Omit<QuarterFigures, 'period'>>): Promise<QuarterFigures> {
  return writeInputs(deps, code, { period }, async (tx, hospital) => {
    const before = await findQuarter(tx, hospital.id, period);
    const stored = before ? { period, revenue: before.revenue, workingDays: before.workingDays, ...(before.adjustment != null ? { adjustment: before.adjustment } : {}) } : null;
    const figures = resolve<QuarterFigures>(change, stored, { period });
    if (!quarterRecord().Check({ ...figures, departments: [] })) throw recordInvalid(schemaError(figures, quarterRecord().Errors({ ...figures, departments: [] })));
    const row = quarterToRow(figures);
    if (before && sameRecord(before, row)) return { audit: [], result: figures };
    await upsertQuarter(tx, hospital.id, row);
    return { audit: [{ action: 'period.set', entityType: 'period', entityKey: period, before: auditable(before), after: row }], result: figures };
  });
}

async function needsQuarter(tx: Tx, hospitalId: number, period: string): Promise<void> {
  if (!(await findQuarter(tx, hospitalId, period))) throw quarterMissing(period);
}

/** A department's quarter record; a clinical department's must hold what its score needs (§3.4). */
export async function setDepartmentInput(deps: WriteDeps, code: string, period: string, department: string, change: Change<Omit<DepartmentInput, 'code'>>): Promise<DepartmentInput> {
  return writeInputs(deps, code, { period, focus: { staff: [], departmentInputs: [department], individuals: [] } }, async (tx, hospital) => {
    await needsQuarter(tx, hospital.id, period);
    const before = await findDepartmentInput(tx, hospital.id, period, department);
    const record = checked(DepartmentInputSchema, resolve<DepartmentInput>(change, before && departmentInputFromRow(before), { code: department }));
    const kind = (await listDepartments(tx, hospital.id)).find((d) => d.code === department)?.kind;
    const missing = kind === 'clinical' ? missingClinicalInputs(record) : [];
    if (missing.length > 0) {
      throw recordRefused(incompleteClinical(missing, '', `period ${period}, department ${department}`));
    }
    const row = departmentInputToRow(period, record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertDepartmentInput(tx, hospital.id, row);
    return { audit: [{ action: 'department_input.set', entityType: 'department_input', entityKey: `${period}/${department}`, before: auditable(before), after: row }], result: record };
  });
}

export async function removeDepartmentInput(deps: WriteDeps, code: string, period: string, department: string): Promise<void> {
  await writeInputs(deps, code, { period }, async (tx, hospital) => {
    const before = await findDepartmentInput(tx, hospital.id, period, department);
    if (!before || (await deleteDepartmentInput(tx, hospital.id, period, department)) === 0) throw notFound(`inputs of department ${department} in ${period}`);
    return { audit: [{ action: 'department_input.delete', entityType: 'department_input', entityKey: `${period}/${department}`, before: auditable(before) }], result: null };
  });
}

/**
 * A department head may enter and read the individual inputs of their departments' people only:
 * someone else's person is not found (404, as an unknown id); a department a record places their
 * own person in must be theirs too (403: they named it).
 */
async function assertPersonInDepartments(principal: Principal, conn: Db | Tx, hospitalId: number, staffId: string, overrides: (string | null | undefined)[]): Promise<void> {
  if (principal.role !== 'dept_head') return;
  const person = await findStaff(conn, hospitalId, staffId);
  if (!person) throw notFound(`staff ${staffId}`);
  assertPersonVisible(principal, person.department, `staff ${staffId}`);
  for (const department of overrides) if (department) assertDepartment(principal, department);
}

export async function setIndividualInput(deps: WriteDeps, code: string, period: string, staffId: string, change: Change<Omit<IndividualInput, 'staffId'>>): Promise<IndividualInput> {
  const { principal } = deps.caller;
  return writeInputs(deps, code, { period, focus: { staff: [staffId], departmentInputs: [], individuals: [staffId] } }, async (tx, hospital) => {
    await needsQuarter(tx, hospital.id, period);
    const before = await findIndividualInput(tx, hospital.id, period, staffId);
    await assertPersonInDepartments(principal, tx, hospital.id, staffId, [before?.department]);
    const record = checked(IndividualInputSchema, resolve<IndividualInput>(change, before && individualInputFromRow(before), { staffId }));
    await assertPersonInDepartments(principal, tx, hospital.id, staffId, [record.department]);
    const row = individualInputToRow(period, record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertIndividualInput(tx, hospital.id, row);
    return { audit: [{ action: 'individual_input.set', entityType: 'individual_input', entityKey: `${period}/${staffId}`, before: auditable(before), after: row }], result: record };
  });
}

export async function removeIndividualInput(deps: WriteDeps, code: string, period: string, staffId: string): Promise<void> {
  await writeInputs(deps, code, { period }, async (tx, hospital) => {
    const before = await findIndividualInput(tx, hospital.id, period, staffId);
    await assertPersonInDepartments(deps.caller.principal, tx, hospital.id, staffId, [before?.department]);
    if (!before || (await deleteIndividualInput(tx, hospital.id, period, staffId)) === 0) throw notFound(`individual inputs of ${staffId} in ${period}`);
    return { audit: [{ action: 'individual_input.delete', entityType: 'individual_input', entityKey: `${period}/${staffId}`, before: auditable(before) }], result: null };
  });
}

export async function getIndividualInput(deps: ReadDeps & { caller: Caller }, code: string, period: string, staffId: string): Promise<IndividualInput> {
  const hospital = await hospitalNamed(deps.db, code);
  const record = await findIndividualInput(deps.db, hospital.id, period, staffId);
  await assertPersonInDepartments(deps.caller.principal, deps.db, hospital.id, staffId, [record?.department]);
  if (!record) throw notFound(`individual inputs of ${staffId} in ${period}`);
  return individualInputFromRow(record);
}

/** The year-end inputs: the whole record (PUT). */
export async function setAnnual(deps: WriteDeps, code: string, year: number, record: Omit<AnnualInput, 'year'>): Promise<AnnualInput> {
  const annual = { ...record, year };
  return writeInputs(deps, code, { year }, async (tx, hospital) => {
    const stored = await loadAnnual(tx, hospital.id, year);
    const before = stored ? annualToRow(stored) : null;
    const row = annualToRow(annual);
    if (before && sameRecord(before, row)) return { audit: [], result: annualFromRow(row) };
    await upsertAnnual(tx, hospital.id, row);
    return { audit: [{ action: 'annual.set', entityType: 'annual', entityKey: String(year), before: auditable(before), after: row }], result: annualFromRow(row) };
  });
}

export async function setSchemeVersion(deps: WriteDeps, code: string, effectiveFrom: string, parameters: SchemeOverridesInput) {
  return writeInputs(deps, code, { period: effectiveFrom }, async (tx, hospital) => {
    const row = await upsertSchemeVersion(tx, hospital.id, effectiveFrom, parameters);
    return { audit: [{ action: 'scheme.set', entityType: 'scheme', entityKey: effectiveFrom, after: parameters }], result: { id: row.id, effectiveFrom, parameters } };
  });
}

// ------------------------------------------------------------------ reads

export async function schemeVersionsOf(deps: ReadDeps, code: string) {
  const hospital = await hospitalNamed(deps.db, code);
  return (await listSchemeVersions(deps.db, hospital.id)).map((v) => ({
    id: v.id,
    effectiveFrom: v.effectiveFrom,
    parameters: v.parameters as SchemeOverridesInput,
    createdAt: v.createdAt.toISOString(),
  }));
}

export async function departmentsOf(deps: ReadDeps, code: string): Promise<DepartmentRecord[]> {
  return (await listDepartments(deps.db, (await hospitalNamed(deps.db, code)).id)).map(departmentFromRow);
}

/** The staff list; a department head's key lists their departments' people. */
export async function staffOf(deps: ReadDeps & { caller: Caller }, code: string): Promise<StaffRecord[]> {
  const rows = await listStaff(deps.db, (await hospitalNamed(deps.db, code)).id);
  const p = deps.caller.principal;
  return (p.role === 'dept_head' ? rows.filter((r) => p.departments.includes(r.department)) : rows).map(staffFromRow);
}

/** A quarter's inputs as in the scenario document; finance reads them without the people's tier-2 records. */
export async function periodOf(deps: ReadDeps & { caller: Caller }, code: string, period: string): Promise<PeriodInput> {
  const stored = await loadPeriod(deps.db, (await hospitalNamed(deps.db, code)).id, period);
  if (!stored) throw notFound(`inputs of ${period}`);
  const input = periodToInput(stored);
  if (!readsTier2Inputs(deps.caller.principal)) delete input.individuals;
  return input;
}

export async function annualOf(deps: ReadDeps, code: string, year: number): Promise<AnnualInput> {
  const annual = await loadAnnual(deps.db, (await hospitalNamed(deps.db, code)).id, year);
  if (!annual) throw notFound(`year-end inputs of ${year}`);
  return annual;
}
