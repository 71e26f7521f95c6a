/**
 * The service's domain errors: a code, an HTTP status, a message, and optionally the path of the
 * offending field. The error handler turns them (and the engine's EngineError) into
 * `{"error": {"code", "message", "path"?, "details"?}}`. Each module's errors are built by the
 * factories of its `*.errors.ts`, made here.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * A factory of one kind of error: its code and status fixed, its message (and the field's path)
 * made from the facts it is given.
 */
export function createErrorFactory<A extends unknown[]>(spec: { code: string; status: number; message: (...args: A) => string; path?: string | ((...args: A) => string | undefined) }) {
  return (...args: A): AppError => new AppError(spec.status, spec.code, spec.message(...args), typeof spec.path === 'function' ? spec.path(...args) : spec.path);
}

export const notFound = createErrorFactory({ code: 'not_found', status: 404, message: (what: string) => `${what} not found` });
export const forbidden = createErrorFactory({ code: 'forbidden', status: 403, message: (why: string) => why });
export const conflict = (code: string, message: string, path?: string) => new AppError(409, code, message, path);
export const badRequest = (code: string, message: string, path?: string) => new AppError(400, code, message, path);
export const unauthorized = createErrorFactory({ code: 'unauthorized', status: 401, message: () => 'a valid API token is required (Authorization: Bearer <token>)' });
export const unavailable = createErrorFactory({ code: 'unavailable', status: 503, message: (what: string) => `${what} is unavailable; try again shortly` });
