import { AppError, conflict, createErrorFactory, unavailable } from '../../shared/errors.js';

export const settlementNotFound = createErrorFactory({ code: 'not_found', status: 404, message: (id: string) => `settlement ${id} not found` });
export const resultNotFound = createErrorFactory({ code: 'not_found', status: 404, message: (id: string) => `settlement result ${id} not found` });
export const periodAlreadyClosed = (period: string) => conflict('period_closed', `${period} is closed: its settlement is approved`, 'period');
export const noInputs = (hospital: string, period: string) => conflict('no_inputs', `hospital ${hospital} has no inputs for ${period}`, 'period');
export const alreadyApproved = (id: string) => conflict('already_approved', `settlement ${id} is already approved`);
export const notSucceeded = (id: string, status: string) => conflict('not_succeeded', `settlement ${id} is ${status}; only a succeeded run can be approved`);
export const periodHasApproved = (period: string) => conflict('period_closed', `${period} already has an approved settlement`);
export const openReviews = (id: string, departments: string[]) =>
  conflict('open_disputes', `department(s) ${departments.join(', ')} dispute settlement ${id}; approving it anyway needs an overrideReason`);
export const openAppeals = (id: string, appeals: string[]) =>
  conflict('open_appeals', `undecided appeal(s) of ${appeals.join('; ')} hold up settlement ${id}; approving it anyway needs an overrideReason`);
export const runStale = (id: string, period: string) => conflict('run_stale', `the inputs of ${period} changed after settlement ${id} ran; run the settlement again and approve the new run`);
export const queueUnavailable = () => unavailable('the settlement queue');
export const notApproved = createErrorFactory({
  code: 'not_approved',
  status: 409,
  message: (id: string, status: string) => `settlement ${id} is ${status}; only an approved run is paid`,
  path: 'id',
});
export const notReviewable = (id: string, status: string) => conflict('not_reviewable', `settlement ${id} is ${status}; only a succeeded quarterly run can be acknowledged or disputed`);
export const noResult = createErrorFactory({
  code: 'no_result',
  status: 409,
  message: (id: string, status: string, _path: 'a' | 'b') => `settlement ${id} is ${status}; it has no result to compare`,
  path: (_id: string, _status: string, path: 'a' | 'b') => path,
});
export const differentKinds = createErrorFactory({ code: 'different_kinds', status: 400, message: () => 'a quarter can be compared with a quarter, a year-end with a year-end', path: 'b' });
export const notACursor = createErrorFactory({ code: 'invalid_value', status: 400, message: () => 'after is not a cursor this service gave (use the `next` of the previous page)', path: 'after' });
/** A review the API's schema refuses, named by its field. */
export const reviewInvalid = (e: { code: string; message: string; path: string }) => new AppError(400, e.code, e.message, e.path);
