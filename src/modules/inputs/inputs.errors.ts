import { AppError, createErrorFactory } from '../../shared/errors.js';

export const periodClosed = createErrorFactory({
  code: 'period_closed',
  status: 409,
  message: (period: string) => `${period} is closed (its settlement is approved); its inputs cannot change`,
  path: 'period',
});
export const yearClosed = createErrorFactory({ code: 'period_closed', status: 409, message: (year: number) => `year ${year} is closed (its year-end settlement is approved)`, path: 'year' });
export const quarterMissing = createErrorFactory({ code: 'not_found', status: 404, message: (period: string) => `inputs of ${period} not found (PUT /v1/hospitals/{code}/periods/${period} first)` });

/** A record the scenario document's schema refuses, named by its field. */
export const recordInvalid = (e: { code: string; message: string; path: string; details: unknown[] }) => new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined);

/** A clinical department's quarter record that lacks what §3.4 computes its score from. */
export function incompleteClinical(missing: string[], path: string, subject: string): { code: string; message: string; path: string } {
  return {
    code: 'missing_field',
    message: `${subject}: a clinical department's quarter record needs ${missing.join(', ')} (it replaces the whole record; send a merge patch to change some fields only)`,
    path: path ? `${path}.${missing[0]}` : missing[0]!,
  };
}
