import type { Principal } from '../../shared/principal.js';

/**
 * What a role may do on the pages beyond reading (reading is scoped as the API scopes it,
 * modules/access/access.ts): the pages offer an action only to those the action accepts.
 */
export const mayAudit = (p: Principal): boolean => p.role === 'admin' || p.role === 'auditor';
export const maySettle = (p: Principal): boolean => p.role === 'admin' || p.role === 'finance';
export const mayApprove = (p: Principal): boolean => p.role === 'admin';
/** A department head reviews their own departments; an admin any. */
export const mayReview = (p: Principal, department: string): boolean => p.role === 'admin' || (p.role === 'dept_head' && p.departments.includes(department));
/** A department head appeals the defects of their own departments (the API's appeal is theirs alone). */
export const mayAppeal = (p: Principal, department: string): boolean => p.role === 'dept_head' && p.departments.includes(department);
/** An admin decides appeals. */
export const mayDecideAppeals = (p: Principal): boolean => p.role === 'admin';
/** An assessing office enters values and books defects on the pages; an admin too. */
export const mayGrade = (p: Principal): boolean => p.role === 'admin' || p.role === 'assessor';
/** The page after signing in: an assessor's month grid (it sees no runs), everyone else's runs. */
export const landingOf = (p: Principal): string => (p.role === 'assessor' ? '/ui/assessment/grid' : '/ui/runs');
