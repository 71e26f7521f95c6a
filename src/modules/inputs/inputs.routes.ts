import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AnnualSchema, DepartmentInputSchema, DepartmentSchema, IndividualInputSchema, PeriodSchema, StaffSchema } from '../../core/schema.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { MERGE_PATCH } from '../../shared/patch.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access, REGISTER_READERS } from '../access/access.js';
import { putDepartmentInputsBulk, putDepartmentsBulk, putIndividualInputsBulk, putStaffBulk } from './bulk.usecases.js';
import {
  AnnualBody,
  BULK_DESCRIPTION,
  BulkResult,
  bulkBody,
  DepartmentBody,
  DepartmentInputBody,
  DepartmentInputParams,
  DepartmentInputPatch,
  DepartmentList,
  DepartmentParams,
  DepartmentPatch,
  IndividualInputBody,
  IndividualInputPatch,
  IndividualParams,
  PATCH_DESCRIPTION,
  PeriodParams,
  QuarterBody,
  QuarterPatch,
  QuarterView,
  SchemeBody,
  SchemeParams,
  SchemeVersion,
  SchemeVersions,
  StaffBody,
  StaffList,
  StaffParams,
  StaffPatch,
  StaffRecord,
  StreamResult,
  YearParams,
} from './inputs.schemas.js';
import {
  annualOf,
  departmentsOf,
  getIndividualInput,
  periodOf,
  removeDepartmentInput,
  removeIndividualInput,
  schemeVersionsOf,
  setAnnual,
  setDepartment,
  setDepartmentInput,
  setIndividualInput,
  setQuarter,
  setSchemeVersion,
  setStaff,
  staffOf,
  type WriteDeps,
} from './inputs.usecases.js';
import { ingestStream, NDJSON, readStream } from './stream.usecases.js';

type InputRouteDeps = RouteDeps & { bodyLimit: number };

/**
 * What the engine settles, pushed as it arrives: the scheme, departments, staff, each quarter's
 * hospital figures, department and individual inputs, and the year-end's; record by record (PUT
 * replaces, PATCH merges), in bulk, or as an NDJSON stream. Every write is one transaction,
 * validated as the engine will read it, audited, and refused once its period is closed.
 */
export function registerInputRoutes(app: App, deps: InputRouteDeps): void {
  setupListSchemeVersionsRoute(app, deps);
  setupPutSchemeVersionRoute(app, deps);
  setupListDepartmentsRoute(app, deps);
  setupPutDepartmentRoute(app, deps);
  setupPatchDepartmentRoute(app, deps);
  setupPutDepartmentsRoute(app, deps);
  setupListStaffRoute(app, deps);
  setupPutStaffMemberRoute(app, deps);
  setupPatchStaffRoute(app, deps);
  setupPutStaffRoute(app, deps);
  setupGetQuarterInputsRoute(app, deps);
  setupPutQuarterRoute(app, deps);
  setupPatchQuarterRoute(app, deps);
  setupPutDepartmentInputRoute(app, deps);
  setupPatchDepartmentInputRoute(app, deps);
  setupPutDepartmentInputsRoute(app, deps);
  setupRemoveDepartmentInputRoute(app, deps);
  setupPutIndividualInputRoute(app, deps);
  setupPatchIndividualInputRoute(app, deps);
  setupPutIndividualInputsRoute(app, deps);
  setupGetIndividualInputRoute(app, deps);
  setupRemoveIndividualInputRoute(app, deps);
  setupGetAnnualInputsRoute(app, deps);
  setupPutAnnualInputsRoute(app, deps);
  setupStreamRoute(app, deps);
}

const writer = (deps: RouteDeps, request: Parameters<typeof callerOf>[0]): WriteDeps => ({ db: deps.db, clock: deps.clock, caller: callerOf(request) });
const reader = (deps: RouteDeps, request: Parameters<typeof callerOf>[0]) => ({ db: deps.db, caller: callerOf(request) });
const patchBody = { consumes: ['application/json', MERGE_PATCH] };

function setupListSchemeVersionsRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/scheme-versions',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: {
        operationId: 'listSchemeVersions',
        tags: ['hospitals'],
        summary: 'The scheme versions, each effective from a quarter on',
        params: HospitalParams,
        response: { 200: SchemeVersions, ...errors(401, 404) },
      },
    },
    async (request) => ({ versions: await schemeVersionsOf(deps, request.params.code) }),
  );
}

function setupPutSchemeVersionRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/scheme-versions/:effectiveFrom',
    {
      config: access(['admin'], 'params'),
      schema: {
        operationId: 'putSchemeVersion',
        tags: ['hospitals'],
        summary: 'Set the scheme parameters (overrides of the defaults) effective from a quarter on',
        params: SchemeParams,
        body: SchemeBody,
        response: { 200: SchemeVersion, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => setSchemeVersion(writer(deps, request), request.params.code, request.params.effectiveFrom, request.body.parameters),
  );
}

function setupListDepartmentsRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/departments',
    {
      config: access(REGISTER_READERS, 'params'),
      schema: { operationId: 'listDepartments', tags: ['hospitals'], summary: 'The departments', params: HospitalParams, response: { 200: DepartmentList, ...errors(401, 404) } },
    },
    async (request) => ({ departments: await departmentsOf(deps, request.params.code) }),
  );
}

function setupPutDepartmentRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/departments/:department',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putDepartment',
        tags: ['hospitals'],
        summary: 'Create or replace a department (科室): the whole record',
        params: DepartmentParams,
        body: DepartmentBody,
        response: { 200: DepartmentSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => setDepartment(writer(deps, request), request.params.code, request.params.department, { kind: 'replace', record: request.body }),
  );
}

function setupPatchDepartmentRoute(app: App, deps: RouteDeps): void {
  app.patch(
    '/v1/hospitals/:code/departments/:department',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'patchDepartment',
        tags: ['hospitals'],
        summary: 'Change some fields of a department (a JSON merge patch: the fields named; null removes one)',
        description: PATCH_DESCRIPTION,
        ...patchBody,
        params: DepartmentParams,
        body: DepartmentPatch,
        response: { 200: DepartmentSchema, ...errors(400, 401, 404, 415) },
      },
    },
    async (request) => setDepartment(writer(deps, request), request.params.code, request.params.department, { kind: 'merge', patch: request.body }),
  );
}

function setupPutDepartmentsRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/departments',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putDepartments',
        tags: ['hospitals'],
        summary: 'Create or replace many departments (科室) at once',
        description: BULK_DESCRIPTION,
        params: HospitalParams,
        body: bulkBody(DepartmentSchema, ['code']),
        response: { 200: BulkResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => putDepartmentsBulk(writer(deps, request), request.params.code, request.body),
  );
}

function setupListStaffRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/staff',
    {
      config: access(REGISTER_READERS, 'params'),
      schema: {
        operationId: 'listStaff',
        tags: ['hospitals'],
        summary: 'The staff (a department head: their departments’ people)',
        params: HospitalParams,
        response: { 200: StaffList, ...errors(401, 404) },
      },
    },
    async (request) => ({ staff: await staffOf(reader(deps, request), request.params.code) }),
  );
}

function setupPutStaffMemberRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/staff/:staffId',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putStaffMember',
        tags: ['hospitals'],
        summary: 'Create or replace a staff member: the whole record',
        params: StaffParams,
        body: StaffBody,
        response: { 200: StaffSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => setStaff(writer(deps, request), request.params.code, request.params.staffId, { kind: 'replace', record: request.body }),
  );
}

function setupPatchStaffRoute(app: App, deps: RouteDeps): void {
  app.patch(
    '/v1/hospitals/:code/staff/:staffId',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'patchStaff',
        tags: ['hospitals'],
        summary: 'Change some fields of a staff member (a JSON merge patch)',
        description: PATCH_DESCRIPTION,
        ...patchBody,
        params: StaffParams,
        body: StaffPatch,
        response: { 200: StaffSchema, ...errors(400, 401, 404, 415) },
      },
    },
    async (request) => setStaff(writer(deps, request), request.params.code, request.params.staffId, { kind: 'merge', patch: request.body }),
  );
}

function setupPutStaffRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/staff',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putStaff',
        tags: ['hospitals'],
        summary: 'Create or replace many staff members at once',
        description: BULK_DESCRIPTION,
        params: HospitalParams,
        body: bulkBody(StaffRecord, ['id']),
        response: { 200: BulkResult, ...errors(400, 401, 404) },
      },
    },
    async (request) => putStaffBulk(writer(deps, request), request.params.code, request.body),
  );
}

function setupGetQuarterInputsRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/periods/:period',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: {
        operationId: 'getQuarterInputs',
        tags: ['inputs'],
        summary: "A quarter's inputs, as in the scenario document (for finance, without the individual records)",
        params: PeriodParams,
        response: { 200: PeriodSchema, ...errors(401, 404) },
      },
    },
    async (request) => periodOf(reader(deps, request), request.params.code, request.params.period),
  );
}

function setupPutQuarterRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/periods/:period',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putQuarter',
        tags: ['inputs'],
        summary: "A quarter's hospital figures: revenue, working days, adjustment (the whole record)",
        params: PeriodParams,
        body: QuarterBody,
        response: { 200: QuarterView, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => setQuarter(writer(deps, request), request.params.code, request.params.period, { kind: 'replace', record: request.body }),
  );
}

function setupPatchQuarterRoute(app: App, deps: RouteDeps): void {
  app.patch(
    '/v1/hospitals/:code/periods/:period',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'patchQuarter',
        tags: ['inputs'],
        summary: "Change some of a quarter's hospital figures (a JSON merge patch)",
        description: PATCH_DESCRIPTION,
        ...patchBody,
        params: PeriodParams,
        body: QuarterPatch,
        response: { 200: QuarterView, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => setQuarter(writer(deps, request), request.params.code, request.params.period, { kind: 'merge', patch: request.body }),
  );
}

function setupPutDepartmentInputRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putDepartmentInput',
        tags: ['inputs'],
        summary: "Create or replace a department's inputs for a quarter: the whole record",
        description:
          "The record replaces the stored one whole: fields left out are gone. A clinical department's record needs workload, medicalRevenue and totalCost (400 naming what is missing). To change some fields only, PATCH.",
        params: DepartmentInputParams,
        body: DepartmentInputBody,
        response: { 200: DepartmentInputSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => setDepartmentInput(writer(deps, request), request.params.code, request.params.period, request.params.department, { kind: 'replace', record: request.body }),
  );
}

function setupPatchDepartmentInputRoute(app: App, deps: RouteDeps): void {
  app.patch(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'patchDepartmentInput',
        tags: ['inputs'],
        summary: "Change some of a department's inputs for a quarter (a JSON merge patch)",
        description: PATCH_DESCRIPTION,
        ...patchBody,
        params: DepartmentInputParams,
        body: DepartmentInputPatch,
        response: { 200: DepartmentInputSchema, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => setDepartmentInput(writer(deps, request), request.params.code, request.params.period, request.params.department, { kind: 'merge', patch: request.body }),
  );
}

function setupPutDepartmentInputsRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/periods/:period/departments',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putDepartmentInputs',
        tags: ['inputs'],
        summary: "Create or replace many departments' inputs for a quarter at once",
        description: BULK_DESCRIPTION,
        params: PeriodParams,
        body: bulkBody(DepartmentInputSchema, ['code']),
        response: { 200: BulkResult, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => putDepartmentInputsBulk(writer(deps, request), request.params.code, request.params.period, request.body),
  );
}

function setupRemoveDepartmentInputRoute(app: App, deps: RouteDeps): void {
  app.delete(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'removeDepartmentInput',
        tags: ['inputs'],
        summary: "Remove a department's inputs for a quarter",
        params: DepartmentInputParams,
        response: { 204: Type.Null(), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeDepartmentInput(writer(deps, request), request.params.code, request.params.period, request.params.department);
      return reply.status(204).send(null);
    },
  );
}

function setupPutIndividualInputRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    {
      config: access(['admin', 'dept_head'], 'params'),
      schema: {
        operationId: 'putIndividualInput',
        tags: ['inputs'],
        summary: "Create or replace a person's individual (tier-2) inputs for a quarter: the whole record",
        description: 'The record replaces the stored one whole: a field left out takes its default (allocation-rules §2), it does not keep the stored value. To change some fields only, PATCH.',
        params: IndividualParams,
        body: IndividualInputBody,
        response: { 200: IndividualInputSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => setIndividualInput(writer(deps, request), request.params.code, request.params.period, request.params.staffId, { kind: 'replace', record: request.body }),
  );
}

function setupPatchIndividualInputRoute(app: App, deps: RouteDeps): void {
  app.patch(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    {
      config: access(['admin', 'dept_head'], 'params'),
      schema: {
        operationId: 'patchIndividualInput',
        tags: ['inputs'],
        summary: "Change some of a person's individual (tier-2) inputs for a quarter (a JSON merge patch)",
        description: PATCH_DESCRIPTION,
        ...patchBody,
        params: IndividualParams,
        body: IndividualInputPatch,
        response: { 200: IndividualInputSchema, ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => setIndividualInput(writer(deps, request), request.params.code, request.params.period, request.params.staffId, { kind: 'merge', patch: request.body }),
  );
}

function setupPutIndividualInputsRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/periods/:period/individuals',
    {
      config: access(['admin', 'dept_head'], 'params'),
      schema: {
        operationId: 'putIndividualInputs',
        tags: ['inputs'],
        summary: "Create or replace many people's individual (tier-2) inputs for a quarter at once",
        description: `${BULK_DESCRIPTION} A department head may send their departments' people only.`,
        params: PeriodParams,
        body: bulkBody(IndividualInputSchema, ['staffId']),
        response: { 200: BulkResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => putIndividualInputsBulk(writer(deps, request), request.params.code, request.params.period, request.body),
  );
}

function setupGetIndividualInputRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    {
      config: access(['admin', 'dept_head', 'auditor'], 'params'),
      schema: {
        operationId: 'getIndividualInput',
        tags: ['inputs'],
        summary: "A person's individual (tier-2) inputs for a quarter",
        params: IndividualParams,
        response: { 200: IndividualInputSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => getIndividualInput(reader(deps, request), request.params.code, request.params.period, request.params.staffId),
  );
}

function setupRemoveIndividualInputRoute(app: App, deps: RouteDeps): void {
  app.delete(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    {
      config: access(['admin', 'dept_head'], 'params'),
      schema: {
        operationId: 'removeIndividualInput',
        tags: ['inputs'],
        summary: "Remove a person's individual inputs for a quarter (defaults then apply)",
        params: IndividualParams,
        response: { 204: Type.Null(), ...errors(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeIndividualInput(writer(deps, request), request.params.code, request.params.period, request.params.staffId);
      return reply.status(204).send(null);
    },
  );
}

function setupGetAnnualInputsRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/annual/:year',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: { operationId: 'getAnnualInputs', tags: ['inputs'], summary: 'The year-end inputs', params: YearParams, response: { 200: AnnualSchema, ...errors(401, 404) } },
    },
    async (request) => annualOf(deps, request.params.code, request.params.year),
  );
}

function setupPutAnnualInputsRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/annual/:year',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putAnnualInputs',
        tags: ['inputs'],
        summary: 'Set the year-end inputs: annual adjustment, assessment factors, failed staff',
        params: YearParams,
        body: AnnualBody,
        response: { 200: AnnualSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => setAnnual(writer(deps, request), request.params.code, request.params.year, request.body),
  );
}

function setupStreamRoute(app: App, deps: InputRouteDeps): void {
  // only this route reads NDJSON: on any other route that content type is a 415
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));
    scope.post(
      '/v1/hospitals/:code/periods/:period/stream',
      {
        config: access(['admin', 'finance'], 'params'),
        schema: {
          operationId: 'streamInputs',
          tags: ['inputs'],
          summary: 'A large push of inputs as an NDJSON stream (application/x-ndjson), all or nothing',
          description:
            'One JSON object a line: `{"type": "department" | "staff" | "departmentInput" | "individual" | "indicatorValue" | "departmentDefect" | "personalDefect", "record": {…}}`, each record as in the scenario document (the assessment’s as in its `assessment` key); departmentInput and individual records belong to the quarter in the path, and so do indicator values (a yearly leaf’s: its year) and defects’ months. ' +
            'A record replaces the stored one whole; a line with `"mode": "merge"` carries a JSON merge patch over the stored record instead (only the fields it names change). ' +
            'The lines are read as they arrive and checked one by one; then departments, staff, department inputs and individual inputs are written, in that order, in one transaction. ' +
            'Send it with Idempotency-Key to make a retry safe: the key is claimed once the whole stream has been read. A 400 names every invalid line by its number and field (`lines[n].record.workloadScore`, lines counted from 1). Individual and assessment lines need an admin key (403 otherwise); an assessment line is a whole record (a defect that differs from its current version is corrected, reason `stream`). At most 200,000 lines.',
          consumes: [NDJSON],
          params: PeriodParams,
          response: { 200: StreamResult, ...errors(400, 401, 404, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const parsed = await readStream(request.body, deps.bodyLimit);
        // a replay answers what the first request answered, whatever its status
        const replay = await app.claimStreamed(request, parsed.sha256);
        if (replay)
          return reply
            .header('idempotent-replayed', 'true')
            .code(replay.status as 200)
            .send(replay.response as never);
        return ingestStream(writer(deps, request), request.params.code, request.params.period, parsed);
      },
    );
  });
}
