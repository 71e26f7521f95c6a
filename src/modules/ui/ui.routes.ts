import { timeZoneOf } from '../../shared/context.js';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Logger } from 'pino';
import { AppError, errorIn } from '../../shared/errors.js';
import type { App } from '../../shared/http.js';
import type { SettlementQueue } from '../settlements/settlements.queue.js';
import { appealsView, assessmentView, sheetView } from './assessment.views.js';
import { auditView } from './audit.views.js';
import { gridView } from './grid.views.js';
import { errorPage, expiredFormPage, signInPage } from './frame.views.js';
import { runsView, runView } from './runs.views.js';
import { departmentPrintView, departmentView, personPrintView, personView } from './statement.views.js';
import { PageWords } from './ui.errors.js';
import { landingOf } from './ui.roles.js';
import {
  AppealForm,
  AppealParams,
  AppealsQuery,
  ApproveForm,
  AssessmentParams,
  AssessmentQuery,
  AuditQuery,
  DecisionForm,
  DefectForm,
  DepartmentParams,
  DoneQuery,
  ExportQuery,
  GridForm,
  GridQuery,
  PageQuery,
  PersonParams,
  ReviewForm,
  RunParams,
  RunsQuery,
  SignInForm,
  StartForm,
} from './ui.schemas.js';
import { createSessions, type Session, type SessionDeps, type Sessions, sessionTokenPosted } from './ui.session.js';
import {
  appealFromPage,
  appealsQueue,
  approveRun,
  assessmentPage,
  auditLog,
  bookFromPage,
  decideFromPage,
  departmentPage,
  gradeFromPage,
  gridPage,
  personPage,
  reviewDepartment,
  runDownload,
  runPage,
  runsPage,
  startSettlement,
} from './ui.usecases.js';
import { word } from './ui.views.js';

/**
 * /ui: the review pages, rendered on the server (no front-end build), in Chinese unless English is
 * asked for (`?lang=en`, kept in a cookie); every word from the catalogue. Each page is a route
 * like the API's: its parts typed by TypeBox schemas (ui.schemas.ts), a guard that finds the
 * signed-in person and checks the form's token (ui.session.ts), one use case (ui.usecases.ts),
 * and a view (*.views.ts). The pages call the same use cases as the API, with the same role and
 * department rules: a quarter's and a year-end's result, the departments' reviews, approval
 * (refused while the run is stale), starting a settlement, the downloads, and the audit log with
 * the chain's verification. Whatever goes wrong on a page — a refusal, a value its schema or its
 * use case refuses — is a page in the person's language, never the API's JSON.
 */
type UiDeps = SessionDeps & { queue: SettlementQueue; log: Logger };
type PageDeps = UiDeps & { sessions: Sessions; guard: Guard };
type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export async function registerUiRoutes(app: App, deps: UiDeps): Promise<void> {
  await app.register(cookie);
  await app.register(formbody);
  app.decorateRequest('uiSession', null);
  setupPageErrors(app);
  const sessions = createSessions(deps);
  const page: PageDeps = { ...deps, sessions, guard: pageGuard(sessions) };
  setupHomeRoute(app, page);
  setupSignInRoute(app, page);
  setupSignOutRoute(app, page);
  setupRunsRoute(app, page);
  setupStartRoute(app, page);
  setupRunRoute(app, page);
  setupExportRoute(app, page);
  setupDepartmentRoute(app, page);
  setupDepartmentPrintRoute(app, page);
  setupPersonRoute(app, page);
  setupPersonPrintRoute(app, page);
  setupReviewRoute(app, page);
  setupApproveRoute(app, page);
  setupAuditRoute(app, page);
  setupGridRoute(app, page);
  setupGradeRoute(app, page);
  setupBookRoute(app, page);
  setupAssessmentRoute(app, page);
  setupSheetRoute(app, page);
  setupAppealRoute(app, page);
  setupAppealsRoute(app, page);
  setupDecisionRoute(app, page);
}

// ---------------------------------------------------------------- the pages' plumbing

/**
 * Before a page's handler: the sign-in form (or, for a form, back to /ui) without a session; the
 * "form expired" page for a form without its token; then a value the route's schema refused,
 * which the pages' error handler shows as a page. The schema's check ran before (it is attached,
 * not thrown), so that a stranger's bad link meets the sign-in form, not an error.
 */
