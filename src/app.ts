import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createHospitalLookups } from './modules/access/access.repository.js';
import { registerAssessmentRoutes } from './modules/assessment/assessment.routes.js';
import { registerAuditRoutes } from './modules/audit/audit.routes.js';
import { registerDisputeRoutes } from './modules/disputes/disputes.routes.js';
import { registerHospitalRoutes } from './modules/hospitals/hospitals.routes.js';
import { registerImportRoutes } from './modules/imports/imports.routes.js';
import { registerInputRoutes } from './modules/inputs/inputs.routes.js';
import { registerKeyRoutes } from './modules/keys/keys.routes.js';
import { registerLineRoutes } from './modules/settlements/lines.routes.js';
import { registerReviewRoutes } from './modules/settlements/reviews.routes.js';
import type { SettlementQueue } from './modules/settlements/settlements.queue.js';
import { registerSettlementRoutes } from './modules/settlements/settlements.routes.js';
import { registerStatementRoutes } from './modules/settlements/statements.routes.js';
import { registerUiRoutes } from './modules/ui/ui.routes.js';
import { registerAccess } from './plugins/access.js';
import { registerAuth } from './plugins/auth.js';
import { registerJsonBodies } from './plugins/body.js';
import { registerErrorHandler } from './plugins/errors.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { registerSwagger } from './plugins/swagger.js';
import { registerValidation } from './plugins/validation.js';
import { systemClock, type Clock } from './shared/context.js';
import { AppError } from './shared/errors.js';

// the logger lives on its own so that the worker does not load the HTTP app for it
export { createLogger } from './logger.js';

export interface AppDeps {
  config: Pick<Config, 'PERFPAY_BOOTSTRAP_ADMIN_TOKEN' | 'PERFPAY_BODY_LIMIT_MB' | 'PERFPAY_RATE_LIMIT_PER_MINUTE' | 'PERFPAY_CORS_ORIGINS'> &
    Partial<Pick<Config, 'PERFPAY_TRUST_PROXY' | 'PERFPAY_UI_SESSION_HOURS'>>;
  database: Database;
  queue: SettlementQueue;
  clock?: Clock;
  /** The service's pino logger (tests give one that writes to a buffer). */
  logger: Logger;
}

