import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../shared/errors.js';
import { findRun } from '../modules/settlements/settlements.repository.js';
import { findHospitalById } from '../modules/inputs/inputs.repository.js';
import { findKey } from '../modules/keys/keys.repository.js';

export const ROLES = ['admin', 'finance', 'dept_head', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the bootstrap admin (every hospital) or an API key of one hospital. */
export interface Principal {
  keyId: string | null;
  name: string;
  role: Role;
  /** null: every hospital (the bootstrap token). */
  hospital: string | null;
  /** A department head's departments; empty for the other roles. */
  departments: string[];
}

/**
 * Each route declares, in its own definition, who may call it and where its hospital comes
 * from: `config: { access: { roles, hospital } }`. A /v1 route without a declaration does not
 * start (fail closed). The roles are written into the route's OpenAPI description.
 */
export interface Access {
  roles: readonly Role[];
  /**
   * Where the route's hospital is named: a `code` path parameter, a settlement run's id, the body
   * (`hospital.code` of a scenario or a `hospital` field), a `hospital` query parameter, an API
   * key's id, or nowhere.
   */
  hospital: 'params' | 'run' | 'body' | 'query' | 'apiKey' | 'none';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const forbidden = (message: string) => new AppError(403, 'forbidden', message);

export function access(roles: readonly Role[], hospital: Access['hospital']): { access: Access } {
  return { access: { roles, hospital } };
}

export function registerAccess(app: FastifyInstance, db: Db): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1')) return;
    const declared = (route.config as { access?: Access } | undefined)?.access;
    if (!declared) throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
    const schema = (route.schema ??= {}) as { description?: string; security?: unknown };
    const roles = `**Roles:** ${declared.roles.join(', ')}.`;
    schema.description = schema.description ? `${schema.description}\n\n${roles}` : roles;
    schema.security = [{ bearerAuth: [] }];
  });

  // before validation: a caller who may not call a route learns that, not what its body lacks
  app.addHook('preValidation', async (request: FastifyRequest, _reply: FastifyReply) => {
    const declared = request.routeOptions.config?.access;
    if (!declared) return;
    const principal = request.principal!;
    if (principal.hospital !== null) {
      const hospital = await hospitalOfRequest(db, request, declared.hospital);
      // a key of another hospital learns nothing, not even that the hospital or run exists
      if (hospital !== undefined && hospital !== principal.hospital) throw notFound(describeTarget(request, declared.hospital));
    }
    if (!declared.roles.includes(principal.role)) {
      throw forbidden(`a ${principal.role} key may not call ${request.method} ${request.routeOptions.url}; it needs one of: ${declared.roles.join(', ')}`);
    }
  });
}

/**
 * A run's hospital never changes (nor does a hospital's code), so the run → hospital answer is
 * kept for the run's later calls: a person's line is then one query after the key's. Bounded:
 * the oldest entries go first.
 */
const runHospitals = new Map<string, string>();
const RUN_CACHE_SIZE = 10_000;
function remember(runId: string, code: string): void {
  if (runHospitals.size >= RUN_CACHE_SIZE) runHospitals.delete(runHospitals.keys().next().value!);
  runHospitals.set(runId, code);
}

async function hospitalOfRequest(db: Db, request: FastifyRequest, from: Access['hospital']): Promise<string | undefined> {
  if (from === 'params') return (request.params as { code?: string }).code;
  if (from === 'body') {
    const named = (request.body as { hospital?: string | { code?: string } } | undefined)?.hospital;
    return (typeof named === 'string' ? named : named?.code) ?? '';
  }
  if (from === 'query') return (request.query as { hospital?: string }).hospital ?? '';
  if (from === 'apiKey') {
    const { id } = request.params as { id: string };
    const key = UUID.test(id) ? await findKey(db, id) : null;
    if (!key) throw notFound(`API key ${id}`);
    return (await findHospitalById(db, key.hospitalId))!.code;
  }
  if (from === 'run') {
    const { id } = request.params as { id: string };
    if (!UUID.test(id)) throw notFound(`settlement ${id}`);
    const known = runHospitals.get(id);
    if (known) return known;
    const run = await findRun(db, id);
    if (!run) throw notFound(`settlement ${(request.params as { id: string }).id}`);
    const code = (await findHospitalById(db, run.hospitalId))!.code;
    remember(id, code);
    return code;
  }
  return undefined;
}

function describeTarget(request: FastifyRequest, from: Access['hospital']): string {
  if (from === 'run') return `settlement ${(request.params as { id: string }).id}`;
  if (from === 'apiKey') return `API key ${(request.params as { id: string }).id}`;
  if (from === 'params') return `hospital ${(request.params as { code: string }).code}`;
  return 'hospital';
}

/** A department head may touch only their own departments' people and lines: 403 otherwise. */
export function assertDepartment(who: { principal: Principal | null }, department: string): void {
  const p = who.principal!;
  if (p.role === 'dept_head' && !p.departments.includes(department)) {
    throw forbidden(`this key is for department(s) ${p.departments.join(', ')}, not ${department}`);
  }
}

/**
 * A department head asking about a person outside their departments learns nothing: not that the
 * person exists, nor their department. The answer is the 404 an unknown id gets.
 */
export function assertPersonVisible(who: { principal: Principal | null }, department: string, what: string): void {
  const p = who.principal!;
  if (p.role === 'dept_head' && !p.departments.includes(department)) throw notFound(what);
}
