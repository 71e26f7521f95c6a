import { Decimal } from 'decimal.js';
import { html, type Html } from '../../shared/html.js';
import { errorIn } from '../../shared/errors.js';
import { score2 } from '../../shared/i18n.js';
import { signedInPage } from './frame.views.js';
import type { appealsQueue, assessmentPage, ScorecardRow } from './ui.usecases.js';
import { actorName, doneLine, period, statusName, time, type Viewer, word } from './ui.views.js';

/**
 * A department's assessment in a quarter — its scorecard with the engine's attainments, scores
 * and grades, its people's scores, its indicators' values, the defects against it and its people
 * (each counting one with its appeal form for the department's head) — its printable 考核表, and
 * the admin's queue of undecided appeals with the forms that decide them. Every figure is the
 * engine's (assessment.md §4), shown with two decimals; the exact one stays in `data-*`.
 */

type AssessmentData = Awaited<ReturnType<typeof assessmentPage>>;
type Defect = AssessmentData['departmentDefects'][number];
type Method = NonNullable<ScorecardRow['leaf']>['method'];

const DEFECT_STATUSES = ['booked', 'corrected', 'withdrawn', 'overturned'] as const;
const defectStatus = (s: Viewer, status: string) => ((DEFECT_STATUSES as readonly string[]).includes(status) ? word(s, `defect.${status as (typeof DEFECT_STATUSES)[number]}`) : status);
const counting = (status: string) => status !== 'withdrawn' && status !== 'overturned';
const DEDUCTIONS = ['medical', 'nursing', 'infectionControl', 'ethics', 'admin'] as const;

/** Codes or phrases in a line, as each language lists them. */
const listed = (s: Viewer, items: string[]) => items.join(s.lang === 'en' ? ', ' : '、');
const grade = (s: Viewer, g: string | null | undefined) => (g === 'pass' || g === 'basic_pass' || g === 'fail' ? word(s, `grade.${g}`) : '—');
/** A fraction of the engine's (an attainment, a method's share) as a percentage, exactly. */
const percent = (fraction: string, places?: number) => {
  const p = new Decimal(fraction).times(100);
  return places === undefined ? p.toString() : p.toFixed(places, Decimal.ROUND_HALF_UP);
};

function methodText(s: Viewer, m: Method): string {
  const direction = m.direction === 'lower' ? 'lower' : 'higher';
  switch (m.type) {
    case 'ratio':
      return word(s, `method.ratio.${direction}`, { target: m.target ?? '' });
    case 'deviation':
      return word(s, `method.deviation.${direction}`, { target: m.target ?? '', step: m.step ?? '', share: percent(m.stepShare ?? '0') });
    case 'bands':
      return word(s, 'method.bands', {
        bands: listed(
          s,
          (m.bands ?? []).map((b) => word(s, 'method.band', { from: b.from, share: percent(b.attainment) })),
        ),
      });
    default:
      return word(s, `method.${m.type}`);
  }
}

