import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import pino, { type Logger } from 'pino';
import type { SettlementRunner } from '../jobs/runner.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { hospitalRoutes } from './modules/hospitals/hospitals.routes.js';
import { uiRoutes } from './modules/ui/ui.routes.js';
import { disputeRoutes } from './modules/disputes/disputes.routes.js';
import { importRoutes } from './modules/imports/imports.routes.js';
import { settlementRoutes } from './modules/settlements/settlements.routes.js';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { AppError } from './shared/errors.js';
import { keyRoutes } from './modules/keys/keys.routes.js';
import { registerAccess } from './plugins/access.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { registerAuth } from './plugins/auth.js';
import { registerJsonBodies } from './plugins/body.js';
import { registerErrorHandler } from './plugins/errors.js';
import { registerSwagger } from './plugins/swagger.js';
import { registerValidation } from './plugins/validation.js';
import { Type } from '@sinclair/typebox';

export interface AppDeps {
  config: Pick<Config, 'PERFPAY_BOOTSTRAP_ADMIN_TOKEN' | 'PERFPAY_BODY_LIMIT_MB' | 'PERFPAY_RATE_LIMIT_PER_MINUTE' | 'PERFPAY_CORS_ORIGINS'> & Partial<Pick<Config, 'PERFPAY_TRUST_PROXY' | 'PERFPAY_UI_SESSION_HOURS'>>;
  database: Database;
  runner: SettlementRunner;
  now?: () => Date;
  /** The service's pino logger (tests give one that writes to a buffer). */
  logger: Logger;
}

/** pino with the redactions every perfpay process uses: no token or cookie is ever written. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.token', 'token'], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The HTTP API: external plugins, then ours (validation, errors, auth), then the routes. Every
 * route's schema validates its input and feeds the OpenAPI document. Logs are pino's, with the
 * request id on every line and the Authorization header never written.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
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
    bodyLimit: deps.config.PERFPAY_BODY_LIMIT_MB * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false } },
    // errors the router raises before any route (a parameter too long, a malformed URL) get our format too
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      void (reply as unknown as FastifyReply).status(status).send({ error: { code: status === 414 ? 'uri_too_long' : 'bad_request', message: error.message } });
    },
  });
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
    // the API answers JSON; only /docs serves a page, whose script and styles are its own
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null },
    },
  });
  await app.register(cors, { origin: deps.config.PERFPAY_CORS_ORIGINS ? deps.config.PERFPAY_CORS_ORIGINS.split(',').map((o) => o.trim()) : false });
  await registerSwagger(app);
  registerAuth(app, { db, bootstrapToken: deps.config.PERFPAY_BOOTSTRAP_ADMIN_TOKEN, now });
  await app.register(rateLimit, {
    max: deps.config.PERFPAY_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // per authenticated key (however its Authorization header is spelt), or per address
    keyGenerator: (request) => {
      const p = request.principal;
      return p ? `key:${p.keyId ?? 'bootstrap'}` : `ip:${request.ip}`;
    },
    allowList: (request) => !request.url.startsWith('/v1'),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', `too many requests: at most ${context.max} a minute; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  registerAccess(app, db);
  registerIdempotency(app, db);
  app.get(
    '/health',
    {
      schema: {
        tags: ['service'],
        summary: 'Liveness and the state of each dependency',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.String(), queue: Type.String() }),
          503: Type.Object({ status: Type.Literal('degraded'), database: Type.String(), queue: Type.String() }),
        },
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
      const [database, queue] = await Promise.all([check(() => deps.database.ping()), check(() => deps.runner.ping())]);
      const body = { database: `${deps.database.kind}: ${database}`, queue: `${deps.runner.kind}: ${queue}` };
      if (database !== 'ok' || queue !== 'ok') return reply.status(503).send({ status: 'degraded', ...body });
      return { status: 'ok' as const, ...body };
    },
  );
  importRoutes(app, { db, now });
  hospitalRoutes(app, { db, now, bodyLimit: deps.config.PERFPAY_BODY_LIMIT_MB * 1024 * 1024 });
  settlementRoutes(app, { db, runner: deps.runner, now });
  auditRoutes(app, { db });
  keyRoutes(app, { db, now });
  disputeRoutes(app, { db, now });
  // the review pages' cookies and form bodies belong to /ui only
  await app.register(async (scope) => uiRoutes(scope, { db, now, bootstrapToken: deps.config.PERFPAY_BOOTSTRAP_ADMIN_TOKEN, sessionHours: deps.config.PERFPAY_UI_SESSION_HOURS ?? 12 }));
  return app;
}

/** PERFPAY_TRUST_PROXY: unset or "false" trusts no proxy; "true" every one; else addresses/CIDRs. */
export function trustProxyOf(value: string | undefined): boolean | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return value.split(',').map((a) => a.trim()).filter(Boolean);
}
