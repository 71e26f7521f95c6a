import { EngineError, validateScenario } from '../../core/index.js';
import type { DepartmentInput, DepartmentRecord, IndividualInput, Scenario, StaffRecord } from '../../core/schema.js';
import type { Tx } from '../../db/client.js';
import { together } from '../../shared/db/together.js';
import type { Principal } from '../../shared/principal.js';
import type { AuditEntry } from '../audit/audit.repository.js';
import { sameRecord } from './inputs.compare.js';
import { mergePatch, missingClinicalInputs } from '../../shared/patch.js';
import {
  departmentFromRow,
  departmentInputFromRow,
  individualInputFromRow,
  departmentInputToRow,
  departmentToRow,
  individualInputToRow,
  staffFromRow,
  staffToRow,
  type DepartmentInputRow,
  type DepartmentRow,
} from './inputs.mappers.js';
import {
  departmentInputsIn,
  findQuarter,
  individualInputsOf,
  listDepartments,
  listStaff,
  listStaffIn,
  schemeFor,
  upsertDepartmentInputs,
  upsertDepartments,
  upsertIndividualInputs,
  upsertStaff,
} from './inputs.repository.js';
import { incompleteClinical, quarterMissing, rowsInvalid } from './inputs.errors.js';
import { writeInputs, type WriteDeps } from './inputs.usecases.js';
import type { HospitalRow } from '../hospitals/hospitals.repository.js';

/** At most this many row errors are listed in one 400 (the message gives the total). */
export const MAX_ERRORS = 1000;

export interface RowError {
  code: string;
  message: string;
  path: string;
}

export interface BulkOutcome {
  records: number;
  written: number;
  unchanged: number;
}

/**
 * How a request names its rows: `records[i]` in a JSON array, `lines[n]` (1-based) in an NDJSON
 * stream. Every row error's path and message starts with it.
 */
export type RowLabel = (index: number) => string;
export const arrayRows: RowLabel = (i) => `records[${i}]`;

type DepartmentMap = Map<string, DepartmentRow>;

/** The stored departments among `codes` (each once), as scenario records; unknown codes are left out. */
function namedDepartments(departments: DepartmentMap, codes: Iterable<string>): DepartmentRecord[] {
  return [...new Set(codes)].flatMap((c) => (departments.has(c) ? [departmentFromRow(departments.get(c)!)] : []));
}

/**
 * Checks one record as the engine will read it, in a scenario holding only that record and the
 * stored records it names; an invalid one becomes a row error whose path is the request's
 * (`records[3].workloadScore`) and whose message names the row and the record.
 */
function checkRecord(doc: Scenario, recordPath: RegExp, at: string, subject: string): RowError | null {
  try {
    validateScenario(doc);
    return null;
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    const field = e.path.replace(recordPath, '');
    const message = e.message.replace(/^(period \S+, )?(staff|department) \S+: /, '');
    return { code: e.code, message: `${at} (${subject}): ${message}`, path: field && field !== e.path ? `${at}.${field}` : at };
  }
}

/**
 * Checks every record of a request. The whole batch is validated at once first, as one scenario
 * (a 10,000-record batch in one pass); only when that fails is each record validated on its own,
 * to name every invalid row. A batch-level error no single record explains is reported as is.
 */
function checkBatch<R>(records: R[], whole: () => Scenario, one: (record: R, index: number) => RowError | null, errors: RowError[]): void {
  let batchError: EngineError | null = null;
  if (errors.length === 0) {
    try {
      validateScenario(whole());
      return;
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      batchError = e;
    }
  }
  // the batch is refused (or has duplicates): every record's own problems, by row
  const before = errors.length;
  records.forEach((record, i) => {
    if (errors.length >= MAX_ERRORS) return;
    const problem = one(record, i);
    if (problem) errors.push(problem);
  });
  if (batchError && errors.length === before) errors.push({ code: batchError.code, message: batchError.message, path: batchError.path });
}

/** Rows whose key repeats an earlier row of the same request are errors, not silent overwrites. */
function duplicateOf(seen: Map<string, number>, key: string, index: number, label: RowLabel, noun: string, field: string): RowError | null {
  const first = seen.get(key);
  if (first !== undefined) {
    return { code: 'duplicate', message: `${label(index)}: ${noun} ${key} already has a record in this request (${label(first)})`, path: `${label(index)}.${field}` };
  }
  seen.set(key, index);
  return null;
}

/** The row an error names (`records[4]…`, `lines[12]…`), to list the errors in row order. */
const rowOf = (e: RowError) => Number(/^\w+\[(\d+)\]/.exec(e.path)?.[1] ?? -1);

