import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, badRequest } from '../shared/errors.js';
import { canonicalJson, sha256 } from '../shared/canonical.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { actor: string; key: string } | null;
    /** A streamed body's Idempotency-Key, claimed by the handler once it has read (and hashed) the stream. */
    idempotencyDeferred: { actor: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /**
     * Fields of the answer that are secrets (a new API key's token): never written to the
     * idempotency store, so a replay answers without them and says so in `note`.
     */
    secretFields?: readonly string[];
  }
}

/** What a replay of an answer that held a secret says instead of the secret. */
export const SECRET_NOT_REPLAYED = 'this is a replay of an earlier request with the same Idempotency-Key: the secret it created was shown in the first answer only and is not shown again';

/**
 * `Idempotency-Key` on any POST: the first request with a key is remembered (as in progress,
 * then with its answer); a retry with the same key and the same body gets the first answer again
 * and writes nothing; the same key with another body is a 422; a retry while the first is still
 * running is a 409. A 5xx answer is forgotten, so that the retry runs. Keys are per caller.
 * A streamed body (NDJSON) is hashed as it is read: its route claims the key after reading.
 */
export function registerIdempotency(app: FastifyInstance, db: Db): void {
  app.decorateRequest('idempotency', null);
  app.decorateRequest('idempotencyDeferred', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.url.startsWith('/v1')) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid_value', 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'headers.idempotency-key');
    const body = request.body as { pipe?: unknown } | undefined;
    if (body && typeof body.pipe === 'function') {
      request.idempotencyDeferred = { actor: request.actor, key };
      return;
    }
    const replay = await claim(db, request, { actor: request.actor, key }, canonicalJson(request.body ?? null));
    if (replay) return reply.header('idempotent-replayed', 'true').status(replay.status).send(replay.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = null;
    const where = and(eq(idempotencyKeys.actor, held.actor), eq(idempotencyKeys.key, held.key));
    if (reply.statusCode >= 500) {
      await db.delete(idempotencyKeys).where(where);
      return payload;
    }
    let response: unknown = null;
    try {
      response = typeof payload === 'string' && payload.length > 0 ? JSON.parse(payload) : null;
    } catch {
      response = null;
    }
    const secrets = request.routeOptions.config?.secretFields ?? [];
    if (response && typeof response === 'object' && secrets.some((f) => Object.hasOwn(response as object, f))) {
      const kept = Object.fromEntries(Object.entries(response as object).filter(([k]) => !secrets.includes(k)));
      response = { ...kept, note: SECRET_NOT_REPLAYED };
    }
    await db.update(idempotencyKeys).set({ status: reply.statusCode, response }).where(where);
    return payload;
  });
}

/**
 * A streamed request's key, claimed once its body has been read: `bodyDigest` is the SHA-256 of
 * the bytes received. Returns the first answer when this is a replay (the caller sends it).
 */
export async function claimStreamed(db: Db, request: FastifyRequest, bodyDigest: string): Promise<{ status: number; response: unknown } | null> {
  const held = request.idempotencyDeferred;
  if (!held) return null;
  request.idempotencyDeferred = null;
  return claim(db, request, held, `sha256:${bodyDigest}`);
}

async function claim(db: Db, request: FastifyRequest, held: { actor: string; key: string }, body: string): Promise<{ status: number; response: unknown } | null> {
  const { actor, key } = held;
  const requestHash = sha256(`${request.method} ${request.url}\n${body}`);
  const inserted = await db.insert(idempotencyKeys).values({ actor, key, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) {
    request.idempotency = held;
    return null;
  }
  const [first] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)));
  if (!first) throw new AppError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key was just finishing; retry');
  if (first.requestHash !== requestHash) {
    throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key for a new request', 'headers.idempotency-key');
  }
  if (first.status === null) throw new AppError(409, 'idempotency_in_progress', 'the first request with this Idempotency-Key is still running; retry shortly');
  return { status: first.status, response: first.response };
}
