import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { tokenHash } from '../../shared/canonical.js';
import type { Clock } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { html, type Html } from '../../shared/html.js';
import type { Caller, Principal } from '../../shared/principal.js';
import { principalResolver } from '../keys/keys.usecases.js';
import { runWorkbook } from '../settlements/exports.usecases.js';
import { review } from '../settlements/reviews.usecases.js';
import { approveSettlement } from '../settlements/settlements.usecases.js';
import { isLang, type Lang } from '../../shared/i18n.js';
import { layout, t } from '../../shared/page.js';
import { departmentStatementBody, personStatementBody } from '../settlements/statements.html.js';
import { createSession, findLiveSession, revokeSession } from './sessions.repository.js';
import { departmentPage, personPage, runPage, runsPage, visibleRun } from './ui.usecases.js';
import { perCapitaPay } from '../../core/index.js';
import { rawParam, textOf } from '../../shared/http.js';

const SESSION_COOKIE = 'perfpay_session';
/** The sign-in form's token (double submit): the form posts it, the cookie holds it. */
const SIGN_IN_COOKIE = 'perfpay_sign_in';
const LANG_COOKIE = 'perfpay_lang';

interface Session {
  principal: Principal;
  actor: string;
  lang: Lang;
  csrf: string;
  idHash: string;
}

/**
 * /ui: the review pages, rendered on the server (no front-end build). A person signs in with
 * their API key; the browser then holds only a random session id (HttpOnly, SameSite=Strict,
 * scoped to /ui, Secure when the request came over HTTPS), whose SHA-256 the server keeps with
 * the key's hash, an expiry, and its revocation at sign-out. Every page looks the key up again
 * (a revoked key is signed out at once). Every form carries a token derived from the session, and
 * the sign-in form one of its own (double submit), so another site cannot post any of them. The
 * pages call the same use cases as the API, with the same role and department rules.
 */