/** Row errors in row order (a row's own errors in the order found). */
export function inRowOrder(errors: RowError[]): RowError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rowOf(a.e) - rowOf(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

function throwRowErrors(unordered: RowError[], total: number): void {
  if (unordered.length === 0) return;
  throw rowsInvalid(inRowOrder(unordered), total, MAX_ERRORS);
}

async function storedQuarter(tx: Tx, hospital: HospitalRow, period: string) {
  const quarter = await findQuarter(tx, hospital.id, period);
  if (!quarter) throw quarterMissing(period);
  return quarter;
}

// ------------------------------------------------------------------ departments

/** Many departments (科室) at once: each checked on its own, the changed ones upserted together. */
export async function putDepartments(
  tx: Tx,
  hospital: HospitalRow,
  given: DepartmentRecord[],
  label: RowLabel = arrayRows,
  isPatch: IsPatch = NO_PATCHES,
): Promise<{ audit: AuditEntry[]; result: BulkOutcome }> {
  const stored = new Map((await listDepartments(tx, hospital.id)).map((d) => [d.code, d]));
  const records = merged(
    given,
    isPatch,
    (r) => r.code,
    (code) => stored.get(code) && departmentFromRow(stored.get(code)!),
  );
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    const duplicate = duplicateOf(seen, record.code, i, label, 'department', 'code');
    if (duplicate && errors.length < MAX_ERRORS) errors.push(duplicate);
  });
  const docOf = (departments: DepartmentRecord[]) => ({ hospital: { code: hospital.code }, departments, staff: [], periods: [] }) as unknown as Scenario;
  checkBatch(
    records,
    () => docOf(records),
    (record, i) => checkRecord(docOf([record]), /^departments\[0\]\.?/, label(i), `department ${record.code}`),
    errors,
  );
  throwRowErrors(errors, records.length);
  const changed = records.map(departmentToRow).filter((row) => !(stored.has(row.code) && sameRecord(stored.get(row.code), row)));
  await upsertDepartments(tx, hospital.id, changed);
  return outcome(
    'department.bulk_set',
    'department',
    'departments',
    records.length,
    changed.map((r) => r.code),
  );
}

// ------------------------------------------------------------------ staff

/** Many staff members at once; each one's department must exist (stored or in this hospital). */
export async function putStaff(tx: Tx, hospital: HospitalRow, given: StaffRecord[], label: RowLabel = arrayRows, isPatch: IsPatch = NO_PATCHES): Promise<{ audit: AuditEntry[]; result: BulkOutcome }> {
  const departments: DepartmentMap = new Map((await listDepartments(tx, hospital.id)).map((d) => [d.code, d]));
  const stored = new Map((await listStaffIn(tx, hospital.id, [...new Set(given.map((r) => r.id))])).map((s) => [s.staffId, s]));
  const records = merged(
    given,
    isPatch,
    (r) => r.id,
    (id) => stored.get(id) && staffFromRow(stored.get(id)!),
  );
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    const duplicate = duplicateOf(seen, record.id, i, label, 'staff', 'id');
    if (duplicate && errors.length < MAX_ERRORS) errors.push(duplicate);
  });
  const named = (staff: StaffRecord[]) =>
    namedDepartments(
      departments,
      staff.map((r) => r.department),
    );
  const docOf = (staff: StaffRecord[]) => ({ hospital: { code: hospital.code }, departments: named(staff), staff, periods: [] }) as unknown as Scenario;
  checkBatch(
    records,
    () => docOf(records),
    (record, i) => checkRecord(docOf([record]), /^staff\[0\]\.?/, label(i), `staff ${record.id}`),
    errors,
  );
  throwRowErrors(errors, records.length);
  const changed = records.map(staffToRow).filter((row) => !(stored.has(row.staffId) && sameRecord(stored.get(row.staffId), row)));
  await upsertStaff(tx, hospital.id, changed);
  return outcome(
    'staff.bulk_set',
    'staff',
    'staff',
    records.length,
    changed.map((r) => r.staffId),
  );
}

// ------------------------------------------------------------------ department inputs

