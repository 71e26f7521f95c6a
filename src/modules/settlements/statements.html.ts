import type { AnnualDepartmentStatement, AnnualPersonStatement, DepartmentStatement, PersonStatement, StatementItem, StatementReason } from '../../core/index.js';
import { html, type Html } from '../../shared/html.js';
import { actorName, DEFAULT_TIME_ZONE, groupDigits, localTime, named, periodName, say, yuan, type Lang } from '../../shared/i18n.js';
import { messages, type MessageKey } from '../../shared/messages/index.js';
import { layout } from '../../shared/page.js';

/**
 * Printable statements (个人绩效工资明细, 科室绩效核算表) as server-rendered HTML: a header with
 * the hospital, the period in words, the run's status and approval; tables with a 合计 row; the
 * rule of each figure with its operands (计算依据, in the page's language); the reasons a figure is
 * zero or reduced; the fines beside the dispute liabilities; signature lines. Money with thousands
 * separators, scores at full precision (a clerk checks them by hand). Every word from the catalogue
 * (src/shared/messages) or, for the engine's items, from the statement itself.
 */

/** The run a statement belongs to, as its header shows it. */
export interface StatementRun {
  status: string;
  /** Inputs changed since the run settled (the review pages know; the API does not say). */
  stale?: boolean;
  approvedBy: string | null;
  approvedAt: Date | string | null;
  overrideReason?: string | null;
}

/** What a printed statement needs besides the statement: language, hospital, run, time zone, links. */
export interface StatementPageOptions {
  lang: Lang;
  hospital: { code: string; name: string };
  /** The run's status and approval; omitted: not shown. */
  run?: StatementRun | null;
  /** The hospital's time zone (timeZoneOf(clock)); Asia/Shanghai when omitted. */
  timeZone?: string;
  /** When the page was printed (shown in the header); omitted: not shown. */
  printedAt?: Date;
  /** The person statement's link to their department's statement. */
  departmentLink?: string;
  /** The department statement's links to its people's statements. */
  personLink?: (staffId: string) => string;
}

/** The old positional form (lang, hospital name, link) still accepted, for callers not yet moved to the options. */
function optionsOf<L>(langOrOptions: Lang | StatementPageOptions, hospital: string | undefined, link: L | undefined, linkKey: 'departmentLink' | 'personLink'): StatementPageOptions {
  if (typeof langOrOptions !== 'string') return langOrOptions;
  const name = hospital ?? '';
  return { lang: langOrOptions, hospital: { code: name, name }, [linkKey]: link };
}

const num = (value: string) => groupDigits(value);

/** A money or score cell: right-aligned, separators, the exact value kept in data-value. */
function cell(value: string): Html {
  return html`<td class="num" data-value="${value}">${num(value)}</td>`;
}

/** The rule in the page's language, its decimal figures with separators as the values have them (the exact text stays in the JSON). */
function ruleOf(lang: Lang, i: StatementItem): string {
  return (lang === 'en' ? i.rule : i.ruleZh).replace(/(?<![\d.,])\d{4,}\.\d+/g, (figure) => groupDigits(figure));
}

function itemRows(lang: Lang, items: StatementItem[], totalKey?: string): Html[] {
  return items.map(
    (i) => html`<tr class="${i.key === totalKey ? 'total' : ''}" data-key="${i.key}"><td>${lang === 'en' ? i.en : i.zh}</td>${cell(i.value)}<td class="rule">${ruleOf(lang, i)}</td></tr>`,
  );
}

function itemTable(lang: Lang, items: StatementItem[], totalKey: string | undefined, id: string, extra: Html[] = []): Html {
  return html`<table id="${id}" class="items"><colgroup><col class="label"><col class="value"><col class="rule"></colgroup>
<thead><tr><th>${say(lang, 'statement.item')}</th><th>${say(lang, 'statement.value')}</th><th>${say(lang, 'statement.rule')}</th></tr></thead>
<tbody>${itemRows(lang, items, totalKey)}${extra}</tbody></table>`;
}

