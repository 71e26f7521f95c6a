import { DEPARTMENT_DEFECT_CATEGORIES, PERSONAL_DEFECT_CATEGORIES } from '../../core/schema.js';
import { html } from '../../shared/html.js';
import { signedInPage } from './frame.views.js';
import type { assessmentSheet, gridPage } from './ui.usecases.js';
import { doneLine, period, type Viewer, word } from './ui.views.js';

/**
 * The assessor's grid of a cadence period (departments × the indicators of the period's cadence
 * its offices own, by name, one form posting the whole period) with a chooser between the month,
 * the quarter and the year, its defect form, and a department's printable 考核表 of a quarter
 * with the signature lines.
 */

type GridData = Awaited<ReturnType<typeof gridPage>>;
type SheetData = Awaited<ReturnType<typeof assessmentSheet>>;

const CATEGORIES = [...new Set([...DEPARTMENT_DEFECT_CATEGORIES, ...PERSONAL_DEFECT_CATEGORIES])];
const CADENCES = ['monthly', 'quarterly', 'yearly'] as const;

export function gridView(s: Viewer, data: GridData, query: { done?: string; defect?: string; written?: string; unchanged?: string }): string {
  const shown = period(s, data.period);
  const hospital = s.principal.hospital ? '' : html`<input type="hidden" name="hospital" value="${data.hospital}">`;
  const hospitalParam = s.principal.hospital ? '' : `&hospital=${encodeURIComponent(data.hospital)}`;
  const title = word(s, 'grid.title', { month: shown });
  const cadence = (c: (typeof CADENCES)[number]) => {
    const href = `/ui/assessment/grid?period=${encodeURIComponent(data.periods[c])}${hospitalParam}`;
    return c === data.cadence
      ? html`<a href="${href}" data-cadence="${c}" aria-current="page"><strong>${word(s, `grid.cadence.${c}`)}</strong></a> `
      : html`<a href="${href}" data-cadence="${c}">${word(s, `grid.cadence.${c}`)}</a> `;
  };
  const cadences = html`<p class="tabs noprint" id="grid-cadence">${CADENCES.map(cadence)}</p>`;
  const chooser = html`<form method="get" action="/ui/assessment/grid" class="filters noprint">${hospital}<label>${word(s, 'grid.period')} <input type="text" name="period" value="${data.period}" class="short" pattern="[0-9]{4}(-[0-9]{2}|Q[1-4])?" title="${word(s, 'grid.periodHint')}"></label><button type="submit">${word(s, 'assessment.show')}</button></form>`;
  const grid =
    data.rows.length === 0
      ? html`<p id="grid-none">${word(s, `grid.none.${data.cadence}`)}</p>`
      : html`<form method="post" action="/ui/assessment/grid" id="grid-form"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="period" value="${data.period}">${hospital}
<p class="meta">${word(s, 'grid.hint')}</p>
<table id="grid" data-cadence="${data.cadence}"><thead><tr><th scope="col">${word(s, 'grid.department')}</th>${data.columns.map((c) => html`<th scope="col" data-indicator="${c.code}">${c.name}</th>`)}</tr></thead><tbody>${data.rows.map(
          (r) =>
            html`<tr data-department="${r.code}"><th scope="row">${r.name}</th>${data.columns.map((c) =>
              r.leaves.has(c.code)
                ? html`<td><input type="text" class="cell" inputmode="decimal" name="v.${r.code}.${c.code}" value="${data.values.get(`${r.code}|${c.code}`) ?? ''}" aria-label="${r.name} ${c.name}"></td>`
                : html`<td></td>`,
            )}</tr>`,
        )}</tbody></table>
<button type="submit" id="grid-save">${word(s, `grid.save.${data.cadence}`)}</button></form>`;
  const owner =
    data.offices.length > 0 ? html`<select name="owner">${data.offices.map((o) => html`<option value="${o}">${o}</option>`)}</select>` : html`<input type="text" name="owner" class="short" required>`;
  const defectForm = html`<form method="post" action="/ui/assessment/grid/defects" id="defect-form" class="filters"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="period" value="${data.period}">${hospital}
<label>${word(s, 'defectForm.kind')} <select name="kind"><option value="department">${word(s, 'defectForm.department')}</option><option value="personal">${word(s, 'defectForm.personal')}</option></select></label>
<label>${word(s, 'defectForm.target')} <input type="text" name="target" class="short" required></label>
<label>${word(s, 'grid.month')} <input type="text" name="month" value="${data.cadence === 'monthly' ? data.period : ''}" class="short" required></label>
<label>${word(s, 'defectForm.indicator')} <input type="text" name="indicator" class="short"></label>
<label>${word(s, 'defectForm.category')} <select name="category"><option value=""></option>${CATEGORIES.map((c) => html`<option value="${c}">${word(s, `category.${c}`)}</option>`)}</select></label>
<label>${word(s, 'assessment.points')} <input type="text" name="points" class="short" inputmode="decimal" required></label>
<label>${word(s, 'assessment.note')} <input type="text" name="note" maxlength="200"></label>
<label>${word(s, 'defectForm.owner')} ${owner}</label>
<button type="submit" id="defect-book">${word(s, 'defectForm.submit')}</button></form>`;
  return signedInPage(
    s,
    title,
    html`<h1>${title}</h1>${doneLine(s, query.done, { month: shown, defect: query.defect ?? '', written: query.written ?? '', unchanged: query.unchanged ?? '' })}${cadences}${chooser}
${grid}
<h2>${word(s, 'defectForm.title')}</h2>${defectForm}`,
  );
}