/** Many departments' quarter inputs at once (workload, quality, revenue, cost, drug data). */
export async function putDepartmentInputs(
  tx: Tx,
  hospital: HospitalRow,
  period: string,
  given: DepartmentInput[],
  label: RowLabel = arrayRows,
  isPatch: IsPatch = NO_PATCHES,
): Promise<{ audit: AuditEntry[]; result: BulkOutcome }> {
  const quarter = await storedQuarter(tx, hospital, period);
  const [departmentRows, scheme] = await together(tx, [() => listDepartments(tx, hospital.id), () => schemeFor(tx, hospital.id, period)]);
  const departments: DepartmentMap = new Map(departmentRows.map((d) => [d.code, d]));
  const codes = [...new Set(given.map((r) => r.code))];
  const stored = new Map((await departmentInputsIn(tx, hospital.id, period, codes)).map((r) => [r.department, r]));
  const records = merged(
    given,
    isPatch,
    (r) => r.code,
    (code) => stored.get(code) && departmentInputFromRow(stored.get(code)!),
  );
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    const duplicate = duplicateOf(seen, record.code, i, label, 'department', 'code');
    if (duplicate && errors.length < MAX_ERRORS) errors.push(duplicate);
  });
  const docOf = (inputs: DepartmentInput[]) =>
    ({
      hospital: { code: hospital.code },
      scheme: scheme?.parameters ?? {},
      departments: namedDepartments(
        departments,
        inputs.map((r) => r.code),
      ),
      staff: [],
      periods: [{ period, revenue: quarter.revenue, workingDays: quarter.workingDays, departments: inputs, individuals: [] }],
    }) as unknown as Scenario;
  checkBatch(
    records,
    () => docOf(records),
    (record, i) => checkRecord(docOf([record]), /^periods\[0\]\.departments\[0\]\.?/, label(i), `department ${record.code}`),
    errors,
  );
  // a row with an error already is not also told it is incomplete
  const refused = new Set(errors.map(rowOf));
  records.forEach((record, i) => {
    if (errors.length < MAX_ERRORS && !refused.has(i) && departments.get(record.code)?.kind === 'clinical') {
      const missing = missingClinicalInputs(record);
      if (missing.length > 0) errors.push(incompleteClinical(missing, `${label(i)}`, `${label(i)} (department ${record.code})`));
    }
  });
  throwRowErrors(errors, records.length);
  const changed = records.map((r) => departmentInputToRow(period, r)).filter((row) => !(stored.has(row.department) && sameRecord(stored.get(row.department), row)));
  await upsertDepartmentInputs(tx, hospital.id, changed as DepartmentInputRow[]);
  return outcome(
    'department_input.bulk_set',
    'department_input',
    'departments',
    records.length,
    changed.map((r) => r.department),
    period,
  );
}

// ------------------------------------------------------------------ individual inputs

/**
 * Many people's tier-2 inputs for one quarter in one transaction: every record is checked on its
 * own (as the engine will read it, with the row of every invalid one in the 400), then the
 * records that differ from what is stored are written with one INSERT … unnest and one audit
 * event. Nothing is written unless every record is valid. A department head may write only
 * their departments' people.
 */
export async function putIndividualInputs(
  tx: Tx,
  hospital: HospitalRow,
  period: string,
  given: IndividualInput[],
  principal: Principal,
  label: RowLabel = arrayRows,
  isPatch: IsPatch = NO_PATCHES,
): Promise<{ audit: AuditEntry[]; result: BulkOutcome }> {
  const quarter = await storedQuarter(tx, hospital, period);
  const ids = [...new Set(given.map((r) => r.staffId))];
  // a large batch reads the hospital's whole staff list and quarter rather than a list of ids
  const many = ids.length > 500;
  const [departmentRows, people, scheme] = await together(tx, [
    () => listDepartments(tx, hospital.id),
    () => (many ? listStaff(tx, hospital.id) : listStaffIn(tx, hospital.id, ids)),
    () => schemeFor(tx, hospital.id, period),
  ]);
  const departments: DepartmentMap = new Map(departmentRows.map((d) => [d.code, d]));
  const personById = new Map(people.map((p) => [p.staffId, p]));
  const stored = new Map((await individualInputsOf(tx, hospital.id, period, many ? undefined : ids)).map((r) => [r.staffId, r]));
  const records = merged(
    given,
    isPatch,
    (r) => r.staffId,
    (id) => stored.get(id) && individualInputFromRow(stored.get(id)!),
  );

  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    const duplicate = duplicateOf(seen, record.staffId, i, label, 'staff', 'staffId');
    if (duplicate && errors.length < MAX_ERRORS) errors.push(duplicate);
  });
  const docOf = (batch: IndividualInput[]) => {
    const people = [...new Set(batch.map((r) => r.staffId))].flatMap((id) => (personById.has(id) ? [personById.get(id)!] : []));
    const named = new Set([...people.map((p) => p.department), ...batch.flatMap((r) => (r.department ? [r.department] : []))]);
    return {
      hospital: { code: hospital.code },
      scheme: scheme?.parameters ?? {},
      departments: namedDepartments(departments, named),
      staff: people.map(staffFromRow),
      periods: [{ period, revenue: quarter.revenue, workingDays: quarter.workingDays, departments: [], individuals: batch }],
    } as unknown as Scenario;
  };
  checkBatch(
    records,
    () => docOf(records),
    (record, i) => checkRecord(docOf([record]), /^periods\[0\]\.individuals\[0\]\.?/, label(i), `staff ${record.staffId}`),
    errors,
  );
  if (principal.role === 'dept_head') {
    records.forEach((record, i) => {
      if (errors.length >= MAX_ERRORS) return;
      const home = personById.get(record.staffId)?.department;
      // another department's person is answered as an unknown id: neither they nor their department leak
      if (home && !principal.departments.includes(home)) {
        errors.push({ code: 'unknown_reference', message: `${label(i)} (staff ${record.staffId}): period ${period}: staff ${record.staffId} is not on the staff list`, path: `${label(i)}.staffId` });
        return;
      }
      const touched = [record.department, stored.get(record.staffId)?.department].filter((c): c is string => !!c);
      const outside = touched.find((c) => !principal.departments.includes(c));
      if (outside) errors.push({ code: 'forbidden', message: `${label(i)} (staff ${record.staffId}): department ${outside} is not this key's`, path: `${label(i)}.staffId` });
    });
  }
  throwRowErrors(errors, records.length);

  const changed = records.map((r) => individualInputToRow(period, r)).filter((row) => !(stored.has(row.staffId) && sameRecord(stored.get(row.staffId), row)));
  await upsertIndividualInputs(tx, hospital.id, changed);
  return outcome(
    'individual_input.bulk_set',
    'individual_input',
    'staff',
    records.length,
    changed.map((r) => r.staffId),
    period,
  );
}

