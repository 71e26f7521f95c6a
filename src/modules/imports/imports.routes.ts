import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors } from '../../shared/schemas.js';
import { access } from '../access/access.js';
import { ImportOutcome, ScenarioBody } from './imports.schemas.js';
import { importScenario } from './imports.usecases.js';

/** Whole scenario documents (contract.md §1). */
export function registerImportRoutes(app: App, deps: RouteDeps): void {
  setupImportRoute(app, deps);
}

function setupImportRoute(app: App, { db, clock }: RouteDeps): void {
  app.post(
    '/v1/imports',
    {
      config: access(['admin', 'finance'], 'body'),
      schema: {
        operationId: 'importScenario',
        tags: ['imports'],
        summary: 'Import a scenario document (contract.md §1), all or nothing',
        description:
          "Creates or updates the hospital, its scheme, departments, staff and every period's and the year-end's inputs. Importing the same document again changes nothing. " +
          'A document that would change a closed (approved) period is rejected whole with 409. Only an admin may change the scheme (403 for finance). ' +
          "A finance import leaves people's individual (tier-2) records as they are: a quarter without `individuals` keeps the stored ones; a quarter whose `individuals` differ from the stored ones is refused (403).",
        body: ScenarioBody,
        response: { 200: ImportOutcome, ...errors(400, 401, 403, 409, 413) },
      },
    },
    async (request) => importScenario({ db, clock, caller: callerOf(request) }, request.body),
  );
}
