import { QuarterlySummarySchema, type AnnualResult, type QuarterlyResult } from '../../core/index.js';
import { REVIEW_STATUSES, RUN_STATUSES } from '../../db/schema.js';
import { html, type Html } from '../../shared/html.js';
import { actorName as actorNameIn, localTime, named, periodName, say, score2, yuan, type Lang } from '../../shared/i18n.js';
import type { MessageKey } from '../../shared/messages/index.js';
import type { Principal } from '../../shared/principal.js';

/**
 * The review pages' pieces, rendered from the catalogue (src/shared/messages/pages.ts and
 * common.ts): no word is written here. Money is shown with thousands separators, scores with two
 * decimals, times in the hospital's time zone, periods in words, departments and people by name
 * with the code beside.
 */

export interface View {
  lang: Lang;
  zone: string;
}

/** A signed-in person's view: who they are (the navigation, what their pages offer) and their forms' token. */
export interface Viewer extends View {
  principal: Principal;
  csrf: string;
}

export const word = (v: View, key: MessageKey, params?: Record<string, string | number>) => say(v.lang, key, params);
export const time = (v: View, at: Date | string | null | undefined) => localTime(at, v.zone);
export const period = (v: View, p: string) => periodName(p, v.lang);
export const nameOf = (v: View, name: string | null | undefined, code: string) => named(name, code, v.lang);

export function statusName(v: View, status: string): string {
  return (RUN_STATUSES as readonly string[]).includes(status) ? word(v, `status.${status as (typeof RUN_STATUSES)[number]}`) : status;
}

export function reviewName(v: View, status: string): string {
  return (REVIEW_STATUSES as readonly string[]).includes(status) ? word(v, `review.${status as (typeof REVIEW_STATUSES)[number]}`) : status;
}

export function kindName(v: View, kind: string): string {
  return word(v, kind === 'annual' ? 'kind.annual' : 'kind.quarterly');
}

/** Who did it, as people read it (shared with the statements and workbooks). */
export function actorName(v: View, actor: string | null | undefined): string {
  return actorNameIn(actor, v.lang);
}

/** An action of the audit log in words: its entity and what was done (the code stays in the title). */
export function actionName(v: View, action: string): string {
  const dot = action.lastIndexOf('.');
  const entity = action.slice(0, dot);
  const verb = action.slice(dot + 1);
  const entityKey = `audit.entity.${entity}`;
  const verbKey = `audit.verb.${verb}`;
  const entityText = entityKey in ENTITY_KEYS ? word(v, entityKey as MessageKey) : entity;
  const verbText = verbKey in VERB_KEYS ? word(v, verbKey as MessageKey) : verb;
  return `${entityText} · ${verbText}`;
}
const ENTITY_KEYS = Object.fromEntries(
  ['hospital', 'scheme', 'department', 'staff', 'period', 'department_input', 'individual_input', 'annual', 'settlement', 'dispute', 'api_key'].map((e) => [`audit.entity.${e}`, true]),
);
const VERB_KEYS = Object.fromEntries(
  ['create', 'update', 'set', 'bulk_set', 'delete', 'replace', 'revoke', 'correct', 'trigger', 'succeed', 'fail', 'approve', 'acknowledge', 'dispute'].map((e) => [`audit.verb.${e}`, true]),
);

/** The actions the audit log's filter offers (what the service writes). */
export const AUDIT_ACTIONS = [
  'settlement.trigger',
  'settlement.succeed',
  'settlement.fail',
  'settlement.approve',
  'settlement.acknowledge',
  'settlement.dispute',
  'hospital.create',
  'hospital.update',
  'scheme.set',
  'department.create',
  'department.update',
  'department.bulk_set',
  'staff.create',
  'staff.update',
  'staff.bulk_set',
  'period.set',
  'period.replace',
  'department_input.set',
  'department_input.bulk_set',
  'department_input.delete',
  'individual_input.set',
  'individual_input.bulk_set',
  'individual_input.delete',
  'annual.set',
  'dispute.create',
  'dispute.correct',
  'api_key.create',
  'api_key.revoke',
];
export const AUDIT_ENTITIES = ['settlement', 'hospital', 'scheme', 'department', 'staff', 'period', 'department_input', 'individual_input', 'annual', 'dispute', 'api_key'] as const;

// ------------------------------------------------------------------ charts

/** The width of a label in pixels at 12px: a CJK character is a full em, Latin about 0.6. */
function textWidth(text: string): number {
  let w = 0;
  for (const c of text) w += /[\u2e80-\uffff]/.test(c) ? 12 : 7;
  return w;
}

/** A label cut to `max` pixels with an ellipsis; the whole name stays in the bar's title. */
export function fitLabel(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  let out = '';
  for (const c of text) {
    if (textWidth(`${out}${c}…`) > max) break;
    out += c;
  }
  return `${out}…`;
}

