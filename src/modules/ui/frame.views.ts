import { html, type Html } from '../../shared/html.js';
import { layout } from '../../shared/page.js';
import { mayAudit, mayDecideAppeals, mayGrade } from './ui.roles.js';
import { type View, type Viewer, word } from './ui.views.js';

/**
 * The frame of the review pages: the sign-in form, the navigation of a signed-in person, a page
 * with it, and the pages that say something went wrong. Each returns the whole document.
 */

const otherLanguage = (v: View) => html`<a href="?lang=${v.lang === 'en' ? 'zh' : 'en'}" id="other-language">${word(v, 'page.otherLanguage')}</a>`;

/** The sign-in form, with its own token and, after a failed attempt, why it failed. */
export function signInPage(v: View, token: string, error?: string): string {
  return layout(
    v.lang,
    word(v, 'page.signIn.title'),
    html`<h1>${word(v, 'page.appName')}</h1>
<p class="meta">${word(v, 'page.signIn.prompt')} ${otherLanguage(v)}</p>
${error ? html`<p class="error" id="error">${error}</p>` : ''}
<form method="post" action="/ui/sign-in"><input type="hidden" name="csrf" value="${token}"><label>${word(v, 'page.signIn.key')} <input type="password" name="key" id="key" autocomplete="off" required></label>
<button type="submit" id="sign-in">${word(v, 'page.signIn.submit')}</button></form>`,
  );
}

/** A form posted without its page's token (an old page, or another site). */
export function expiredFormPage(v: View): string {
  return layout(v.lang, word(v, 'page.error'), html`<p class="error" id="error">${word(v, 'page.formExpired')}</p><p><a href="/ui/runs">${word(v, 'page.back')}</a></p>`);
}

/** What went wrong, already in the page's language, with the way back. */
export function errorPage(s: Viewer, message: string): string {
  return layout(s.lang, word(s, 'page.error'), html`${nav(s)}<p class="error" id="error">${message}</p><p><a href="/ui/runs">${word(s, 'page.back')}</a></p>`);
}

/** A signed-in person's page: the navigation, then the page's body (reloading itself every `refreshSeconds` if given). */
export function signedInPage(s: Viewer, title: string, body: Html, refreshSeconds?: number): string {
  return layout(s.lang, title, html`${nav(s)}${body}`, { refreshSeconds });
}

function nav(s: Viewer): Html {
  return html`<nav class="noprint"><a href="/ui/runs" id="nav-runs">${word(s, 'nav.runs')}</a>${mayAudit(s.principal) ? html`<a href="/ui/audit" id="nav-audit">${word(s, 'nav.audit')}</a>` : ''}${assessmentLinks(s)}<span class="meta">${s.principal.name} · ${word(s, `role.${s.principal.role}`)}${s.principal.hospital ? ` · ${s.principal.hospital}` : ''}</span>
${otherLanguage(s)}
<form class="inline" method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="${s.csrf}"><button type="submit" id="sign-out">${word(s, 'nav.signOut')}</button></form></nav>`;
}

/** An assessor's and an admin's month grid, a department head's assessment pages (one a department), an admin's appeals queue. */
function assessmentLinks(s: Viewer): Html | string {
  const p = s.principal;
  const grid = mayGrade(p) ? html`<a href="/ui/assessment/grid" id="nav-grid">${word(s, 'nav.grid')}</a>` : '';
  if (mayDecideAppeals(p)) return html`${grid}<a href="/ui/appeals" id="nav-appeals">${word(s, 'nav.appeals')}</a>`;
  if (p.role === 'assessor') return grid;
  if (p.role !== 'dept_head') return '';
  const many = p.departments.length > 1;
  return html`${p.departments.map((d) => html`<a href="/ui/assessment/${encodeURIComponent(d)}" class="nav-assessment" id="nav-assessment-${d}">${word(s, 'nav.assessment')}${many ? ` ${d}` : ''}</a>`)}`;
}
