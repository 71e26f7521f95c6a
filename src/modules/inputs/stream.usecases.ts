import { compiledOnUse } from '../../shared/schemas.js';
import { createHash, type Hash } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { schemaError } from '../../core/index.js';
import { AssessmentSchema, DepartmentInputSchema, DepartmentSchema, IndividualInputSchema, StaffSchema } from '../../core/schema.js';
import type { DepartmentInput, DepartmentRecord, IndividualInput, StaffRecord } from '../../core/schema.js';
import type { DepartmentDefectRecord, PersonalDefectRecord, ValueRecord } from '../assessment/assessment.repository.js';
import { writeStreamedAssessment } from '../assessment/assessment.usecases.js';
import { AppError } from '../../shared/errors.js';
import { emptyStream, linesInvalid, notAStream, streamIndividualsForbidden, streamTooLarge, tooManyLines } from './inputs.errors.js';
import { MAX_ERRORS, inRowOrder, putDepartmentInputs, putDepartments, putIndividualInputs, putStaff, type BulkOutcome, type RowError, type RowLabel } from './bulk.usecases.js';
import { writeInputs, type WriteDeps } from './inputs.usecases.js';
import { patchSchema } from '../../shared/patch.js';
import { checkValue, decodeUtf8 } from '../../shared/text.js';

export const NDJSON = 'application/x-ndjson';
const MAX_LINES = 200_000;

const KINDS = {
  department: compiledOnUse(() => DepartmentSchema),
  staff: compiledOnUse(() => StaffSchema),
  departmentInput: compiledOnUse(() => DepartmentInputSchema),
  individual: compiledOnUse(() => IndividualInputSchema),
  indicatorValue: compiledOnUse(() => AssessmentSchema.properties.values.items),
  departmentDefect: compiledOnUse(() => AssessmentSchema.properties.departmentDefects.items),
  personalDefect: compiledOnUse(() => AssessmentSchema.properties.personalDefects.items),
} satisfies Record<string, () => TypeCheck<TSchema>>;
type Kind = keyof typeof KINDS;
/** The kinds a merge patch may update (an assessment line is a whole record: a value, or a defect booked or corrected). */
type PatchKind = 'department' | 'staff' | 'departmentInput' | 'individual';
const ASSESSMENT_KINDS: readonly Kind[] = ['indicatorValue', 'departmentDefect', 'personalDefect'];
/** A line with `"mode": "merge"` carries a JSON merge patch of the record its key names. */
const PATCH_KINDS: Record<PatchKind, () => TypeCheck<TSchema>> = {
  department: compiledOnUse(() => patchSchema(DepartmentSchema, ['code'], 'department patch')),
  staff: compiledOnUse(() => patchSchema(StaffSchema, ['id'], 'staff patch')),
  departmentInput: compiledOnUse(() => patchSchema(DepartmentInputSchema, ['code'], 'department input patch')),
  individual: compiledOnUse(() => patchSchema(IndividualInputSchema, ['staffId'], 'individual patch')),
};

interface Rows<T> {
  records: T[];
  lines: number[];
  /** Indexes (into records) of the merge patches. */
  patches: Set<number>;
}

const rows = <T>(): Rows<T> => ({ records: [], lines: [], patches: new Set() });
const patchesOf = (r: Rows<unknown>) => (r.patches.size > 0 ? (i: number) => r.patches.has(i) : undefined);
const NOTHING: BulkOutcome = { records: 0, written: 0, unchanged: 0 };

/**
 * POST …/periods/{period}/stream: an NDJSON push read line by line as it arrives (never held as
 * one string), each line checked against its record's schema; then every kind of record goes
 * through the same bulk write as the array endpoints — departments, staff, department inputs,
 * individual inputs, in that order, then the assessment's indicator values and defects (written
 * as an import writes them) — in one transaction under the hospital's lock, so a stream is all or
 * nothing. Row errors name the line (`lines[n]`, from 1).
 */
