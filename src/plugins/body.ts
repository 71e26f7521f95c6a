import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkValue, decodeUtf8 } from '../shared/text.js';

/**
 * JSON bodies: decoded as strict UTF-8, parsed with Fastify's own parser (which refuses
 * __proto__ and constructor.prototype), then checked once by checkValue.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // a JSON merge patch (RFC 7396) is JSON, read the same way
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
    let text: string;
    try {
      text = decodeUtf8(body, 'the request body');
    } catch (e) {
      done(e as Error, undefined);
      return;
    }
    parseJson(request, text, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const problem = checkValue(value);
      return problem ? done(problem, undefined) : done(null, value);
    });
  });
}
