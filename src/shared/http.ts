import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { UseCaseDeps } from './context.js';
import type { Caller } from './principal.js';

/**
 * The app as route files see it: typed by the TypeBox provider, so a handler's `request.params`,
 * `query` and `body` have the types of the route's schemas, with no casts.
 */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse<IncomingMessage>, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The caller of a /v1 (or /ui) request, as the use cases take it. */
export function callerOf(request: FastifyRequest): Caller {
  return { principal: request.principal!, actor: request.actor, requestId: request.id };
}

/** What every module's routes are given (a module that needs more says so in its own register function). */
export type RouteDeps = UseCaseDeps;

/**
 * A field of a request part (params, query, body) read where no route schema has typed it (an
 * onRequest hook, a prefetch, a page's form): unknown until checked, never cast.
 */
export function fieldOf(part: unknown, name: string): unknown {
  return part !== null && typeof part === 'object' ? Reflect.get(part, name) : undefined;
}

/** The field as text, or undefined when it is absent or not a string. */
export function textOf(part: unknown, name: string): string | undefined {
  const value = fieldOf(part, name);
  return typeof value === 'string' ? value : undefined;
}

/** A path parameter before the route's validation has run (an onRequest hook's, a prefetch's). */
export function rawParam(request: FastifyRequest, name: string): string | undefined {
  return textOf(request.params, name);
}