/** PERFPAY_TRUST_PROXY: unset or "false" trusts no proxy; "true" every one; else addresses/CIDRs. */
export function trustProxyOf(value: string | undefined): boolean | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/**
 * The HTTP API, in fastify/demo's order: the framework's own set-up (ids, body parsing,
 * validation, errors), external plugins (helmet, CORS, swagger, rate limit, under-pressure),
 * ours (auth, access, idempotency), then each module's routes. Every route's schema validates
 * its input, types its handler (TypeBox provider) and feeds the OpenAPI document; responses are
 * serialised by their schemas. Logs are pino's, with the request id on every line and no token.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const bodyLimit = deps.config.PERFPAY_BODY_LIMIT_MB * 1024 * 1024;
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // the request id in the log and the audit trail is always the server's own; a client's
    // x-request-id is kept beside it (clientRequestId on every log line), never in its place
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, options, raw) => {
      const given = raw.headers['x-request-id'];
      const client = typeof given === 'string' && /^[\x21-\x7e]{1,128}$/.test(given) ? given : undefined;
      return logger.child(client ? { ...bindings, clientRequestId: client } : bindings, options);
    },
    trustProxy: trustProxyOf(deps.config.PERFPAY_TRUST_PROXY),
    // plugins start when they start: a loaded machine must not fail the start on a wall clock
    pluginTimeout: 0,
    bodyLimit,
    // errors the router raises before any route (a parameter too long, a malformed URL) get our format too
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      void (reply as unknown as FastifyReply).status(status).send({ error: { code: status === 414 ? 'uri_too_long' : 'bad_request', message: error.message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // upgrade-insecure-requests only where the request itself came over HTTPS: on a hospital
    // intranet without TLS it would send the review pages' forms to an https:// that is not there
    const csp = reply.getHeader('content-security-policy');
    if (request.protocol === 'https' && typeof csp === 'string') void reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
  });
  const { db } = deps.database;
  registerValidation(app);
  registerJsonBodies(app);
  registerErrorHandler(app);
  await app.register(helmet, {
    // the API answers JSON; only /docs and /ui serve pages, whose scripts and styles are their own
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null },
    },
  });
  await app.register(cors, { origin: deps.config.PERFPAY_CORS_ORIGINS ? deps.config.PERFPAY_CORS_ORIGINS.split(',').map((o) => o.trim()) : false });
  await registerSwagger(app);
  // the event loop's delay and the memory in use, sampled for /health (no request is refused for them)
  await app.register(underPressure, { sampleInterval: 1000 });
  app.decorate('hospitalLookups', createHospitalLookups(db, new LRUCache<string, string>({ max: 10_000 })));
  registerAuth(app, { db, bootstrapToken: deps.config.PERFPAY_BOOTSTRAP_ADMIN_TOKEN, clock });
  await app.register(rateLimit, {
    max: deps.config.PERFPAY_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // per authenticated key (however its Authorization header is spelt), or per address
    keyGenerator: (request) => {
      const p = request.principal;
      return p ? `key:${p.keyId ?? 'bootstrap'}` : `ip:${request.ip}`;
    },
    allowList: (request) => !request.url.startsWith('/v1'),
    errorResponseBuilder: (_request, context) => new AppError(429, 'rate_limited', `too many requests: at most ${context.max} a minute; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  registerAccess(app);
  registerIdempotency(app, db);
  registerHealthRoute(app, deps);

  const routeDeps = { db, clock, log: deps.logger };
  registerHospitalRoutes(app, routeDeps);
  registerInputRoutes(app, { ...routeDeps, bodyLimit });
  registerImportRoutes(app, routeDeps);
  registerSettlementRoutes(app, { ...routeDeps, queue: deps.queue });
  registerLineRoutes(app, routeDeps);
  registerStatementRoutes(app, routeDeps);
  registerReviewRoutes(app, routeDeps);
  registerAuditRoutes(app, routeDeps);
  registerKeyRoutes(app, routeDeps);
  registerDisputeRoutes(app, routeDeps);
  registerAssessmentRoutes(app, routeDeps);
  // the review pages' cookies and form bodies belong to /ui only
  await app.register(async (scope) =>
    registerUiRoutes(scope, { db, clock, queue: deps.queue, log: deps.logger, bootstrapToken: deps.config.PERFPAY_BOOTSTRAP_ADMIN_TOKEN, sessionHours: deps.config.PERFPAY_UI_SESSION_HOURS ?? 12 }),
  );
  return app;
}

const Health = (status: 'ok' | 'degraded') =>
  Type.Object({
    status: Type.Literal(status),
    database: Type.String({ description: 'pglite or postgres, and ok or unavailable' }),
    queue: Type.String({ description: 'in-process or bullmq, and ok or unavailable' }),
    eventLoopDelayMs: Type.Number({ description: 'the event loop’s delay, sampled each second' }),
    heapUsedBytes: Type.Integer(),
  });

/** GET /health: each dependency pinged (2 s at most), and the process's pressure. */
function registerHealthRoute(app: ReturnType<FastifyInstance['withTypeProvider']>, deps: AppDeps): void {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['service'],
        summary: 'Liveness, the state of each dependency, and the event loop’s delay',
        security: [],
        response: { 200: Health('ok'), 503: Health('degraded') },
      },
    },
    async (_request, reply) => {
      const check = async (ping: () => Promise<void>) => {
        try {
          await Promise.race([ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
          return 'ok';
        } catch {
          return 'unavailable';
        }
      };
      const [database, queue] = await Promise.all([check(() => deps.database.ping()), check(() => deps.queue.ping())]);
      const pressure = app.memoryUsage();
      const body = { database: `${deps.database.kind}: ${database}`, queue: `${deps.queue.kind}: ${queue}`, eventLoopDelayMs: Math.round(pressure.eventLoopDelay), heapUsedBytes: pressure.heapUsed };
      if (database !== 'ok' || queue !== 'ok') return reply.status(503).send({ status: 'degraded' as const, ...body });
      return { status: 'ok' as const, ...body };
    },
  );
}