/** The scorecard's tree: each node's name, method, points, owner, the quarter's values, and the engine's attainment and score. */
function scorecardTable(s: Viewer, data: AssessmentData, rows: ScorecardRow[]): Html {
  const office = (code: string) => html`<span title="${code}">${data.departmentNames.get(code) ?? code}</span>`;
  const values = (r: ScorecardRow): Html | string => {
    if (!r.leaf) return '';
    if (r.leaf.cadence === 'yearly') return html`<span class="meta">${word(s, 'scorecard.yearEnd')}</span>`;
    if (r.leaf.method.type === 'defects') return r.defects.length === 0 ? '—' : listed(s, r.defects);
    return html`${r.values.map(
      (v, i) =>
        html`${i > 0 ? html`<br>` : ''}<span class="period-value" data-period="${v.period}">${r.values.length > 1 ? html`<span class="meta">${v.period}</span> ` : ''}${v.value === null ? html`<span class="missing bad">${word(s, 'scorecard.missing')}</span>` : v.value}</span>`,
    )}`;
  };
  // the name and the values keep their width; the method's words wrap
  return html`<table id="scorecard"><colgroup><col style="width:24%"><col style="width:28%"><col><col><col style="width:14%"><col><col></colgroup><thead><tr style="white-space:nowrap"><th>${word(s, 'assessment.indicator')}</th><th>${word(s, 'scorecard.method')}</th><th>${word(s, 'scorecard.points')}</th><th>${word(s, 'scorecard.owner')}</th><th>${word(s, 'scorecard.values')}</th><th>${word(s, 'scorecard.attainment')}</th><th>${word(s, 'col.score')}</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr data-indicator="${r.code}" data-depth="${r.depth}"${r.score === null ? '' : html` data-score="${r.score}"`}${r.attainment === null ? '' : html` data-attainment="${r.attainment}"`}${r.leaf ? '' : html` class="node"`}><td style="padding-left:${8 + 16 * r.depth}px">${r.leaf ? r.name : html`<b>${r.name}</b>`} <span class="meta" style="white-space:nowrap">${r.code}</span></td><td>${r.leaf ? html`<span class="meta">${word(s, `cadence.${r.leaf.cadence as 'monthly' | 'quarterly' | 'yearly'}`)} · ${methodText(s, r.leaf.method)}</span>` : ''}</td><td class="num">${r.points}</td><td>${r.leaf ? office(r.leaf.owner) : ''}</td><td class="num">${values(r)}</td><td class="num">${r.attainment === null ? '' : `${percent(r.attainment, 2)}%`}</td><td class="num">${r.score === null ? '' : score2(r.score)}</td></tr>`,
  )}</tbody></table>`;
}

/** The department's figures of the quarter: score, grade, director's grade, and the deductions by category. */
function departmentFigures(s: Viewer, line: NonNullable<AssessmentData['preview']['line']>): Html {
  const scored =
    line.score === null
      ? ''
      : html`<tr><th>${word(s, 'scorecard.total')}</th><td class="num" id="department-score" data-score="${line.score}">${score2(line.score)}</td></tr>
<tr><th>${word(s, 'scorecard.grade')}</th><td id="department-grade" data-grade="${line.grade}">${grade(s, line.grade)}</td></tr>
<tr><th>${word(s, 'scorecard.directorGrade')}</th><td id="director-grade" data-grade="${line.directorGrade}">${grade(s, line.directorGrade)}</td></tr>`;
  return html`<table id="department-figures" class="narrow">${scored}