export async function registerUiRoutes(app: FastifyInstance, deps: { db: Db; clock: Clock; bootstrapToken?: string; sessionHours: number }): Promise<void> {
  const { db, clock } = deps;
  const now = () => clock.now();
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
    return { ...found, lang, csrf: csrfOf(id), idHash: stored.idHash };
  }

  const signIn = (request: FastifyRequest, reply: FastifyReply, lang: Lang, error?: string) => {
    const token = randomBytes(16).toString('hex');
    return reply
      .setCookie(SIGN_IN_COOKIE, token, cookieOptions(request))
      .type('text/html; charset=utf-8')
      .send(
        layout(
          lang,
          t(lang, '绩效工资核算 · 登录', 'perfpay · sign in'),
          html`<h1>${t(lang, '医院绩效工资核算', 'Hospital performance pay')}</h1>
<p class="meta">${t(lang, '请输入您的 API 密钥登录。', 'Sign in with your API key.')} <a href="/ui?lang=${lang === 'en' ? 'zh' : 'en'}">${lang === 'en' ? '中文' : 'English'}</a></p>
${error ? html`<p class="error" id="error">${error}</p>` : ''}
<form method="post" action="/ui/sign-in"><input type="hidden" name="csrf" value="${token}"><label>${t(lang, 'API 密钥', 'API key')} <input type="password" name="key" id="key" autocomplete="off" required></label>
<button type="submit" id="sign-in">${t(lang, '登录', 'Sign in')}</button></form>`,
        ),
      );
  };

  /** A page for a signed-in person, or the sign-in form. */
  const page = (handler: (request: FastifyRequest, reply: FastifyReply, s: Session) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const s = await session(request, reply);
    if (!s) {
      if (request.method === 'GET') return signIn(request, reply, langOf(request));
      return reply.redirect('/ui', 303);
    }
    if (request.method === 'POST' && !sameToken(textOf(request.body, 'csrf'), s.csrf)) {
      return reply
        .status(403)
        .type('text/html; charset=utf-8')
        .send(layout(s.lang, 'perfpay', html`<p class="error">${t(s.lang, '表单已失效，请返回重试。', 'The form has expired; go back and try again.')}</p>`));
    }
    try {
      return await handler(request, reply, s);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return reply
        .status(e.status)
        .type('text/html; charset=utf-8')
        .send(layout(s.lang, 'perfpay', html`${nav(s)}<p class="error" id="error">${e.message}</p><p><a href="/ui/runs">${t(s.lang, '返回', 'Back')}</a></p>`));
    }
  };

  const nav = (s: Session): Html =>
    html`<nav class="noprint"><a href="/ui/runs">${t(s.lang, '核算批次', 'Runs')}</a><span class="meta">${s.principal.name} · ${roleName(s)}${s.principal.hospital ? ` · ${s.principal.hospital}` : ''}</span>
<a href="?lang=${s.lang === 'en' ? 'zh' : 'en'}">${s.lang === 'en' ? '中文' : 'English'}</a>
<form class="inline" method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="${s.csrf}"><button type="submit" id="sign-out">${t(s.lang, '退出', 'Sign out')}</button></form></nav>`;

  const hide = { schema: { hide: true } };

  app.get('/ui', hide, async (request, reply) => {
    const s = await session(request, reply);
    return s ? reply.redirect('/ui/runs', 303) : signIn(request, reply, langOf(request));
  });

  app.post('/ui/sign-in', hide, async (request, reply) => {
    const lang = langOf(request);
    if (!sameToken(textOf(request.body, 'csrf'), request.cookies[SIGN_IN_COOKIE] ?? '')) {
      return signIn(request, reply.status(403), lang, t(lang, '登录表单已失效，请重新输入。', 'The sign-in form has expired; please try again.'));
    }
    const key = (textOf(request.body, 'key') ?? '').trim();
    const found = key ? await resolve(tokenHash(key)) : null;
    if (!found) return signIn(request, reply.status(401), lang, t(lang, '密钥无效或已吊销。', 'That key is not valid or has been revoked.'));
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
    if (s && !sameToken(textOf(request.body, 'csrf'), s.csrf)) {
      return reply
        .status(403)
        .type('text/html; charset=utf-8')
        .send(layout(s.lang, 'perfpay', html`<p class="error">${t(s.lang, '表单已失效，请返回重试。', 'The form has expired; go back and try again.')}</p>`));
    }
    if (s) await revokeSession(db, s.idHash, now());
    return reply.clearCookie(SESSION_COOKIE, cookieOptions(request)).redirect('/ui', 303);
  });

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

  app.get(
    '/ui/runs',
    hide,
    page(async (request, reply, s) => {
      const data = await runsPage(as(request, s), queryOf(request, 'hospital'));
      if (data.view === 'hospitals') {
        return send(
          reply,
          s,
          t(s.lang, '医院', 'Hospitals'),
          html`<h1>${t(s.lang, '医院', 'Hospitals')}</h1><ul>${data.hospitals.map((h) => html`<li><a href="/ui/runs?hospital=${encodeURIComponent(h.code)}">${h.name} (${h.code})</a></li>`)}</ul>`,
        );
      }
      const { hospital, runs } = data;
      const rows = runs.map(
        (r) =>
          html`<tr data-run="${r.id}"><td><a href="/ui/runs/${r.id}">${r.period}</a></td><td>${r.kind === 'quarterly' ? t(s.lang, '季度', 'quarter') : t(s.lang, '年终', 'year-end')}</td><td><span class="status">${statusName(s.lang, r.status)}</span></td><td>${r.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td></tr>`,
      );
      return send(
        reply,
        s,
        `${hospital.name} · ${t(s.lang, '核算批次', 'runs')}`,
        html`<h1>${hospital.name}</h1><h2>${t(s.lang, '核算批次', 'Settlement runs')}</h2>
<table><thead><tr><th>${t(s.lang, '期间', 'Period')}</th><th>${t(s.lang, '类型', 'Kind')}</th><th>${t(s.lang, '状态', 'Status')}</th><th>${t(s.lang, '创建时间 (UTC)', 'Created (UTC)')}</th></tr></thead><tbody>${rows}</tbody></table>`,
      );
    }),
  );

  app.get(
    '/ui/runs/:id',
    hide,
    page(async (request, reply, s) => {
      const data = await runPage(as(request, s), paramOf(request, 'id'));
      const { run, hospital } = data;
      const heading = html`<h1>${hospital.name} · ${run.period}</h1><p class="meta">${t(s.lang, '状态', 'Status')}: <span class="status" id="status">${statusName(s.lang, run.status)}</span></p>`;
      if (run.status === 'queued' || run.status === 'running') {
        // progress: the page reloads itself every two seconds until the run has finished
        return send(
          reply,
          s,
          `${run.period} · ${statusName(s.lang, run.status)}`,
          html`${heading}<p id="progress">${t(s.lang, '正在核算，请稍候……页面每 2 秒自动刷新。', 'Settling… this page refreshes every 2 seconds.')}</p><progress></progress>`,
          2,
        );
      }
      if (run.status === 'failed' || !run.summary) {
        const error = (run.error ?? {}) as { message?: string };
        return send(reply, s, run.period, html`${heading}<p class="error">${error.message ?? t(s.lang, '核算失败', 'the settlement failed')}</p>`);
      }
      if (data.view === 'unsettled' || data.view === 'year-end') {
        return send(
          reply,
          s,
          run.period,
          html`${heading}<p>${t(s.lang, '年终结算结果请在“导出”中查看。', 'See the year-end result in the export.')} <a id="download-xlsx" href="/ui/runs/${run.id}/export.xlsx">XLSX</a></p>`,
        );
      }
      const { result: q, reviews, departments } = data;
      const reviewOf = new Map(reviews.map((r) => [r.department, r]));
      const table = html`<table id="departments"><thead><tr><th>${t(s.lang, '科室', 'Department')}</th><th>${t(s.lang, '人数', 'Headcount')}</th><th>${t(s.lang, '得分', 'Score')}</th><th>${t(s.lang, '扣罚', 'Penalties')}</th><th>${t(s.lang, '科室实发', 'Final')}</th><th>${t(s.lang, '人均', 'Per capita')}</th><th>${t(s.lang, '确认状态', 'Review')}</th></tr></thead>
<tbody>${departments.map((d) => {
        const r = reviewOf.get(d.code);
        return html`<tr data-department="${d.code}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${d.name} (${d.code})</a></td><td class="num">${d.headcount}</td><td class="num">${d.score}</td><td class="num">${d.penaltyTotal}</td><td class="num">${d.final}</td><td class="num">${perCapitaPay(d.final, d.headcount) ?? '—'}</td><td>${reviewName(s.lang, r?.status ?? 'pending')}</td></tr>`;
      })}</tbody></table>`;

      if (data.view === 'departments') {
        const own = departments.map(
          (d) =>
            html`<li><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${d.name} (${d.code})</a>: ${t(s.lang, '科室实发', 'final')} ${d.final} · ${reviewName(s.lang, reviewOf.get(d.code)?.status ?? 'pending')}</li>`,
        );
        return send(
          reply,
          s,
          `${run.period} · ${t(s.lang, '本科室', 'my department')}`,
          html`${heading}<h2>${t(s.lang, '本科室分配', 'My department’s allocation')}</h2><ul id="mine">${own}</ul>${table}
