import { AppError, forbidden, notFound } from '../../shared/errors.js';
import type { Principal, Role } from '../../shared/principal.js';

/**
 * Who may do what, as functions of the principal: the API's routes and the review pages call the
 * same ones, so a department head's scope and finance's hidden fields are decided in one place.
 */

/**
 * Each /v1 route declares, in its own definition, who may call it and where its hospital comes
 * from: `config: access(roles, hospital)`. A /v1 route without a declaration does not start (fail
 * closed); the roles are written into the route's OpenAPI description.
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

export function access(roles: readonly Role[], hospital: Access['hospital']): { access: Access } {
  return { access: { roles, hospital } };
}

export const EVERY_ROLE = ['admin', 'finance', 'dept_head', 'auditor'] as const satisfies readonly Role[];

/** The hospital and its registers of departments and people: every role's, an assessor's too (it books defects against them). */
export const REGISTER_READERS = [...EVERY_ROLE, 'assessor'] as const satisfies readonly Role[];

/**
 * An assessor (a functional office's key: 医务科, 护理部 …) speaks for the offices its key names:
 * it scores the indicators they own and books defects with one of them as owner; 403 otherwise.
 * The other roles are not limited by offices (their routes say whether they write at all).
 */
export function assertSpeaksFor(principal: Principal, owners: string[], what: string, path?: string): void {
  if (principal.role === 'assessor' && !owners.some((o) => principal.departments.includes(o))) {
    throw new AppError(403, 'forbidden', `this key speaks for ${principal.departments.join(', ')}; ${what} belongs to ${owners.join(', ') || 'no office'}`, path);
  }
}

/** Whether a caller reads an entry owned by `owner`: an assessor reads its own offices' entries only. */
export const readsOwnersEntries = (principal: Principal, owner: string): boolean => principal.role !== 'assessor' || principal.departments.includes(owner);

/** An assessor sees no money: the API's money routes do not admit it, and the review pages refuse it with this. */
export function assertSeesMoney(principal: Principal): void {
  if (principal.role === 'assessor') throw forbidden('an assessor key sees no money: runs, lines, statements and exports are not for it');
}

/** A department head may touch only their own departments: 403 for one they name that is not. */
export function assertDepartment(principal: Principal, department: string): void {
  if (principal.role === 'dept_head' && !principal.departments.includes(department)) {
    throw forbidden(`this key is for department(s) ${principal.departments.join(', ')}, not ${department}`);
  }
}

/**
 * A department head asking about a person outside their departments learns nothing: not that the
 * person exists, nor their department. The answer is the 404 an unknown id gets.
 */
export function assertPersonVisible(principal: Principal, department: string, what: string): void {
  if (principal.role === 'dept_head' && !principal.departments.includes(department)) throw notFound(what);
}

/** The departments a caller reads: the one asked for (if theirs), a department head's own, or all (undefined). */
export function departmentsFor(principal: Principal, department?: string): string[] | undefined {
  if (department) {
    assertDepartment(principal, department);
    return [department];
  }
  return principal.role === 'dept_head' ? principal.departments : undefined;
}

/** departmentsFor as a test of one department code. */
export function readableDepartments(principal: Principal, department?: string): (code: string) => boolean {
  const allowed = departmentsFor(principal, department);
  return (code) => !allowed || allowed.includes(code);
}

/** People's tier-2 inputs are the admin's, the department heads' and the auditors' to read; finance reads amounts. */
export const readsTier2Inputs = (principal: Principal): boolean => principal.role !== 'finance';

/** The hospital-wide figures (summary, other departments) are for every role but a department head. */
export const readsWholeHospital = (principal: Principal): boolean => principal.role !== 'dept_head';