/** The header every statement prints: hospital, period in words, whose statement, the run's status and approval. */
function header(title: string, o: StatementPageOptions, period: string, subject: Html[]): Html {
  const { lang } = o;
  const zone = o.timeZone ?? DEFAULT_TIME_ZONE;
  const run = o.run;
  const status = run ? (run.stale ? say(lang, 'status.stale') : statusWords(lang, run.status)) : null;
  const rows: Html[] = [
    html`<div><span class="k">${say(lang, 'word.hospital')}</span><span class="v" data-field="hospital">${named(o.hospital.name, o.hospital.code, lang)}</span></div>`,
    html`<div><span class="k">${say(lang, 'word.period')}</span><span class="v" data-field="period">${periodName(period, lang)}</span></div>`,
    ...subject,
  ];
  if (run) {
    rows.push(
      html`<div><span class="k">${say(lang, 'statement.runStatus')}</span><span class="v" data-field="status">${status}</span></div>`,
      html`<div><span class="k">${say(lang, 'word.approvedBy')}</span><span class="v" data-field="approvedBy">${run.approvedBy ? actorName(run.approvedBy, lang) : say(lang, 'statement.notApproved')}</span></div>`,
      html`<div><span class="k">${say(lang, 'word.approvedAt')}</span><span class="v" data-field="approvedAt">${run.approvedAt ? localTime(run.approvedAt, zone) : '—'}</span></div>`,
    );
    if (run.overrideReason) rows.push(html`<div><span class="k">${say(lang, 'word.overrideReason')}</span><span class="v" data-field="overrideReason">${run.overrideReason}</span></div>`);
  }
  if (o.printedAt) rows.push(html`<div><span class="k">${say(lang, 'statement.printedAt')}</span><span class="v" data-field="printedAt">${localTime(o.printedAt, zone)}</span></div>`);
  return html`<div class="statement-hospital">${o.hospital.name}</div><h1>${title}</h1><div class="statement-meta">${rows}</div>`;
}

function statusWords(lang: Lang, status: string): string {
  const key = `status.${status}`;
  return isKey(key) ? say(lang, key) : status;
}

function isKey(key: string): key is MessageKey {
  return Object.hasOwn(messages, key);
}

const MONEY_PARAMS = new Set(['amount', 'due', 'gross', 'applied', 'notTaken', 'net', 'cap', 'deposit', 'draw', 'subsidy', 'final', 'deduction']);
const PERIOD_PARAMS = new Set(['bookedIn', 'period']);

/** A reason in words: the catalogue's `reason.<code>` (`.<cause>` when it has one) with its params in words. */
export function reasonText(lang: Lang, r: StatementReason): string {
  const params: Record<string, string> = {};
  let cause = '';
  for (const { key, value } of r.params) {
    if (key === 'cause') cause = value;
    else if (MONEY_PARAMS.has(key)) params[key] = key === 'deduction' ? num(value) : yuan(value);
    else if (PERIOD_PARAMS.has(key)) params[key] = periodName(value, lang);
    else if (key === 'employment') params[key] = isKey(`employment.${value}`) ? say(lang, `employment.${value}` as MessageKey) : value;
    else params[key] = num(value);
  }
  const key = `reason.${r.code}${cause ? `.${cause}` : ''}` as MessageKey;
  return say(lang, key, params);
}

/** The statement's reasons with their words in both languages (for the JSON). */
export function withReasonWords<S extends { reasons: StatementReason[] }>(s: S): S {
  return { ...s, reasons: s.reasons.map((r) => ({ ...r, zh: reasonText('zh', r), en: reasonText('en', r) })) };
}

function reasonList(lang: Lang, reasons: StatementReason[], who?: (staffId: string) => string): Html {
  if (reasons.length === 0) return html`<p class="reasons none">${say(lang, 'statement.noReasons')}</p>`;
  return html`<ul class="reasons">${reasons.map(
    (r) =>
      html`<li data-code="${r.code}" data-item="${r.item}"${r.staffId ? html` data-staff="${r.staffId}"` : ''}>${r.staffId && who ? html`<b>${who(r.staffId)}</b>：` : ''}${reasonText(lang, r)}</li>`,
  )}</ul>`;
}