<p class="noprint"><a id="download-xlsx" href="/ui/runs/${run.id}/export.xlsx">${t(s.lang, '下载本科室工作簿 (XLSX)', 'Download my department’s workbook (XLSX)')}</a></p>`,
        );
      }
      const { conservation: c, points, perHead } = data;
      const summary = html`<table id="summary"><tbody>
<tr><td>${t(s.lang, '医疗收入', 'Revenue')}</td><td class="num">${q.summary.revenue}</td></tr>
<tr><td>${t(s.lang, '绩效工资总额', 'Pool')}</td><td class="num">${q.summary.pool}</td></tr>
<tr><td>${t(s.lang, '可分配金额', 'Distributable')}</td><td class="num">${q.summary.distributable}</td></tr>
<tr><td>${t(s.lang, '全院分值（元/分）', 'Point value')}</td><td class="num">${q.summary.pointValue}</td></tr>
<tr><td>${t(s.lang, '实发合计', 'Paid')}</td><td class="num">${q.summary.paidTotal}</td></tr>
<tr><td>${t(s.lang, '人数', 'Headcount')}</td><td class="num">${q.summary.headcount}</td></tr></tbody></table>`;
      const check = html`<h2>${t(s.lang, '资金平衡校验', 'Conservation check')}</h2>
