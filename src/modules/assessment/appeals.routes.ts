import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access } from '../access/access.js';
import { appealOf, appealsOf, decideAppeal, departmentRegister, fileAppeal } from './appeals.usecases.js';
import {
  AppealBody,
  AppealList,
  AppealParams,
  AppealSchema,
  AppealsQuery,
  AppealWithDefect,
  DecisionBody,
  DefectParams,
  DepartmentRegister,
  DepartmentRegisterParams,
  DepartmentRegisterQuery,
} from './assessment.schemas.js';

/** Appeals (申诉) of assessment defects: a department head files, an admin decides, both with a reason. */
export function registerAppealRoutes(app: App, deps: RouteDeps): void {
  setupFileAppealRoute(app, deps, 'department', 'Department');
  setupFileAppealRoute(app, deps, 'personal', 'Personal');
  setupDecideAppealRoute(app, deps);
  setupListAppealsRoute(app, deps);
  setupGetAppealRoute(app, deps);
  setupDepartmentRegisterRoute(app, deps);
}

const READERS = ['admin', 'finance', 'auditor', 'dept_head'] as const;

function setupFileAppealRoute(app: App, { db, clock }: RouteDeps, kind: 'department' | 'personal', name: string): void {
  app.post(
    `/v1/hospitals/:code/assessment/${kind}-defects/:defectId/appeals`,
    {
      config: access(['dept_head'], 'params'),
      schema: {
        operationId: `appeal${name}Defect`,
        tags: ['assessment'],
        summary: `Appeal (申诉) a ${kind} defect booked against your department${kind === 'personal' ? '’s people' : ''}, with a reason; audited`,
        description:
          'A department head appeals a counting defect of an open quarter (another department’s is a 404). One open appeal a defect (409 appeal_open); a withdrawn or overturned defect is a 409 not_counting; a closed quarter a 409 period_closed. While the appeal is open, its quarter’s runs warn of it and approving one needs an overrideReason.',
        params: DefectParams,
        body: AppealBody,
        response: { 201: AppealWithDefect, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await fileAppeal({ db, clock, caller: callerOf(request) }, request.params.code, kind, request.params.defectId, request.body.reason)),
  );
}

function setupDecideAppealRoute(app: App, { db, clock }: RouteDeps): void {
  app.post(
    '/v1/hospitals/:code/assessment/appeals/:appealId/decision',
    {
      config: access(['admin'], 'params'),
      schema: {
        operationId: 'decideAppeal',
        tags: ['assessment'],
        summary: 'Uphold or overturn an open appeal, with a reason; overturned, the defect gets a new version that no longer counts; audited',
        description: 'A decided appeal is a 409 already_decided; overturning a defect of a closed quarter a 409 period_closed.',
        params: AppealParams,
        body: DecisionBody,
        response: { 200: AppealWithDefect, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => decideAppeal({ db, clock, caller: callerOf(request) }, request.params.code, request.params.appealId, request.body.decision, request.body.reason),
  );
}

function setupListAppealsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/appeals',
    {
      config: access(READERS, 'params'),
      schema: {
        operationId: 'listAppeals',
        tags: ['assessment'],
        summary: 'The appeals, oldest first, optionally of one status (status=open: the admin’s queue); a department head sees their departments’',
        params: HospitalParams,
        querystring: AppealsQuery,
        response: { 200: AppealList, ...errors(401, 404) },
      },
    },
    async (request) => ({ appeals: await appealsOf({ db, caller: callerOf(request) }, request.params.code, request.query.status) }),
  );
}

function setupGetAppealRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/appeals/:appealId',
    {
      config: access(READERS, 'params'),
      schema: { operationId: 'getAppeal', tags: ['assessment'], summary: 'One appeal with its decision', params: AppealParams, response: { 200: AppealSchema, ...errors(401, 404) } },
    },
    async (request) => appealOf({ db, caller: callerOf(request) }, request.params.code, request.params.appealId),
  );
}

function setupDepartmentRegisterRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/departments/:department',
    {
      config: access(READERS, 'params'),
      schema: {
        operationId: 'departmentAssessmentRegister',
        tags: ['assessment'],
        summary: "A department's assessment in a quarter (or year): its values, the defects booked against it and its people, and their appeals",
        description: 'What a department head reads to see their scorecard’s entries and appeal a defect before the quarter is settled; another department is a 403 for them.',
        params: DepartmentRegisterParams,
        querystring: DepartmentRegisterQuery,
        response: { 200: DepartmentRegister, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => departmentRegister({ db, caller: callerOf(request) }, request.params.code, request.params.department, request.query.quarter),
  );
}
