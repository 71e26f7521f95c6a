import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import {
  DefectHistory,
  DefectList,
  DefectListQuery,
  DefectParams,
  DefectVersion,
  DepartmentCorrection,
  DepartmentDefectSchema,
  DepartmentLineage,
  LineageDepartmentParams,
  LineageStaffParams,
  PersonalCorrection,
  PersonalDefectSchema,
  PersonLineage,
  ScorecardVersionList,
  ValueBody,
  ValueList,
  ValueParams,
  ValuesBody,
  ValuesQuery,
  ValuesWritten,
  WithdrawBody,
} from './assessment.schemas.js';
import { defectHistory, listDefects, listScorecards, listValues, putValues, writeDefect } from './assessment.usecases.js';
import { departmentLineage, personLineage } from './lineage.js';
import { registerAppealRoutes } from './appeals.routes.js';
import { registerTemplateRoutes } from './template.routes.js';

/** The assessment (assessment.md): scorecards, indicator values, department and personal defects, and the lineage of a run's figures. */
export function registerAssessmentRoutes(app: App, deps: RouteDeps): void {
  setupScorecardsRoute(app, deps);
  setupPutValueRoute(app, deps);
  setupPutValuesRoute(app, deps);
  setupListValuesRoute(app, deps);
  setupDepartmentDefectRoutes(app, deps);
  setupPersonalDefectRoutes(app, deps);
  setupDepartmentLineageRoute(app, deps);
  setupPersonLineageRoute(app, deps);
  registerAppealRoutes(app, deps);
  registerTemplateRoutes(app, deps);
}

/** The admin and the assessors write (an assessor its offices' leaves and defects only); an assessor reads its own entries. */
const WRITERS = ['admin', 'assessor'] as const;
const READERS = ['admin', 'finance', 'auditor', 'assessor'] as const;

function setupScorecardsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/scorecards',
    {
      config: access(READERS, 'params'),
      schema: {
        operationId: 'listScorecards',
        tags: ['assessment'],
        summary: 'Every version of the scorecards (考核方案), oldest first: each in force from its quarter on, with the functional departments that own its leaves',
        params: HospitalParams,
        response: { 200: ScorecardVersionList, ...errors(401, 404) },
      },
    },
    async (request) => ({ versions: await listScorecards({ db }, request.params.code) }),
  );
}

function setupPutValueRoute(app: App, { db, clock }: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/assessment/values/:indicator/:department/:period',
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: 'putIndicatorValue',
        tags: ['assessment'],
        summary: "One leaf's value for a department and cadence period (YYYY-MM, YYYYQn or YYYY), with who and when; audited",
        description:
          'Checked by the engine’s rules against the scorecard in force for its quarter (400 naming the field). 409 when the quarter (or year) is closed. An assessor writes only the leaves its offices own (403).',
        params: ValueParams,
        body: ValueBody,
        response: { 200: ValuesWritten, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { code, ...key } = request.params;
      return putValues({ db, clock, caller: callerOf(request) }, code, [{ ...key, value: request.body.value }]);
    },
  );
}

function setupPutValuesRoute(app: App, { db, clock }: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/assessment/values',
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: 'putIndicatorValues',
        tags: ['assessment'],
        summary: 'Many values at once, all or nothing: each checked, those that differ written with who and when, one audit event',
        description:
          'An error names the record (`values[3].value`); a value of a closed quarter (or year) that would change is a 409, a leaf an assessor’s offices do not own a 403 (`values[3].indicator`), and nothing is written.',
        params: HospitalParams,
        body: ValuesBody,
        response: { 200: ValuesWritten, ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => putValues({ db, clock, caller: callerOf(request) }, request.params.code, request.body.values, (i) => `values[${i}]`),
  );
}

function setupListValuesRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/assessment/values',
    {
      config: access(READERS, 'params'),
      schema: {
        operationId: 'listIndicatorValues',
        tags: ['assessment'],
        summary: 'The stored values, optionally of one month, quarter or year and one department, with who wrote each and when (an assessor: its offices’ leaves)',
        params: HospitalParams,
        querystring: ValuesQuery,
        response: { 200: ValueList, ...errors(401, 404) },
      },
    },
    async (request) => ({ values: await listValues({ db, caller: callerOf(request) }, request.params.code, request.query) }),
  );
}

