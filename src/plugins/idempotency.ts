import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { claim, settle, type Held } from '../modules/idempotency/idempotency.usecases.js';
import { canonicalJson } from '../shared/canonical.js';
import { badRequest } from '../shared/errors.js';
import { fieldOf } from '../shared/http.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Held | null;
    /** A streamed body's Idempotency-Key, claimed by its route once it has read (and hashed) the stream: claimStreamed. */
    idempotencyDeferred: Held | null;
  }
  interface FastifyContextConfig {
    /**
     * Fields of the answer that are secrets (a new API key's token): never written to the
     * idempotency store, so a replay answers without them and says so in `note`.
     */
    secretFields?: readonly string[];
  }
}

/**
 * `Idempotency-Key` on any /v1 POST (src/modules/idempotency): a JSON body is claimed before the
import { fieldOf } from '../shared/http.js';
 * handler by its canonical text; a streamed body (NDJSON) by the SHA-256 of its bytes, once its
 * route has read it (`claimStreamed`). The first answer is kept after it is sent.
 */
export function registerIdempotency(app: FastifyInstance, db: Db): void {
  app.decorateRequest('idempotency', null);
  app.decorateRequest('idempotencyDeferred', null);
  app.decorate('claimStreamed', async (request: FastifyRequest, bodyDigest: string) => {
    const held = request.idempotencyDeferred;
    if (!held) return null;
    request.idempotencyDeferred = null;
    const replay = await claim(db, held, { method: request.method, url: request.url, body: `sha256:${bodyDigest}` });
    if (!replay) request.idempotency = held;
    return replay;
  });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.url.startsWith('/v1')) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid_value', 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'headers.idempotency-key');
    const held = { actor: request.actor, key };
    // a streamed body (NDJSON) is claimed once it has been read whole, by its bytes
    if (typeof fieldOf(request.body, 'pipe') === 'function') {
      request.idempotencyDeferred = held;
      return;
    }
    const replay = await claim(db, held, { method: request.method, url: request.url, body: canonicalJson(request.body ?? null) });
    if (replay) return reply.header('idempotent-replayed', 'true').status(replay.status).send(replay.response);
    request.idempotency = held;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = null;
    let response: unknown = null;
    try {
      response = typeof payload === 'string' && payload.length > 0 ? JSON.parse(payload) : null;
    } catch {
      response = null;
    }
    await settle(db, held, reply.statusCode, response, request.routeOptions.config?.secretFields ?? []);
    return payload;
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Claims a streamed request's Idempotency-Key by its bytes' digest; the first answer when it is a replay. */
    claimStreamed(request: FastifyRequest, bodyDigest: string): Promise<{ status: number; response: unknown } | null>;
  }
}
