import { html, type Html } from '../../shared/html.js';
import { score2, yuan } from '../../shared/i18n.js';
import { layout } from '../../shared/page.js';
import type { RunRow } from '../settlements/settlements.repository.js';
import { departmentStatementBody, departmentStatementHtml, personStatementBody, personStatementHtml, type StatementPageOptions } from '../settlements/statements.html.js';
import { signedInPage } from './frame.views.js';
import { mayReview } from './ui.roles.js';
import type { departmentPage, personPage } from './ui.usecases.js';
import { actorName, barChart, doneLine, nameOf, period, reviewName, statusName, sum, time, type Viewer, word } from './ui.views.js';

/**
 * A department's and a person's pages: a quarter's statement (the statements' own rendering,
 * settlements/statements.html.ts) or a year-end's lines, each also alone to print on A4.
 */

type DepartmentData = Awaited<ReturnType<typeof departmentPage>>;
type PersonData = Awaited<ReturnType<typeof personPage>>;

/** What a statement shows besides itself: the page's language, the hospital, the run's status and approval, the time zone, when it was printed. */
function statementOptions(
  s: Viewer,
  data: { run: RunRow; hospital: { code: string; name: string }; stale?: boolean },
  printedAt: Date,
  links: Partial<StatementPageOptions> = {},
): StatementPageOptions {
  return {
    lang: s.lang,
    hospital: data.hospital,
    run: { status: data.run.status, stale: data.stale, approvedBy: data.run.approvedBy, approvedAt: data.run.approvedAt, overrideReason: data.run.approvalOverrideReason },
    timeZone: s.zone,
    printedAt,
    ...links,
  };
}

/** A department's page: its statement, its people's chart, its review (with the forms to acknowledge or dispute), its downloads. */
export function departmentView(s: Viewer, data: DepartmentData, code: string, done: string | undefined, printedAt: Date): string {
  const { run } = data;
  const downloads = html`<h2 class="noprint">${word(s, 'download.heading')}</h2><p class="noprint downloads"><a id="download-department-xlsx" href="/ui/runs/${run.id}/export.xlsx?department=${encodeURIComponent(code)}">${word(s, 'download.departmentWorkbook', { department: data.view === 'year-end' ? data.line.name : data.statement.department.name })}</a> · <a id="print-statement" href="/ui/runs/${run.id}/departments/${encodeURIComponent(code)}/print" target="_blank">${word(s, 'download.statement')}</a></p>`;
  if (data.view === 'year-end') {
    const chart = barChart(
      'chart-distribution',
      word(s, 'run.chart.distribution'),
      data.people.map((p) => ({ label: p.name, code: p.staffId, text: yuan(p.amount), value: Number(p.amount) })),
      s,
    );
    return signedInPage(s, `${data.line.name} · ${period(s, run.period)}`, html`${annualDepartmentBody(s, data)}${chart}${downloads}`);
  }
  const { statement, review: current } = data;
  const name = nameOf(s, statement.department.name, code);
  const status = html`<p id="review-status">${reviewName(s, current?.status ?? 'pending')}${current?.reason ? ` · ${current.reason}` : ''}${current?.by ? html` <span class="meta">${word(s, 'department.reviewedBy', { actor: actorName(s, current.by), at: time(s, current.at) })}</span>` : ''}</p>`;
  const forms =
    mayReview(s.principal, code) && run.status === 'succeeded'
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
  return signedInPage(
    s,
    `${statement.department.name} · ${period(s, run.period)}`,
    html`${doneLine(s, done, { department: name })}${data.stale ? html`<p class="error" id="stale">${word(s, 'run.stale')}</p>` : ''}${departmentStatementBody(statement, statementOptions(s, data, printedAt, { personLink: (staffId) => `/ui/runs/${run.id}/people/${encodeURIComponent(staffId)}` }))}${chart}${forms}${downloads}`,
  );
}

/** A person's page: their statement (or year-end lines) and the link to print it. */
export function personView(s: Viewer, data: PersonData, staffId: string, printedAt: Date): string {
  const { run } = data;
  const print = html`<p class="noprint"><a id="print-statement" href="/ui/runs/${run.id}/people/${encodeURIComponent(staffId)}/print" target="_blank">${word(s, 'download.print')}</a></p>`;
  if (data.view === 'year-end') return signedInPage(s, `${data.lines[0]!.name} · ${period(s, run.period)}`, html`${annualPersonBody(s, data)}${print}`);
  const { statement } = data;
  return signedInPage(
    s,
    `${statement.name} · ${period(s, run.period)}`,
    html`${personStatementBody(statement, statementOptions(s, data, printedAt, { departmentLink: `/ui/runs/${run.id}/departments/${encodeURIComponent(statement.department.code)}` }))}${print}`,
  );
}

/** A department's statement alone, to print on A4 (or save as PDF). */
export function departmentPrintView(s: Viewer, data: DepartmentData, printedAt: Date): string {
  if (data.view === 'year-end') return layout(s.lang, `${word(s, 'department.annualTitle')} · ${data.line.name}`, annualDepartmentBody(s, data));
  return departmentStatementHtml(data.statement, statementOptions(s, data, printedAt));
}

/** A person's statement alone, to print. */
export function personPrintView(s: Viewer, data: PersonData, printedAt: Date): string {
  if (data.view === 'year-end') return layout(s.lang, `${word(s, 'person.annualTitle')} · ${data.lines[0]!.name}`, annualPersonBody(s, data));
  return personStatementHtml(data.statement, statementOptions(s, data, printedAt));
}

/** A department's year-end: its amount and each person's part, with a total. */
function annualDepartmentBody(s: Viewer, data: Extract<DepartmentData, { view: 'year-end' }>): Html {
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
function annualPersonBody(s: Viewer, data: Extract<PersonData, { view: 'year-end' }>): Html {
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