export async function ingestStream(
  deps: WriteDeps,
  hospitalCode: string,
  period: string,
  parsed: StreamRecords,
): Promise<{
  lines: number;
  departments: BulkOutcome;
  staff: BulkOutcome;
  departmentInputs: BulkOutcome;
  individuals: BulkOutcome;
  indicatorValues?: BulkOutcome;
  defects?: BulkOutcome;
}> {
  const { departments, staff, departmentInputs, individuals, indicatorValues, departmentDefects, personalDefects, count } = parsed;
  const { principal } = deps.caller;
  if (count === 0) throw emptyStream();
  const assessmentLines = [...indicatorValues.lines, ...departmentDefects.lines, ...personalDefects.lines].sort((a, b) => a - b);
  if (assessmentLines.length > 0 && principal.role !== 'admin') {
    // the assessment is scored by the admin and the functional offices' assessors, not finance
    const lines = assessmentLines.slice(0, MAX_ERRORS);
    throw new AppError(
      403,
      'forbidden',
      `indicator values and defects are the admin's to stream, not a ${principal.role} key's; remove line(s) ${lines.join(', ')}`,
      `lines[${lines[0]}].type`,
      lines.map((n) => ({ code: 'forbidden', message: `lines[${n}]: assessment lines are not this key's to write`, path: `lines[${n}].type` })),
    );
  }
  if (individuals.records.length > 0 && principal.role !== 'admin') {
    // people's tier-2 inputs are admin's and their department heads' (PUT …/individuals), not finance's
    const lines = individuals.lines.slice(0, MAX_ERRORS);
    throw streamIndividualsForbidden(principal.role, lines);
  }
  // a row error names the line and the record's field: lines[4].record.code, as a schema error does
  const byLine =
    (r: Rows<unknown>): RowLabel =>
    (i) =>
      `lines[${r.lines[i]}].record`;
  const focus = {
    staff: [...new Set([...staff.records.map((s) => s.id), ...individuals.records.map((r) => r.staffId)])],
    departmentInputs: departmentInputs.records.map((d) => d.code),
    individuals: individuals.records.map((r) => r.staffId),
  };
  return writeInputs(deps, hospitalCode, { period, focus: departments.records.length ? undefined : focus }, async (tx, hospital) => {
    // every kind is checked (and written when valid, in order: a staff line may name a department
    // of the stream); the row errors of all kinds are reported together, and any rolls it all back
    const errors: RowError[] = [];
    const attempt = async <T>(records: unknown[], write: () => Promise<T>): Promise<T | null> => {
      if (records.length === 0) return null;
      try {
        return await write();
      } catch (e) {
        if (!(e instanceof AppError) || e.status !== 400) throw e;
        // an error without row details (an engine error: details []) is itself the row's error
        const details = e.details as RowError[] | undefined;
        errors.push(...(details?.length ? details : [{ code: e.code, message: e.message, path: e.path ?? 'body' }]));
        return null;
      }
    };
    const results = {
      departments: await attempt(departments.records, () => putDepartments(tx, hospital, departments.records, byLine(departments), patchesOf(departments))),
      staff: await attempt(staff.records, () => putStaff(tx, hospital, staff.records, byLine(staff), patchesOf(staff))),
      departmentInputs: await attempt(departmentInputs.records, () => putDepartmentInputs(tx, hospital, period, departmentInputs.records, byLine(departmentInputs), patchesOf(departmentInputs))),
      individuals: await attempt(individuals.records, () => putIndividualInputs(tx, hospital, period, individuals.records, principal, byLine(individuals), patchesOf(individuals))),
    };
    const withPaths = <T>(r: Rows<T>) => r.records.map((record, i) => ({ record, path: byLine(r)(i) }));
    const assessment = await attempt(assessmentLines, () =>
      writeStreamedAssessment(
        tx,
        hospital,
        period,
        { values: withPaths(indicatorValues), departmentDefects: withPaths(departmentDefects), personalDefects: withPaths(personalDefects) },
        deps.caller.actor,
        deps.clock.now(),
      ),
    );
    if (errors.length > 0) {
      const ordered = inRowOrder(errors);
      throw linesInvalid(ordered, ordered.slice(0, MAX_ERRORS));
    }
    const all = [...Object.values(results), assessment].filter((r) => r !== null);
    return {
      audit: all.flatMap((r) => r.audit),
      result: {
        lines: count,
        departments: results.departments?.result ?? NOTHING,
        staff: results.staff?.result ?? NOTHING,
        departmentInputs: results.departmentInputs?.result ?? NOTHING,
        individuals: results.individuals?.result ?? NOTHING,
        ...(assessment ? assessment.result : {}),
      },
    };
  });
}

export type StreamRecords = Awaited<ReturnType<typeof readStream>>;

