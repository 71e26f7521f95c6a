import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DisputeSchema } from '../../core/schema.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import { access } from '../../plugins/access.js';
import { AnyObject, HospitalParams, HospitalCode, errors } from '../../shared/schemas.js';
import { findHospital, listStaff } from '../inputs/inputs.repository.js';
import { disputeHistory, flagsOf, listDisputes, writeDispute } from './disputes.usecases.js';

const Correction = Type.Object(
  { ...Type.Omit(DisputeSchema, ['id']).properties, reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why the record is corrected (audited)' }) },
  { additionalProperties: false },
);
const Year = Type.Integer({ minimum: 1900, maximum: 9999 });

/** Medical disputes (disputes-and-awards.md): create, correct as a new version, list; the flags. */
export function disputeRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  const { db, now } = deps;
  const hospitalOf = async (code: string) => {
    const h = await findHospital(db, code);
    if (!h) throw notFound(`hospital ${code}`);
    return h;
  };
  const ctx = (request: { actor: string; id: string }) => ({ db, now, ctx: { actor: request.actor, requestId: request.id } });

  app.post(
    '/v1/hospitals/:code/disputes',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['disputes'],
        summary: 'Book a medical dispute (医疗纠纷) in a quarter: its liability joins that quarter\'s fines',
        description: 'The record as in the scenario document (disputes-and-awards.md §1). 409 when the quarter is closed or the id exists. The year\'s flags are derived again.',
        params: HospitalParams,
        body: DisputeSchema,
        response: { 201: AnyObject('the dispute, version 1'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const record = request.body as Static<typeof DisputeSchema>;
      return reply.status(201).send(await writeDispute(ctx(request), (request.params as { code: string }).code, record, { kind: 'create' }));
    },
  );

  app.put(
    '/v1/hospitals/:code/disputes/:disputeId',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['disputes'],
        summary: 'Correct a dispute: the whole record again, with a reason; stored as a new version (the old ones stay), audited',
        params: Type.Object({ code: HospitalCode, disputeId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Correction,
        response: { 200: AnyObject('the dispute, its new version'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, disputeId } = request.params as { code: string; disputeId: string };
      const { reason, ...rest } = request.body as Static<typeof Correction>;
      return writeDispute(ctx(request), code, { ...rest, id: disputeId } as Static<typeof DisputeSchema>, { kind: 'correct', reason });
    },
  );

  app.get(
    '/v1/hospitals/:code/disputes',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: {
        tags: ['disputes'],
        summary: 'The disputes (current versions, or every version with history=true), optionally of one year',
        params: HospitalParams,
        querystring: Type.Object({ year: Type.Optional(Year), history: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ disputes: Type.Array(AnyObject('id, version, bookedIn, record, reason, by, at')) }), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { year, history } = request.query as { year?: number; history?: boolean };
      return { disputes: await listDisputes(db, await hospitalOf((request.params as { code: string }).code), { year, history }) };
    },
  );

  app.get(
    '/v1/hospitals/:code/disputes/:disputeId',
    {
      config: access(['admin', 'finance', 'auditor'], 'params'),
      schema: {
        tags: ['disputes'],
        summary: 'One dispute with every version',
        params: Type.Object({ code: HospitalCode, disputeId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: AnyObject('id, versions'), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { code, disputeId } = request.params as { code: string; disputeId: string };
      return disputeHistory(db, await hospitalOf(code), disputeId);
    },
  );

  app.get(
    '/v1/hospitals/:code/flags',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'params'),
      schema: {
        tags: ['disputes'],
        summary: 'The dispute flags per person (and department) and year: no_awards, grade_basic_pass, grade_fail, suspended, demerit, focused_monitoring',
        description: 'Derived by the engine from the year\'s disputes whenever one is written. A department head sees their departments\' people and departments.',
        params: HospitalParams,
        querystring: Type.Object({ year: Type.Optional(Year), staffId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ flags: Type.Array(AnyObject('year, staffId or department, flag, disputeId')) }), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { year, staffId } = request.query as { year?: number; staffId?: string };
      const hospital = await hospitalOf((request.params as { code: string }).code);
      const flags = await flagsOf(db, hospital, { year, staffId });
      const p = request.principal!;
      if (p.role !== 'dept_head') return { flags };
      const mine = new Set((await listStaff(db, hospital.id)).filter((s) => p.departments.includes(s.department)).map((s) => s.staffId));
      return { flags: flags.filter((f) => ('staffId' in f ? mine.has(f.staffId!) : p.departments.includes(f.department!))) };
    },
  );
}
