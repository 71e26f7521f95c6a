import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { tokenHash } from '../../shared/canonical.js';
import type { UseCaseDeps } from '../../shared/context.js';
import { notFound } from '../../shared/errors.js';
import type { Caller, Principal, Role } from '../../shared/principal.js';
import { appendAudit } from '../audit/audit.repository.js';
import { findHospital, findHospitalById, lockHospital, lockHospitalById } from '../hospitals/hospitals.repository.js';
import { listDepartments } from '../inputs/inputs.repository.js';
import { keyDepartmentsMissing, keyDepartmentsNotApplicable, keyDepartmentsUnknown, keyNotFound, keyRevokesItself } from './keys.errors.js';
import { findKey, findLiveKey, insertKey, listKeys, revokeKey, type ApiKeyRow } from './keys.repository.js';
import type { CreateKeyInput, KeyView } from './keys.schemas.js';

type Deps = Pick<UseCaseDeps, 'db' | 'clock'> & { caller: Caller };

export function keyView(k: ApiKeyRow, hospital: string): KeyView {
  return {
    id: k.id,
    name: k.name,
    role: k.role as Role,
    hospital,
    departments: k.departments as string[],
    tokenPrefix: k.tokenPrefix,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/** The hospital a caller may see: their own (or any, for the bootstrap admin); another is not found. */
const ownHospital = (principal: Principal, code: string) => principal.hospital === null || principal.hospital === code;

/**
 * A new API key: `ppk_` and 32 random bytes (256 bits) in base64url. The token is returned this
 * once; only its SHA-256 is kept. A department head's key names the departments it covers, an
 * assessor's the functional offices it speaks for.
 */
export async function createKey(deps: Deps, input: CreateKeyInput): Promise<KeyView & { token: string }> {
  const { caller } = deps;
  if (!ownHospital(caller.principal, input.hospital)) throw notFound(`hospital ${input.hospital}`);
  const departments = [...new Set(input.departments ?? [])].sort();
  const scoped = input.role === 'dept_head' || input.role === 'assessor';
  if (scoped && departments.length === 0) throw keyDepartmentsMissing(input.role);
  if (!scoped && departments.length > 0) throw keyDepartmentsNotApplicable();
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, input.hospital);
    if (!hospital) throw notFound(`hospital ${input.hospital}`);
    const known = new Set((await listDepartments(tx, hospital.id)).map((d) => d.code));
    const unknown = departments.filter((d) => !known.has(d));
    if (unknown.length > 0) throw keyDepartmentsUnknown(unknown, hospital.code);
    const token = `ppk_${randomBytes(32).toString('base64url')}`;
    const at = deps.clock.now();
    const row = await insertKey(tx, {
      id: randomUUID(),
      hospitalId: hospital.id,
      role: input.role,
      departments,
      name: input.name,
      tokenHash: tokenHash(token),
      tokenPrefix: token.slice(0, 10),
      createdBy: caller.actor,
      createdAt: at,
    });
    await appendAudit(
      tx,
      hospital.id,
      caller,
      [{ action: 'api_key.create', entityType: 'api_key', entityKey: row.id, after: { name: row.name, role: row.role, departments, tokenPrefix: row.tokenPrefix } }],
      at,
    );
    return { ...keyView(row, hospital.code), token };
  });
}

export async function listHospitalKeys(deps: Deps, code: string): Promise<KeyView[]> {
  const hospital = await findHospital(deps.db, code);
  if (!hospital || !ownHospital(deps.caller.principal, code)) throw notFound(`hospital ${code}`);
  return (await listKeys(deps.db, hospital.id)).map((k) => keyView(k, code));
}

export async function revoke(deps: Deps, id: string): Promise<KeyView> {
  const { caller } = deps;
  const key = await findKey(deps.db, id);
  const hospital = key ? await findHospitalById(deps.db, key.hospitalId) : null;
  if (!key || !hospital || !ownHospital(caller.principal, hospital.code)) throw keyNotFound(id);
  if (caller.principal.keyId === id) throw keyRevokesItself();
  return deps.db.transaction(async (tx) => {
    await lockHospitalById(tx, key.hospitalId);
    const current = (await findKey(tx, id))!;
    if (!current.revokedAt) {
      const at = deps.clock.now();
      await revokeKey(tx, id, at);
      await appendAudit(tx, key.hospitalId, caller, [{ action: 'api_key.revoke', entityType: 'api_key', entityKey: id, before: { revokedAt: null }, after: { revokedAt: at.toISOString() } }], at);
    }
    return keyView((await findKey(tx, id))!, hospital.code);
  });
}

/**
 * Who a token's hash is: the bootstrap admin (compared in constant time) or a live key's
 * principal; null for anything else. Every call looks the key up (a revoked key is refused).
 */
export function principalResolver(options: { db: UseCaseDeps['db']; bootstrapToken?: string }): (hash: string) => Promise<{ principal: Principal; actor: string } | null> {
  const bootstrap = options.bootstrapToken ? Buffer.from(tokenHash(options.bootstrapToken), 'hex') : null;
  return async (hash) => {
    if (bootstrap && timingSafeEqual(Buffer.from(hash, 'hex'), bootstrap)) {
      return { principal: { keyId: null, name: 'bootstrap-admin', role: 'admin', hospital: null, departments: [] }, actor: 'bootstrap-admin' };
    }
    const key = await findLiveKey(options.db, hash);
    if (!key) return null;
    const principal: Principal = { keyId: key.id, name: key.name, role: key.role as Role, hospital: key.hospitalCode, departments: key.departments as string[] };
    return { principal, actor: `key:${key.id}:${key.name}` };
  };
}
