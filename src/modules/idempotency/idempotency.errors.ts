import { createErrorFactory } from '../../shared/errors.js';

export const keyJustFinishing = createErrorFactory({ code: 'idempotency_in_progress', status: 409, message: () => 'a request with this Idempotency-Key was just finishing; retry' });
export const keyReused = createErrorFactory({
  code: 'idempotency_key_reused',
  status: 422,
  message: () => 'this Idempotency-Key was used for a different request; use a new key for a new request',
  path: 'headers.idempotency-key',
});
export const keyInProgress = createErrorFactory({ code: 'idempotency_in_progress', status: 409, message: () => 'the first request with this Idempotency-Key is still running; retry shortly' });
