import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { badRequest, notFound } from '../../shared/errors.js';
import { forbidden, type Principal, type Role } from '../../plugins/access.js';
import { tokenHash } from '../../plugins/auth.js';
import { appendAudit, type AuditContext } from '../audit/audit.repository.js';
import { listDepartments, lockHospital, lockHospitalById, findHospitalById } from '../inputs/inputs.repository.js';
import { findKey, insertKey, revokeKey, type ApiKeyRow } from './keys.repository.js';

export interface KeyView {
  id: string;
  name: string;
  role: string;
  hospital: string;
  departments: string[];
  tokenPrefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function keyView(k: ApiKeyRow, hospital: string): KeyView {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    hospital,
    departments: k.departments as string[],
    tokenPrefix: k.tokenPrefix,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/**
 * A new API key: `ppk_` and 32 random bytes (256 bits) in base64url. The token is returned this
 * once; only its SHA-256 is kept. A department head's key names the departments it covers.
 */
export async function createKey(
  deps: { db: Db; now: () => Date; ctx: AuditContext },
  caller: Principal,
  input: { role: Role; hospital: string; departments?: string[]; name: string },
): Promise<KeyView & { token: string }> {
  if (caller.hospital !== null && caller.hospital !== input.hospital) throw notFound(`hospital ${input.hospital}`);
  const departments = [...new Set(input.departments ?? [])].sort();
  if (input.role === 'dept_head' && departments.length === 0) throw badRequest('missing_field', 'a dept_head key needs its departments', 'departments');
  if (input.role !== 'dept_head' && departments.length > 0) throw badRequest('not_applicable', 'only a dept_head key has departments', 'departments');
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, input.hospital);
    if (!hospital) throw notFound(`hospital ${input.hospital}`);
    const known = new Set((await listDepartments(tx, hospital.id)).map((d) => d.code));
    const unknown = departments.filter((d) => !known.has(d));
    if (unknown.length > 0) throw badRequest('unknown_reference', `department(s) ${unknown.join(', ')} are not departments of hospital ${hospital.code}`, 'departments');
    const token = `ppk_${randomBytes(32).toString('base64url')}`;
    const row = await insertKey(tx, {
      id: randomUUID(),
      hospitalId: hospital.id,
      role: input.role,
      departments,
      name: input.name,
      tokenHash: tokenHash(token),
      tokenPrefix: token.slice(0, 10),
      createdBy: deps.ctx.actor,
      createdAt: deps.now(),
    });
    await appendAudit(tx, hospital.id, deps.ctx, [
      { action: 'api_key.create', entityType: 'api_key', entityKey: row.id, after: { name: row.name, role: row.role, departments, tokenPrefix: row.tokenPrefix } },
    ], deps.now());
    return { ...keyView(row, hospital.code), token };
  });
}

export async function revoke(deps: { db: Db; now: () => Date; ctx: AuditContext }, caller: Principal, id: string): Promise<KeyView> {
  const key = await findKey(deps.db, id);
  const hospital = key ? await findHospitalById(deps.db, key.hospitalId) : null;
  if (!key || !hospital || (caller.hospital !== null && caller.hospital !== hospital.code)) throw notFound(`API key ${id}`);
  if (caller.keyId === id) throw forbidden('a key cannot revoke itself; use another admin key');
  return deps.db.transaction(async (tx) => {
    await lockHospitalById(tx, key.hospitalId);
    const current = (await findKey(tx, id))!;
    if (!current.revokedAt) {
      const at = deps.now();
      await revokeKey(tx, id, at);
      await appendAudit(tx, key.hospitalId, deps.ctx, [{ action: 'api_key.revoke', entityType: 'api_key', entityKey: id, before: { revokedAt: null }, after: { revokedAt: at.toISOString() } }], at);
    }
    return keyView((await findKey(tx, id))!, hospital.code);
  });
}