function pageGuard(sessions: Sessions): Guard {
  return async (request, reply) => {
    const s = await sessions.current(request, reply);
    if (!s) {
      if (request.method === 'GET') return sendHtml(reply, signInPage(sessions.viewOf(request), sessions.issueSignInToken(request, reply)));
      return reply.redirect('/ui', 303);
    }
    if (request.method === 'POST' && !sessionTokenPosted(request, s)) return sendHtml(reply.status(403), expiredFormPage(s));
    request.uiSession = s;
    if (request.validationError) throw request.validationError;
  };
}

/**
 * The pages' errors (the API's error handler, src/plugins/errors.ts, answers JSON): a refusal or
 * any domain or validation error of a signed-in person's page is a page in their language, with
 * the same status; anything else (a database that is down, a bug) goes on to the API's handler.
 */
function setupPageErrors(app: App): void {
  app.setErrorHandler((error, request, reply) => {
    const s = request.uiSession;
    if (!s || !(error instanceof AppError)) throw error;
    const why = error instanceof PageWords ? error.reason : undefined;
    const reason: Record<string, string> =
      why === undefined ? {} : { reason: typeof why === 'string' ? word(s, why) : errorIn(s.lang, { code: why.code, message: why.message, path: why.path }).message.replace(/^[\w.[\]]+: /, '') };
    const worded = error instanceof PageWords ? Object.fromEntries(Object.entries(error.worded).map(([k, key]) => [k, word(s, key)])) : {};
    const message =
      error instanceof PageWords ? word(s, error.key, { ...error.params, ...reason, ...worded }) : errorIn(s.lang, { code: error.code, message: error.message, path: error.path }).message;
    return sendHtml(reply.status(error.status), errorPage(s, message));
  });
}

/** A page's route options: hidden from the OpenAPI document, its schema's errors attached for the guard. */
function pageOptions<S extends FastifySchema>(deps: PageDeps, schema: S) {
  return { schema: { ...schema, hide: true }, attachValidation: true, preHandler: deps.guard };
}

/** The person the guard found (every page route has the guard). */
function sessionOf(request: FastifyRequest): Session {
  if (!request.uiSession) throw new Error('a /ui page without its guard');
  return request.uiSession;
}

/** What a use case is given: the database, the clock, and the signed-in person as the caller. */
function caseDeps(deps: PageDeps, request: FastifyRequest) {
  const s = sessionOf(request);
  return { db: deps.db, clock: deps.clock, caller: { principal: s.principal, actor: s.actor, requestId: request.id } };
}

function sendHtml(reply: FastifyReply, text: string) {
  return reply.type('text/html; charset=utf-8').send(text);
}

// ---------------------------------------------------------------- signing in and out

function setupHomeRoute(app: App, deps: PageDeps): void {
  app.get('/ui', { schema: { hide: true, querystring: PageQuery }, attachValidation: true }, async (request, reply) => {
    const s = await deps.sessions.current(request, reply);
    if (s) return reply.redirect(landingOf(s.principal), 303);
    return sendHtml(reply, signInPage(deps.sessions.viewOf(request), deps.sessions.issueSignInToken(request, reply)));
  });
}

function setupSignInRoute(app: App, deps: PageDeps): void {
  const { sessions } = deps;
  app.post(
    '/ui/sign-in',
    {
      schema: { hide: true, querystring: PageQuery, body: SignInForm },
      attachValidation: true,
      // the form's own token first: a form from another site is refused before its key is read
      preHandler: async (request, reply) => {
        if (sessions.signInTokenPosted(request)) return;
        const v = sessions.viewOf(request);
        return sendHtml(reply.status(403), signInPage(v, sessions.issueSignInToken(request, reply), word(v, 'page.signIn.expired')));
      },
    },
    async (request, reply) => {
      // past the token, a form its schema refuses has a key that is not one text: not a key
      const key = request.validationError ? '' : (request.body.key ?? '').trim();
      const principal = await sessions.start(request, reply, key);
      if (principal) return reply.redirect(landingOf(principal), 303);
      const v = sessions.viewOf(request);
      return sendHtml(reply.status(401), signInPage(v, sessions.issueSignInToken(request, reply), word(v, 'page.signIn.invalid')));
    },
  );
}

function setupSignOutRoute(app: App, deps: PageDeps): void {
  // the form's only field is its token, checked as every form's is (before a schema could type it)
  app.post('/ui/sign-out', { schema: { hide: true, querystring: PageQuery }, attachValidation: true }, async (request, reply) => {
    const s = await deps.sessions.current(request, reply);
    if (s && !sessionTokenPosted(request, s)) return sendHtml(reply.status(403), expiredFormPage(s));
    await deps.sessions.end(request, reply, s);
    return reply.redirect('/ui', 303);
  });
}

