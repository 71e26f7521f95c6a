import { forbidden, notFound } from '../../shared/errors.js';
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