/** A department's 考核表 of a quarter: its indicators with values, the defects with points, the signature lines. */
export function sheetView(s: Viewer, data: SheetData): string {
  const title = word(s, 'print.title', { department: data.departmentName, quarter: period(s, data.quarter) });
  const counting = (status: string) => status !== 'withdrawn' && status !== 'overturned';
  const defects = [...data.departmentDefects, ...data.personalDefects].filter((d) => counting(d.status));
  let hundredths = 0;
  for (const d of defects) hundredths += Math.round(Number(d.record.points) * 100);
  const values =
    data.values.length === 0
      ? html`<p id="values-none">${word(s, 'assessment.noValues')}</p>`
      : html`<table id="values"><thead><tr><th>${word(s, 'assessment.indicator')}</th><th>${word(s, 'assessment.period')}</th><th>${word(s, 'assessment.value')}</th></tr></thead><tbody>${data.values.map(
          (v) =>
            html`<tr data-indicator="${v.indicator}"><td>${data.names.get(v.indicator) ?? v.indicator} <span class="meta">${v.indicator}</span></td><td>${period(s, v.period)}</td><td class="num">${v.value}</td></tr>`,
        )}</tbody></table>`;
  const defectRows =
    defects.length === 0
      ? html`<p id="defects-none">${word(s, 'assessment.noDefects')}</p>`
      : html`<table id="defects"><thead><tr><th>${word(s, 'assessment.defect')}</th><th>${word(s, 'assessment.month')}</th><th>${word(s, 'assessment.staff')}</th><th>${word(s, 'assessment.note')}</th><th>${word(s, 'assessment.points')}</th></tr></thead><tbody>${defects.map(
          (d) =>
            html`<tr data-defect="${d.id}"><td>${d.id}</td><td>${d.record.month}</td><td>${'staffId' in d.record ? d.record.staffId : ''}</td><td>${d.record.note ?? ''}</td><td class="num">${d.record.points}</td></tr>`,
        )}<tr class="total"><td colspan="4">${word(s, 'print.total')}</td><td class="num" id="defects-total">${(hundredths / 100).toFixed(2)}</td></tr></tbody></table>`;
  const signatures = html`<div class="signatures">${(['signature.assessedHead', 'signature.assessingOffice', 'signature.panel'] as const).map(
    (k) => html`<div data-role="${k.slice('signature.'.length)}">${word(s, k)}：</div>`,
  )}<div class="date">${word(s, 'signature.date')}：</div></div>`;
  return signedInPage(
    s,
    title,
    html`<article class="statement"><div class="statement-hospital">${data.hospitalName}</div><h1>${title}</h1>
<h2>${word(s, 'assessment.values')}</h2>${values}
<h2>${word(s, 'assessment.departmentDefects')} · ${word(s, 'assessment.personalDefects')}</h2>${defectRows}
${signatures}</article>`,
  );
}
