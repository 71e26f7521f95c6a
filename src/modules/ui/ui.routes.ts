import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { perCapitaPay } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { tokenHash } from '../../shared/canonical.js';
import { timeZoneOf, type Clock } from '../../shared/context.js';
import { AppError, errorIn } from '../../shared/errors.js';
import { html, type Html } from '../../shared/html.js';
import { rawParam, textOf } from '../../shared/http.js';
import { isLang, score2, yuan, type Lang } from '../../shared/i18n.js';
import type { MessageKey } from '../../shared/messages/index.js';
import { layout } from '../../shared/page.js';
import type { Caller, Principal } from '../../shared/principal.js';
import { auditPage, verifyHospitalAudit } from '../audit/audit.usecases.js';
import { principalResolver } from '../keys/keys.usecases.js';
import { runWorkbook } from '../settlements/exports.usecases.js';
import { review } from '../settlements/reviews.usecases.js';
import type { SettlementQueue } from '../settlements/settlements.queue.js';
import { approveSettlement, requestSettlement } from '../settlements/settlements.usecases.js';
import { departmentStatementBody, departmentStatementHtml, personStatementBody, personStatementHtml, type StatementPageOptions } from '../settlements/statements.html.js';
import type { RunRow } from '../settlements/settlements.repository.js';
import { createSession, findLiveSession, revokeSession } from './sessions.repository.js';
import { departmentPage, personPage, runPage, runsPage, visibleRun } from './ui.usecases.js';
import {
  actionName,
  actorName,
  annualSummary,
  AUDIT_ACTIONS,
  AUDIT_ENTITIES,
  barChart,
  doneLine,
  kindName,
  nameOf,
  period,
  quarterSummary,
  reviewName,
  statusName,
  time,
  word,
  type View,
  warningText,
} from './ui.views.js';

const SESSION_COOKIE = 'perfpay_session';
/** The sign-in form's token (double submit): the form posts it, the cookie holds it. */
const SIGN_IN_COOKIE = 'perfpay_sign_in';
const LANG_COOKIE = 'perfpay_lang';

/** A refusal the page words itself, already in the page's language. */
class PageRefusal extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

interface Session extends View {
  principal: Principal;
  actor: string;
  csrf: string;
  idHash: string;
}

/** What an action did, shown on the page it leads to (`?done=`): only these words are shown. */
const DONE: Record<string, MessageKey> = {
  started: 'done.started',
  forced: 'done.forced',
  unchanged: 'done.unchanged',
  running: 'done.running',
  approved: 'done.approved',
  acknowledged: 'done.acknowledged',
  disputed: 'done.disputed',
};

/**
 * /ui: the review pages, rendered on the server (no front-end build), in Chinese unless English is
 * asked for (`?lang=en`, kept in a cookie); every word from the catalogue. A person signs in with
 * their API key; the browser then holds only a random session id (HttpOnly, SameSite=Strict,
 * scoped to /ui, Secure when the request came over HTTPS), whose SHA-256 the server keeps with
 * the key's hash, an expiry, and its revocation at sign-out. Every page looks the key up again
 * (a revoked key is signed out at once). Every form carries a token derived from the session, and
 * the sign-in form one of its own (double submit), so another site cannot post any of them. The
 * pages call the same use cases as the API, with the same role and department rules: a quarter's
 * and a year-end's result, the departments' reviews, approval (refused while the run is stale),
 * starting a settlement, the downloads, and the audit log with the chain's verification.
 */