/** A line longer than this is not a record (a record is a few hundred bytes): 413 before it is held. */
export const MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The lines of an NDJSON body as they arrive, as bytes. The body limit counts bytes received,
 * not lines ended: a body that never sends a newline is refused at the limit, and a line is never
 * held beyond MAX_LINE_BYTES. Every byte goes into `digest` (the stream's Idempotency-Key hash).
 */
async function* lineBytes(stream: NodeJS.ReadableStream, byteLimit: number, digest: Hash): AsyncGenerator<Buffer> {
  let received = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const tooLarge = (message: string) => {
    (stream as { destroy?: () => void }).destroy?.();
    return streamTooLarge(message);
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    received += bytes.length;
    if (received > byteLimit) throw tooLarge(`the stream is larger than ${Math.round(byteLimit / 1024 / 1024)} MB; split it`);
    digest.update(bytes);
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, nl);
      yield pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    if (start < bytes.length) {
      pending.push(bytes.subarray(start));
      pendingBytes += bytes.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw tooLarge(`a line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB; one record a line`);
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

/**
 * Reads a whole NDJSON push (refusing it with 415 when it is not a stream), checking each line
 * as it comes: strict UTF-8 (a leading byte-order mark is skipped), JSON, nesting and text
 * (src/plugins/body.ts), then the record against its kind's schema. Returns the records by kind
 * with their line numbers and the SHA-256 of the bytes received.
 */
export async function readStream(body: unknown, byteLimit: number) {
  if (!body || typeof (body as NodeJS.ReadableStream).pipe !== 'function') {
    throw notAStream(NDJSON);
  }
  const out = {
    departments: rows<DepartmentRecord>(),
    staff: rows<StaffRecord>(),
    departmentInputs: rows<DepartmentInput>(),
    individuals: rows<IndividualInput>(),
    indicatorValues: rows<ValueRecord>(),
    departmentDefects: rows<DepartmentDefectRecord>(),
    personalDefects: rows<PersonalDefectRecord>(),
    count: 0,
    sha256: '',
  };
  const errors: RowError[] = [];
  const digest = createHash('sha256');
  let n = 0;
  for await (let bytes of lineBytes(body as NodeJS.ReadableStream, byteLimit, digest)) {
    n += 1;
    if (n > MAX_LINES) throw tooManyLines(MAX_LINES);
    if (n === 1 && bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
    if (errors.length >= MAX_ERRORS) continue;
    const at = `lines[${n}]`;
    let line: string;
    try {
      line = decodeUtf8(bytes, at, at);
    } catch (e) {
      errors.push(rowError(e as AppError));
      continue;
    }
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push({ code: 'invalid_json', message: `${at}: not a JSON object`, path: at });
      continue;
    }
    const problem = checkValue(value, at);
    if (problem) {
      errors.push(rowError(problem));
      continue;
    }
    const error = place(value, at, n, out);
    if (error) errors.push(error);
  }
  if (errors.length > 0) {
    throw linesInvalid(errors, errors);
  }
  out.sha256 = digest.digest('hex');
  return out;
}

const rowError = (e: AppError): RowError => ({ code: e.code, message: e.message, path: e.path ?? 'body' });

const TARGET: Record<Kind, 'departments' | 'staff' | 'departmentInputs' | 'individuals' | 'indicatorValues' | 'departmentDefects' | 'personalDefects'> = {
  department: 'departments',
  staff: 'staff',
  departmentInput: 'departmentInputs',
  individual: 'individuals',
  indicatorValue: 'indicatorValues',
  departmentDefect: 'departmentDefects',
  personalDefect: 'personalDefects',
};

/** Checks one line's shape and record; files the record under its kind. */
function place(value: unknown, at: string, line: number, out: Omit<StreamRecords, 'sha256'>): RowError | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { code: 'invalid_type', message: `${at}: must be a JSON object`, path: at };
  const { type, record, mode, ...rest } = value as { type?: unknown; record?: unknown; mode?: unknown };
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return { code: 'unknown_field', message: `${at}: unknown field ${extra}; a line has type, record and optionally mode`, path: `${at}.${extra}` };
  if (mode !== undefined && mode !== 'replace' && mode !== 'merge') return { code: 'invalid_enum', message: `${at}: mode must be replace or merge`, path: `${at}.mode` };
  // an own kind only: "__proto__" or "constructor" is no kind
  if (typeof type !== 'string' || !Object.hasOwn(KINDS, type)) {
    return { code: 'invalid_enum', message: `${at}: type must be one of ${Object.keys(KINDS).join(', ')}`, path: `${at}.type` };
  }
  const merge = mode === 'merge';
  if (merge && ASSESSMENT_KINDS.includes(type as Kind)) return { code: 'not_applicable', message: `${at}: a ${type} line is a whole record; mode merge does not apply`, path: `${at}.mode` };
  const check = (merge ? PATCH_KINDS[type as PatchKind] : KINDS[type as Kind])();
  if (!check.Check(record)) {
    const e = schemaError(record, check.Errors(record), `${at}.record`);
    return { code: e.code, message: `${at}: ${e.message}`, path: e.path };
  }
  const target = out[TARGET[type as Kind]] as Rows<unknown>;
  if (merge) target.patches.add(target.records.length);
  target.records.push(record);
  target.lines.push(line);
  out.count += 1;
  return null;
}