function signatures(lang: Lang): Html {
  return html`<div class="signatures">${(['signature.head', 'signature.clerk', 'signature.reviewer'] as const).map(
    (k) => html`<div data-role="${k.slice('signature.'.length)}">${say(lang, k)}：</div>`,
  )}<div class="date">${say(lang, 'signature.date')}：</div></div>`;
}

function finesTable(lang: Lang, f: PersonStatement['fines']): Html {
  const row = (label: string, value: string, key: string, total = false) => html`<tr class="${total ? 'total' : ''}" data-key="${key}"><td>${label}</td>${cell(value)}</tr>`;
  return html`<table id="fines" class="fines"><thead><tr><th>${say(lang, 'statement.item')}</th><th>${say(lang, 'word.amount')}</th></tr></thead><tbody>
${row(say(lang, 'statement.fines.own'), f.own, 'own')}${f.disputes.map((d) => row(say(lang, 'statement.fines.dispute', { disputeId: d.disputeId }), d.amount, `dispute:${d.disputeId}`))}
${row(say(lang, 'statement.fines.due'), f.due, 'due', true)}${row(say(lang, 'statement.fines.gross'), f.gross, 'gross')}${row(say(lang, 'statement.fines.applied'), f.applied, 'applied', true)}${row(say(lang, 'statement.fines.notTaken'), f.notTaken, 'notTaken')}
</tbody></table>`;
}

export function personStatementBody(s: PersonStatement, options: StatementPageOptions): Html;
/** @deprecated the positional form; pass the options. */
export function personStatementBody(s: PersonStatement, lang: Lang, hospital: string, departmentLink?: string): Html;
export function personStatementBody(s: PersonStatement, langOrOptions: Lang | StatementPageOptions, hospital?: string, departmentLink?: string): Html {
  const o = optionsOf(langOrOptions, hospital, departmentLink, 'departmentLink');
  const { lang } = o;
  const departmentName = named(s.department.name, s.department.code, lang);
  const department = o.departmentLink ? html`<a href="${o.departmentLink}">${departmentName}</a>` : departmentName;
  const subject = [
    html`<div><span class="k">${say(lang, 'word.department')}</span><span class="v" data-field="department">${department}</span></div>`,
    html`<div><span class="k">${say(lang, 'word.name')}</span><span class="v" data-field="person">${named(s.name, s.staffId, lang)}${s.onStudyLeave ? html` · ${say(lang, 'statement.onStudyLeave')}` : ''}</span></div>`,
  ];
  const showFines = s.fines.disputes.length > 0 || s.fines.due !== '0.00';
  return html`<article class="statement person" data-staff="${s.staffId}">${header(say(lang, 'statement.person.title'), o, s.period, subject)}
${itemTable(lang, s.items, 'total', 'statement')}
${showFines ? html`<h2>${say(lang, 'statement.fines')}</h2>${finesTable(lang, s.fines)}` : ''}
<h2>${say(lang, 'statement.reasons')}</h2>${reasonList(lang, s.reasons)}
${signatures(lang)}</article>`;
}

export function personStatementHtml(s: PersonStatement, options: StatementPageOptions): string {
  return layout(options.lang, `${say(options.lang, 'statement.person.title')} · ${s.name} · ${periodName(s.period, options.lang)}`, personStatementBody(s, options));
}