<tr><th>${word(s, 'scorecard.deductions')}</th><td>${DEDUCTIONS.map((c, i) => html`${i > 0 ? ' · ' : ''}<span data-category="${c}" data-points="${line.deductions[c]}">${word(s, `category.${c}`)} ${score2(line.deductions[c])}</span>`)}</td></tr></table>`;
}

/** The quarter's scorecard as the engine scores the data stored now, with the latest run's figures beside it. */
function scorecardSection(s: Viewer, data: AssessmentData): Html {
  const { preview, scorecard, run } = data;
  const refused = preview.refused
    ? html`<p class="error" id="scorecard-refused" data-code="${preview.refused.code}">${word(s, 'scorecard.refused', { reason: errorIn(s.lang, preview.refused).message })}${preview.refused.code === 'missing_assessment_value' ? html` <span class="meta">${word(s, 'scorecard.missingHint')}</span>` : ''}</p>`
    : '';
  const head = scorecard
    ? html`<h2 id="scorecard-title" data-scorecard="${scorecard.id}">${word(s, 'scorecard.title', { name: scorecard.name })}</h2>`
    : html`<h2>${word(s, 'scorecard.untitled')}</h2>`;
  const table = !scorecard ? html`<p id="scorecard-none">${word(s, preview.line && preview.refused === null ? 'scorecard.unscored' : 'scorecard.none')}</p>` : scorecardTable(s, data, scorecard.rows);
  const latest = !run
    ? html`<p class="meta noprint" id="latest-run">${word(s, 'scorecard.noRun')}</p>`
    : html`<p class="meta noprint" id="latest-run" data-run="${run.run.id}" data-same="${run.same}">${word(s, 'scorecard.latestRun')}<a href="/ui/runs/${run.run.id}">${statusName(s, run.run.status)} · ${time(s, run.run.finishedAt ?? run.run.createdAt)}</a>${
        run.line?.score ? word(s, 'scorecard.runFigures', { score: score2(run.line.score), grade: grade(s, run.line.grade) }) : ''
      }${word(s, run.same ? 'scorecard.runSame' : 'scorecard.runDiffers')}</p>`;
  const note = html`<p class="meta" id="preview-note" style="font-size:13px">${word(s, run?.same ? 'scorecard.previewSettled' : 'scorecard.preview')}</p>`;
  return html`${head}${note}${refused}${table}${preview.line ? departmentFigures(s, preview.line) : ''}${latest}`;
}

/** The department's eligible people: the engine's personal score, grade, derived inputs and defects (none when the engine gave none). */
function peopleSection(s: Viewer, data: AssessmentData): Html | string {
  const people = data.preview.people;
  if (data.preview.kind !== 'evaluated') return '';
  if (people.length === 0) return html`<h2>${word(s, 'people.title')}</h2><p id="people-none">${word(s, 'people.none')}</p>`;
  const yes = (b: boolean) => (b ? word(s, 'people.yes') : '—');
  return html`<h2>${word(s, 'people.title')}</h2><table id="people"><thead><tr><th>${word(s, 'word.name')}</th><th>${word(s, 'people.score')}</th><th>${word(s, 'people.grade')}</th><th>${word(s, 'people.errors')}</th><th>${word(s, 'people.accident')}</th><th>${word(s, 'people.ethics')}</th><th>${word(s, 'people.veto')}</th><th>${word(s, 'people.defects')}</th></tr></thead><tbody>${people.map(
    (p) =>
      html`<tr data-staff="${p.staffId}" data-score="${p.score}" data-grade="${p.grade}"><td title="${p.staffId}">${data.staffNames.get(p.staffId) ?? p.staffId}</td><td class="num">${score2(p.score)}</td><td>${grade(s, p.grade)}</td><td class="num">${p.errors}</td><td>${yes(p.accident)}</td><td class="num">${score2(p.ethicsDeduction)}</td><td${p.ethicsZero ? html` class="bad"` : ''}>${yes(p.ethicsZero)}</td><td>${listed(s, p.defects)}</td></tr>`,
  )}</tbody></table>`;
}

const staffCell = (data: AssessmentData, d: Defect) =>
  'staffId' in d.record ? html`<td data-staff="${d.record.staffId}" title="${d.record.staffId}">${data.staffNames.get(d.record.staffId) ?? d.record.staffId}</td>` : html`<td></td>`;

export function assessmentView(s: Viewer, data: AssessmentData, query: { done?: string; defect?: string; hospital?: string }): string {
  const { department, quarter } = data;
  // the bootstrap admin reads any hospital, so the hospital goes along with the forms
  const hospital = s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.hospital}">`;
  const values =
    data.values.length === 0
      ? html`<p id="values-none">${word(s, 'assessment.noValues')}</p>`
      : html`<table id="values"><thead><tr><th>${word(s, 'assessment.indicator')}</th><th>${word(s, 'assessment.period')}</th><th>${word(s, 'assessment.value')}</th><th>${word(s, 'assessment.enteredBy')}</th></tr></thead><tbody>${data.values.map(
          (v) =>
            html`<tr data-indicator="${v.indicator}"><td>${data.indicatorNames.get(v.indicator) ?? v.indicator} <span class="meta">${v.indicator}</span></td><td>${period(s, v.period)}</td><td class="num">${v.value}</td><td title="${v.by}">${actorName(s, v.by)}</td></tr>`,
        )}</tbody></table>`;
  const action = (d: Defect): Html | string => {
    const open = data.openAppeal.get(`${d.kind}:${d.id}`);
    if (open) return html`<span class="appeal-open">${word(s, 'assessment.appealOpen', { actor: actorName(s, open.appellant), at: time(s, open.at) })}</span>`;
    if (!data.mayAppeal || !counting(d.status)) return '';
    return html`<form method="post" action="/ui/assessment/${encodeURIComponent(department)}/appeals" class="inline appeal-form"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="kind" value="${d.kind}"><input type="hidden" name="defectId" value="${d.id}"><input type="hidden" name="quarter" value="${quarter}">${hospital}<input type="text" name="reason" required maxlength="2000" placeholder="${word(s, 'assessment.appealReason')}"><button type="submit">${word(s, 'assessment.appeal')}</button></form>`;
  };
  const defects = (id: string, list: Defect[], personal: boolean) =>
    list.length === 0
      ? html`<p id="${id}-none">${word(s, 'assessment.noDefects')}</p>`
      : html`<table id="${id}"><thead><tr><th>${word(s, 'assessment.defect')}</th><th>${word(s, 'assessment.month')}</th>${personal ? html`<th>${word(s, 'assessment.staff')}</th>` : ''}<th>${word(s, 'assessment.note')}</th><th>${word(s, 'assessment.points')}</th><th>${word(s, 'assessment.bookedBy')}</th><th>${word(s, 'assessment.bookedAt')}</th><th>${word(s, 'assessment.status')}</th><th class="noprint">${word(s, 'assessment.appeal')}</th></tr></thead><tbody>${list.map(
          (d) =>
            html`<tr data-defect="${d.id}" data-status="${d.status}"><td>${d.id}</td><td>${d.record.month}</td>${personal ? staffCell(data, d) : ''}<td>${d.record.note ?? ''}</td><td class="num">${d.record.points}</td><td title="${d.by}">${actorName(s, d.by)}</td><td>${time(s, d.at)}</td><td class="defect-status">${defectStatus(s, d.status)}</td><td class="noprint">${action(d)}</td></tr>`,
        )}</tbody></table>`;
  const title = word(s, 'assessment.title', { department: data.departmentName, quarter: period(s, quarter) });
  const chooser = html`<form method="get" action="/ui/assessment/${encodeURIComponent(department)}" class="filters noprint">${s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.hospital}">`}<label>${word(s, 'assessment.quarter')} <input type="text" name="quarter" value="${quarter}" class="short" pattern="[0-9]{4}Q[1-4]"></label><button type="submit">${word(s, 'assessment.show')}</button></form>`;
  return signedInPage(
    s,
    title,
    html`<h1 data-department="${department}">${title}</h1>${doneLine(s, query.done, { defect: query.defect ?? '' })}${chooser}
