import { AppError } from '../../shared/errors.js';

/** A dispute record the engine refuses, named by its own fields (the record written is checked first, as priorDisputes[0]). */
export const disputeInvalid = (e: { code: string; message: string; path: string; details?: unknown[] }) =>
  new AppError(400, e.code, e.message, e.path.replace(/^priorDisputes\[0\]\.?/, '') || 'body', e.details);