/** Book, correct, withdraw, list and read the defects of one register (department or personal). */
function setupDefectRoutes(
  app: App,
  { db, clock }: RouteDeps,
  spec: {
    kind: 'department' | 'personal';
    record: typeof DepartmentDefectSchema | typeof PersonalDefectSchema;
    correction: typeof DepartmentCorrection | typeof PersonalCorrection;
    name: string;
    label: string;
  },
): void {
  const { kind, name, label } = spec;
  const base = `/v1/hospitals/:code/assessment/${kind}-defects`;
  app.post(
    base,
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: `book${name}Defect`,
        tags: ['assessment'],
        summary: `Book a ${label} defect (缺陷扣分登记): who booked it and when are kept; audited`,
        description:
          'The record as in the scenario (assessment.md §1.4), checked by the engine’s rules (400 naming the field). 409 when the quarter of its month is closed or the id exists. An assessor books only with one of its offices as `owner` (403).',
        params: HospitalParams,
        body: spec.record,
        response: { 201: DefectVersion, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await writeDefect({ db, clock, caller: callerOf(request) }, request.params.code, kind, request.body.id, { kind: 'book' }, request.body)),
  );
  app.post(
    `${base}/:defectId/correct`,
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: `correct${name}Defect`,
        tags: ['assessment'],
        summary: `Correct a ${label} defect: the whole record again with a reason, stored as a new version (the old ones stay); audited`,
        description: 'An assessor corrects only its offices’ defects, and keeps one of them as `owner` (403). A defect overturned on appeal cannot change (409).',
        params: DefectParams,
        body: spec.correction,
        response: { 200: DefectVersion, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { reason, ...record } = request.body;
      return writeDefect(
        { db, clock, caller: callerOf(request) },
        request.params.code,
        kind,
        request.params.defectId,
        { kind: 'correct', reason },
        {
          ...record,
          id: request.params.defectId,
        },
      );
    },
  );
  app.post(
    `${base}/:defectId/withdraw`,
    {
      config: access(WRITERS, 'params'),
      schema: {
        operationId: `withdraw${name}Defect`,
        tags: ['assessment'],
        summary: `Withdraw a ${label} defect with a reason: a new version that no longer counts (nothing is deleted); audited`,
        description: 'An assessor withdraws only its offices’ defects (403).',
        params: DefectParams,
        body: WithdrawBody,
        response: { 200: DefectVersion, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => writeDefect({ db, clock, caller: callerOf(request) }, request.params.code, kind, request.params.defectId, { kind: 'withdraw', reason: request.body.reason }),
  );
  app.get(
    base,
    {
      config: access(READERS, 'params'),
      schema: {
        operationId: `list${name}Defects`,
        tags: ['assessment'],
        summary: `The ${label} defects (current versions, or every version with history=true), optionally of one quarter's or year's months (an assessor: its offices' defects)`,
        params: HospitalParams,
        querystring: DefectListQuery,
        response: { 200: DefectList, ...errors(401, 404) },
      },
    },
    async (request) => ({ defects: await listDefects({ db, caller: callerOf(request) }, request.params.code, kind, request.query) }),
  );
  app.get(
    `${base}/:defectId`,
    {
      config: access(READERS, 'params'),
      schema: { operationId: `get${name}Defect`, tags: ['assessment'], summary: `One ${label} defect with every version`, params: DefectParams, response: { 200: DefectHistory, ...errors(401, 404) } },
    },
    async (request) => defectHistory({ db, caller: callerOf(request) }, request.params.code, kind, request.params.defectId),
  );
}

function setupDepartmentDefectRoutes(app: App, deps: RouteDeps): void {
  setupDefectRoutes(app, deps, {
    kind: 'department',
    record: DepartmentDefectSchema,
    correction: DepartmentCorrection,
    name: 'Department',
    label: 'department',
  });
}

function setupPersonalDefectRoutes(app: App, deps: RouteDeps): void {
  setupDefectRoutes(app, deps, {
    kind: 'personal',
    record: PersonalDefectSchema,
    correction: PersonalCorrection,
    name: 'Personal',
    label: 'personal',
  });
}

function setupDepartmentLineageRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/assessment/departments/:department',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'departmentAssessmentLineage',
        tags: ['assessment'],
        summary: "Where a department's assessed figures in a run came from: the defects behind its quality, ethics and admin deductions, the values and defects behind its score and assessment factor",
        description:
          'Read from the run’s stored assessment and its own inputs (the records exactly as it settled them). 404 for a run without an assessment. A department head reads their departments.',
        params: LineageDepartmentParams,
        response: { 200: DepartmentLineage, ...errors(401, 403, 404) },
      },
    },
    async (request) => departmentLineage({ db, caller: callerOf(request) }, request.params.id, request.params.department),
  );
}

function setupPersonLineageRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/assessment/staff/:staffId',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'personAssessmentLineage',
        tags: ['assessment'],
        summary: "Where a person's assessed figures in a run came from: the defects behind their errors, accident and ethics points",
        description: 'A department head reads their departments’ people (another’s is a 404).',
        params: LineageStaffParams,
        response: { 200: PersonLineage, ...errors(401, 404) },
      },
    },
    async (request) => personLineage({ db, caller: callerOf(request) }, request.params.id, request.params.staffId),
  );
}
