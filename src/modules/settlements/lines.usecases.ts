import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../shared/principal.js';
import { departmentsFor } from '../access/access.js';
import { csvHeaders, type HeaderLanguage } from './columns.js';
import { notACursor, resultNotFound } from './settlements.errors.js';
import { individualLineOf } from './settlements.mappers.js';
import { annualLinesPage, findRun, hasDisputeFines, resultLinesPage, type RunRow } from './settlements.repository.js';
import { hospitalCodeOf } from './settlements.usecases.js';

type Deps = { db: Db; caller: Caller };

const EXPORT_PAGE = 2000;

interface Cursor {
  staffId: string;
  department?: string;
}

/** `next`: the last line read, opaque to the caller (base64url of JSON). */
function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.department === undefined ? [c.staffId] : [c.staffId, c.department]), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && (value.length === 1 || (value.length === 2 && typeof value[1] === 'string'))) {
      return { staffId: value[0], department: value[1] as string | undefined };
    }
  } catch {
    // reported below
  }
  throw notACursor();
}

/** A run with a result (succeeded, approved or superseded). */
export async function settledRun(db: Db, id: string): Promise<RunRow> {
  const run = await findRun(db, id);
  if (!run?.summary) throw resultNotFound(id);
  return run;
}

/** GET /v1/settlements/{id}/lines: one page of lines (a department head's departments only) and the cursor of the next. */
export async function linesPage(deps: Deps, runId: string, query: { department?: string; after?: string; limit: number }) {
  const { db } = deps;
  const run = await settledRun(db, runId);
  const departments = departmentsFor(deps.caller.principal, query.department);
  const after = query.after === undefined ? undefined : decodeCursor(query.after);
  if (run.kind === 'quarterly') {
    const rows = await resultLinesPage(db, run.id, { departments, after: after?.staffId, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const next = rows.length > query.limit ? encodeCursor({ staffId: page.at(-1)!.staffId }) : null;
    return { period: run.period, kind: 'quarterly' as const, status: run.status, lines: page.map(individualLineOf), next };
  }
  const rows = await annualLinesPage(db, run.id, { departments, after: after?.staffId, afterDepartment: after?.department, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit).map(({ riskAward, ...line }) => (riskAward === null ? line : { ...line, riskAward }));
  const last = page.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ staffId: last.staffId, department: last.department }) : null;
  return { period: run.period, kind: 'annual' as const, status: run.status, lines: page, next };
}

const QUARTERLY_COLUMNS = [
  'staffId',
  'name',
  'department',
  'rawScore',
  'attendanceDeduction',
  'overtimeAddition',
  'payRatio',
  'effectiveScore',
  'tier2Pay',
  'leaderBonus',
  'studyLeavePay',
  'finesApplied',
  'total',
] as const;
const ANNUAL_COLUMNS = ['staffId', 'name', 'department', 'weight', 'amount'] as const;
const TEXT_FIELDS = new Set(['staffId', 'name', 'department', 'departmentName']);

/** A text field a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with ' (OWASP CSV injection). */
const guard = (row: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...row };
  for (const field of TEXT_FIELDS) {
    const v = out[field];
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(v)) out[field] = `'${v}`;
  }
  return out;
};

/**
 * CSV as this service writes it (csv-stringify, RFC 4180 quoting): CRLF rows, formula-guarded text
 * fields; the header row in Chinese words for people, or the field names (`en`) for machines.
 */
const csvOptions = (columns: readonly string[], headers: HeaderLanguage) => {
  const names = csvHeaders(columns, headers);
  return { columns: columns.map((key, i) => ({ key, header: names[i]! })), header: true, record_delimiter: 'windows' as const };
};

/** Rows as CSV text: a UTF-8 byte-order mark (so Excel shows Chinese), the header, then the rows. */
export function csvText(columns: readonly string[], rows: Record<string, unknown>[], headers: HeaderLanguage): string {
  return `\uFEFF${stringifySync(rows.map(guard), csvOptions(columns, headers))}`;
}

/**
 * GET /v1/settlements/{id}/export as CSV or NDJSON: every line the caller may read, streamed a page
 * at a time (keyset paging); CSV in UTF-8 with a byte-order mark, CRLF, its header row in Chinese
 * (工号, 姓名…) unless `headers` is `en` (the field names, for machines).
 */
export async function exportLines(deps: Deps, runId: string, format: 'csv' | 'ndjson', department: string | undefined, headers: HeaderLanguage) {
  const { db } = deps;
  const run = await settledRun(db, runId);
  const departments = departmentsFor(deps.caller.principal, department);
  const hospital = await hospitalCodeOf(db, run.hospitalId);
  // a year-end's risk award (paid outside the fund) is part of what each person is paid
  const withRiskAward = run.kind === 'annual' && (run.summary as { riskAwardTotal?: string } | null)?.riskAwardTotal !== undefined;
  const withDisputes = run.kind === 'quarterly' && (await hasDisputeFines(db, run.id));
  const columns: readonly string[] =
    run.kind === 'quarterly' ? (withDisputes ? [...QUARTERLY_COLUMNS, 'disputeFines'] : QUARTERLY_COLUMNS) : withRiskAward ? [...ANNUAL_COLUMNS, 'riskAward'] : ANNUAL_COLUMNS;
  async function* pages(): AsyncGenerator<Record<string, unknown>[]> {
    let after: Cursor | undefined;
    for (;;) {
      const rows: Record<string, unknown>[] =
        run.kind === 'quarterly'
          ? (await resultLinesPage(db, run.id, { departments, after: after?.staffId, limit: EXPORT_PAGE })).map((r) => ({ ...individualLineOf(r) }))
          : (await annualLinesPage(db, run.id, { departments, after: after?.staffId, afterDepartment: after?.department, limit: EXPORT_PAGE })).map(({ riskAward, ...r }) =>
              withRiskAward ? { ...r, riskAward } : r,
            );
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < EXPORT_PAGE) return;
      const last = rows.at(-1)!;
      after = { staffId: last.staffId as string, department: run.kind === 'quarterly' ? undefined : (last.department as string) };
    }
  }
  async function* ndjson(): AsyncGenerator<string> {
    for await (const rows of pages()) yield rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  }
  async function* csvRows(): AsyncGenerator<Record<string, unknown>> {
    for await (const rows of pages()) for (const row of rows) yield guard(row);
  }
  const stream = format === 'csv' ? Readable.from(csvRows()).pipe(stringify({ ...csvOptions(columns, headers), bom: true })) : Readable.from(ndjson());
  const suffix = department ? `-${department}` : '';
  return {
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `${hospital}-${run.period}${suffix}-${run.id.slice(0, 8)}.${format}`.replace(/[^\w.-]/g, '_'),
    stream,
  };
}