<p class="noprint"><a href="/ui/assessment/${encodeURIComponent(department)}/print?quarter=${quarter}${s.principal.hospital ? '' : `&hospital=${encodeURIComponent(data.hospital)}`}" id="print-sheet">${word(s, 'print.link')}</a></p>
${scorecardSection(s, data)}
${peopleSection(s, data)}
<h2>${word(s, 'assessment.values')}</h2>${values}
<h2>${word(s, 'assessment.departmentDefects')}</h2>${defects('department-defects', data.departmentDefects, false)}
<h2>${word(s, 'assessment.personalDefects')}</h2>${defects('personal-defects', data.personalDefects, true)}`,
  );
}

/** A department's 考核表 of a quarter, to print and sign: its scorecard with the engine's scores and grades, its people, the defects that count, the signature lines. */
export function sheetView(s: Viewer, data: AssessmentData): string {
  const title = word(s, 'print.title', { department: data.departmentName, quarter: period(s, data.quarter) });
  const defects = [...data.departmentDefects, ...data.personalDefects].filter((d) => counting(d.status));
  const total = defects.reduce((t, d) => t.plus(d.record.points), new Decimal(0));
  const defectRows =
    defects.length === 0
      ? html`<p id="defects-none">${word(s, 'assessment.noDefects')}</p>`
      : html`<table id="defects"><thead><tr><th>${word(s, 'assessment.defect')}</th><th>${word(s, 'assessment.month')}</th><th>${word(s, 'assessment.staff')}</th><th>${word(s, 'assessment.note')}</th><th>${word(s, 'assessment.points')}</th></tr></thead><tbody>${defects.map(
          (d) => html`<tr data-defect="${d.id}"><td>${d.id}</td><td>${d.record.month}</td>${staffCell(data, d)}<td>${d.record.note ?? ''}</td><td class="num">${d.record.points}</td></tr>`,
        )}<tr class="total"><td colspan="4">${word(s, 'print.total')}</td><td class="num" id="defects-total">${total.toFixed(2)}</td></tr></tbody></table>`;
  const signatures = html`<div class="signatures">${(['signature.assessedHead', 'signature.assessingOffice', 'signature.panel'] as const).map(
    (k) => html`<div data-role="${k.slice('signature.'.length)}">${word(s, k)}：</div>`,
  )}<div class="date">${word(s, 'signature.date')}：</div></div>`;
  return signedInPage(
    s,
    title,
    html`<article class="statement sheet"><div class="statement-hospital">${data.hospitalName}</div><h1 data-department="${data.department}">${title}</h1>