// ---------------------------------------------------------------- the runs

function setupRunsRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs', pageOptions(deps, { querystring: RunsQuery }), async (request, reply) => {
    const data = await runsPage(caseDeps(deps, request), request.query.hospital);
    return sendHtml(reply, runsView(sessionOf(request), data, request.query.done));
  });
}

function setupStartRoute(app: App, deps: PageDeps): void {
  app.post('/ui/runs', pageOptions(deps, { querystring: PageQuery, body: StartForm }), async (request, reply) => {
    const { runId, done } = await startSettlement({ ...caseDeps(deps, request), queue: deps.queue, log: deps.log }, request.body);
    return reply.redirect(`/ui/runs/${runId}?done=${done}`, 303);
  });
}

function setupRunRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id', pageOptions(deps, { params: RunParams, querystring: DoneQuery }), async (request, reply) => {
    const data = await runPage(caseDeps(deps, request), request.params.id);
    return sendHtml(reply, runView(sessionOf(request), data, request.query.done));
  });
}

// the review pages' own download, under the session (the /v1 exports need a Bearer token)
function setupExportRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id/export.xlsx', pageOptions(deps, { params: RunParams, querystring: ExportQuery }), async (request, reply) => {
    const book = await runDownload(caseDeps(deps, request), request.params.id, request.query.department, { lang: sessionOf(request).lang, timeZone: timeZoneOf(deps.clock) });
    return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${book.filename}"`).send(book.buffer);
  });
}

// ---------------------------------------------------------------- a department, a person

function setupDepartmentRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id/departments/:code', pageOptions(deps, { params: DepartmentParams, querystring: DoneQuery }), async (request, reply) => {
    const { id, code } = request.params;
    const data = await departmentPage(caseDeps(deps, request), id, code);
    return sendHtml(reply, departmentView(sessionOf(request), data, code, request.query.done, deps.clock.now()));
  });
}

// a statement alone, to print on A4 (or save as PDF): the statements' own printable page
function setupDepartmentPrintRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id/departments/:code/print', pageOptions(deps, { params: DepartmentParams, querystring: PageQuery }), async (request, reply) => {
    const data = await departmentPage(caseDeps(deps, request), request.params.id, request.params.code);
    return sendHtml(reply, departmentPrintView(sessionOf(request), data, deps.clock.now()));
  });
}

function setupPersonRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id/people/:staffId', pageOptions(deps, { params: PersonParams, querystring: PageQuery }), async (request, reply) => {
    const { id, staffId } = request.params;
    const data = await personPage(caseDeps(deps, request), id, staffId);
    return sendHtml(reply, personView(sessionOf(request), data, staffId, deps.clock.now()));
  });
}

function setupPersonPrintRoute(app: App, deps: PageDeps): void {
  app.get('/ui/runs/:id/people/:staffId/print', pageOptions(deps, { params: PersonParams, querystring: PageQuery }), async (request, reply) => {
    const data = await personPage(caseDeps(deps, request), request.params.id, request.params.staffId);
    return sendHtml(reply, personPrintView(sessionOf(request), data, deps.clock.now()));
  });
}

// ---------------------------------------------------------------- actions

function setupReviewRoute(app: App, deps: PageDeps): void {
  app.post('/ui/runs/:id/departments/:code/review', pageOptions(deps, { params: DepartmentParams, querystring: PageQuery, body: ReviewForm }), async (request, reply) => {
    const { id, code } = request.params;
    const { csrf: _csrf, ...decision } = request.body;
    const { runId, status } = await reviewDepartment(caseDeps(deps, request), id, code, decision);
    return reply.redirect(`/ui/runs/${runId}/departments/${encodeURIComponent(code)}?done=${status}`, 303);
  });
}

function setupApproveRoute(app: App, deps: PageDeps): void {
  app.post('/ui/runs/:id/approve', pageOptions(deps, { params: RunParams, querystring: PageQuery, body: ApproveForm }), async (request, reply) => {
    const { runId } = await approveRun(caseDeps(deps, request), request.params.id, request.body.overrideReason);
    return reply.redirect(`/ui/runs/${runId}?done=approved`, 303);
  });
}

// ---------------------------------------------------------------- the audit log

function setupAuditRoute(app: App, deps: PageDeps): void {
  app.get('/ui/audit', pageOptions(deps, { querystring: AuditQuery }), async (request, reply) => {
    const data = await auditLog(caseDeps(deps, request), request.query);
    if (!data) return reply.redirect('/ui/runs', 303);
    return sendHtml(reply, auditView(sessionOf(request), data));
  });
}

