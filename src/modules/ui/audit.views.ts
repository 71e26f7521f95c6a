import { html } from '../../shared/html.js';
import { signedInPage } from './frame.views.js';
import type { auditLog } from './ui.usecases.js';
import { actionName, actorName, AUDIT_ACTIONS, AUDIT_ENTITIES, time, type Viewer, word } from './ui.views.js';

/** The audit log: the chain's verification, the filters, a page of events, and the link to the next. */
export function auditView(s: Viewer, data: NonNullable<Awaited<ReturnType<typeof auditLog>>>): string {
  const { code, filter, events, verification } = data;
  // the bootstrap admin reads any hospital, so the hospital goes along with the filters
  const hospital = s.principal.hospital ? undefined : code;
  const option = (value: string, label: string, chosen: string | undefined) => html`<option value="${value}"${chosen === value ? html` selected` : ''}>${label}</option>`;
  const form = html`<form method="get" action="/ui/audit" id="audit-filters" class="filters noprint">${hospital === undefined ? '' : html`<input type="hidden" name="hospital" value="${code}">`}
<label>${word(s, 'audit.actor')} <input type="text" name="actor" value="${filter.actor ?? ''}" class="short"></label>
<label>${word(s, 'audit.action')} <select name="action">${option('', word(s, 'audit.any'), filter.action)}${AUDIT_ACTIONS.map((a) => option(a, actionName(s, a), filter.action))}</select></label>
<label>${word(s, 'audit.entityType')} <select name="entityType">${option('', word(s, 'audit.any'), filter.entityType)}${AUDIT_ENTITIES.map((e) => option(e, word(s, `audit.entity.${e}`), filter.entityType))}</select></label>
<label>${word(s, 'audit.entityKey')} <input type="text" name="entityKey" value="${filter.entityKey ?? ''}" class="short"></label>
<label>${word(s, 'audit.from')} <input type="date" name="from" value="${filter.from ?? ''}"></label>
<label>${word(s, 'audit.to')} <input type="date" name="to" value="${filter.to ?? ''}"></label>
<button type="submit" id="audit-apply">${word(s, 'audit.apply')}</button></form>`;
  const verify = verification.valid
    ? html`<p id="audit-verify" class="ok">✓ ${word(s, 'audit.valid', { events: verification.events })}</p>`
    : html`<p id="audit-verify" class="bad">✗ ${word(s, 'audit.invalid', { seq: verification.firstInvalidSeq ?? '—', reason: verification.reason ?? '' })}</p>`;
  const rows = events.events.map(
    (e) =>
      html`<tr data-seq="${e.seq}" data-action="${e.action}"><td class="num">${e.seq}</td><td>${time(s, e.occurredAt)}</td><td title="${e.actor}"><a class="actor-filter" href="${auditLink({ ...filter, actor: e.actor, hospital })}">${actorName(s, e.actor)}</a></td><td title="${e.action}">${actionName(s, e.action)}</td><td class="key" title="${JSON.stringify(e.after ?? e.before ?? null).slice(0, 400)}">${e.entityKey}</td></tr>`,
  );
  const next =
    events.nextAfterSeq !== null
      ? html`<p class="noprint"><a id="audit-next" href="${auditLink({ ...filter, hospital, afterSeq: String(events.nextAfterSeq) })}">${word(s, 'audit.more')}</a></p>`
      : '';
  return signedInPage(
    s,
    word(s, 'audit.title'),
    html`<h1>${word(s, 'audit.title')}</h1><h2>${word(s, 'audit.verify')}</h2>${verify}<h2>${word(s, 'audit.filters')}</h2>${form}
${rows.length === 0 ? html`<p id="audit-none">${word(s, 'audit.none')}</p>` : html`<table id="audit"><thead><tr><th>${word(s, 'audit.seq')}</th><th>${word(s, 'audit.at')}</th><th>${word(s, 'audit.actor')}</th><th>${word(s, 'audit.action')}</th><th>${word(s, 'audit.entityKey')}</th></tr></thead><tbody>${rows}</tbody></table>`}${next}`,
  );
}

/** The audit page with these filters (the empty ones left out). */
function auditLink(filter: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(filter).filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== ''));
  return `/ui/audit?${query.toString()}`;
}
