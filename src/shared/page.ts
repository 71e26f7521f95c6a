import { escapeHtml, type Html } from './html.js';
import type { Lang } from './i18n.js';

/**
 * The frame of every server-rendered page and printable statement: the document, its style
 * (screen and A4 print), and the navigation when a page has one. Chinese first: `lang` sets the
 * document's language; the words come from the catalogue (`./messages/`).
 */
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
.done{background:#e6f4ea;border:1px solid #137333;color:#137333;padding:8px 12px;border-radius:4px}.stale{display:inline-block;padding:2px 8px;border-radius:10px;background:#fce8e6;color:#b3261e}
input.short{width:140px}input.cell{width:90px;text-align:right}select{font-size:14px;padding:4px}.filters label{display:inline-block;margin:0 12px 8px 0}table.narrow{width:auto;min-width:420px}td.reason{max-width:280px;overflow-wrap:anywhere}td.key{font-family:monospace;font-size:12px;overflow-wrap:anywhere}
@page{size:A4;margin:14mm 12mm}
.statement-hospital{font-size:15px;font-weight:bold;text-align:center;margin-bottom:2px}.statement h1{text-align:center}
.statement-meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:2px 16px;margin:8px 0 12px;font-size:13px}.statement-meta .k{color:#5b6775;margin-right:6px}.statement-meta .k::after{content:"："}
table.items col.label{width:17%}table.items col.value{width:17%}table.items col.rule{width:66%}table.fines{width:auto;min-width:50%}
.reasons{font-size:13px;margin:4px 0 12px;padding-left:20px}.tier2-point-value{font-size:14px;margin:4px 0}.reasons li{margin:2px 0}
.signatures{display:flex;justify-content:space-between;gap:24px;margin-top:40px;font-size:14px}.signatures div{flex:1;border-bottom:1px solid #1d2733;padding-bottom:28px}
@media print{nav,form,button,.noprint{display:none}body{margin:0;max-width:none}table{font-size:10.5px;table-layout:auto;width:100%}table.items{table-layout:fixed}table.people{font-size:9.5px}table.fines{width:auto}.statement-meta{font-size:11px}.reasons{font-size:11px}.tier2-point-value{font-size:11px}h2{font-size:14px;margin:14px 0 6px;break-after:avoid}.signatures{break-inside:avoid}th,td{padding:3px 4px;word-break:break-all}tr{break-inside:avoid}thead{display:table-header-group}}
`;

export function layout(lang: Lang, title: string, body: Html, options: { refreshSeconds?: number; nav?: Html } = {}): string {
  return `<!doctype html>
<html lang="${lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${options.nav ? options.nav.text : ''}${body.text}</body></html>`;
}
