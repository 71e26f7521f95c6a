import { access } from '../access/access.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors } from '../../shared/schemas.js';
import { CreatedKey, CreateKeyBody, KeyList, KeyParams, KeyQuery, KeyView } from './keys.schemas.js';
import { createKey, listHospitalKeys, revoke } from './keys.usecases.js';

/** API keys: create (the token shown once), list without secrets, revoke. */
export function registerKeyRoutes(app: App, deps: RouteDeps): void {
  setupCreateKeyRoute(app, deps);
  setupListKeysRoute(app, deps);
  setupRevokeKeyRoute(app, deps);
}

function setupCreateKeyRoute(app: App, { db, clock }: RouteDeps): void {
  app.post(
    '/v1/api-keys',
    {
      config: { ...access(['admin'], 'body'), secretFields: ['token'] },
      schema: {
        operationId: 'createApiKey',
        tags: ['keys'],
        summary: 'Create an API key; the token is shown in this answer only',
        description: 'A repeat of this request with the same Idempotency-Key answers the same key without its token (the token is never stored, not even for replays), with a `note` saying so.',
        body: CreateKeyBody,
        response: { 201: CreatedKey, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await createKey({ db, clock, caller: callerOf(request) }, request.body)),
  );
}

function setupListKeysRoute(app: App, { db, clock }: RouteDeps): void {
  app.get(
    '/v1/api-keys',
    {
      config: access(['admin'], 'query'),
      schema: {
        operationId: 'listApiKeys',
        tags: ['keys'],
        summary: "A hospital's API keys, without their secrets, with when each was last used",
        querystring: KeyQuery,
        response: { 200: KeyList, ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ keys: await listHospitalKeys({ db, clock, caller: callerOf(request) }, request.query.hospital) }),
  );
}

function setupRevokeKeyRoute(app: App, { db, clock }: RouteDeps): void {
  app.delete(
    '/v1/api-keys/:id',
    {
      config: access(['admin'], 'apiKey'),
      schema: { operationId: 'revokeApiKey', tags: ['keys'], summary: 'Revoke an API key, effective on its next call', params: KeyParams, response: { 200: KeyView, ...errors(401, 403, 404) } },
    },
    async (request) => revoke({ db, clock, caller: callerOf(request) }, request.params.id),
  );
}
