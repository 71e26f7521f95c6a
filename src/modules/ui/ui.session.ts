import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { tokenHash } from '../../shared/canonical.js';
import { timeZoneOf, type Clock } from '../../shared/context.js';
import { textOf } from '../../shared/http.js';
import { isLang, type Lang } from '../../shared/i18n.js';
import { principalResolver } from '../keys/keys.usecases.js';
import type { Principal } from '../../shared/principal.js';
import { createSession, findLiveSession, revokeSession } from './sessions.repository.js';
import type { View, Viewer } from './ui.views.js';

/**
 * The review pages' session. A person signs in with their API key; the browser then holds only a
 * random session id (HttpOnly, SameSite=Strict, scoped to /ui, Secure when the request came over
 * HTTPS), whose SHA-256 the server keeps with the key's hash, an expiry, and its revocation at
 * sign-out. Every page looks the key up again (a revoked key is signed out at once). Every form
 * carries a token derived from the session, and the sign-in form one of its own (double submit:
 * the form posts it, a cookie holds it), so another site cannot post any of them.
 */
const SESSION_COOKIE = 'perfpay_session';
const SIGN_IN_COOKIE = 'perfpay_sign_in';
const LANG_COOKIE = 'perfpay_lang';

/** A signed-in person as the pages see them: who, in which language, and their forms' token. */
export interface Session extends Viewer {
  actor: string;
  idHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person of a /ui page (set by the page's guard, ui.routes.ts). */
    uiSession: Session | null;
  }
}

export interface SessionDeps {
  db: Db;
  clock: Clock;
  bootstrapToken?: string;
  sessionHours: number;
}

export type Sessions = ReturnType<typeof createSessions>;

export function createSessions(deps: SessionDeps) {
  const zone = timeZoneOf(deps.clock);
  const resolve = principalResolver({ db: deps.db, bootstrapToken: deps.bootstrapToken });
  const cookieOptions = (request: FastifyRequest) => ({ path: '/ui', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' });
  // `?lang=` is read before the route's schema has typed the query (a page's guard, a sign-in form)
  const langOf = (request: FastifyRequest): Lang => {
    const asked = textOf(request.query, 'lang');
    if (isLang(asked)) return asked;
    return request.cookies[LANG_COOKIE] === 'en' ? 'en' : 'zh';
  };

  return {
    /** The page's language and time zone, signed in or not. */
    viewOf: (request: FastifyRequest): View => ({ lang: langOf(request), zone }),

    /** The signed-in person, or null; a language asked for (`?lang=`) is kept in its cookie on the way. */
    async current(request: FastifyRequest, reply: FastifyReply): Promise<Session | null> {
      const lang = langOf(request);
      const asked = textOf(request.query, 'lang');
      if (asked === 'en' || asked === 'zh') void reply.setCookie(LANG_COOKIE, asked, cookieOptions(request));
      const id = request.cookies[SESSION_COOKIE];
      if (!id) return null;
      const stored = await findLiveSession(deps.db, tokenHash(id), deps.clock.now());
      if (!stored) return null;
      const found = await resolve(stored.tokenHash);
      if (!found) return null;
      return { ...found, lang, zone, csrf: formToken(id), idHash: stored.idHash };
    },

    /** A new token for the sign-in form, held in its cookie. */
    issueSignInToken(request: FastifyRequest, reply: FastifyReply): string {
      const token = randomBytes(16).toString('hex');
      void reply.setCookie(SIGN_IN_COOKIE, token, cookieOptions(request));
      return token;
    },

    /** Whether the sign-in form posted the token its cookie holds. */
    signInTokenPosted: (request: FastifyRequest): boolean => sameToken(postedToken(request), request.cookies[SIGN_IN_COOKIE] ?? ''),

    /** Signs in with an API key: null when the key is not a live one; otherwise the session's cookie is set and the key's principal returned. */
    async start(request: FastifyRequest, reply: FastifyReply, key: string): Promise<Principal | null> {
      const found = key ? await resolve(tokenHash(key)) : null;
      if (!found) return null;
      const id = randomBytes(32).toString('base64url');
      const at = deps.clock.now();
      await createSession(deps.db, { idHash: tokenHash(id), tokenHash: tokenHash(key), createdAt: at, expiresAt: new Date(at.getTime() + deps.sessionHours * 3_600_000) });
      const options = cookieOptions(request);
      void reply.clearCookie(SIGN_IN_COOKIE, options).setCookie(SESSION_COOKIE, id, { ...options, maxAge: deps.sessionHours * 3600 });
      return found.principal;
    },

    /** Signs out: the session is revoked on the server (when there is one) and its cookie cleared. */
    async end(request: FastifyRequest, reply: FastifyReply, session: Session | null): Promise<void> {
      if (session) await revokeSession(deps.db, session.idHash, deps.clock.now());
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    },
  };
}

/** Whether a form posted this session's token (read before the route's schema has typed the form). */
export const sessionTokenPosted = (request: FastifyRequest, session: Session): boolean => sameToken(postedToken(request), session.csrf);

const postedToken = (request: FastifyRequest): string | undefined => textOf(request.body, 'csrf');

/** The forms' token of a session: derived from its id, so it is never stored. */
const formToken = (sessionId: string) => createHash('sha256').update(`perfpay-ui-form:${sessionId}`, 'utf8').digest('hex').slice(0, 32);

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
