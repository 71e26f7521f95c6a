import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { assertDepartment, type Principal } from '../../plugins/access.js';
import { individualLineOf } from './settlements.mappers.js';
import { annualLinesPage, findRun, hasDisputeFines, resultLinesPage, type RunRow } from './settlements.repository.js';
import { hospitalCodeOf } from './settlements.usecases.js';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'xlsx', 'payroll'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

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
  throw new AppError(400, 'invalid_value', 'after is not a cursor this service gave (use the `next` of the previous page)', 'after');
}

export async function settledRun(db: Db, id: string): Promise<RunRow> {
  const run = await findRun(db, id);
  if (!run || !run.summary) throw notFound(`settlement result ${id}`);
  return run;
}

/** The departments a caller may read: the one asked for (if theirs), a department head's own, or all. */
export function departmentsFor(who: { principal: Principal | null }, department?: string): string[] | undefined {
  if (department) {
    assertDepartment(who, department);
    return [department];
  }
  const p = who.principal!;
  return p.role === 'dept_head' ? p.departments : undefined;
}

/** departmentsFor as a test of one department code. */
export function readableDepartments(who: { principal: Principal | null }, department?: string): (code: string) => boolean {
  const allowed = departmentsFor(who, department);
  return (code) => !allowed || allowed.includes(code);
}

/** GET /v1/settlements/{id}/lines: one page of lines and the cursor of the next. */
export async function linesPage(db: Db, request: FastifyRequest, runId: string, query: { department?: string; after?: string; limit: number }) {
  const run = await settledRun(db, runId);
  const departments = departmentsFor(request, query.department);
  const after = query.after === undefined ? undefined : decodeCursor(query.after);
  if (run.kind === 'quarterly') {
    const rows = await resultLinesPage(db, run.id, { departments, after: after?.staffId, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const next = rows.length > query.limit ? encodeCursor({ staffId: page.at(-1)!.staffId }) : null;
    return { period: run.period, kind: run.kind, status: run.status, lines: page.map(individualLineOf), next };
  }
  const rows = await annualLinesPage(db, run.id, { departments, after: after?.staffId, afterDepartment: after?.department, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ staffId: last.staffId, department: last.department }) : null;
  return { period: run.period, kind: run.kind, status: run.status, lines: page, next };
}

const QUARTERLY_COLUMNS = [
  'staffId', 'name', 'department', 'rawScore', 'attendanceDeduction', 'overtimeAddition', 'payRatio', 'effectiveScore',
  'tier2Pay', 'leaderBonus', 'studyLeavePay', 'finesApplied', 'total',
] as const;
const ANNUAL_COLUMNS = ['staffId', 'name', 'department', 'weight', 'amount'] as const;

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text field that a
 * spreadsheet would read as a formula (=, +, -, @ first) is prefixed with ' (OWASP CSV injection).
 */
export function csvField(value: string, text: boolean): string {
  const safe = text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const TEXT_FIELDS = new Set(['staffId', 'name', 'department']);

/** One CSV row of the given columns, CRLF-terminated; staff ids, names and departments are text. */
export function csvLine(columns: readonly string[], row: Record<string, unknown>): string {
  return `${columns.map((c) => csvField(String(row[c] ?? ''), TEXT_FIELDS.has(c))).join(',')}\r\n`;
}

/**
 * GET /v1/settlements/{id}/export: every line the caller may read, streamed a page at a time
 * (keyset paging), as CSV — UTF-8 with a byte-order mark, CRLF — or NDJSON.
 */
export async function exportLines(db: Db, request: FastifyRequest, runId: string, format: 'csv' | 'ndjson', department?: string) {
  const run = await settledRun(db, runId);
  const departments = departmentsFor(request, department);
  const hospital = await hospitalCodeOf(db, run.hospitalId);
  // a year-end's risk award (paid outside the fund) is part of what each person is paid
  const withRiskAward = run.kind === 'annual' && (run.summary as { riskAwardTotal?: string } | null)?.riskAwardTotal !== undefined;
  const withDisputes = run.kind === 'quarterly' && (run.summary !== null) && (await hasDisputeFines(db, run.id));
  const columns: readonly string[] = run.kind === 'quarterly' ? (withDisputes ? [...QUARTERLY_COLUMNS, 'disputeFines'] : QUARTERLY_COLUMNS) : withRiskAward ? [...ANNUAL_COLUMNS, 'riskAward'] : ANNUAL_COLUMNS;
  async function* pages(): AsyncGenerator<Record<string, unknown>[]> {
    let after: Cursor | undefined;
    for (;;) {
      const rows: Record<string, unknown>[] =
        run.kind === 'quarterly'
          ? (await resultLinesPage(db, run.id, { departments, after: after?.staffId, limit: EXPORT_PAGE })).map((r) => ({ ...individualLineOf(r) }))
          : (await annualLinesPage(db, run.id, { departments, after: after?.staffId, afterDepartment: after?.department, limit: EXPORT_PAGE })).map(({ riskAward, ...r }) => (withRiskAward ? { ...r, riskAward } : r));
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < EXPORT_PAGE) return;
      const last = rows.at(-1)!;
      after = { staffId: last.staffId as string, department: run.kind === 'quarterly' ? undefined : (last.department as string) };
    }
  }
  async function* body(): AsyncGenerator<string> {
    if (format === 'csv') yield `\uFEFF${columns.join(',')}\r\n`;
    for await (const rows of pages()) {
      yield rows.map((row) => (format === 'csv' ? csvLine(columns, row) : `${JSON.stringify(row)}\n`)).join('');
    }
  }
  const suffix = department ? `-${department}` : '';
  return {
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `${hospital}-${run.period}${suffix}-${run.id.slice(0, 8)}.${format}`.replace(/[^\w.-]/g, '_'),
    stream: Readable.from(body()),
  };
}
