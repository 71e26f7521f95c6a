import { DEPARTMENT_DEFECT_CATEGORIES, PERSONAL_DEFECT_CATEGORIES } from '../../core/schema.js';
import { html } from '../../shared/html.js';
import { signedInPage } from './frame.views.js';
import type { gridPage } from './ui.usecases.js';
import { doneLine, period, type Viewer, word } from './ui.views.js';

/**
 * The assessor's grid of a cadence period (departments × the indicators of the period's cadence
 * its offices own, by name, one form posting the whole period) with a chooser between the month,
 * the quarter and the year, and its defect form. (A department's printable 考核表 is with its
 * page, in assessment.views.ts.)
 */

type GridData = Awaited<ReturnType<typeof gridPage>>;

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
<label>${word(s, 'defectForm.target')} <input type="text" name="target" class="short" required list="defect-departments"></label><datalist id="defect-departments">${data.choices.departments.map((d) => html`<option value="${d.code}">${d.name}</option>`)}</datalist>
<label>${word(s, 'grid.month')} <input type="text" name="month" value="${data.cadence === 'monthly' ? data.period : ''}" class="short" required></label>
<label>${word(s, 'defectForm.indicator')} <input type="text" name="indicator" class="short" list="defect-indicators"></label><datalist id="defect-indicators">${data.choices.indicators.map((i) => html`<option value="${i.code}">${i.name}</option>`)}</datalist>
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