<p id="conservation" class="${c.holds ? 'ok' : 'bad'}">${t(s.lang, '总额', 'pool')} ${c.pool} = ${t(s.lang, '实发', 'paid')} ${c.paid} + ${t(s.lang, '留存', 'retained')} ${c.retained} + ${t(s.lang, '存入调节金', 'banked')} ${c.banked} − ${t(s.lang, '调节金补发', 'drawn')} ${c.drawn} − ${t(s.lang, '补贴', 'subsidised')} ${c.subsidised} = ${c.total} ${c.holds ? '✓' : '✗'}</p>`;
      const approve =
        s.principal.role === 'admin' && run.status === 'succeeded'
          ? html`<h2>${t(s.lang, '审批', 'Approval')}</h2><form method="post" action="/ui/runs/${run.id}/approve"><input type="hidden" name="csrf" value="${s.csrf}">
${reviews.some((r) => r.status === 'disputed') ? html`<label>${t(s.lang, '有科室提出异议，审批须填写理由：', 'A department disputes this run; approving needs a reason:')} <input type="text" name="overrideReason" required></label>` : ''}
<button type="submit" id="approve">${t(s.lang, '审批通过', 'Approve')}</button></form>`
          : '';
      return send(
        reply,
        s,
        `${run.period} · ${t(s.lang, '核算结果', 'result')}`,
        html`${heading}${summary}${check}
<h2>${t(s.lang, '科室分值与人均绩效', 'Point values and per-capita pay by department')}</h2>
${barChart('chart-point-values', t(s.lang, '科室分值（元/分）', 'Department point value (yuan per point)'), points)}
${barChart('chart-per-capita', t(s.lang, '人均绩效（元）', 'Per-capita pay (yuan)'), perHead)}
<h2>${t(s.lang, '各科室', 'Departments')}</h2>${table}${approve}
<p class="noprint"><a id="download-xlsx" href="/ui/runs/${run.id}/export.xlsx">${t(s.lang, '下载工作簿 (XLSX)', 'Download the workbook (XLSX)')}</a></p>`,
      );
    }),
  );

  app.get(
    '/ui/runs/:id/departments/:code',
    hide,
    page(async (request, reply, s) => {
      const code = paramOf(request, 'code');
      const data = await departmentPage(as(request, s), paramOf(request, 'id'), code);
      if (data.forbidden) throw new AppError(403, 'forbidden', t(s.lang, `您的密钥不能查看科室 ${code}`, `this key may not see department ${code}`));
      const { run, hospital, statement, review: current } = data;
      const mayReview = (s.principal.role === 'dept_head' || s.principal.role === 'admin') && run.status === 'succeeded';
      const forms = mayReview
        ? html`<h2>${t(s.lang, '科室确认', 'Your review')}</h2><p id="review-status">${reviewName(s.lang, current?.status ?? 'pending')}${current?.reason ? ` · ${current.reason}` : ''}</p>
