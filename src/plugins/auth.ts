import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: string;
  }
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Every /v1 call needs `Authorization: Bearer <token>`. For now the one valid token is
 * PERFPAY_BOOTSTRAP_ADMIN_TOKEN (an admin); without it configured, every /v1 call is 401.
 * Tokens are compared as SHA-256 digests in constant time and never logged.
 */
export function registerAuth(app: FastifyInstance, options: { bootstrapToken?: string }): void {
  const bootstrap = options.bootstrapToken ? digest(options.bootstrapToken) : null;
  app.decorateRequest('actor', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/') && request.url !== '/v1') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !bootstrap || !timingSafeEqual(digest(match[1]!), bootstrap)) throw unauthorized();
    request.actor = 'bootstrap-admin';
  });
}
