import { Type } from '@sinclair/typebox';
import { timeZoneOf } from '../../shared/context.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import { payrollCsv, runWorkbook } from './exports.usecases.js';
import { exportLines, linesPage } from './lines.usecases.js';
import { ExportQuery, LinesPage, LinesQuery, RunParams } from './settlements.schemas.js';

/** A run's people's lines: a page at a time, or whole as a file (CSV, NDJSON, XLSX, payroll). */
export function registerLineRoutes(app: App, deps: RouteDeps): void {
  setupLinesPageRoute(app, deps);
  setupExportRoute(app, deps);
}

function setupLinesPageRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/lines',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'listResultLines',
        tags: ['settlements'],
        summary: "A page of a run's people's lines, in staff-id order, optionally of one department",
        description: 'Keyset paging: pass the `next` of a page as `after` to read the following one; `next` is null on the last page. A department head reads only their departments.',
        params: RunParams,
        querystring: LinesQuery,
        response: { 200: LinesPage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => linesPage({ db, caller: callerOf(request) }, request.params.id, { ...request.query, limit: request.query.limit ?? 1000 }),
  );
}

function setupExportRoute(app: App, { db, clock }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/export',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'exportSettlement',
        tags: ['settlements'],
        summary: 'A run as a download: CSV (UTF-8 with BOM, so Excel shows Chinese) or NDJSON lines, streamed; an XLSX workbook; or the payroll file',
        description:
          'csv and ndjson: every line, read from the database a page at a time and written as it comes (a 10,000-person run never sits in memory as one document); the CSV header row in Chinese (工号, 姓名, 科室编码…) unless `headers=en` (the field names, for machines). ' +
          'xlsx: a workbook in Chinese (`lang=en`: English): 汇总 (the hospital, period and status in words, every summary item by name), 科室, 个人 and a sheet per department, each with a 合计 row; departments and people by name with their codes; money #,##0.00 and scores 0.000000 numbers; frozen, repeated header rows; A4 landscape, one page wide. ' +
          'payroll (CSV, UTF-8 BOM) of an approved run (409 before approval): by default for the finance office, 期间, 科室编码, 科室, 工号, 姓名, 实发金额 (a year-end with risk awards: 年终奖励 and 风险奖 too) and a 合计 row equal to the paidTotal; with `headers=en` for the bank or payroll system, staffId, name, department, amount (a year-end: the year-end amount and the risk award summed, with yearEndAmount and riskAward), no total row. A department head gets only their departments.',
        params: RunParams,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/x-ndjson', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'the file' }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const deps = { db, caller: callerOf(request) };
      const { format, department, headers = 'zh', lang = 'zh' } = request.query;
      const id = request.params.id;
      if (format === 'xlsx') {
        const book = await runWorkbook(deps, id, department, { lang, timeZone: timeZoneOf(clock) });
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${book.filename}"`)
          .send(book.buffer);
      }
      if (format === 'payroll') {
        const payroll = await payrollCsv(deps, id, department, { headers });
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${payroll.filename}"`).send(payroll.text);
      }
      const file = await exportLines(deps, id, format ?? 'csv', department, headers);
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.stream);
    },
  );
}
