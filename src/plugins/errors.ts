import type { FastifyError, FastifyInstance } from 'fastify';
import { EngineError } from '../core/index.js';
import { isBadText, isOutOfRange, isUnavailable } from '../shared/db-errors.js';
import { AppError, errorIn } from '../shared/errors.js';
import { html } from '../shared/html.js';
import { isLang, langOfAcceptLanguage, say, type Lang } from '../shared/i18n.js';
import { layout } from '../shared/page.js';

interface ErrorBody {
  error: { code: string; message: string; path?: string; details?: unknown[] };
}

/**
 * One error format for the whole API (contract.md §4): domain and engine errors keep their code
 * and the path of the field; Fastify's own 4xx (bad JSON, body too large) get a code of ours;
 * anything else is logged and answered with a 500 that says nothing of the internals. The message
 * is in Chinese when the request asks for it (`Accept-Language: zh`), in English otherwise, as it
 * has always been (src/shared/messages/errors.ts). A page under /ui that does not exist is a page,
 * in the language the pages use.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | EngineError | Error, request, reply) => {
    const lang = langOfAcceptLanguage(request.headers['accept-language']);
    const send = (status: number, error: ErrorBody['error']) => reply.status(status).send({ error: errorIn(lang, error) });
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.warn({ code: err.code }, err.message);
      return send(err.status, { code: err.code, message: err.message, ...(err.path !== undefined ? { path: err.path } : {}), ...(err.details ? { details: err.details } : {}) });
    }
    if (err instanceof EngineError) {
      const { error } = err.toJSON();
      return send(400, error);
    }
    const fe = err as FastifyError;
    if (isUnavailable(err)) {
      request.log.error({ err }, 'a dependency is unavailable');
      return send(503, { code: 'unavailable', message: 'a dependency of the service (database or queue) is unavailable; try again shortly' });
    }
    if (isBadText(err)) {
      return send(400, { code: 'invalid_value', message: 'the request holds text the database cannot store (a NUL character or an invalid encoding)' });
    }
    if (isOutOfRange(err)) {
      return send(400, { code: 'out_of_range', message: 'the request holds a number larger than the store can hold' });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'payload_too_large'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported_media_type'
            : fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError
              ? 'invalid_json'
              : 'bad_request';
      return send(fe.statusCode, { code, message: code === 'invalid_json' ? `the request body is not valid JSON: ${fe.message}` : fe.message });
    }
    request.log.error({ err }, 'internal error');
    return send(500, { code: 'internal', message: 'internal error; the request id in the log identifies it' });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path === '/ui' || path.startsWith('/ui/')) {
      const lang = pageLang(request.url, request.headers.cookie);
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(
          layout(
            lang,
            say(lang, 'page.notFound.title'),
            html`<h1>${say(lang, 'page.notFound.title')}</h1><p class="error" id="error">${say(lang, 'page.notFound.text', { path })}</p><p><a href="/ui/runs">${say(lang, 'page.back')}</a></p>`,
          ),
        );
    }
    const error = { code: 'not_found', message: `no route ${request.method} ${path}` };
    return reply.status(404).send({ error: errorIn(langOfAcceptLanguage(request.headers['accept-language']), error) });
  });
}

/** The pages' language outside their routes: `?lang=`, else the pages' cookie, else Chinese. */
function pageLang(url: string, cookieHeader: string | undefined): Lang {
  const asked = new URLSearchParams(url.split('?')[1] ?? '').get('lang');
  if (isLang(asked)) return asked;
  return /(?:^|;\s*)perfpay_lang=en(?:;|$)/.test(cookieHeader ?? '') ? 'en' : 'zh';
}
