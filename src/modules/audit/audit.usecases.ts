import type { UseCaseDeps } from '../../shared/context.js';
import { badRequest, notFound } from '../../shared/errors.js';
import { hospitalByCode, listAudit, verifyAudit, type AuditFilter, type AuditVerification } from './audit.repository.js';
import type { AuditEvent } from './audit.schemas.js';

type Deps = Pick<UseCaseDeps, 'db'>;

async function hospitalNamed(deps: Deps, code: string): Promise<{ id: number; code: string }> {
  const hospital = await hospitalByCode(deps.db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

/** A page of a hospital's audit events, oldest first; `from`/`to` are validated ISO dates. */
export async function auditPage(deps: Deps, code: string, query: Omit<AuditFilter, 'limit'> & { limit?: number }): Promise<{ events: AuditEvent[]; nextAfterSeq: number | null }> {
  const hospital = await hospitalNamed(deps, code);
  const from = query.from === undefined ? undefined : isoInstant(query.from, 'start', 'querystring.from');
  const to = query.to === undefined ? undefined : isoInstant(query.to, 'end', 'querystring.to');
  const limit = query.limit ?? 100;
  const events = await listAudit(deps.db, hospital.id, { ...query, from, to, limit });
  return {
    events: events.map(({ id: _id, hospitalId: _h, ...e }) => ({ hospital: hospital.code, ...e })),
    nextAfterSeq: events.length === limit ? events.at(-1)!.seq : null,
  };
}

export async function verifyHospitalAudit(deps: Deps, code: string): Promise<AuditVerification> {
  return verifyAudit(deps.db, (await hospitalNamed(deps, code)).id);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date or time as the audit log stores its times (UTC, milliseconds), refusing a
 * date that does not exist (2026-13-45, 2026-02-30) with a 400 naming the parameter. A date alone
 * stands for its first instant (`start`) or its last (`end`).
 */
export function isoInstant(text: string, edge: 'start' | 'end', path: string): string {
  const m = ISO.exec(text);
  const bad = () =>
    badRequest('invalid_value', `${path.replace('querystring.', '')} must be an ISO 8601 date or time such as 2026-11-01 or 2026-11-01T08:00:00Z, got ${JSON.stringify(text.slice(0, 40))}`, path);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (date.getUTCFullYear() !== +y! || date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d! || (h !== undefined && (+h > 23 || +mi! > 59 || +(se ?? 0) > 59))) throw bad();
  if (h === undefined) return new Date(date.getTime() + (edge === 'end' ? 86_400_000 - 1 : 0)).toISOString();
  const ms = frac === undefined ? '' : `.${frac.padEnd(3, '0').slice(0, 3)}`;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${se ?? '00'}${ms}${zone ?? 'Z'}`).toISOString();
}