export async function registerUiRoutes(app: FastifyInstance, deps: { db: Db; clock: Clock; queue: SettlementQueue; log: Logger; bootstrapToken?: string; sessionHours: number }): Promise<void> {
  const { db, clock } = deps;
  const zone = timeZoneOf(clock);
  const now = () => clock.now();
  /** What a statement shows besides itself: the page's language, the hospital, the run's status and approval, the time zone. */
  const statementOptions = (s: Session, data: { run: RunRow; hospital: { code: string; name: string }; stale?: boolean }, links: Partial<StatementPageOptions> = {}): StatementPageOptions => ({
    lang: s.lang,
    hospital: data.hospital,
    run: { status: data.run.status, stale: data.stale, approvedBy: data.run.approvedBy, approvedAt: data.run.approvedAt, overrideReason: data.run.approvalOverrideReason },
    timeZone: zone,
    printedAt: now(),
    ...links,
  });
  const callerOf = (request: FastifyRequest, s: Session): Caller => ({ principal: s.principal, actor: s.actor, requestId: request.id });
  const as = (request: FastifyRequest, s: Session) => ({ db, clock, caller: callerOf(request, s) });
  const resolve = principalResolver({ db, bootstrapToken: deps.bootstrapToken });
  await app.register(cookie);
  await app.register(formbody);
  const cookieOptions = (request: FastifyRequest) => ({ path: '/ui', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' });

  const langOf = (request: FastifyRequest): Lang => {
    const q = textOf(request.query, 'lang');
    if (isLang(q)) return q;
    return request.cookies[LANG_COOKIE] === 'en' ? 'en' : 'zh';
  };
  const viewOf = (request: FastifyRequest): View => ({ lang: langOf(request), zone });
  const csrfOf = (sessionId: string) => createHash('sha256').update(`perfpay-ui-form:${sessionId}`, 'utf8').digest('hex').slice(0, 32);

  async function session(request: FastifyRequest, reply: FastifyReply): Promise<Session | null> {
    const lang = langOf(request);
    const q = textOf(request.query, 'lang');
    if (q === 'en' || q === 'zh') void reply.setCookie(LANG_COOKIE, q, cookieOptions(request));
    const id = request.cookies[SESSION_COOKIE];
    if (!id) return null;
    const stored = await findLiveSession(db, tokenHash(id), now());
    if (!stored) return null;
    const found = await resolve(stored.tokenHash);
    if (!found) return null;
    return { ...found, lang, zone, csrf: csrfOf(id), idHash: stored.idHash };
  }

  const otherLanguage = (v: View) => html`<a href="?lang=${v.lang === 'en' ? 'zh' : 'en'}" id="other-language">${word(v, 'page.otherLanguage')}</a>`;

  const signIn = (request: FastifyRequest, reply: FastifyReply, v: View, error?: string) => {
    const token = randomBytes(16).toString('hex');
    return reply
      .setCookie(SIGN_IN_COOKIE, token, cookieOptions(request))
      .type('text/html; charset=utf-8')
      .send(
        layout(
          v.lang,
          word(v, 'page.signIn.title'),
          html`<h1>${word(v, 'page.appName')}</h1>
<p class="meta">${word(v, 'page.signIn.prompt')} ${otherLanguage(v)}</p>
${error ? html`<p class="error" id="error">${error}</p>` : ''}
<form method="post" action="/ui/sign-in"><input type="hidden" name="csrf" value="${token}"><label>${word(v, 'page.signIn.key')} <input type="password" name="key" id="key" autocomplete="off" required></label>
<button type="submit" id="sign-in">${word(v, 'page.signIn.submit')}</button></form>`,
        ),
      );
  };

  const expiredForm = (reply: FastifyReply, v: View) =>
    reply
      .status(403)
      .type('text/html; charset=utf-8')
      .send(layout(v.lang, word(v, 'page.error'), html`<p class="error" id="error">${word(v, 'page.formExpired')}</p><p><a href="/ui/runs">${word(v, 'page.back')}</a></p>`));

  /** A page for a signed-in person, or the sign-in form; a refusal is a page in their language. */
  const page = (handler: (request: FastifyRequest, reply: FastifyReply, s: Session) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const s = await session(request, reply);
    if (!s) {
      if (request.method === 'GET') return signIn(request, reply, viewOf(request));
      return reply.redirect('/ui', 303);
    }
    if (request.method === 'POST' && !sameToken(textOf(request.body, 'csrf'), s.csrf)) return expiredForm(reply, s);
    try {
      return await handler(request, reply, s);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const { message } = e instanceof PageRefusal ? e : errorIn(s.lang, { code: e.code, message: e.message, path: e.path });
      return reply
        .status(e.status)
        .type('text/html; charset=utf-8')
        .send(layout(s.lang, word(s, 'page.error'), html`${nav(s)}<p class="error" id="error">${message}</p><p><a href="/ui/runs">${word(s, 'page.back')}</a></p>`));
    }
  };

  const mayAudit = (s: Session) => s.principal.role === 'admin' || s.principal.role === 'auditor';
  const maySettle = (s: Session) => s.principal.role === 'admin' || s.principal.role === 'finance';

  const nav = (s: Session): Html =>
    html`<nav class="noprint"><a href="/ui/runs" id="nav-runs">${word(s, 'nav.runs')}</a>${mayAudit(s) ? html`<a href="/ui/audit" id="nav-audit">${word(s, 'nav.audit')}</a>` : ''}<span class="meta">${s.principal.name} · ${word(s, `role.${s.principal.role}`)}${s.principal.hospital ? ` · ${s.principal.hospital}` : ''}</span>
${otherLanguage(s)}
<form class="inline" method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="${s.csrf}"><button type="submit" id="sign-out">${word(s, 'nav.signOut')}</button></form></nav>`;

  /** The line of `?done=` for this page, with the page's own facts (its period, its department). */
  const done = (request: FastifyRequest, s: Session, params: Record<string, string>) => {
    const key = DONE[textOf(request.query, 'done') ?? ''];
    return doneLine(key ? word(s, key, params) : undefined);
  };

  const hide = { schema: { hide: true } };

  app.get('/ui', hide, async (request, reply) => {
    const s = await session(request, reply);
    return s ? reply.redirect('/ui/runs', 303) : signIn(request, reply, viewOf(request));
  });

  app.post('/ui/sign-in', hide, async (request, reply) => {
    const v = viewOf(request);
    if (!sameToken(textOf(request.body, 'csrf'), request.cookies[SIGN_IN_COOKIE] ?? '')) return signIn(request, reply.status(403), v, word(v, 'page.signIn.expired'));
    const key = (textOf(request.body, 'key') ?? '').trim();
    const found = key ? await resolve(tokenHash(key)) : null;
    if (!found) return signIn(request, reply.status(401), v, word(v, 'page.signIn.invalid'));
    const id = randomBytes(32).toString('base64url');
    const at = now();
    await createSession(db, { idHash: tokenHash(id), tokenHash: tokenHash(key), createdAt: at, expiresAt: new Date(at.getTime() + deps.sessionHours * 3_600_000) });
    const options = cookieOptions(request);
    return reply
      .clearCookie(SIGN_IN_COOKIE, options)
      .setCookie(SESSION_COOKIE, id, { ...options, maxAge: deps.sessionHours * 3600 })
      .redirect('/ui/runs', 303);
  });

  app.post('/ui/sign-out', hide, async (request, reply) => {
    const s = await session(request, reply);
    if (s && !sameToken(textOf(request.body, 'csrf'), s.csrf)) return expiredForm(reply, s);
    if (s) await revokeSession(db, s.idHash, now());
    return reply.clearCookie(SESSION_COOKIE, cookieOptions(request)).redirect('/ui', 303);
  });

  // ---------------------------------------------------------------- downloads and printing

  // the review pages' own downloads, under the session (the /v1 exports need a Bearer token)
  app.get(
    '/ui/runs/:id/export.xlsx',
    hide,
    page(async (request, reply, s) => {
      const { run } = await visibleRun(as(request, s), paramOf(request, 'id'));
      const book = await runWorkbook(as(request, s), run.id, queryOf(request, 'department') || undefined);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${book.filename}"`)
        .send(book.buffer);
    }),
  );

  // a statement alone, to print on A4 (or save as PDF): the statements' own printable page
  app.get(
    '/ui/runs/:id/departments/:code/print',
    hide,
    page(async (request, reply, s) => {
      const code = paramOf(request, 'code');
      const data = await departmentPage(as(request, s), paramOf(request, 'id'), code);
      if (data.view === 'forbidden') throw new PageRefusal(word(s, 'page.forbidden.department', { department: code }));
      if (data.view === 'year-end') return html_(reply, layout(s.lang, `${word(s, 'department.annualTitle')} · ${data.line.name}`, annualDepartmentBody(s, data)));
      return html_(reply, departmentStatementHtml(data.statement, statementOptions(s, data)));
    }),
  );

  app.get(
    '/ui/runs/:id/people/:staffId/print',
    hide,
    page(async (request, reply, s) => {
      const data = await personPage(as(request, s), paramOf(request, 'id'), paramOf(request, 'staffId'));
      if (data.view === 'year-end') return html_(reply, layout(s.lang, `${word(s, 'person.annualTitle')} · ${data.lines[0]!.name}`, annualPersonBody(s, data)));
      return html_(reply, personStatementHtml(data.statement, statementOptions(s, data)));
    }),
  );

  // ---------------------------------------------------------------- the runs

  app.get(
    '/ui/runs',
    hide,
    page(async (request, reply, s) => {
      const data = await runsPage(as(request, s), queryOf(request, 'hospital'));
      if (data.view === 'hospitals') {
        return send(
          reply,
          s,
          word(s, 'runs.chooseHospital'),
          html`<h1>${word(s, 'runs.chooseHospital')}</h1><ul>${data.hospitals.map((h) => html`<li><a href="/ui/runs?hospital=${encodeURIComponent(h.code)}">${nameOf(s, h.name, h.code)}</a></li>`)}</ul>`,
        );
      }
      const { hospital, runs, stale } = data;
      const rows = runs.map(
        (r) =>
          html`<tr data-run="${r.id}" data-period="${r.period}"><td><a href="/ui/runs/${r.id}">${period(s, r.period)}</a></td><td>${kindName(s, r.kind)}</td><td><span class="status">${statusName(s, r.status)}</span>${stale.has(r.id) ? html` <span class="stale" data-stale="true">${word(s, 'status.stale')}</span>` : ''}</td><td>${actorName(s, r.requestedBy)}</td><td>${time(s, r.createdAt)}</td><td>${r.approvedAt ? html`${actorName(s, r.approvedBy)} · ${time(s, r.approvedAt)}` : '—'}</td></tr>`,
      );
      const start = maySettle(s)
        ? html`<h2>${word(s, 'runs.start')}</h2><form method="post" action="/ui/runs" id="start-form"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="hospital" value="${hospital.code}">
<label>${word(s, 'runs.start.period')} <input type="text" name="period" id="period" required pattern="[0-9]{4}(Q[1-4])?" placeholder="2026Q1" title="${word(s, 'runs.start.periodHint')}" class="short"></label> <span class="meta">${word(s, 'runs.start.periodHint')}</span><br>
<label><input type="checkbox" name="force" value="true" id="force"> ${word(s, 'runs.start.force')}</label><br>
<button type="submit" id="start">${word(s, 'runs.start.submit')}</button></form>`
        : '';
      return send(
        reply,
        s,
        `${hospital.name} · ${word(s, 'runs.title')}`,
        html`<h1>${hospital.name}</h1>${done(request, s, {})}<h2>${word(s, 'runs.title')}</h2>
${
  runs.length === 0
    ? html`<p>${word(s, 'runs.empty')}</p>`
    : html`<table id="runs"><thead><tr><th>${word(s, 'word.period')}</th><th>${word(s, 'runs.kind')}</th><th>${word(s, 'word.status')}</th><th>${word(s, 'runs.requestedBy')}</th><th>${word(s, 'word.createdAt')}</th><th>${word(s, 'word.approvedBy')}</th></tr></thead><tbody>${rows}</tbody></table>`
}${start}`,
      );
    }),
  );

  app.post(
    '/ui/runs',
    hide,
    page(async (request, reply, s) => {
      if (!maySettle(s)) throw new PageRefusal(word(s, 'page.forbidden.settle'));
      const form = formOf(request);
      const hospital = s.principal.hospital ?? (typeof form.hospital === 'string' ? form.hospital : '');
      const periodText = typeof form.period === 'string' ? form.period.trim() : '';
      if (!/^[0-9]{4}(Q[1-4])?$/.test(periodText)) {
        throw new AppError(400, 'invalid_type', `period: Expected string to match '^[0-9]{4}(Q[1-4])?$', got the string ${JSON.stringify(periodText.slice(0, 40))}`, 'period');
      }
      const force = form.force === 'true';
      const { run, created } = await requestSettlement({ ...as(request, s), queue: deps.queue, log: deps.log }, hospital, periodText, { force });
      const what = created ? (force ? 'forced' : 'started') : run.status === 'queued' || run.status === 'running' ? 'running' : 'unchanged';
      return reply.redirect(`/ui/runs/${run.id}?done=${what}`, 303);
    }),
  );

  // ---------------------------------------------------------------- a run

  app.get(
    '/ui/runs/:id',
    hide,
    page(async (request, reply, s) => {
      const data = await runPage(as(request, s), paramOf(request, 'id'));
      const { run, hospital } = data;
      const stale = data.view !== 'unsettled' && data.stale;
      const heading = html`<h1>${hospital.name} · ${period(s, run.period)}</h1>
<p class="meta">${kindName(s, run.kind)} · ${word(s, 'word.status')}: <span class="status" id="status">${statusName(s, run.status)}</span>${stale ? html` <span class="stale" id="stale-badge">${word(s, 'status.stale')}</span>` : ''} · ${word(s, 'run.requested', { actor: actorName(s, run.requestedBy), at: time(s, run.createdAt) })}${run.finishedAt ? html` · ${word(s, 'word.finishedAt')}: ${time(s, run.finishedAt)}` : ''}</p>
${done(request, s, { period: period(s, run.period) })}`;
      const rerun =
        maySettle(s) && (run.status === 'succeeded' || run.status === 'failed')
          ? html`<form class="noprint" method="post" action="/ui/runs"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="hospital" value="${hospital.code}"><input type="hidden" name="period" value="${run.period}"><input type="hidden" name="force" value="true"><button type="submit" id="rerun">${word(s, 'runs.rerun')}</button></form>`
          : '';
      if (run.status === 'queued' || run.status === 'running') {
        // progress: the page reloads itself every two seconds until the run has finished
        return send(reply, s, `${period(s, run.period)} · ${statusName(s, run.status)}`, html`${heading}<p id="progress">${word(s, 'run.progress')}</p><progress></progress>`, 2);
      }
      if (data.view === 'unsettled') {
        const error = (run.error ?? {}) as { code?: string; message?: string; path?: string };
        const message = error.code && error.message ? errorIn(s.lang, { code: error.code, message: error.message, path: error.path }).message : word(s, 'run.failed');
        return send(reply, s, period(s, run.period), html`${heading}<p class="error" id="error">${word(s, 'run.failed')}: ${message}</p>${rerun}`);
      }

      const staleNote = stale ? html`<p class="error" id="stale">${word(s, 'run.stale')}</p>` : '';
      const superseded = run.status === 'superseded' ? html`<p class="meta" id="superseded">${word(s, 'run.superseded')}</p>` : '';
      const approval = approvalSection(s, run, stale, data.view === 'year-end' ? [] : data.reviews);
      const workbook = html`<p class="noprint"><a id="download-xlsx" href="/ui/runs/${run.id}/export.xlsx">${word(s, data.view === 'departments' ? 'download.myWorkbook' : 'download.workbook')}</a></p>`;

      if (data.view === 'year-end') {
        const { result: a, departments } = data;
        const withRisk = a.summary.riskAwardTotal !== undefined;
        const total = (pick: (d: (typeof departments)[number]) => string | undefined) => yuan(sum(departments.map((d) => pick(d) ?? '0')));
        const table = html`<table id="departments"><thead><tr><th>${word(s, 'word.department')}</th><th>${word(s, 'col.annualScore')}</th><th>${word(s, 'col.annualAmount')}</th>${withRisk ? html`<th>${word(s, 'col.riskAward')}</th>` : ''}<th>${word(s, 'col.bankExpired')}</th></tr></thead>
<tbody>${departments.map(
          (d) =>
            html`<tr data-department="${d.code}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a></td><td class="num">${score2(d.score)}</td><td class="num">${yuan(d.amount)}</td>${withRisk ? html`<td class="num">${yuan(d.riskAward)}</td>` : ''}<td class="num">${yuan(d.bankExpired)}</td></tr>`,
        )}<tr class="total"><td>${word(s, 'word.total')}</td><td></td><td class="num">${total((d) => d.amount)}</td>${withRisk ? html`<td class="num">${total((d) => d.riskAward)}</td>` : ''}<td class="num">${total((d) => d.bankExpired)}</td></tr></tbody></table>`;
        return send(
          reply,
          s,
          `${period(s, run.period)} · ${kindName(s, run.kind)}`,
          html`${heading}${staleNote}${superseded}
${
  data.whole
    ? html`<h2>${word(s, 'run.summary')}</h2>${annualSummary(s, a.summary)}${barChart(
        'chart-annual-amounts',
        word(s, 'run.chart.annualAmount'),
        data.amounts.map((b) => ({ ...b, text: yuan(b.text) })),
        s,
      )}`
    : ''
}
<h2>${word(s, data.whole ? 'run.departments' : 'run.mine')}</h2>${table}${warnings(s, a.warnings, data.whole)}${approval}${workbook}${rerun}`,
        );
      }

      const { result: q, reviews, departments } = data;
      const reviewOf = new Map(reviews.map((r) => [r.department, r]));
      const whole = data.view === 'hospital';
      const table = html`<table id="departments"><thead><tr><th>${word(s, 'word.department')}</th><th>${word(s, 'col.headcount')}</th><th>${word(s, 'col.score')}</th><th>${word(s, 'col.penalties')}</th><th>${word(s, 'col.final')}</th><th>${word(s, 'col.perCapita')}</th><th>${word(s, 'col.review')}</th><th>${word(s, 'col.reason')}</th></tr></thead>
<tbody>${departments.map((d) => {
        const r = reviewOf.get(d.code);
        return html`<tr data-department="${d.code}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a></td><td class="num">${d.headcount}</td><td class="num">${score2(d.score)}</td><td class="num">${yuan(d.penaltyTotal)}</td><td class="num">${yuan(d.final)}</td><td class="num">${yuan(perCapitaPay(d.final, d.headcount))}</td><td class="review-${r?.status ?? 'pending'}">${reviewName(s, r?.status ?? 'pending')}${r?.by ? html`<br><span class="meta">${word(s, 'department.reviewedBy', { actor: actorName(s, r.by), at: time(s, r.at) })}</span>` : ''}</td><td class="reason">${r?.reason ?? ''}</td></tr>`;
      })}<tr class="total"><td>${word(s, 'word.total')}</td><td class="num">${departments.reduce((n, d) => n + d.headcount, 0)}</td><td></td><td class="num">${yuan(sum(departments.map((d) => d.penaltyTotal)))}</td><td class="num">${yuan(sum(departments.map((d) => d.final)))}</td><td></td><td></td><td></td></tr></tbody></table>`;

      if (!whole) {
        const own = departments.map(
          (d) =>
            html`<li><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a>: ${word(s, 'col.final')} ${yuan(d.final)} · ${reviewName(s, reviewOf.get(d.code)?.status ?? 'pending')}</li>`,
        );
        return send(
          reply,
          s,
          `${period(s, run.period)} · ${word(s, 'run.mine')}`,
          html`${heading}${staleNote}${superseded}<h2>${word(s, 'run.mine')}</h2><ul id="mine">${own}</ul>${table}${approval}${workbook}`,
        );
      }
      const { conservation: c, points, perHead } = data;
      const check = html`<h2>${word(s, 'run.conservation')}</h2>
<p id="conservation" class="${c.holds ? 'ok' : 'bad'}">${word(s, 'run.conservation.pool')} ${yuan(c.pool)} = ${word(s, 'run.conservation.paid')} ${yuan(c.paid)} + ${word(s, 'run.conservation.retained')} ${yuan(c.retained)} + ${word(s, 'run.conservation.banked')} ${yuan(c.banked)} − ${word(s, 'run.conservation.drawn')} ${yuan(c.drawn)} − ${word(s, 'run.conservation.subsidised')} ${yuan(c.subsidised)} = ${yuan(c.total)} ${c.holds ? '✓' : '✗'}</p>`;
      return send(
        reply,
        s,
        `${period(s, run.period)} · ${kindName(s, run.kind)}`,
        html`${heading}${staleNote}${superseded}<h2>${word(s, 'run.summary')}</h2>${quarterSummary(s, q.summary)}${check}
<h2>${word(s, 'run.charts')}</h2>
${barChart(
  'chart-point-values',
  word(s, 'run.chart.pointValue'),
  points.map((p) => ({ ...p, text: score2(p.text) })),
  s,
)}
${barChart(
  'chart-per-capita',
  word(s, 'run.chart.perCapita'),
  perHead.map((p) => ({ ...p, text: yuan(p.text) })),
  s,
)}
<h2>${word(s, 'run.departments')}</h2>${table}${warnings(s, q.warnings, true)}${approval}${workbook}${rerun}`,
      );
    }),
  );

  /** Who approved and when (with the override reason), or the approval form; none while stale. */
  function approvalSection(
    s: Session,
    run: { id: string; status: string; approvedBy: string | null; approvedAt: Date | null; approvalOverrideReason: string | null },
    stale: boolean,
    reviews: { status: string }[],
  ): Html | string {
    if (run.approvedAt) {
      return html`<h2>${word(s, 'approval.heading')}</h2><div id="approval"><p class="ok">${word(s, 'approval.by', { actor: actorName(s, run.approvedBy), at: time(s, run.approvedAt) })}</p>${run.approvalOverrideReason ? html`<p id="override-reason">${word(s, 'approval.override', { reason: run.approvalOverrideReason })}</p>` : ''}</div>`;
    }
    if (s.principal.role !== 'admin' || run.status !== 'succeeded' || stale) return '';
    const pending = reviews.filter((r) => r.status === 'pending').length;
    return html`<h2>${word(s, 'approval.heading')}</h2>${pending > 0 ? html`<p class="meta" id="pending-reviews">${word(s, 'approval.pendingReviews', { count: pending })}</p>` : ''}<form method="post" action="/ui/runs/${run.id}/approve" class="noprint"><input type="hidden" name="csrf" value="${s.csrf}">
${reviews.some((r) => r.status === 'disputed') ? html`<label>${word(s, 'approval.needsReason')} <input type="text" name="overrideReason" id="override-reason-input" required></label>` : ''}
<button type="submit" id="approve">${word(s, 'approval.submit')}</button></form>`;
  }

  // ---------------------------------------------------------------- a department, a person

  app.get(
    '/ui/runs/:id/departments/:code',
    hide,
    page(async (request, reply, s) => {
      const code = paramOf(request, 'code');
      const data = await departmentPage(as(request, s), paramOf(request, 'id'), code);
      if (data.view === 'forbidden') throw new PageRefusal(word(s, 'page.forbidden.department', { department: code }));
      const { run } = data;
      const downloads = html`<h2 class="noprint">${word(s, 'download.heading')}</h2><p class="noprint downloads"><a id="download-department-xlsx" href="/ui/runs/${run.id}/export.xlsx?department=${encodeURIComponent(code)}">${word(s, 'download.departmentWorkbook', { department: data.view === 'year-end' ? data.line.name : data.statement.department.name })}</a> · <a id="print-statement" href="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/print" target="_blank">${word(s, 'download.statement')}</a></p>`;
      if (data.view === 'year-end') {
        const chart = barChart(
          'chart-distribution',
          word(s, 'run.chart.distribution'),
          data.people.map((p) => ({ label: p.name, code: p.staffId, text: yuan(p.amount), value: Number(p.amount) })),
          s,
        );
        return send(reply, s, `${data.line.name} · ${period(s, run.period)}`, html`${annualDepartmentBody(s, data)}${chart}${downloads}`);
      }
      const { statement, review: current } = data;
      const name = nameOf(s, statement.department.name, code);
      const mayReview = (s.principal.role === 'dept_head' || s.principal.role === 'admin') && run.status === 'succeeded';
      const status = html`<p id="review-status">${reviewName(s, current?.status ?? 'pending')}${current?.reason ? ` · ${current.reason}` : ''}${current?.by ? html` <span class="meta">${word(s, 'department.reviewedBy', { actor: actorName(s, current.by), at: time(s, current.at) })}</span>` : ''}</p>`;
      const forms = mayReview
        ? html`<h2>${word(s, 'department.review')}</h2>${status}
<form class="inline" method="post" action="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/review"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="status" value="acknowledged"><button type="submit" id="acknowledge">${word(s, 'department.acknowledge')}</button></form>
<form class="inline" method="post" action="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/review"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="status" value="disputed"><input type="text" name="reason" id="reason" placeholder="${word(s, 'department.reasonPlaceholder')}" required><button type="submit" id="dispute">${word(s, 'department.dispute')}</button></form>`
        : html`<h2>${word(s, 'department.review')}</h2>${status}`;
      const chart = barChart(
        'chart-distribution',
        word(s, 'run.chart.distribution'),
        statement.people.map((p) => ({ label: p.name, code: p.staffId, text: yuan(p.total), value: Number(p.total) })),
        s,
      );
      return send(
        reply,
        s,
        `${statement.department.name} · ${period(s, run.period)}`,
        html`${done(request, s, { department: name })}${data.stale ? html`<p class="error" id="stale">${word(s, 'run.stale')}</p>` : ''}${departmentStatementBody(statement, statementOptions(s, data, { personLink: (staffId) => `/ui/runs/${run.id}/people/${encodeURIComponent(staffId)}` }))}${chart}${forms}${downloads}`,
      );
    }),
  );

  app.get(
    '/ui/runs/:id/people/:staffId',
    hide,
    page(async (request, reply, s) => {
      const data = await personPage(as(request, s), paramOf(request, 'id'), paramOf(request, 'staffId'));
      const { run } = data;
      const print = html`<p class="noprint"><a id="print-statement" href="/ui/runs/${run.id}/people/${encodeURIComponent(paramOf(request, 'staffId'))}/print" target="_blank">${word(s, 'download.print')}</a></p>`;
      if (data.view === 'year-end') return send(reply, s, `${data.lines[0]!.name} · ${period(s, run.period)}`, html`${annualPersonBody(s, data)}${print}`);
      const { statement } = data;
      return send(
        reply,
        s,
        `${statement.name} · ${period(s, run.period)}`,
        html`${personStatementBody(statement, statementOptions(s, data, { departmentLink: `/ui/runs/${run.id}/departments/${encodeURIComponent(statement.department.code)}` }))}${print}`,
      );
    }),
  );

  /** A department's year-end: its amount and each person's part, with a total. */
  function annualDepartmentBody(s: Session, data: Extract<Awaited<ReturnType<typeof departmentPage>>, { view: 'year-end' }>): Html {
    const { run, hospital, line, people, withRisk } = data;
    const rows = people.map(
      (p) =>
        html`<tr data-staff="${p.staffId}"><td><a href="/ui/runs/${run.id}/people/${encodeURIComponent(p.staffId)}">${p.staffId}</a></td><td>${p.name}</td><td class="num">${score2(p.weight)}</td><td class="num">${yuan(p.amount)}</td>${withRisk ? html`<td class="num">${yuan(p.riskAward)}</td>` : ''}</tr>`,
    );
    return html`<h1>${word(s, 'department.annualTitle')}</h1>
<div class="meta">${hospital.name} · ${period(s, run.period)} · ${nameOf(s, line.name, line.code)} · ${word(s, 'word.status')}: ${statusName(s, run.status)}${run.approvedAt ? html` · ${word(s, 'approval.by', { actor: actorName(s, run.approvedBy), at: time(s, run.approvedAt) })}` : ''}</div>
<table id="annual-department"><tbody>
<tr data-key="score"><td>${word(s, 'col.annualScore')}</td><td class="num">${score2(line.score)}</td></tr>
<tr data-key="amount" class="total"><td>${word(s, 'col.annualAmount')}</td><td class="num">${yuan(line.amount)}</td></tr>
${withRisk ? html`<tr data-key="riskAward"><td>${word(s, 'col.riskAward')}</td><td class="num">${yuan(line.riskAward)}</td></tr>` : ''}
<tr data-key="bankExpired"><td>${word(s, 'col.bankExpired')}</td><td class="num">${yuan(line.bankExpired)}</td></tr></tbody></table>
<h2>${word(s, 'run.people')}</h2>
<table id="people"><thead><tr><th>${word(s, 'word.staffId')}</th><th>${word(s, 'word.name')}</th><th>${word(s, 'col.weight')}</th><th>${word(s, 'col.annualAmount')}</th>${withRisk ? html`<th>${word(s, 'col.riskAward')}</th>` : ''}</tr></thead>
<tbody>${rows}<tr class="total"><td>${word(s, 'word.total')}</td><td></td><td></td><td class="num">${yuan(sum(people.map((p) => p.amount)))}</td>${withRisk ? html`<td class="num">${yuan(sum(people.map((p) => p.riskAward ?? '0')))}</td>` : ''}</tr></tbody></table>`;
  }

  /** A person's year-end: a line per department they were paid in, with a total. */
  function annualPersonBody(s: Session, data: Extract<Awaited<ReturnType<typeof personPage>>, { view: 'year-end' }>): Html {
    const { run, hospital, lines, withRisk } = data;
    const first = lines[0]!;
    const rows = lines.map(
      (l) =>
        html`<tr data-department="${l.department}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(l.department)}">${nameOf(s, l.departmentName, l.department)}</a></td><td class="num">${score2(l.weight)}</td><td class="num">${yuan(l.amount)}</td>${withRisk ? html`<td class="num">${yuan(l.riskAward)}</td>` : ''}</tr>`,
    );
    return html`<h1>${word(s, 'person.annualTitle')}</h1>
<div class="meta">${hospital.name} · ${period(s, run.period)} · ${nameOf(s, first.name, first.staffId)} · ${word(s, 'word.status')}: ${statusName(s, run.status)}</div>
<table id="statement"><thead><tr><th>${word(s, 'word.department')}</th><th>${word(s, 'col.weight')}</th><th>${word(s, 'col.annualAmount')}</th>${withRisk ? html`<th>${word(s, 'col.riskAward')}</th>` : ''}</tr></thead>
<tbody>${rows}<tr class="total" data-key="total"><td>${word(s, 'word.total')}</td><td></td><td class="num">${yuan(sum(lines.map((l) => l.amount)))}</td>${withRisk ? html`<td class="num">${yuan(sum(lines.map((l) => l.riskAward ?? '0')))}</td>` : ''}</tr></tbody></table>`;
  }

  // ---------------------------------------------------------------- actions

  app.post(
    '/ui/runs/:id/departments/:code/review',
    hide,
    page(async (request, reply, s) => {
      const code = paramOf(request, 'code');
      const { run } = await visibleRun(as(request, s), paramOf(request, 'id'));
      if (!(s.principal.role === 'admin' || (s.principal.role === 'dept_head' && s.principal.departments.includes(code)))) {
        throw new PageRefusal(word(s, 'page.forbidden.review'));
      }
      // the form's fields go through the same check as the API's body (an unknown status or an
      // over-long reason is refused, not stored as something else)
      const { csrf: _csrf, ...decision } = formOf(request);
      if (decision.reason === '') delete decision.reason;
      const result = await review(as(request, s), run.id, code, decision);
      return reply.redirect(`/ui/runs/${run.id}/departments/${encodeURIComponent(code)}?done=${result.status}`, 303);
    }),
  );

  app.post(
    '/ui/runs/:id/approve',
    hide,
    page(async (request, reply, s) => {
      const { run } = await visibleRun(as(request, s), paramOf(request, 'id'));
      if (s.principal.role !== 'admin') throw new PageRefusal(word(s, 'page.forbidden.approve'));
      const reason = formOf(request).overrideReason;
      await approveSettlement(as(request, s), run.id, typeof reason === 'string' ? reason : undefined);
      return reply.redirect(`/ui/runs/${run.id}?done=approved`, 303);
    }),
  );

  // ---------------------------------------------------------------- the audit log

  app.get(
    '/ui/audit',
    hide,
    page(async (request, reply, s) => {
      if (!mayAudit(s)) throw new PageRefusal(word(s, 'page.forbidden.audit'));
      const code = s.principal.hospital ?? queryOf(request, 'hospital');
      if (!code) return reply.redirect('/ui/runs', 303);
      const q = (name: string) => {
        const value = queryOf(request, name)?.trim();
        return value ? value.slice(0, 300) : undefined;
      };
      const filter = { actor: q('actor'), action: q('action'), entityType: q('entityType'), entityKey: q('entityKey'), from: q('from'), to: q('to') };
      const afterText = q('afterSeq');
      const afterSeq = afterText && /^\d{1,15}$/.test(afterText) ? Number(afterText) : undefined;
      // a date in the form is a day in the hospital's time zone
      const from = isDay(filter.from) ? `${filter.from}T00:00:00${zoneOffset(zone, filter.from)}` : filter.from;
      const to = isDay(filter.to) ? `${filter.to}T23:59:59.999${zoneOffset(zone, filter.to)}` : filter.to;
      const [events, verification] = await Promise.all([auditPage({ db }, code, { ...filter, from, to, afterSeq, limit: 100 }), verifyHospitalAudit({ db }, code)]);
      const option = (value: string, label: string, chosen: string | undefined) => html`<option value="${value}"${chosen === value ? html` selected` : ''}>${label}</option>`;
      const form = html`<form method="get" action="/ui/audit" id="audit-filters" class="filters noprint">${s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${code}">`}
<label>${word(s, 'audit.actor')} <input type="text" name="actor" value="${filter.actor ?? ''}" class="short"></label>
<label>${word(s, 'audit.action')} <select name="action">${option('', word(s, 'audit.any'), filter.action)}${AUDIT_ACTIONS.map((a) => option(a, actionName(s, a), filter.action))}</select></label>
<label>${word(s, 'audit.entityType')} <select name="entityType">${option('', word(s, 'audit.any'), filter.entityType)}${AUDIT_ENTITIES.map((e) => option(e, word(s, `audit.entity.${e}`), filter.entityType))}</select></label>
<label>${word(s, 'audit.entityKey')} <input type="text" name="entityKey" value="${filter.entityKey ?? ''}" class="short"></label>
<label>${word(s, 'audit.from')} <input type="date" name="from" value="${filter.from ?? ''}"></label>
<label>${word(s, 'audit.to')} <input type="date" name="to" value="${filter.to ?? ''}"></label>
<button type="submit" id="audit-apply">${word(s, 'audit.apply')}</button></form>`;
      const verify = verification.valid
        ? html`<p id="audit-verify" class="ok">✓ ${word(s, 'audit.valid', { events: verification.events })}</p>`
        : html`<p id="audit-verify" class="bad">✗ ${word(s, 'audit.invalid', { seq: verification.firstInvalidSeq ?? '—', reason: verification.reason ?? '' })}</p>`;
      const rows = events.events.map(
        (e) =>
          html`<tr data-seq="${e.seq}" data-action="${e.action}"><td class="num">${e.seq}</td><td>${time(s, e.occurredAt)}</td><td title="${e.actor}"><a class="actor-filter" href="${auditLink({ ...filter, actor: e.actor, hospital: s.principal.hospital ? undefined : code })}">${actorName(s, e.actor)}</a></td><td title="${e.action}">${actionName(s, e.action)}</td><td class="key" title="${JSON.stringify(e.after ?? e.before ?? null).slice(0, 400)}">${e.entityKey}</td></tr>`,
      );
      const next =
        events.nextAfterSeq !== null
          ? html`<p class="noprint"><a id="audit-next" href="${auditLink({ ...filter, hospital: s.principal.hospital ? undefined : code, afterSeq: String(events.nextAfterSeq) })}">${word(s, 'audit.more')}</a></p>`
          : '';
      return send(
        reply,
        s,
        word(s, 'audit.title'),
        html`<h1>${word(s, 'audit.title')}</h1><h2>${word(s, 'audit.verify')}</h2>${verify}<h2>${word(s, 'audit.filters')}</h2>${form}
${rows.length === 0 ? html`<p id="audit-none">${word(s, 'audit.none')}</p>` : html`<table id="audit"><thead><tr><th>${word(s, 'audit.seq')}</th><th>${word(s, 'audit.at')}</th><th>${word(s, 'audit.actor')}</th><th>${word(s, 'audit.action')}</th><th>${word(s, 'audit.entityKey')}</th></tr></thead><tbody>${rows}</tbody></table>`}${next}`,
      );
    }),
  );

  function send(reply: FastifyReply, s: Session, title: string, body: Html, refreshSeconds?: number) {
    return reply.type('text/html; charset=utf-8').send(layout(s.lang, title, html`${nav(s)}${body}`, { refreshSeconds }));
  }
}

function html_(reply: FastifyReply, text: string) {
  return reply.type('text/html; charset=utf-8').send(text);
}

/** A period's and a run's warnings, to those who read the whole hospital. */
function warnings(v: View, list: string[], whole: boolean): Html | string {
  if (!whole || list.length === 0) return '';
  return html`<h2>${word(v, 'run.warnings')}</h2><ul id="warnings">${list.map((w) => html`<li>${warningText(v, w)}</li>`)}</ul>`;
}

/** The audit page with these filters (the empty ones left out). */
function auditLink(filter: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(filter).filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== ''));
  return `/ui/audit?${query.toString()}`;
}

/** The sum of decimal strings, exactly (money is never a float). */
function sum(values: (string | undefined)[]): string {
  let cents = 0n;
  for (const v of values) {
    if (!v) continue;
    const m = /^(-?)(\d+)\.(\d{2})$/.exec(v);
    if (!m) continue;
    const c = BigInt(m[2]!) * 100n + BigInt(m[3]!);
    cents += m[1] ? -c : c;
  }
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** A day that exists, as a date field sends it (2026-04-02); anything else goes to the audit's own check. */
function isDay(text: string | undefined): text is string {
  const m = text ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/** The offset of `zone` on a day, as ISO 8601 writes it (+08:00). */
function zoneOffset(zone: string, day: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(`${day}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m ? m[1]! : 'Z';
}

/** The pages' routes take their parts as text (a page validates what it uses, and answers with a page). */
const paramOf = (request: FastifyRequest, name: string): string => rawParam(request, name) ?? '';
const queryOf = (request: FastifyRequest, name: string): string | undefined => textOf(request.query, name);
/** A form's fields (application/x-www-form-urlencoded), as text. */
function formOf(request: FastifyRequest): Record<string, unknown> {
  const body: unknown = request.body;
  return body && typeof body === 'object' ? { ...body } : {};
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
