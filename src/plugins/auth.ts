import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { unauthorized } from '../shared/errors.js';
import { findLiveKey, touchKey } from '../modules/keys/keys.repository.js';
import type { Principal, Role } from './access.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: string;
    /**
     * The route's `prefetch` read, started together with the key's lookup so that the two
     * database round trips overlap; the handler awaits it only after the access checks passed.
     */
    prefetched: Promise<unknown> | null;
  }
}

/** Route config: a read the handler will make, which may start while the key is looked up. */
export interface Prefetch {
  prefetch?: (request: FastifyRequest) => Promise<unknown>;
}

export const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Every /v1 call needs `Authorization: Bearer <token>`: the bootstrap admin token
 * (PERFPAY_BOOTSTRAP_ADMIN_TOKEN, every hospital) or a live API key. Tokens are compared by their
 * SHA-256 (the bootstrap one in constant time) and never logged; a revoked key is refused on its
 * very next call because every call looks the key up.
 */
export function registerAuth(app: FastifyInstance, options: { db: Db; bootstrapToken?: string; now: () => Date }): void {
  const resolve = principalResolver(options);
  app.decorateRequest('actor', '');
  app.decorateRequest('principal', null);
  app.decorateRequest('prefetched', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/') && request.url !== '/v1') return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw unauthorized();
    const hash = tokenHash(match[1]!);
    const prefetch = (request.routeOptions.config as Prefetch | undefined)?.prefetch;
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
    await touchKey(options.db, found.principal.keyId, options.now());
  });
}

/**
 * Who a token's hash is: the bootstrap admin (compared in constant time) or a live key's
 * principal; null for anything else. Every call looks the key up (a revoked key is refused).
 */
export function principalResolver(options: { db: Db; bootstrapToken?: string }): (hash: string) => Promise<{ principal: Principal; actor: string } | null> {
  const bootstrap = options.bootstrapToken ? Buffer.from(tokenHash(options.bootstrapToken), 'hex') : null;
  return async (hash) => {
    if (bootstrap && timingSafeEqual(Buffer.from(hash, 'hex'), bootstrap)) {
      return { principal: { keyId: null, name: 'bootstrap-admin', role: 'admin', hospital: null, departments: [] }, actor: 'bootstrap-admin' };
    }
    const key = await findLiveKey(options.db, hash);
    if (!key) return null;
    const principal: Principal = { keyId: key.id, name: key.name, role: key.role as Role, hospital: key.hospitalCode, departments: key.departments as string[] };
    return { principal, actor: `key:${key.id}:${key.name}` };
  };
}