<form class="inline" method="post" action="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/review"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="status" value="acknowledged"><button type="submit" id="acknowledge">${t(s.lang, '确认无误', 'Acknowledge')}</button></form>
<form class="inline" method="post" action="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/review"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="status" value="disputed"><input type="text" name="reason" placeholder="${t(s.lang, '异议理由', 'reason')}" required><button type="submit" id="dispute">${t(s.lang, '提出异议', 'Dispute')}</button></form>`
        : html`<p id="review-status">${reviewName(s.lang, current?.status ?? 'pending')}</p>`;
      const chart = barChart(
        'chart-distribution',
        t(s.lang, '科室内个人绩效分布（元）', 'Pay of each person in the department (yuan)'),
        statement.people.map((p) => ({ label: p.name, text: p.total, value: Number(p.total) })),
      );
      return send(
        reply,
        s,
        `${statement.department.name} · ${run.period}`,
        html`${departmentStatementBody(statement, s.lang, hospital.name, (staffId) => `/ui/runs/${run.id}/people/${encodeURIComponent(staffId)}`)}${chart}${forms}`,
      );
    }),
  );

  app.get(
    '/ui/runs/:id/people/:staffId',
    hide,
    page(async (request, reply, s) => {
      const { run, hospital, statement } = await personPage(as(request, s), paramOf(request, 'id'), paramOf(request, 'staffId'));
      return send(
        reply,
        s,
        `${statement.name} · ${run.period}`,
        personStatementBody(statement, s.lang, hospital.name, `/ui/runs/${run.id}/departments/${encodeURIComponent(statement.department.code)}`),
      );
    }),
  );

  app.post(
    '/ui/runs/:id/departments/:code/review',
    hide,
    page(async (request, reply, s) => {
      const code = paramOf(request, 'code');
      const { run } = await visibleRun(as(request, s), paramOf(request, 'id'));
      if (!(s.principal.role === 'admin' || (s.principal.role === 'dept_head' && s.principal.departments.includes(code)))) {
        throw new AppError(403, 'forbidden', t(s.lang, '只有本科室主任或管理员可以确认或提出异议。', 'Only the department’s head or an admin may review it.'));
      }
      // the form's fields go through the same check as the API's body (an unknown status or an
      // over-long reason is refused, not stored as something else)
      const { csrf: _csrf, ...decision } = formOf(request);
      if (decision.reason === '') delete decision.reason;
      await review(as(request, s), run.id, code, decision);
      return reply.redirect(`/ui/runs/${run.id}/departments/${encodeURIComponent(code)}`, 303);
    }),
  );

  app.post(
    '/ui/runs/:id/approve',
    hide,
    page(async (request, reply, s) => {
      const { run } = await visibleRun(as(request, s), paramOf(request, 'id'));
      if (s.principal.role !== 'admin') throw new AppError(403, 'forbidden', t(s.lang, '只有管理员可以审批。', 'Only an admin may approve.'));
      const reason = formOf(request).overrideReason;
      await approveSettlement(as(request, s), run.id, typeof reason === 'string' ? reason : undefined);
      return reply.redirect(`/ui/runs/${run.id}`, 303);
    }),
  );

  function send(reply: FastifyReply, s: Session, title: string, body: Html, refreshSeconds?: number) {
    return reply.type('text/html; charset=utf-8').send(layout(s.lang, title, html`${nav(s)}${body}`, { refreshSeconds }));
  }
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

const roleName = (s: Session) =>
  ({
    admin: t(s.lang, '管理员', 'admin'),
    finance: t(s.lang, '财务', 'finance'),
    dept_head: t(s.lang, '科室主任', 'department head'),
    auditor: t(s.lang, '审计', 'auditor'),
    assessor: t(s.lang, '考核科室', 'assessor'),
  })[s.principal.role];

function statusName(lang: Lang, status: string): string {
  const zh: Record<string, string> = { queued: '排队中', running: '计算中', succeeded: '已完成待审批', failed: '失败', approved: '已审批', superseded: '已被替代' };
  return lang === 'en' ? status : (zh[status] ?? status);
}

function reviewName(lang: Lang, status: string): string {
  const zh: Record<string, string> = { pending: '待确认', acknowledged: '已确认', disputed: '有异议' };
  return lang === 'en' ? status : (zh[status] ?? status);
}

/**
 * A horizontal bar chart as inline SVG (no script): one bar per label with its exact figure
 * printed beside it; `value` (a number) only sets the bar's length.
 */
function barChart(id: string, title: string, bars: { label: string; text: string; value: number }[]): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const width = 640;
  const labelWidth = 140;
  const height = bars.length * row + 30;
  const items = bars.map((b, i) => {
    const w = Math.max(0, Math.round(((width - labelWidth - 90) * b.value) / max));
    const y = 24 + i * row;
    return html`<text x="0" y="${y + 14}" font-size="12">${b.label}</text><rect x="${labelWidth}" y="${y}" width="${w}" height="16" fill="#3b7dd8"></rect><text x="${labelWidth + w + 6}" y="${y + 13}" font-size="12">${b.text}</text>`;
  });
  return html`<figure><svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${title}"><text x="0" y="14" font-size="13" font-weight="bold">${title}</text>${items}</svg></figure>`;
}
