import { conflict, createErrorFactory } from '../../shared/errors.js';

/** The assessment module's errors (assessment.md §1; the engine's own errors keep their codes). */
export const defectNotFound = createErrorFactory({ code: 'not_found', status: 404, message: (kind: string, id: string) => `${kind} defect ${id} not found` });
export const defectExists = (kind: string, id: string, version: number) =>
  conflict('already_exists', `${kind} defect ${id} exists (version ${version}); correct it with POST …/${kind}-defects/${id}/correct`, 'id');
export const defectWithdrawn = (kind: string, id: string) => conflict('already_withdrawn', `${kind} defect ${id} is already withdrawn`);
export const defectOverturned = (kind: string, id: string, path?: string) => conflict('overturned', `${kind} defect ${id} was overturned on appeal; book a new defect instead`, path);
export const assessmentPeriodClosed = (period: string, what: string, path?: string) => conflict('period_closed', `${period} is closed (its settlement is approved); ${what} cannot change`, path);
export const noAssessment = createErrorFactory({
  code: 'not_assessed',
  status: 404,
  message: (id: string) => `settlement ${id} has no assessment (its scenario had none)`,
});
export const appealNotFound = createErrorFactory({ code: 'not_found', status: 404, message: (id: string) => `appeal ${id} not found` });
export const defectNotCounting = (kind: string, id: string, status: string) => conflict('not_counting', `${kind} defect ${id} is ${status}: it no longer counts, there is nothing to appeal`);
export const appealOpen = (kind: string, id: string, appealId: string) => conflict('appeal_open', `${kind} defect ${id} already has an undecided appeal (${appealId})`);
export const appealDecided = (id: string, status: string) => conflict('already_decided', `appeal ${id} is already decided: ${status}`);