/** Which rows of a request are merge patches (RFC 7396) rather than whole records. */
export type IsPatch = (index: number) => boolean;
const NO_PATCHES: IsPatch = () => false;
export const allPatches: IsPatch = () => true;

/** The request's records with each patch applied over the stored record it names (or over nothing). */
function merged<R>(records: R[], isPatch: IsPatch, keyOf: (r: R) => string, storedOf: (key: string) => R | undefined): R[] {
  if (isPatch === NO_PATCHES) return records;
  return records.map((r, i) => (isPatch(i) ? mergePatch<R>(storedOf(keyOf(r)) ?? null, r) : r));
}

/** One audit event per bulk write, naming every record it changed; none when nothing changed. */
function outcome(action: string, entityType: string, listName: string, records: number, changedKeys: string[], period?: string): { audit: AuditEntry[]; result: BulkOutcome } {
  const audit: AuditEntry[] = changedKeys.length ? [{ action, entityType, entityKey: period ?? 'bulk', after: { records, written: changedKeys.length, [listName]: changedKeys } }] : [];
  return { audit, result: { records, written: changedKeys.length, unchanged: records - changedKeys.length } };
}

// ------------------------------------------------------------------ the bulk use cases

/** A bulk request: whole records (mode replace, the default), or merge patches over the stored ones. */
export type BulkBody<R> = { mode?: 'replace'; records: R[] } | { mode: 'merge'; records: Record<string, unknown>[] };

/** The records to write and which of them are merge patches; a patch names its record by its key like a whole one. */
function recordsOf<R>(body: BulkBody<R>): { records: R[]; isPatch?: IsPatch } {
  return body.mode === 'merge' ? { records: body.records as R[], isPatch: allPatches } : { records: body.records };
}

export async function putDepartmentsBulk(deps: WriteDeps, code: string, body: BulkBody<DepartmentRecord>): Promise<BulkOutcome> {
  const { records, isPatch } = recordsOf(body);
  return writeInputs(deps, code, {}, (tx, hospital) => putDepartments(tx, hospital, records, arrayRows, isPatch));
}

export async function putStaffBulk(deps: WriteDeps, code: string, body: BulkBody<StaffRecord>): Promise<BulkOutcome> {
  const { records, isPatch } = recordsOf(body);
  return writeInputs(deps, code, { focus: { staff: records.map((r) => r.id), departmentInputs: [], individuals: [] } }, (tx, hospital) => putStaff(tx, hospital, records, arrayRows, isPatch));
}

export async function putDepartmentInputsBulk(deps: WriteDeps, code: string, period: string, body: BulkBody<DepartmentInput>): Promise<BulkOutcome> {
  const { records, isPatch } = recordsOf(body);
  return writeInputs(deps, code, { period, focus: { staff: [], departmentInputs: records.map((r) => r.code), individuals: [] } }, (tx, hospital) =>
    putDepartmentInputs(tx, hospital, period, records, arrayRows, isPatch),
  );
}

export async function putIndividualInputsBulk(deps: WriteDeps, code: string, period: string, body: BulkBody<IndividualInput>): Promise<BulkOutcome> {
  const { records, isPatch } = recordsOf(body);
  return writeInputs(deps, code, { period, focus: { staff: [], departmentInputs: [], individuals: [] } }, (tx, hospital) =>
    putIndividualInputs(tx, hospital, period, records, deps.caller.principal, arrayRows, isPatch),
  );
}
