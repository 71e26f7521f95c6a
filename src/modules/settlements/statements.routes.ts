import { Type } from '@sinclair/typebox';
import { timeZoneOf } from '../../shared/context.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import { diffRuns } from './diff.usecases.js';
import {
  AnnualDepartmentStatementSchema,
  AnnualPersonStatementSchema,
  DepartmentStatementSchema,
  PersonStatementSchema,
  RunDepartmentParams,
  RunDiff,
  RunPairParams,
  RunPersonParams,
  StatementQuery,
} from './settlements.schemas.js';
import { anyDepartmentStatementHtml, anyPersonStatementHtml } from './statements.html.js';
import { departmentStatementOf, personStatementOf } from './statements.usecases.js';

/** The statements (个人绩效工资明细, 科室绩效核算表) as JSON or printable pages, and the comparison of two runs. */
export function registerStatementRoutes(app: App, deps: RouteDeps): void {
  setupPersonStatementRoute(app, deps);
  setupDepartmentStatementRoute(app, deps);
  setupDiffRoute(app, deps);
}

function setupPersonStatementRoute(app: App, { db, clock }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/individuals/:staffId/statement',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'getPersonStatement',
        tags: ['statements'],
        summary:
          "个人绩效工资明细 (a quarter) or 个人年终绩效工资明细 (a year-end): every component of one person's pay with the rule that produced it, its operands and the reasons a figure is zero or reduced, as JSON or a printable HTML page",
        params: RunPersonParams,
        querystring: StatementQuery,
        produces: ['application/json', 'text/html'],
        response: { 200: Type.Union([PersonStatementSchema, AnnualPersonStatementSchema, Type.String({ description: 'the printable page (format=html)' })]), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { statement, hospital, run } = await personStatementOf({ db, caller: callerOf(request) }, request.params.id, request.params.staffId);
      if (request.query.format === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .serializer(String)
          .send(anyPersonStatementHtml(statement, { lang: request.query.lang ?? 'zh', hospital, run, timeZone: timeZoneOf(clock), printedAt: clock.now() }));
      return statement;
    },
  );
}

function setupDepartmentStatementRoute(app: App, { db, clock }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/departments/:department/statement',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'getDepartmentStatement',
        tags: ['statements'],
        summary:
          "科室绩效核算表 (a quarter) or 科室年终绩效核算表 (a year-end): the tier-1 breakdown with each penalty's inputs and rule, and the tier-2 table of every person with a 合计 row, as JSON or a printable HTML page",
        params: RunDepartmentParams,
        querystring: StatementQuery,
        produces: ['application/json', 'text/html'],
        response: { 200: Type.Union([DepartmentStatementSchema, AnnualDepartmentStatementSchema, Type.String({ description: 'the printable page (format=html)' })]), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { statement, hospital, run } = await departmentStatementOf({ db, caller: callerOf(request) }, request.params.id, request.params.department);
      if (request.query.format === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .serializer(String)
          .send(anyDepartmentStatementHtml(statement, { lang: request.query.lang ?? 'zh', hospital, run, timeZone: timeZoneOf(clock), printedAt: clock.now() }));
      return statement;
    },
  );
}

function setupDiffRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/diff/:other',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'diffSettlements',
        tags: ['settlements'],
        summary: 'Compare two runs of a hospital: the amounts that changed (summary, departments, people) and the inputs that changed between them',
        description: 'Each change is {field, from, to}. A department head sees their departments and people only; finance sees no individual inputs.',
        params: RunPairParams,
        response: { 200: RunDiff, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => diffRuns({ db, caller: callerOf(request) }, request.params.id, request.params.other),
  );
}
