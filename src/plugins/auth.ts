import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { touchKey } from '../modules/keys/keys.repository.js';
import { principalResolver } from '../modules/keys/keys.usecases.js';
import { tokenHash } from '../shared/canonical.js';
import type { Clock } from '../shared/context.js';
import { unauthorized } from '../shared/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: string;
    /**
     * The route's `prefetch` read, started together with the key's lookup so that the two
     * database round trips overlap; the handler awaits it only after the access checks passed.
     */
    prefetched: Promise<unknown> | null;
  }
  interface FastifyContextConfig {
    /** A read the handler will make, which may start while the key is looked up. */
    prefetch?: (request: FastifyRequest) => Promise<unknown>;
  }
}

/**
 * Every /v1 call needs `Authorization: Bearer <token>`: the bootstrap admin token
 * (PERFPAY_BOOTSTRAP_ADMIN_TOKEN, every hospital) or a live API key. Tokens are compared by their
 * SHA-256 (the bootstrap one in constant time) and never logged; a revoked key is refused on its
 * very next call because every call looks the key up.
 */
export function registerAuth(app: FastifyInstance, options: { db: Db; bootstrapToken?: string; clock: Clock }): void {
  const resolve = principalResolver(options);
  app.decorateRequest('actor', '');
  app.decorateRequest('principal', null);
  app.decorateRequest('prefetched', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/') && request.url !== '/v1') return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw unauthorized();
    const hash = tokenHash(match[1]!);
    const prefetch = request.routeOptions.config?.prefetch;
    if (prefetch) {
      const started = prefetch(request);
      started.catch(() => {}); // awaited (and any error reported) by the handler, if it runs
      request.prefetched = started;
    }
    const found = await resolve(hash);
    if (!found) throw unauthorized();
    request.principal = found.principal;
    request.actor = found.actor;
    if (found.principal.keyId === null) return;
    await touchKey(options.db, found.principal.keyId, options.clock.now());
  });
}