export function departmentStatementBody(s: DepartmentStatement, options: StatementPageOptions): Html;
/** @deprecated the positional form; pass the options. */
export function departmentStatementBody(s: DepartmentStatement, lang: Lang, hospital: string, personLink?: (staffId: string) => string): Html;
export function departmentStatementBody(s: DepartmentStatement, langOrOptions: Lang | StatementPageOptions, hospital?: string, personLink?: (staffId: string) => string): Html {
  const o = optionsOf(langOrOptions, hospital, personLink, 'personLink');
  const { lang } = o;
  const link = o.personLink;
  const names = new Map(s.people.map((p) => [p.staffId, p.name]));
  const people = s.people.map(
    (p) =>
      html`<tr data-staff="${p.staffId}"><td>${link ? html`<a href="${link(p.staffId)}">${p.staffId}</a>` : p.staffId}</td><td>${p.name}</td>${cell(p.rawScore)}${cell(p.payRatio)}${cell(p.effectiveScore)}${cell(p.tier2Pay)}${cell(p.leaderBonus)}${cell(p.studyLeavePay)}${cell(p.finesApplied)}${cell(p.total)}</tr>`,
  );
  const t = s.totals;
  const totalRow = html`<tr class="total" data-key="total"><td colspan="2">${say(lang, 'word.total')}${lang === 'en' ? ` (${t.headcount})` : `（${t.headcount}）`}</td><td></td><td></td>${cell(t.effectiveScore)}${cell(t.tier2Pay)}${cell(t.leaderBonus)}${cell(t.studyLeavePay)}${cell(t.finesApplied)}${cell(t.total)}</tr>`;
  const penaltyTotal = s.tier1.find((i) => i.key === 'penaltyTotal');
  const penaltyTotalRow = penaltyTotal
    ? html`<tr class="total" data-key="penaltyTotal"><td>${say(lang, 'word.total')}</td>${cell(penaltyTotal.value)}<td class="rule">${ruleOf(lang, penaltyTotal)}</td></tr>`
    : html``;
  const subject = [
    html`<div><span class="k">${say(lang, 'word.department')}</span><span class="v" data-field="department">${named(s.department.name, s.department.code, lang)}</span></div>`,
    html`<div><span class="k">${say(lang, 'statement.headcount')}</span><span class="v" data-field="headcount">${s.department.headcount}</span></div>`,
  ];
  const col = (k: string) => say(lang, `statement.col.${k}` as MessageKey);
  return html`<article class="statement department" data-department="${s.department.code}">${header(say(lang, 'statement.department.title'), o, s.period, subject)}
<h2>${say(lang, 'statement.tier1')}</h2>
${itemTable(lang, s.tier1, 'final', 'tier1')}
<h2>${say(lang, 'statement.penalties')}</h2>
${itemTable(lang, s.penalties, undefined, 'penalties', [penaltyTotalRow])}
<h2>${say(lang, 'statement.tier2')}</h2>
<p class="tier2-point-value" data-value="${s.tier2PointValue ?? ''}">${say(lang, 'statement.tier2PointValue', { value: s.tier2PointValue ? num(s.tier2PointValue) : '—', final: yuan(s.final), effective: num(t.effectiveScore) })}</p>
<table id="people" class="people"><thead><tr><th>${say(lang, 'word.staffId')}</th><th>${say(lang, 'word.name')}</th><th>${col('rawScore')}</th><th>${col('payRatio')}</th><th>${col('effectiveScore')}</th><th>${col('tier2Pay')}</th><th>${col('leaderBonus')}</th><th>${col('studyLeavePay')}</th><th>${col('finesApplied')}</th><th>${col('total')}</th></tr></thead>
<tbody>${people}${totalRow}</tbody></table>
<h2>${say(lang, 'statement.reasons')}</h2>${reasonList(lang, s.reasons, (id) => named(names.get(id), id, lang))}
${signatures(lang)}</article>`;
}

export function departmentStatementHtml(s: DepartmentStatement, options: StatementPageOptions): string {
  return layout(options.lang, `${say(options.lang, 'statement.department.title')} · ${s.department.name} · ${periodName(s.period, options.lang)}`, departmentStatementBody(s, options));
}

// ------------------------------------------------------------------ year-end

