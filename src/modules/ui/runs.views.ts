import { perCapitaPay } from '../../core/index.js';
import { errorIn } from '../../shared/errors.js';
import { html, type Html } from '../../shared/html.js';
import { score2, yuan } from '../../shared/i18n.js';
import { signedInPage } from './frame.views.js';
import { mayApprove, maySettle } from './ui.roles.js';
import type { runPage, runsPage } from './ui.usecases.js';
import { actorName, annualSummary, barChart, doneLine, kindName, nameOf, period, quarterSummary, reviewName, statusName, sum, time, type View, type Viewer, warningText, word } from './ui.views.js';

/** The runs page: the hospitals to choose from, or a hospital's runs with the form to start one. */
export function runsView(s: Viewer, data: Awaited<ReturnType<typeof runsPage>>, done: string | undefined): string {
  if (data.view === 'hospitals') {
    return signedInPage(
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
  const start = maySettle(s.principal)
    ? html`<h2>${word(s, 'runs.start')}</h2><form method="post" action="/ui/runs" id="start-form"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="hospital" value="${hospital.code}">
<label>${word(s, 'runs.start.period')} <input type="text" name="period" id="period" required pattern="[0-9]{4}(Q[1-4])?" placeholder="2026Q1" title="${word(s, 'runs.start.periodHint')}" class="short"></label> <span class="meta">${word(s, 'runs.start.periodHint')}</span><br>
<label><input type="checkbox" name="force" value="true" id="force"> ${word(s, 'runs.start.force')}</label><br>
<button type="submit" id="start">${word(s, 'runs.start.submit')}</button></form>`
    : '';
  return signedInPage(
    s,
    `${hospital.name} · ${word(s, 'runs.title')}`,
    html`<h1>${hospital.name}</h1>${doneLine(s, done, {})}<h2>${word(s, 'runs.title')}</h2>
${
  runs.length === 0
    ? html`<p>${word(s, 'runs.empty')}</p>`
    : html`<table id="runs"><thead><tr><th>${word(s, 'word.period')}</th><th>${word(s, 'runs.kind')}</th><th>${word(s, 'word.status')}</th><th>${word(s, 'runs.requestedBy')}</th><th>${word(s, 'word.createdAt')}</th><th>${word(s, 'word.approvedBy')}</th></tr></thead><tbody>${rows}</tbody></table>`
}${start}`,
  );
}

type RunData = Awaited<ReturnType<typeof runPage>>;

/**
 * A run's page: its progress while it runs (reloading itself), its error when it failed, else its
 * result (a quarter's or a year-end's), the departments' reviews, approval and the downloads.
 */
export function runView(s: Viewer, data: RunData, done: string | undefined): string {
  const { run, hospital } = data;
  const stale = data.view !== 'unsettled' && data.stale;
  const heading = html`<h1>${hospital.name} · ${period(s, run.period)}</h1>
<p class="meta">${kindName(s, run.kind)} · ${word(s, 'word.status')}: <span class="status" id="status">${statusName(s, run.status)}</span>${stale ? html` <span class="stale" id="stale-badge">${word(s, 'status.stale')}</span>` : ''} · ${word(s, 'run.requested', { actor: actorName(s, run.requestedBy), at: time(s, run.createdAt) })}${run.finishedAt ? html` · ${word(s, 'word.finishedAt')}: ${time(s, run.finishedAt)}` : ''}</p>
${doneLine(s, done, { period: period(s, run.period) })}`;
  const rerun =
    maySettle(s.principal) && (run.status === 'succeeded' || run.status === 'failed')
      ? html`<form class="noprint" method="post" action="/ui/runs"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="hospital" value="${hospital.code}"><input type="hidden" name="period" value="${run.period}"><input type="hidden" name="force" value="true"><button type="submit" id="rerun">${word(s, 'runs.rerun')}</button></form>`
      : '';
  if (run.status === 'queued' || run.status === 'running') {
    // progress: the page reloads itself every two seconds until the run has finished
    return signedInPage(s, `${period(s, run.period)} · ${statusName(s, run.status)}`, html`${heading}<p id="progress">${word(s, 'run.progress')}</p><progress></progress>`, 2);
  }
  if (data.view === 'unsettled') {
    const error = (run.error ?? {}) as { code?: string; message?: string; path?: string };
    const message = error.code && error.message ? errorIn(s.lang, { code: error.code, message: error.message, path: error.path }).message : word(s, 'run.failed');
    return signedInPage(s, period(s, run.period), html`${heading}<p class="error" id="error">${word(s, 'run.failed')}: ${message}</p>${rerun}`);
  }
  const notes = html`${stale ? html`<p class="error" id="stale">${word(s, 'run.stale')}</p>` : ''}${run.status === 'superseded' ? html`<p class="meta" id="superseded">${word(s, 'run.superseded')}</p>` : ''}`;
  const tail = {
    approval: approvalSection(s, run, stale, data.view === 'year-end' ? [] : data.reviews),
    workbook: html`<p class="noprint"><a id="download-xlsx" href="/ui/runs/${run.id}/export.xlsx">${word(s, data.view === 'departments' ? 'download.myWorkbook' : 'download.workbook')}</a></p>`,
    rerun,
  };
  if (data.view === 'year-end') return yearEndView(s, data, html`${heading}${notes}`, tail);
  return quarterView(s, data, html`${heading}${notes}`, tail);
}

interface Tail {
  approval: Html | string;
  workbook: Html;
  rerun: Html | string;
}

function yearEndView(s: Viewer, data: Extract<RunData, { view: 'year-end' }>, top: Html, { approval, workbook, rerun }: Tail): string {
  const { run, result: a, departments } = data;
  const withRisk = a.summary.riskAwardTotal !== undefined;
  const total = (pick: (d: (typeof departments)[number]) => string | undefined) => yuan(sum(departments.map((d) => pick(d) ?? '0')));
  const table = html`<table id="departments"><thead><tr><th>${word(s, 'word.department')}</th><th>${word(s, 'col.annualScore')}</th><th>${word(s, 'col.annualAmount')}</th>${withRisk ? html`<th>${word(s, 'col.riskAward')}</th>` : ''}<th>${word(s, 'col.bankExpired')}</th></tr></thead>
<tbody>${departments.map(
    (d) =>
      html`<tr data-department="${d.code}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a></td><td class="num">${score2(d.score)}</td><td class="num">${yuan(d.amount)}</td>${withRisk ? html`<td class="num">${yuan(d.riskAward)}</td>` : ''}<td class="num">${yuan(d.bankExpired)}</td></tr>`,
  )}<tr class="total"><td>${word(s, 'word.total')}</td><td></td><td class="num">${total((d) => d.amount)}</td>${withRisk ? html`<td class="num">${total((d) => d.riskAward)}</td>` : ''}<td class="num">${total((d) => d.bankExpired)}</td></tr></tbody></table>`;
  return signedInPage(
    s,
    `${period(s, run.period)} · ${kindName(s, run.kind)}`,
    html`${top}
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

function quarterView(s: Viewer, data: Extract<RunData, { view: 'departments' | 'hospital' }>, top: Html, { approval, workbook, rerun }: Tail): string {
  const { run, result: q, reviews, departments } = data;
  const reviewOf = new Map(reviews.map((r) => [r.department, r]));
  const table = html`<table id="departments"><thead><tr><th>${word(s, 'word.department')}</th><th>${word(s, 'col.headcount')}</th><th>${word(s, 'col.score')}</th><th>${word(s, 'col.penalties')}</th><th>${word(s, 'col.final')}</th><th>${word(s, 'col.perCapita')}</th><th>${word(s, 'col.review')}</th><th>${word(s, 'col.reason')}</th></tr></thead>
<tbody>${departments.map((d) => {
    const r = reviewOf.get(d.code);
    return html`<tr data-department="${d.code}"><td><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a></td><td class="num">${d.headcount}</td><td class="num">${score2(d.score)}</td><td class="num">${yuan(d.penaltyTotal)}</td><td class="num">${yuan(d.final)}</td><td class="num">${yuan(perCapitaPay(d.final, d.headcount))}</td><td class="review-${r?.status ?? 'pending'}">${reviewName(s, r?.status ?? 'pending')}${r?.by ? html`<br><span class="meta">${word(s, 'department.reviewedBy', { actor: actorName(s, r.by), at: time(s, r.at) })}</span>` : ''}</td><td class="reason">${r?.reason ?? ''}</td></tr>`;
  })}<tr class="total"><td>${word(s, 'word.total')}</td><td class="num">${departments.reduce((n, d) => n + d.headcount, 0)}</td><td></td><td class="num">${yuan(sum(departments.map((d) => d.penaltyTotal)))}</td><td class="num">${yuan(sum(departments.map((d) => d.final)))}</td><td></td><td></td><td></td></tr></tbody></table>`;

  if (data.view === 'departments') {
    const own = departments.map(
      (d) =>
        html`<li><a href="/ui/runs/${run.id}/departments/${encodeURIComponent(d.code)}">${nameOf(s, d.name, d.code)}</a>: ${word(s, 'col.final')} ${yuan(d.final)} · ${reviewName(s, reviewOf.get(d.code)?.status ?? 'pending')}</li>`,
    );
    return signedInPage(s, `${period(s, run.period)} · ${word(s, 'run.mine')}`, html`${top}<h2>${word(s, 'run.mine')}</h2><ul id="mine">${own}</ul>${table}${approval}${workbook}`);
  }
  const { conservation: c, points, perHead } = data;
  const check = html`<h2>${word(s, 'run.conservation')}</h2>
<p id="conservation" class="${c.holds ? 'ok' : 'bad'}">${word(s, 'run.conservation.pool')} ${yuan(c.pool)} = ${word(s, 'run.conservation.paid')} ${yuan(c.paid)} + ${word(s, 'run.conservation.retained')} ${yuan(c.retained)} + ${word(s, 'run.conservation.banked')} ${yuan(c.banked)} − ${word(s, 'run.conservation.drawn')} ${yuan(c.drawn)} − ${word(s, 'run.conservation.subsidised')} ${yuan(c.subsidised)} = ${yuan(c.total)} ${c.holds ? '✓' : '✗'}</p>`;
  return signedInPage(
    s,
    `${period(s, run.period)} · ${kindName(s, run.kind)}`,
    html`${top}<h2>${word(s, 'run.summary')}</h2>${quarterSummary(s, q.summary)}${check}
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
}

/** Who approved and when (with the override reason), or the approval form; none while stale. */
function approvalSection(
  s: Viewer,
  run: { id: string; status: string; approvedBy: string | null; approvedAt: Date | null; approvalOverrideReason: string | null },
  stale: boolean,
  reviews: { status: string }[],
): Html | string {
  if (run.approvedAt) {
    return html`<h2>${word(s, 'approval.heading')}</h2><div id="approval"><p class="ok">${word(s, 'approval.by', { actor: actorName(s, run.approvedBy), at: time(s, run.approvedAt) })}</p>${run.approvalOverrideReason ? html`<p id="override-reason">${word(s, 'approval.override', { reason: run.approvalOverrideReason })}</p>` : ''}</div>`;
  }
  if (!mayApprove(s.principal) || run.status !== 'succeeded' || stale) return '';
  const pending = reviews.filter((r) => r.status === 'pending').length;
  return html`<h2>${word(s, 'approval.heading')}</h2>${pending > 0 ? html`<p class="meta" id="pending-reviews">${word(s, 'approval.pendingReviews', { count: pending })}</p>` : ''}<form method="post" action="/ui/runs/${run.id}/approve" class="noprint"><input type="hidden" name="csrf" value="${s.csrf}">
${reviews.some((r) => r.status === 'disputed') ? html`<label>${word(s, 'approval.needsReason')} <input type="text" name="overrideReason" id="override-reason-input" required></label>` : ''}
<button type="submit" id="approve">${word(s, 'approval.submit')}</button></form>`;
}

/** A period's and a run's warnings, to those who read the whole hospital. */
function warnings(v: View, list: string[], whole: boolean): Html | string {
  if (!whole || list.length === 0) return '';
  return html`<h2>${word(v, 'run.warnings')}</h2><ul id="warnings">${list.map((w) => html`<li>${warningText(v, w)}</li>`)}</ul>`;
}
