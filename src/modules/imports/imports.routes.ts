import { access } from '../../plugins/access.js';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ScenarioSchema } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { errors } from '../../shared/schemas.js';
import { importScenario } from './imports.usecases.js';

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() });

export function importRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  app.post(
    '/v1/imports',
    { config: access(['admin', 'finance'], 'body'),
      schema: {
        tags: ['imports'],
        summary: 'Import a scenario document (contract.md §1), all or nothing',
        description:
          'Creates or updates the hospital, its scheme, departments, staff and every period\'s and the year-end\'s inputs. Importing the same document again changes nothing. ' +
          'A document that would change a closed (approved) period is rejected whole with 409. Only an admin may change the scheme (403 for finance). ' +
          'A finance import leaves people\'s individual (tier-2) records as they are: a quarter without `individuals` keeps the stored ones; a quarter whose `individuals` differ from the stored ones is refused (403).',
        body: ScenarioSchema,
        response: {
          200: Type.Object({
            hospital: Type.String(),
            changed: Type.Boolean(),
            scheme: Type.String(),
            departments: Counts,
            staff: Counts,
            periods: Type.Object({ changed: Type.Array(Type.String()), unchanged: Type.Array(Type.String()) }),
            annual: Type.String(),
          }),
          ...errors(400, 401, 409, 413),
        },
      },
    },
    async (request) =>
      importScenario({ db: deps.db, now: deps.now, ctx: { actor: request.actor, requestId: request.id } }, request.body, {
        mayChangeScheme: request.principal!.role === 'admin',
        mayChangeIndividuals: request.principal!.role === 'admin',
      }),
  );
}