export function annualPersonStatementBody(s: AnnualPersonStatement, o: StatementPageOptions): Html {
  const { lang } = o;
  const col = (k: string) => say(lang, `statement.col.${k}` as MessageKey);
  const withRisk = s.lines.some((l) => l.riskAward !== null);
  const subject = [html`<div><span class="k">${say(lang, 'word.name')}</span><span class="v" data-field="person">${named(s.name, s.staffId, lang)}</span></div>`];
  const rows = s.lines.map(
    (l) =>
      html`<tr data-department="${l.department.code}"><td>${named(l.department.name, l.department.code, lang)}</td><td class="rule">${l.quarters.map((q) => `${periodName(q.period, lang)} ${num(q.effectiveScore)}`).join('；')}</td>${cell(l.weight)}${cell(l.departmentWeight)}${cell(l.departmentAmount)}${cell(l.amount)}${withRisk ? cell(l.riskAward ?? '0.00') : ''}</tr>`,
  );
  return html`<article class="statement annual-person" data-staff="${s.staffId}">${header(say(lang, 'statement.annualPerson.title'), o, s.period, subject)}
${itemTable(lang, s.items, 'total', 'statement')}
<table id="lines" class="people"><thead><tr><th>${say(lang, 'word.department')}</th><th>${say(lang, 'word.period')}</th><th>${col('weight')}</th><th>${col('departmentWeight')}</th><th>${col('departmentAmount')}</th><th>${col('yearAmount')}</th>${withRisk ? html`<th>${col('riskAward')}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table>
<h2>${say(lang, 'statement.reasons')}</h2>${reasonList(lang, s.reasons)}
${signatures(lang)}</article>`;
}

export function annualDepartmentStatementBody(s: AnnualDepartmentStatement, o: StatementPageOptions): Html {
  const { lang } = o;
  const col = (k: string) => say(lang, `statement.col.${k}` as MessageKey);
  const withRisk = s.totals.riskAward !== null;
  const link = o.personLink;
  const names = new Map([...s.people, ...s.excluded].map((p) => [p.staffId, p.name]));
  const subject = [html`<div><span class="k">${say(lang, 'word.department')}</span><span class="v" data-field="department">${named(s.department.name, s.department.code, lang)}</span></div>`];
  const people = s.people.map(
    (p) =>
      html`<tr data-staff="${p.staffId}"><td>${link ? html`<a href="${link(p.staffId)}">${p.staffId}</a>` : p.staffId}</td><td>${p.name}</td>${cell(p.weight)}${cell(p.amount)}${withRisk ? cell(p.riskAward ?? '0.00') : ''}</tr>`,
  );
  const t = s.totals;
  const totalRow = html`<tr class="total" data-key="total"><td colspan="2">${say(lang, 'word.total')}${lang === 'en' ? ` (${t.headcount})` : `（${t.headcount}）`}</td>${cell(t.weight)}${cell(t.amount)}${withRisk ? cell(t.riskAward ?? '0.00') : ''}</tr>`;
  return html`<article class="statement annual-department" data-department="${s.department.code}">${header(say(lang, 'statement.annualDepartment.title'), o, s.period, subject)}
${itemTable(lang, s.items, 'amount', 'statement')}
<table id="people" class="people"><thead><tr><th>${say(lang, 'word.staffId')}</th><th>${say(lang, 'word.name')}</th><th>${col('weight')}</th><th>${col('yearAmount')}</th>${withRisk ? html`<th>${col('riskAward')}</th>` : ''}</tr></thead>
<tbody>${people}${totalRow}</tbody></table>
<h2>${say(lang, 'statement.reasons')}</h2>${reasonList(lang, s.reasons, (id) => named(names.get(id), id, lang))}
${signatures(lang)}</article>`;
}

/** The printable page of either kind of person statement. */
export function anyPersonStatementHtml(s: PersonStatement | AnnualPersonStatement, o: StatementPageOptions): string {
  if (s.kind === 'person') return personStatementHtml(s, o);
  return layout(o.lang, `${say(o.lang, 'statement.annualPerson.title')} · ${s.name} · ${periodName(s.period, o.lang)}`, annualPersonStatementBody(s, o));
}

/** The printable page of either kind of department statement. */
export function anyDepartmentStatementHtml(s: DepartmentStatement | AnnualDepartmentStatement, o: StatementPageOptions): string {
  if (s.kind === 'department') return departmentStatementHtml(s, o);
  return layout(o.lang, `${say(o.lang, 'statement.annualDepartment.title')} · ${s.department.name} · ${periodName(s.period, o.lang)}`, annualDepartmentStatementBody(s, o));
}
