import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import { ROLES, access, type Role } from '../../plugins/access.js';
import { AnyObject, HospitalCode, errors } from '../../shared/schemas.js';
import { findHospital } from '../inputs/inputs.repository.js';
import { listKeys } from './keys.repository.js';
import { createKey, keyView, revoke } from './keys.usecases.js';

const KeyParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }) });

export function keyRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  const { db, now } = deps;
  const ctx = (request: { actor: string; id: string }) => ({ db, now, ctx: { actor: request.actor, requestId: request.id } });

  app.post(
    '/v1/api-keys',
    {
      config: { ...access(['admin'], 'body'), secretFields: ['token'] },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; the token is shown in this answer only',
        description:
          'A repeat of this request with the same Idempotency-Key answers the same key without its token (the token is never stored, not even for replays), with a `note` saying so.',
        body: Type.Object(
          {
            role: Type.Union(ROLES.map((r) => Type.Literal(r)), { 'x-kind': 'enum', 'x-values': ROLES }),
            hospital: HospitalCode,
            departments: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500, description: 'for a dept_head key: its departments' })),
            name: Type.String({ minLength: 1, maxLength: 200, description: 'who or what uses the key' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: AnyObject('the key, with `token` (shown once)'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const body = request.body as { role: Role; hospital: string; departments?: string[]; name: string };
      return reply.status(201).send(await createKey(ctx(request), request.principal!, body));
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: access(['admin'], 'query'),
      schema: {
        tags: ['keys'],
        summary: "A hospital's API keys, without their secrets, with when each was last used",
        querystring: Type.Object({ hospital: HospitalCode }),
        response: { 200: Type.Object({ keys: Type.Array(AnyObject('a key without its token')) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { hospital: code } = request.query as { hospital: string };
      const p = request.principal!;
      const hospital = await findHospital(db, code);
      if (!hospital || (p.hospital !== null && p.hospital !== code)) throw notFound(`hospital ${code}`);
      return { keys: (await listKeys(db, hospital.id)).map((k) => keyView(k, code)) };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: access(['admin'], 'apiKey'),
      schema: { tags: ['keys'], summary: 'Revoke an API key, effective on its next call', params: KeyParams, response: { 200: AnyObject('the revoked key'), ...errors(401, 403, 404) } },
    },
    async (request) => revoke(ctx(request), request.principal!, (request.params as { id: string }).id),
  );
}

