/**
 * The service's domain errors: a code, an HTTP status, a message, and optionally the path of the
 * offending field. The error handler turns them (and the engine's EngineError) into
 * `{"error": {"code", "message", "path"?, "details"?}}`.
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

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string, path?: string) => new AppError(409, code, message, path);
export const badRequest = (code: string, message: string, path?: string) => new AppError(400, code, message, path);
export const unauthorized = () => new AppError(401, 'unauthorized', 'a valid API token is required (Authorization: Bearer <token>)');
export const unavailable = (what: string) => new AppError(503, 'unavailable', `${what} is unavailable; try again shortly`);
