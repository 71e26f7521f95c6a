import type { TObject } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { and, eq } from 'drizzle-orm';
import { schemaError } from '../../core/index.js';
import {
  DepartmentInputSchema,
  DepartmentSchema,
  IndividualInputSchema,
  PeriodSchema,
  StaffSchema,
  type DepartmentInput,
  type DepartmentRecord,
  type IndividualInput,
  type PeriodInput,
  type StaffRecord,
} from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { quarterInputs } from '../../db/schema.js';
import { AppError, notFound } from '../../shared/errors.js';
import { assertDepartment, assertPersonVisible, type Principal } from '../../plugins/access.js';
import type { AuditContext } from '../audit/audit.repository.js';
import { writeInputs } from '../hospitals/hospitals.usecases.js';
import { incompleteClinical } from '../hospitals/bulk.usecases.js';
import { sameRecord } from './inputs.compare.js';
import {
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
  findDepartmentInput,
  findIndividualInput,
  findStaff,
  listDepartments,
  upsertDepartmentInput,
  upsertDepartments,
  upsertIndividualInput,
  upsertQuarter,
  upsertStaff,
} from './inputs.repository.js';
import { mergePatch, missingClinicalInputs } from '../../shared/patch.js';

/**
 * One record written by its natural key: PUT gives the whole record (`replace`), PATCH a JSON
 * merge patch over the stored one (`merge`). Either way the record that results is checked as
 * the scenario document's record, then as the engine reads the hospital (writeInputs), written
 * only when it differs from the stored one, and audited in the same transaction.
 */
export type Change<T> = { kind: 'replace'; record: T } | { kind: 'merge'; patch: Record<string, unknown> };

type Deps = { db: Db; now: () => Date; ctx: AuditContext };

const QuarterRecord = TypeCompiler.Compile(PeriodSchema);
const checks = new Map<TObject, ReturnType<typeof TypeCompiler.Compile>>();

/** The record as the scenario document's schema reads it; a merge that leaves a required field out is a 400 naming it. */
function checked<T>(schema: TObject, record: T): T {
  let check = checks.get(schema);
  if (!check) checks.set(schema, (check = TypeCompiler.Compile(schema)));
  if (!check.Check(record)) {
    const e = schemaError(record, check.Errors(record));
    throw new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined);
  }
  return record;
}

/** The record a change leaves: the whole record given, or the patch over the stored one; its key always the path's. */
function resolve<T extends object>(change: Change<T>, stored: T | null, key: Partial<T>): T {
  return change.kind === 'replace' ? { ...change.record, ...key } : { ...mergePatch<T>(stored, change.patch), ...key };
}

