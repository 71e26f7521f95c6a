import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, badRequest } from '../errors.js';
import { canonicalJson, sha256 } from '../modules/audit/canonical.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { actor: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on any POST: the first request with a key is remembered (as in progress,
 * then with its answer); a retry with the same key and the same body gets the first answer again
 * and writes nothing; the same key with another body is a 422; a retry while the first is still
 * running is a 409. A 5xx answer is forgotten, so that the retry runs. Keys are per caller.
 */
export function registerIdempotency(app: FastifyInstance, db: Db): void {
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.url.startsWith('/v1')) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid_value', 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'headers.idempotency-key');
    const actor = request.actor;
    const requestHash = sha256(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
    const inserted = await db.insert(idempotencyKeys).values({ actor, key, requestHash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) {
      request.idempotency = { actor, key };
      return;
    }
    const [first] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)));
    if (!first) throw new AppError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key was just finishing; retry');
    if (first.requestHash !== requestHash) {
      throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key for a new request', 'headers.idempotency-key');
    }
    if (first.status === null) throw new AppError(409, 'idempotency_in_progress', 'the first request with this Idempotency-Key is still running; retry shortly');
    void reply.header('idempotent-replayed', 'true');
    return reply.status(first.status).send(first.response);
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
    await db.update(idempotencyKeys).set({ status: reply.statusCode, response }).where(where);
    return payload;
  });
}
