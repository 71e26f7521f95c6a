import { access } from '../../plugins/access.js';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { AnyObject, HospitalParams, errors } from '../common.schemas.js';
import { requireHospital } from '../settlements/settlements.usecases.js';
import { listAudit, verifyAudit } from './audit.repository.js';

export function auditRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const { db } = deps;
  app.get(
    '/v1/hospitals/:code/audit',
    { config: access(['admin', 'auditor'], 'params'),
      schema: {
        tags: ['audit'],
        summary: 'Audit events of a hospital, oldest first, with filters and paging',
        description: 'Page with `afterSeq`: pass the `nextAfterSeq` of the previous page.',
        params: HospitalParams,
        querystring: Type.Object({
          action: Type.Optional(Type.String({ description: 'e.g. settlement.approve, period.replace, staff.update' })),
          entityType: Type.Optional(Type.String({ description: 'hospital, scheme, department, staff, period, department_input, individual_input, annual, settlement' })),
          entityKey: Type.Optional(Type.String()),
          actor: Type.Optional(Type.String()),
          from: Type.Optional(Type.String({ description: 'ISO time, inclusive' })),
          to: Type.Optional(Type.String({ description: 'ISO time, inclusive' })),
          afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ events: Type.Array(AnyObject('an audit event')), nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const hospital = await requireHospital(db, (request.params as { code: string }).code);
      const q = request.query as Parameters<typeof listAudit>[2];
      const events = await listAudit(db, hospital.id, { ...q, limit: q.limit ?? 100 });
      return {
        events: events.map(({ id: _id, hospitalId: _h, ...e }) => ({ hospital: hospital.code, ...e })),
        nextAfterSeq: events.length === (q.limit ?? 100) ? events.at(-1)!.seq : null,
      };
    },
  );

  app.get(
    '/v1/hospitals/:code/audit/verify',
    { config: access(['admin', 'auditor'], 'params'),
      schema: {
        tags: ['audit'],
        summary: "Re-check the hospital's whole audit chain",
        params: HospitalParams,
        response: { 200: Type.Object({ valid: Type.Boolean(), events: Type.Integer(), firstInvalidSeq: Type.Optional(Type.Integer()) }), ...errors(401, 404) },
      },
    },
    async (request) => {
      const hospital = await requireHospital(db, (request.params as { code: string }).code);
      return verifyAudit(db, hospital.id);
    },
  );
}