// ---------------------------------------------------------------- the assessment and its appeals

function setupAssessmentRoute(app: App, deps: PageDeps): void {
  app.get('/ui/assessment/:department', pageOptions(deps, { params: AssessmentParams, querystring: AssessmentQuery }), async (request, reply) => {
    const data = await assessmentPage(caseDeps(deps, request), request.params.department, request.query);
    return sendHtml(reply, assessmentView(sessionOf(request), data, request.query));
  });
}

// the assessor's grid of a month, a quarter or a year, posted whole; a defect booked from it
function setupGridRoute(app: App, deps: PageDeps): void {
  app.get('/ui/assessment/grid', pageOptions(deps, { querystring: GridQuery }), async (request, reply) => {
    const data = await gridPage(caseDeps(deps, request), request.query);
    return sendHtml(reply, gridView(sessionOf(request), data, request.query));
  });
}

/** The grid of a period: a month as `?month=` (as the links before quarters and years), a quarter or a year as `?period=`. */
const gridLink = (s: Session, hospital: string, period: string) =>
  `/ui/assessment/grid?${period.length === 7 ? 'month' : 'period'}=${encodeURIComponent(period)}${s.principal.hospital ? '' : `&hospital=${encodeURIComponent(hospital)}`}`;

function setupGradeRoute(app: App, deps: PageDeps): void {
  app.post('/ui/assessment/grid', pageOptions(deps, { querystring: PageQuery, body: GridForm }), async (request, reply) => {
    const { hospital, period, written, unchanged } = await gradeFromPage(caseDeps(deps, request), request.body);
    return reply.redirect(`${gridLink(sessionOf(request), hospital, period)}&done=graded&written=${written}&unchanged=${unchanged}`, 303);
  });
}

function setupBookRoute(app: App, deps: PageDeps): void {
  app.post('/ui/assessment/grid/defects', pageOptions(deps, { querystring: PageQuery, body: DefectForm }), async (request, reply) => {
    const { hospital, period, defect } = await bookFromPage(caseDeps(deps, request), request.body);
    return reply.redirect(`${gridLink(sessionOf(request), hospital, period)}&done=booked&defect=${encodeURIComponent(defect.id)}`, 303);
  });
}

// a department's 考核表 of a quarter, to print and sign by hand
function setupSheetRoute(app: App, deps: PageDeps): void {
  app.get('/ui/assessment/:department/print', pageOptions(deps, { params: AssessmentParams, querystring: AssessmentQuery }), async (request, reply) => {
    const data = await assessmentPage(caseDeps(deps, request), request.params.department, request.query);
    return sendHtml(reply, sheetView(sessionOf(request), data));
  });
}

function setupAppealRoute(app: App, deps: PageDeps): void {
  app.post('/ui/assessment/:department/appeals', pageOptions(deps, { params: AssessmentParams, querystring: PageQuery, body: AppealForm }), async (request, reply) => {
    const { department } = request.params;
    const { quarter, appeal } = await appealFromPage(caseDeps(deps, request), department, request.body);
    const hospital = request.body.hospital ? `&hospital=${encodeURIComponent(request.body.hospital)}` : '';
    return reply.redirect(`/ui/assessment/${encodeURIComponent(department)}?quarter=${quarter}&done=appealed&defect=${encodeURIComponent(appeal.defectId)}${hospital}`, 303);
  });
}

function setupAppealsRoute(app: App, deps: PageDeps): void {
  app.get('/ui/appeals', pageOptions(deps, { querystring: AppealsQuery }), async (request, reply) => {
    const data = await appealsQueue(caseDeps(deps, request), request.query.hospital);
    if (!data) return reply.redirect('/ui/runs', 303);
    return sendHtml(reply, appealsView(sessionOf(request), data, request.query));
  });
}

function setupDecisionRoute(app: App, deps: PageDeps): void {
  app.post('/ui/appeals/:id/decision', pageOptions(deps, { params: AppealParams, querystring: PageQuery, body: DecisionForm }), async (request, reply) => {
    const { code, appeal } = await decideFromPage(caseDeps(deps, request), request.params.id, request.body);
    const hospital = sessionOf(request).principal.hospital ? '' : `&hospital=${encodeURIComponent(code)}`;
    return reply.redirect(`/ui/appeals?done=${appeal.status}&defect=${encodeURIComponent(appeal.defectId)}${hospital}`, 303);
  });
}
