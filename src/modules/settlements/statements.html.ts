import type { DepartmentStatement, PersonStatement, StatementItem } from '../../core/index.js';
import { html, type Html } from '../../shared/html.js';
import type { Lang } from '../../shared/i18n.js';
import { layout, t } from '../../shared/page.js';

/**
 * Server-rendered HTML for statements and the review pages: no front-end build, no script
 * but the small inline ones a page states. Chinese labels by default, English with lang=en.
 */
function itemRows(lang: Lang, items: StatementItem[], totalKey?: string): Html[] {
  return items.map(
    (i) => html`<tr class="${i.key === totalKey ? 'total' : ''}" data-key="${i.key}"><td>${lang === 'en' ? i.en : i.zh}</td><td class="num">${i.value}</td><td class="rule">${i.rule}</td></tr>`,
  );
}

export function personStatementBody(s: PersonStatement, lang: Lang, hospital: string, departmentLink?: string): Html {
  const department = departmentLink ? html`<a href="${departmentLink}">${s.department.name}</a>` : s.department.name;
  return html`<h1>${t(lang, '个人绩效工资明细', 'Personal performance-pay statement')}</h1>
<div class="meta">${hospital} · ${s.period} · ${department} (${s.department.code}) · ${s.name} (${s.staffId})${s.onStudyLeave ? t(lang, ' · 外出学习进修', ' · on study leave') : ''}</div>
<table id="statement"><thead><tr><th>${t(lang, '项目', 'Item')}</th><th>${t(lang, '金额/分值', 'Value')}</th><th>${t(lang, '计算依据', 'Rule')}</th></tr></thead>
<tbody>${itemRows(lang, s.items, 'total')}</tbody></table>`;
}

export function personStatementHtml(s: PersonStatement, lang: Lang, hospital: string): string {
  return layout(lang, `${t(lang, '个人绩效工资明细', 'Personal performance-pay statement')} · ${s.name} · ${s.period}`, personStatementBody(s, lang, hospital));
}

export function departmentStatementBody(s: DepartmentStatement, lang: Lang, hospital: string, personLink?: (staffId: string) => string): Html {
  const people = s.people.map(
    (p) =>
      html`<tr data-staff="${p.staffId}"><td>${personLink ? html`<a href="${personLink(p.staffId)}">${p.staffId}</a>` : p.staffId}</td><td>${p.name}</td><td class="num">${p.rawScore}</td><td class="num">${p.payRatio}</td><td class="num">${p.effectiveScore}</td><td class="num">${p.tier2Pay}</td><td class="num">${p.leaderBonus}</td><td class="num">${p.studyLeavePay}</td><td class="num">${p.finesApplied}</td><td class="num">${p.total}</td></tr>`,
  );
  return html`<h1>${t(lang, '科室绩效核算表', 'Department performance-pay statement')}</h1>
<div class="meta">${hospital} · ${s.period} · ${s.department.name} (${s.department.code}) · ${t(lang, '人数', 'headcount')} ${s.department.headcount}</div>
<h2>${t(lang, '一次分配（全院→科室）', 'Tier 1: hospital to department')}</h2>
<table><thead><tr><th>${t(lang, '项目', 'Item')}</th><th>${t(lang, '金额/分值', 'Value')}</th><th>${t(lang, '计算依据', 'Rule')}</th></tr></thead>
<tbody>${itemRows(lang, s.tier1, 'final')}</tbody></table>
<h2>${t(lang, '扣罚明细', 'Penalties')}</h2>
<table><thead><tr><th>${t(lang, '项目', 'Item')}</th><th>${t(lang, '金额', 'Amount')}</th><th>${t(lang, '计算依据', 'Rule')}</th></tr></thead>
<tbody>${itemRows(lang, s.penalties)}</tbody></table>
<h2>${t(lang, '二次分配（科室→个人）', 'Tier 2: department to people')} · ${t(lang, '科室分值', 'point value')} ${s.tier2PointValue ?? '—'} ${t(lang, '元/分', 'yuan per point')}</h2>
<table><thead><tr><th>${t(lang, '工号', 'Staff id')}</th><th>${t(lang, '姓名', 'Name')}</th><th>${t(lang, '原始得分', 'Raw score')}</th><th>${t(lang, '发放系数', 'Pay ratio')}</th><th>${t(lang, '实得分', 'Effective score')}</th><th>${t(lang, '二次分配', 'Tier-2 pay')}</th><th>${t(lang, '职务奖励', 'Leader bonus')}</th><th>${t(lang, '进修工资', 'Study-leave pay')}</th><th>${t(lang, '罚款', 'Fines')}</th><th>${t(lang, '实发合计', 'Total')}</th></tr></thead>
<tbody>${people}</tbody></table>`;
}

export function departmentStatementHtml(s: DepartmentStatement, lang: Lang, hospital: string): string {
  return layout(lang, `${t(lang, '科室绩效核算表', 'Department statement')} · ${s.department.name} · ${s.period}`, departmentStatementBody(s, lang, hospital));
}