export async function setDepartment(deps: Deps, code: string, department: string, change: Change<Omit<DepartmentRecord, 'code'>>): Promise<DepartmentRecord> {
  return writeInputs(deps, code, {}, async (tx, hospital) => {
    const before = (await listDepartments(tx, hospital.id)).find((d) => d.code === department) ?? null;
    const record = checked(DepartmentSchema, resolve<DepartmentRecord>(change as Change<DepartmentRecord>, before && departmentFromRow(before), { code: department }));
    const row = departmentToRow(record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertDepartments(tx, hospital.id, [row]);
    return { audit: [{ action: before ? 'department.update' : 'department.create', entityType: 'department', entityKey: department, before: auditable(before), after: row }], result: record };
  });
}

export async function setStaff(deps: Deps, code: string, staffId: string, change: Change<Omit<StaffRecord, 'id'>>): Promise<StaffRecord> {
  return writeInputs(deps, code, { focus: { staff: [staffId], departmentInputs: [], individuals: [] } }, async (tx, hospital) => {
    const before = await findStaff(tx, hospital.id, staffId);
    const record = checked(StaffSchema, resolve<StaffRecord>(change as Change<StaffRecord>, before && staffFromRow(before), { id: staffId }));
    const row = staffToRow(record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertStaff(tx, hospital.id, [row]);
    return { audit: [{ action: before ? 'staff.update' : 'staff.create', entityType: 'staff', entityKey: staffId, before: auditable(before), after: row }], result: record };
  });
}

type QuarterFigures = Pick<PeriodInput, 'revenue' | 'workingDays' | 'adjustment'>;

export async function setQuarter(deps: Deps, code: string, period: string, change: Change<QuarterFigures>): Promise<QuarterFigures & { period: string }> {
  return writeInputs(deps, code, { period }, async (tx, hospital) => {
    const [before] = await tx.select().from(quarterInputs).where(and(eq(quarterInputs.hospitalId, hospital.id), eq(quarterInputs.period, period)));
    const stored = before ? { revenue: before.revenue, workingDays: before.workingDays, ...(before.adjustment != null ? { adjustment: before.adjustment } : {}) } : null;
    const figures = resolve<QuarterFigures & { period: string }>(change as Change<QuarterFigures & { period: string }>, stored && { ...stored, period }, { period });
    if (!QuarterRecord.Check({ ...figures, departments: [] })) {
      const e = schemaError(figures, QuarterRecord.Errors({ ...figures, departments: [] }));
      throw new AppError(400, e.code, e.message, e.path);
    }
    const row = quarterToRow(figures);
    if (before && sameRecord(before, row)) return { audit: [], result: figures };
    await upsertQuarter(tx, hospital.id, row);
    return { audit: [{ action: 'period.set', entityType: 'period', entityKey: period, before: auditable(before), after: row }], result: figures };
  });
}

async function needsQuarter(tx: Tx, hospitalId: number, period: string): Promise<void> {
  const [q] = await tx.select({ p: quarterInputs.period }).from(quarterInputs).where(and(eq(quarterInputs.hospitalId, hospitalId), eq(quarterInputs.period, period)));
  if (!q) throw notFound(`inputs of ${period} (PUT /v1/hospitals/{code}/periods/${period} first)`);
}

/** A department's quarter record; a clinical department's must hold what its score needs (§3.4). */
export async function setDepartmentInput(deps: Deps, code: string, period: string, department: string, change: Change<Omit<DepartmentInput, 'code'>>): Promise<DepartmentInput> {
  return writeInputs(deps, code, { period, focus: { staff: [], departmentInputs: [department], individuals: [] } }, async (tx, hospital) => {
    await needsQuarter(tx, hospital.id, period);
    const before = await findDepartmentInput(tx, hospital.id, period, department);
    const record = checked(DepartmentInputSchema, resolve<DepartmentInput>(change as Change<DepartmentInput>, before && departmentInputFromRow(before), { code: department }));
    const kind = (await listDepartments(tx, hospital.id)).find((d) => d.code === department)?.kind;
    const missing = kind === 'clinical' ? missingClinicalInputs(record) : [];
    if (missing.length > 0) {
      const e = incompleteClinical(missing, '', `period ${period}, department ${department}`);
      throw new AppError(400, e.code, e.message, e.path);
    }
    const row = departmentInputToRow(period, record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertDepartmentInput(tx, hospital.id, row);
    return { audit: [{ action: 'department_input.set', entityType: 'department_input', entityKey: `${period}/${department}`, before: auditable(before), after: row }], result: record };
  });
}

/**
 * A department head may enter and read the individual inputs of their departments' people only:
 * someone else's person is not found (404, as an unknown id); a department a record places their
 * own person in must be theirs too (403: they named it).
 */
export async function assertPersonInDepartments(who: { principal: Principal | null }, conn: Db | Tx, hospitalId: number, staffId: string, overrides: (string | null | undefined)[]): Promise<void> {
  if (who.principal!.role !== 'dept_head') return;
  const person = await findStaff(conn, hospitalId, staffId);
  if (!person) throw notFound(`staff ${staffId}`);
  assertPersonVisible(who, person.department, `staff ${staffId}`);
  for (const department of overrides) if (department) assertDepartment(who, department);
}

export async function setIndividualInput(
  deps: Deps,
  principal: Principal,
  code: string,
  period: string,
  staffId: string,
  change: Change<Omit<IndividualInput, 'staffId'>>,
): Promise<IndividualInput> {
  return writeInputs(deps, code, { period, focus: { staff: [staffId], departmentInputs: [], individuals: [staffId] } }, async (tx, hospital) => {
    await needsQuarter(tx, hospital.id, period);
    const before = await findIndividualInput(tx, hospital.id, period, staffId);
    await assertPersonInDepartments({ principal }, tx, hospital.id, staffId, [before?.department]);
    const record = checked(IndividualInputSchema, resolve<IndividualInput>(change as Change<IndividualInput>, before && individualInputFromRow(before), { staffId }));
    await assertPersonInDepartments({ principal }, tx, hospital.id, staffId, [record.department]);
    const row = individualInputToRow(period, record);
    if (before && sameRecord(before, row)) return { audit: [], result: record };
    await upsertIndividualInput(tx, hospital.id, row);
    return { audit: [{ action: 'individual_input.set', entityType: 'individual_input', entityKey: `${period}/${staffId}`, before: auditable(before), after: row }], result: record };
  });
}
