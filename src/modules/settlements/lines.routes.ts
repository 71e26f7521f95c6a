import { Type } from '@sinclair/typebox';
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

function setupExportRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/export',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'exportSettlement',
        tags: ['settlements'],
        summary: 'A run as a download: CSV (UTF-8 with BOM, so Excel shows Chinese) or NDJSON lines, streamed; an XLSX workbook; or the payroll file',
        description:
          'csv and ndjson: every line, read from the database a page at a time and written as it comes (a 10,000-person run never sits in memory as one document). ' +
          'xlsx: a workbook with summary, departments and individuals sheets (frozen headers, money #,##0.00, scores 0.000000). ' +
          'payroll: staffId, name, department, amount (CSV, UTF-8 BOM) of an approved run, for the bank or payroll system (409 before approval); a year-end pays the year-end amount and the risk award. A department head gets only their departments.',
        params: RunParams,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/x-ndjson', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'the file' }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const deps = { db, caller: callerOf(request) };
      const { format, department } = request.query;
      const id = request.params.id;
      if (format === 'xlsx') {
        const book = await runWorkbook(deps, id, department);
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${book.filename}"`)
          .send(book.buffer);
      }
      if (format === 'payroll') {
        const payroll = await payrollCsv(deps, id, department);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${payroll.filename}"`).send(payroll.text);
      }
      const file = await exportLines(deps, id, format ?? 'csv', department);
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.stream);
    },
  );
}
