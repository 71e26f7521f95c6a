import { createErrorFactory } from '../../shared/errors.js';

export const keyNotFound = createErrorFactory({ code: 'not_found', status: 404, message: (id: string) => `API key ${id} not found` });
export const keyDepartmentsMissing = createErrorFactory({
  code: 'missing_field',
  status: 400,
  message: (role: string) => (role === 'assessor' ? 'an assessor key needs the functional departments it speaks for' : 'a dept_head key needs its departments'),
  path: 'departments',
});
export const keyDepartmentsNotApplicable = createErrorFactory({ code: 'not_applicable', status: 400, message: () => 'only a dept_head or assessor key has departments', path: 'departments' });
export const keyDepartmentsUnknown = createErrorFactory({
  code: 'unknown_reference',
  status: 400,
  message: (unknown: string[], hospital: string) => `department(s) ${unknown.join(', ')} are not departments of hospital ${hospital}`,
  path: 'departments',
});
export const keyRevokesItself = createErrorFactory({ code: 'forbidden', status: 403, message: () => 'a key cannot revoke itself; use another admin key' });
