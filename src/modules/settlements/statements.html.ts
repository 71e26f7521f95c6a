import type { DepartmentStatement, PersonStatement, StatementItem } from '../../core/index.js';
import { escapeHtml, html, type Html } from '../../shared/html.js';

/**
 * Server-rendered HTML for statements and the review pages: no front-end build, no script
 * but the small inline ones a page states. Chinese labels by default, English with lang=en.
 */
export type Lang = 'zh' | 'en';

export const t = (lang: Lang, zh: string, en: string) => (lang === 'en' ? en : zh);

const STYLE = `
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:24px;color:#1d2733;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.meta{color:#5b6775;margin-bottom:16px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #c9d1da;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.rule{color:#5b6775;font-size:12px}tr.total td{font-weight:bold;background:#f6f8fa}
.ok{color:#137333}.bad{color:#b3261e}.status{display:inline-block;padding:2px 8px;border-radius:10px;background:#eef2f6}
form.inline{display:inline}button{font-size:14px;padding:5px 12px;margin:2px;cursor:pointer}
input[type=text],input[type=password]{font-size:14px;padding:5px;width:360px}
nav a{margin-right:12px}.error{color:#b3261e;font-weight:bold}
@media print{nav,form,button,.noprint{display:none}body{margin:0}}
`;

export function layout(lang: Lang, title: string, body: Html, options: { refreshSeconds?: number; nav?: Html } = {}): string {
  return `<!doctype html>
<html lang="${lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${options.nav ? options.nav.text : ''}${body.text}</body></html>`;
}

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
