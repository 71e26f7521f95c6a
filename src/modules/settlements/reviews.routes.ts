import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors } from '../../shared/schemas.js';
import { access, EVERY_ROLE } from '../access/access.js';
import { review, ReviewBody, reviewsFor, whatIf } from './reviews.usecases.js';
import { ReviewList, ReviewResult, RunDepartmentParams, RunParams, WhatIfBody, WhatIfResult } from './settlements.schemas.js';

/** The departments' reviews of a run (acknowledge or dispute) and a department head's what-if. */
export function registerReviewRoutes(app: App, deps: RouteDeps): void {
  setupReviewsRoute(app, deps);
  setupReviewRoute(app, deps);
  setupWhatIfRoute(app, deps);
}

function setupReviewsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/settlements/:id/reviews',
    {
      config: access(EVERY_ROLE, 'run'),
      schema: {
        operationId: 'listReviews',
        tags: ['settlements'],
        summary: "Every department's review of a run: acknowledged, disputed (with its reason) or pending (a department head: their own)",
        params: RunParams,
        response: { 200: ReviewList, ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ reviews: await reviewsFor({ db, caller: callerOf(request) }, request.params.id) }),
  );
}

function setupReviewRoute(app: App, { db, clock }: RouteDeps): void {
  app.post(
    '/v1/settlements/:id/reviews/:department',
    {
      config: access(['admin', 'dept_head'], 'run'),
      schema: {
        operationId: 'reviewSettlement',
        tags: ['settlements'],
        summary: 'Acknowledge or dispute a succeeded run for a department (a dispute needs a reason)',
        params: RunDepartmentParams,
        body: ReviewBody,
        response: { 200: ReviewResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => review({ db, clock, caller: callerOf(request) }, request.params.id, request.params.department, request.body),
  );
}

function setupWhatIfRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/v1/settlements/:id/what-if/:department',
    {
      config: access(['admin', 'dept_head'], 'run'),
      schema: {
        operationId: 'whatIf',
        tags: ['settlements'],
        summary: "What the department's people would get with these individual inputs instead (stored nowhere)",
        description: "Each entry is a JSON merge patch over the person's record in the run: the fields it names change, the others keep the run's values (null: the default).",
        params: RunDepartmentParams,
        body: WhatIfBody,
        response: { 200: WhatIfResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => whatIf({ db, caller: callerOf(request) }, request.params.id, request.params.department, request.body.individuals),
  );
}