/**
 * A horizontal bar chart as inline SVG (no script): one bar per department or person, labelled
 * by name (cut with an ellipsis when long; the whole name with its code in the tooltip), with its
 * figure printed beside it; `value` (a number) only sets the bar's length.
 */
export function barChart(id: string, title: string, bars: { label: string; code?: string; text: string; value: number }[], v: View): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const width = 640;
  const labelWidth = 140;
  const height = bars.length * row + 30;
  const items = bars.map((b, i) => {
    const w = Math.max(0, Math.round(((width - labelWidth - 100) * b.value) / max));
    const y = 24 + i * row;
    const full = b.code ? nameOf(v, b.label, b.code) : b.label;
    return html`<g><title>${full}: ${b.text}</title><text x="0" y="${y + 14}" font-size="12" class="bar-label">${fitLabel(b.label, labelWidth - 8)}</text><rect x="${labelWidth}" y="${y}" width="${w}" height="16" fill="#3b7dd8"></rect><text x="${labelWidth + w + 6}" y="${y + 13}" font-size="12">${b.text}</text></g>`;
  });
  return html`<figure><svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}"><text x="0" y="14" font-size="13" font-weight="bold">${title}</text>${items}</svg></figure>`;
}

// ------------------------------------------------------------------ tables

const QUARTER_SCORES = ['averageBonus', 'totalScore', 'pointValue', 'averageNetPerCapita'] as const;
/** The summary's items in the result document's order. */
const QUARTER_ORDER = Object.keys(QuarterlySummarySchema.properties) as (keyof QuarterlyResult['summary'])[];

/** A quarter's summary: every item by its Chinese (or English) name, money with separators. */
export function quarterSummary(v: View, s: QuarterlyResult['summary']): Html {
  const rows = QUARTER_ORDER.map((key) => {
    const raw = s[key];
    const text = key === 'headcount' ? String(raw) : (QUARTER_SCORES as readonly string[]).includes(key) ? score2(String(raw)) : yuan(String(raw));
    return html`<tr data-key="${key}"><td>${word(v, `summary.${key}`)}</td><td class="num">${text}</td></tr>`;
  });
  return html`<table id="summary" class="narrow"><tbody>${rows}</tbody></table>`;
}

/** A year-end's summary. */
export function annualSummary(v: View, s: AnnualResult['summary']): Html {
  const keys = ['fund', 'bankExpired', 'unallocated', ...(s.riskAwardTotal !== undefined ? (['riskAwardTotal'] as const) : []), 'paidTotal'] as const;
  const rows = keys.map((key) => html`<tr data-key="${key}"><td>${word(v, `summary.${key}`)}</td><td class="num">${yuan(s[key])}</td></tr>`);
  return html`<table id="summary" class="narrow"><tbody>${rows}</tbody></table>`;
}

/** The engine's warnings in words: each known shape from the catalogue, the rest as written. */
export function warningText(v: View, w: string): string {
  const shapes: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^staff (\S+): no individual record, defaults used$/, (m) => word(v, 'warning.noRecord', { staff: m[1]! })],
    [/^department (\S+): no staff this quarter, score 0$/, (m) => word(v, 'warning.noStaff', { department: m[1]! })],
    [/^department (\S+): risk award (\S+) unallocated, no member with a weight$/, (m) => word(v, 'warning.riskUnallocated', { department: m[1]!, amount: yuan(m[2]) })],
    [/^department (\S+): (\S+) unallocated, no member with a weight$/, (m) => word(v, 'warning.unallocatedYear', { department: m[1]!, amount: yuan(m[2]) })],
    [/^department (\S+): (\S+) unallocated, no member with an effective score$/, (m) => word(v, 'warning.unallocated', { department: m[1]!, amount: yuan(m[2]) })],
  ];
  for (const [shape, text] of shapes) {
    const m = shape.exec(w);
    if (m) return text(m);
  }
  return w;
}

/** What an action did, shown on the page it leads to (`?done=`): only these words are shown. */
const DONE: Record<string, MessageKey> = {
  started: 'done.started',
  forced: 'done.forced',
  unchanged: 'done.unchanged',
  closed: 'done.closed',
  running: 'done.running',
  approved: 'done.approved',
  acknowledged: 'done.acknowledged',
  disputed: 'done.disputed',
  appealed: 'done.appealed',
  upheld: 'done.upheld',
  overturned: 'done.overturned',
  graded: 'done.graded',
  booked: 'done.booked',
};

/** A flash line: what the action before this page did (`?done=`), with the page's own facts (its period, its department). */
export function doneLine(v: View, done: string | undefined, params: Record<string, string>): Html | string {
  const key = done !== undefined && Object.hasOwn(DONE, done) ? DONE[done] : undefined;
  return key ? html`<p class="done noprint" id="done" role="status">${word(v, key, params)}</p>` : '';
}

/** The sum of decimal strings, exactly (money is never a float). */
export function sum(values: (string | undefined)[]): string {
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
