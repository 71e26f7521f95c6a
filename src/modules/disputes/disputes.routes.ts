import { DisputeSchema } from '../../core/schema.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import { Correction, DisputeHistory, DisputeList, DisputeListQuery, DisputeParams, FlagList, FlagQuery, WrittenDispute } from './disputes.schemas.js';
import { disputeHistory, flagsOf, listDisputes, writeDispute } from './disputes.usecases.js';

/** Medical disputes (disputes-and-awards.md): create, correct as a new version, list; the flags. */
export function registerDisputeRoutes(app: App, deps: RouteDeps): void {
  setupCreateDisputeRoute(app, deps);
  setupCorrectDisputeRoute(app, deps);
  setupListDisputesRoute(app, deps);
  setupDisputeHistoryRoute(app, deps);
  setupFlagsRoute(app, deps);
}

function setupCreateDisputeRoute(app: App, { db, clock }: RouteDeps): void {
  app.post(
    '/v1/hospitals/:code/disputes',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'createDispute',
        tags: ['disputes'],
        summary: "Book a medical dispute (医疗纠纷) in a quarter: its liability joins that quarter's fines",
        description: "The record as in the scenario document (disputes-and-awards.md §1). 409 when the quarter is closed or the id exists. The year's flags are derived again.",
        params: HospitalParams,
        body: DisputeSchema,
        response: { 201: WrittenDispute, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await writeDispute({ db, clock, caller: callerOf(request) }, request.params.code, request.body, { kind: 'create' })),
  );
}

function setupCorrectDisputeRoute(app: App, { db, clock }: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code/disputes/:disputeId',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        operationId: 'putDispute',
        tags: ['disputes'],
        summary: 'Correct a dispute: the whole record again, with a reason; stored as a new version (the old ones stay), audited',
        params: DisputeParams,
        body: Correction,
        response: { 200: WrittenDispute, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { reason, ...record } = request.body;
      return writeDispute({ db, clock, caller: callerOf(request) }, request.params.code, { ...record, id: request.params.disputeId }, { kind: 'correct', reason });
    },
  );
}

function setupListDisputesRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/disputes',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: {
        operationId: 'listDisputes',
        tags: ['disputes'],
        summary: 'The disputes (current versions, or every version with history=true), optionally of one year',
        params: HospitalParams,
        querystring: DisputeListQuery,
        response: { 200: DisputeList, ...errors(401, 404) },
      },
    },
    async (request) => ({ disputes: await listDisputes({ db }, request.params.code, request.query) }),
  );
}

function setupDisputeHistoryRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/disputes/:disputeId',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: { operationId: 'getDispute', tags: ['disputes'], summary: 'One dispute with every version', params: DisputeParams, response: { 200: DisputeHistory, ...errors(401, 404) } },
    },
    async (request) => disputeHistory({ db }, request.params.code, request.params.disputeId),
  );
}

function setupFlagsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/flags',
    {
      config: access(EVERY_ROLE, 'params'),
      schema: {
        operationId: 'listFlags',
        tags: ['disputes'],
        summary: 'The dispute flags per person (and department) and year: no_awards, grade_basic_pass, grade_fail, suspended, demerit, focused_monitoring',
        description: "Derived by the engine from the year's disputes whenever one is written. A department head sees their departments' people and departments.",
        params: HospitalParams,
        querystring: FlagQuery,
        response: { 200: FlagList, ...errors(401, 404) },
      },
    },
    async (request) => ({ flags: await flagsOf({ db, caller: callerOf(request) }, request.params.code, request.query) }),
  );
}
