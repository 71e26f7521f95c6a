import { access } from '../../plugins/access.js';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { badRequest } from '../../shared/errors.js';
import { AnyObject, HospitalParams, errors } from '../../shared/schemas.js';
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
          from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, inclusive (2026-11-01, 2026-11-01T08:00:00+08:00); a date alone is its first instant, UTC' })),
          to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, inclusive; a date alone is its last instant, UTC' })),
          afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ events: Type.Array(AnyObject('an audit event')), nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const hospital = await requireHospital(db, (request.params as { code: string }).code);
      const q = request.query as Parameters<typeof listAudit>[2];
      const from = q.from === undefined ? undefined : isoInstant(q.from, 'start', 'querystring.from');
      const to = q.to === undefined ? undefined : isoInstant(q.to, 'end', 'querystring.to');
      const events = await listAudit(db, hospital.id, { ...q, from, to, limit: q.limit ?? 100 });
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
        description:
          'Each event\'s hash, its link to the one before, no gaps, and the chain\'s anchor: the last event ever appended is kept apart from the chain (audit_heads), so events removed from the end, or a whole chain removed, are reported as invalid too.',
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            events: Type.Integer({ description: 'events the chain holds' }),
            lastVerifiedSeq: Type.Integer({ description: 'the last event that verified (0: none)' }),
            anchoredSeq: Type.Integer({ description: 'the last event ever appended, by the anchor (0: none)' }),
            firstInvalidSeq: Type.Optional(Type.Integer()),
            reason: Type.Optional(Type.String()),
          }),
          ...errors(401, 404),
        },
      },
    },
    async (request) => {
      const hospital = await requireHospital(db, (request.params as { code: string }).code);
      return verifyAudit(db, hospital.id);
    },
  );
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date or time as the audit log stores its times (UTC, milliseconds), refusing a
 * date that does not exist (2026-13-45, 2026-02-30) with a 400 naming the parameter. A date alone
 * stands for its first instant (`start`) or its last (`end`).
 */
export function isoInstant(text: string, edge: 'start' | 'end', path: string): string {
  const m = ISO.exec(text);
  const bad = () => badRequest('invalid_value', `${path.replace('querystring.', '')} must be an ISO 8601 date or time such as 2026-11-01 or 2026-11-01T08:00:00Z, got ${JSON.stringify(text.slice(0, 40))}`, path);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (date.getUTCFullYear() !== +y! || date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d! || (h !== undefined && (+h > 23 || +mi! > 59 || +(se ?? 0) > 59))) throw bad();
  if (h === undefined) return new Date(date.getTime() + (edge === 'end' ? 86_400_000 - 1 : 0)).toISOString();
  const ms = frac === undefined ? '' : `.${frac.padEnd(3, '0').slice(0, 3)}`;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${se ?? '00'}${ms}${zone ?? 'Z'}`).toISOString();
}