${scorecardSection(s, data)}
${peopleSection(s, data)}
<h2>${word(s, 'assessment.departmentDefects')} · ${word(s, 'assessment.personalDefects')}</h2>${defectRows}
${signatures}</article>`,
  );
}

/** The admin's queue: each undecided appeal with its defect, department, reason, who and when, and the forms that decide it. */
export function appealsView(s: Viewer, data: NonNullable<Awaited<ReturnType<typeof appealsQueue>>>, query: { done?: string; defect?: string }): string {
  const hospital = s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.code}">`;
  const link = (department: string, month: string) => {
    const q = `${month.slice(0, 4)}Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
    return `/ui/assessment/${encodeURIComponent(department)}?quarter=${q}${s.principal.hospital ? '' : `&hospital=${encodeURIComponent(data.code)}`}`;
  };
  const rows = data.appeals.map(
    (a) =>
      html`<tr data-appeal="${a.id}" data-defect="${a.defectId}"><td>${a.defectId}</td><td>${a.month}</td><td data-department="${a.department}"><a href="${link(a.department, a.month)}">${data.departmentNames.get(a.department) ?? a.department} <span class="meta">${a.department}</span></a></td><td>${a.reason}</td><td title="${a.appellant}">${actorName(s, a.appellant)}</td><td>${time(s, a.at)}</td><td class="noprint"><form method="post" action="/ui/appeals/${a.id}/decision" class="inline decision-form"><input type="hidden" name="csrf" value="${s.csrf}">${hospital}<input type="text" name="reason" required maxlength="2000" placeholder="${word(s, 'appeals.decisionReason')}"><button type="submit" name="decision" value="upheld">${word(s, 'appeals.uphold')}</button><button type="submit" name="decision" value="overturned">${word(s, 'appeals.overturn')}</button></form></td></tr>`,
  );
  return signedInPage(
    s,
    word(s, 'appeals.title'),
    html`<h1>${word(s, 'appeals.title')}</h1>${doneLine(s, query.done, { defect: query.defect ?? '' })}
${rows.length === 0 ? html`<p id="appeals-none">${word(s, 'appeals.none')}</p>` : html`<table id="appeals"><thead><tr><th>${word(s, 'assessment.defect')}</th><th>${word(s, 'assessment.month')}</th><th>${word(s, 'appeals.department')}</th><th>${word(s, 'appeals.reason')}</th><th>${word(s, 'appeals.appellant')}</th><th>${word(s, 'appeals.at')}</th><th class="noprint">${word(s, 'appeals.decide')}</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  );
}
