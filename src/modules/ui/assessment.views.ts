import { html, type Html } from '../../shared/html.js';
import { signedInPage } from './frame.views.js';
import type { appealsQueue, assessmentPage } from './ui.usecases.js';
import { actorName, doneLine, period, time, type Viewer, word } from './ui.views.js';

/**
 * A department's assessment in a quarter (its indicators' values, the defects against it and its
 * people, each counting one with its appeal form for the department's head) and the admin's
 * queue of undecided appeals with the forms that decide them.
 */

type AssessmentData = Awaited<ReturnType<typeof assessmentPage>>;
type Defect = AssessmentData['departmentDefects'][number];

const DEFECT_STATUSES = ['booked', 'corrected', 'withdrawn', 'overturned'] as const;
const defectStatus = (s: Viewer, status: string) => ((DEFECT_STATUSES as readonly string[]).includes(status) ? word(s, `defect.${status as (typeof DEFECT_STATUSES)[number]}`) : status);
const counting = (status: string) => status !== 'withdrawn' && status !== 'overturned';

export function assessmentView(s: Viewer, data: AssessmentData, query: { done?: string; defect?: string; hospital?: string }): string {
  const { department, quarter } = data;
  // the bootstrap admin reads any hospital, so the hospital goes along with the forms
  const hospital = s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.hospital}">`;
  const values =
    data.values.length === 0
      ? html`<p id="values-none">${word(s, 'assessment.noValues')}</p>`
      : html`<table id="values"><thead><tr><th>${word(s, 'assessment.indicator')}</th><th>${word(s, 'assessment.period')}</th><th>${word(s, 'assessment.value')}</th><th>${word(s, 'assessment.enteredBy')}</th></tr></thead><tbody>${data.values.map(
          (v) => html`<tr data-indicator="${v.indicator}"><td>${v.indicator}</td><td>${period(s, v.period)}</td><td class="num">${v.value}</td><td title="${v.by}">${actorName(s, v.by)}</td></tr>`,
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
            html`<tr data-defect="${d.id}" data-status="${d.status}"><td>${d.id}</td><td>${d.record.month}</td>${personal ? html`<td>${'staffId' in d.record ? d.record.staffId : ''}</td>` : ''}<td>${d.record.note ?? ''}</td><td class="num">${d.record.points}</td><td title="${d.by}">${actorName(s, d.by)}</td><td>${time(s, d.at)}</td><td class="defect-status">${defectStatus(s, d.status)}</td><td class="noprint">${action(d)}</td></tr>`,
        )}</tbody></table>`;
  const title = word(s, 'assessment.title', { department, quarter: period(s, quarter) });
  const chooser = html`<form method="get" action="/ui/assessment/${encodeURIComponent(department)}" class="filters noprint">${s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.hospital}">`}<label>${word(s, 'assessment.quarter')} <input type="text" name="quarter" value="${quarter}" class="short" pattern="[0-9]{4}Q[1-4]"></label><button type="submit">${word(s, 'assessment.show')}</button></form>`;
  return signedInPage(
    s,
    title,
    html`<h1>${title}</h1>${doneLine(s, query.done, { defect: query.defect ?? '' })}${chooser}
<p class="noprint"><a href="/ui/assessment/${encodeURIComponent(department)}/print?quarter=${quarter}${s.principal.hospital ? '' : `&hospital=${encodeURIComponent(data.hospital)}`}" id="print-sheet">${word(s, 'print.link')}</a></p>
<h2>${word(s, 'assessment.values')}</h2>${values}
<h2>${word(s, 'assessment.departmentDefects')}</h2>${defects('department-defects', data.departmentDefects, false)}
<h2>${word(s, 'assessment.personalDefects')}</h2>${defects('personal-defects', data.personalDefects, true)}`,
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
      html`<tr data-appeal="${a.id}" data-defect="${a.defectId}"><td>${a.defectId}</td><td>${a.month}</td><td><a href="${link(a.department, a.month)}">${a.department}</a></td><td>${a.reason}</td><td title="${a.appellant}">${actorName(s, a.appellant)}</td><td>${time(s, a.at)}</td><td class="noprint"><form method="post" action="/ui/appeals/${a.id}/decision" class="inline decision-form"><input type="hidden" name="csrf" value="${s.csrf}">${hospital}<input type="text" name="reason" required maxlength="2000" placeholder="${word(s, 'appeals.decisionReason')}"><button type="submit" name="decision" value="upheld">${word(s, 'appeals.uphold')}</button><button type="submit" name="decision" value="overturned">${word(s, 'appeals.overturn')}</button></form></td></tr>`,
  );
  return signedInPage(
    s,
    word(s, 'appeals.title'),
    html`<h1>${word(s, 'appeals.title')}</h1>${doneLine(s, query.done, { defect: query.defect ?? '' })}
${rows.length === 0 ? html`<p id="appeals-none">${word(s, 'appeals.none')}</p>` : html`<table id="appeals"><thead><tr><th>${word(s, 'assessment.defect')}</th><th>${word(s, 'assessment.month')}</th><th>${word(s, 'appeals.department')}</th><th>${word(s, 'appeals.reason')}</th><th>${word(s, 'appeals.appellant')}</th><th>${word(s, 'appeals.at')}</th><th class="noprint">${word(s, 'appeals.decide')}</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  );
}
