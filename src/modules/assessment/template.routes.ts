import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../shared/errors.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access } from '../access/access.js';
import { TemplateQuery, ValuesWritten } from './assessment.schemas.js';
import { templatePeriod, templateWorkbook, uploadTemplate } from './template.usecases.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const WRITERS = ['admin', 'assessor'] as const;

/** The assessor's month, quarter or year as a spreadsheet (issue #17): download the entry template, upload it filled. */
export function registerTemplateRoutes(app: App, { db, clock }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/template',
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: 'downloadAssessmentTemplate',
        tags: ['assessment'],
        summary:
          "A cadence period's entry template (XLSX): one row per department, one column per indicator of the period's cadence the caller enters (an assessor: its offices' leaves; an admin: every one)",
        description:
          '`period=2026-04` (or `month=2026-04`): sheet 月度考核 with the monthly indicators; `period=2026Q2`: sheet 季度考核 with the quarterly ones; `period=2026`: sheet 年度考核 with the yearly ones. A header row (科室编码, 科室名称, then each indicator as 名称（代码）) and a row per department assessed on one of them, the stored values filled in; a cell whose indicator the department’s scorecard lacks is grey and stays empty. 404 when no scorecards are in force for the period (a year: its fourth quarter).',
        params: HospitalParams,
        querystring: TemplateQuery,
        produces: [XLSX],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'the template' }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const book = await templateWorkbook({ db, caller: callerOf(request) }, request.params.code, templatePeriod(request.query));
      return reply.header('content-type', XLSX).header('content-disposition', `attachment; filename="${book.filename}"`).send(book.buffer);
    },
  );
  // only this route reads XLSX bodies (within the service's body limit); elsewhere that content type is a 415
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(XLSX, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(
      '/v1/hospitals/:code/assessment/template',
      {
        config: access(WRITERS, 'params'),
        schema: {
          operationId: 'uploadAssessmentTemplate',
          tags: ['assessment'],
          summary: 'A filled entry template (the XLSX body), validated whole, then written as the bulk values write: all or nothing, one audit event',
          description:
            'The period’s sheet (月度考核, 季度考核 or 年度考核) as the template has it. An error names the cell (`月度考核!D7: 门诊药品比例 must be a decimal such as 0.35`, `季度考核!C3: …`; every bad cell in `details`); a column of an indicator an assessor’s offices do not own is a 403 naming its header cell; a value of a closed quarter (or year) that would change is a 409; nothing is written unless all of it is valid. Empty cells are left as they are.',
          consumes: [XLSX],
          params: HospitalParams,
          querystring: TemplateQuery,
          response: { 200: ValuesWritten, ...errors(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (request) => {
        if (!Buffer.isBuffer(request.body)) throw new AppError(400, 'invalid_body', `the body must be an XLSX workbook (${XLSX})`, 'body');
        return uploadTemplate({ db, clock, caller: callerOf(request) }, request.params.code, templatePeriod(request.query), request.body);
      },
    );
  });
}
