import { callerOf, rawParam, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import type { SettlementQueue } from './settlements.queue.js';
import { personLineOf } from './settlements.repository.js';
import { ApproveBody, DepartmentResult, PersonLine, RunDepartmentParams, RunList, RunListQuery, RunParams, RunPersonParams, RunView, TriggerBody } from './settlements.schemas.js';
import { serializerWithDocument } from '../../shared/serialize.js';
import { approveSettlement, departmentResult, listSettlements, personLine, readSettlement, requestSettlement } from './settlements.usecases.js';

export type SettlementRouteDeps = RouteDeps & { queue: SettlementQueue };

/** A run's answer: its fields from the schema, its result document (10,000 lines) as JSON (shared/serialize.ts). */
const serializeRunView = serializerWithDocument(RunView, 'result');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Settlement runs: ask for one, list, read (with its result), approve; a department's and a person's lines. */
export function registerSettlementRoutes(app: App, deps: SettlementRouteDeps): void {
  setupTriggerRoute(app, deps);
  setupListRunsRoute(app, deps);
  setupReadRunRoute(app, deps);
  setupApproveRoute(app, deps);
  setupDepartmentLinesRoute(app, deps);
  setupPersonLineRoute(app, deps);
}

function setupTriggerRoute(app: App, deps: SettlementRouteDeps): void {
  app.post(
    '/v1/hospitals/:code/settlements',
    {
      config: access(['admin', 'finance'], 'params'),
      serializerCompiler: serializeRunView,
      schema: {
        operationId: 'requestSettlement',
        tags: ['settlements'],
        summary: 'Settle a quarter (2026Q1) or a year-end (2026)',
        description:
          'Queues a run (202). While a run of that period is queued or running, returns that run (200) instead of a second one. ' +
          'When the latest succeeded run of the period was settled from exactly the inputs, scheme and opening bank stored now (its input fingerprint still matches), ' +
          'returns that run (200) instead of computing the same result again; `"force": true` queues a new run anyway. ' +
          'A closed period (its run, or its year-end, approved) returns its approved run (200) while that run still matches the stored inputs; ' +
          'a new run of a closed period is refused, `"force": true` included (409 period_closed).',
        params: HospitalParams,
        body: TriggerBody,
        response: { 200: RunView, 202: RunView, ...errors(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { run, created } = await requestSettlement({ ...deps, caller: callerOf(request) }, request.params.code, request.body.period, { force: request.body.force });
      return reply.status(created ? 202 : 200).send(run);
    },
  );
}

function setupListRunsRoute(app: App, deps: SettlementRouteDeps): void {
  app.get(
    '/v1/hospitals/:code/settlements',
    {
      config: access(EVERY_ROLE, 'params'),
      schema: {
        operationId: 'listSettlements',
        tags: ['settlements'],
        summary: 'The settlement runs of a hospital, newest first',
        params: HospitalParams,
        querystring: RunListQuery,
        response: { 200: RunList, ...errors(401, 404) },
      },
    },
    async (request) => ({ runs: await listSettlements(deps, request.params.code, request.query.period) }),
  );
}

function setupReadRunRoute(app: App, deps: SettlementRouteDeps): void {
  app.get(
    '/v1/settlements/:id',
    {
      config: access(EVERY_ROLE, 'run'),
      serializerCompiler: serializeRunView,
      schema: {
        operationId: 'getSettlement',
        tags: ['settlements'],
        summary: 'A settlement run, with its result (contract.md §2) once it has succeeded',
        params: RunParams,
        response: { 200: RunView, ...errors(401, 404) },
      },
    },
    async (request) => readSettlement({ ...deps, caller: callerOf(request) }, request.params.id),
  );
}

function setupApproveRoute(app: App, deps: SettlementRouteDeps): void {
  app.post(
    '/v1/settlements/:id/approve',
    {
      config: access(['admin'], 'run'),
      serializerCompiler: serializeRunView,
      schema: {
        operationId: 'approveSettlement',
        tags: ['settlements'],
        summary: 'Approve a succeeded run: closes the period; the next quarter carries its bank',
        description:
          'While a department disputes the run, or an appeal of a defect of its period is undecided (409 open_appeals), approval needs an `overrideReason`, which is audited. A run whose inputs changed since it ran is stale (409).',
        params: RunParams,
        body: ApproveBody,
        response: { 200: RunView, ...errors(401, 404, 409) },
      },
    },
    async (request) => approveSettlement({ ...deps, caller: callerOf(request) }, request.params.id, request.body?.overrideReason),
  );
}

function setupDepartmentLinesRoute(app: App, deps: SettlementRouteDeps): void {
  app.get(
    '/v1/settlements/:id/departments/:department',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'getDepartmentResult',
        tags: ['settlements'],
        summary: "A department's line and its people's lines in a quarterly run",
        params: RunDepartmentParams,
        response: { 200: DepartmentResult, ...errors(401, 403, 404) },
      },
    },
    async (request) => departmentResult({ ...deps, caller: callerOf(request) }, request.params.id, request.params.department),
  );
}

function setupPersonLineRoute(app: App, deps: SettlementRouteDeps): void {
  app.get(
    '/v1/settlements/:id/individuals/:staffId',
    {
      // the common case's one query starts together with the key's lookup
      config: {
        ...access(EVERY_ROLE, 'run'),
        prefetch: (request) => {
          const id = rawParam(request, 'id') ?? '';
          return UUID.test(id) ? personLineOf(deps.db, id, rawParam(request, 'staffId') ?? '') : Promise.resolve(null);
        },
      },
      schema: {
        operationId: 'getPersonLine',
        tags: ['settlements'],
        summary: "One person's line with every component of their pay (why this amount)",
        params: RunPersonParams,
        response: { 200: PersonLine, ...errors(401, 404) },
      },
    },
    async (request) => personLine({ ...deps, caller: callerOf(request) }, request.params.id, request.params.staffId, (request.prefetched ?? undefined) as ReturnType<typeof personLineOf> | undefined),
  );
}
