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

/** A record the engine refuses, as a 400 naming its field (a clinical department's incomplete record, …). */
export const recordRefused = (e: { code: string; message: string; path: string }) => new AppError(400, e.code, e.message, e.path);

/** A bulk request's invalid rows, in row order: a 403 when every one is a permission refusal, else a 400; the first named, up to `shown` listed. */
export const rowsInvalid = (errors: { code: string; message: string; path: string }[], total: number, shown: number) =>
  new AppError(
    errors.every((e) => e.code === 'forbidden') ? 403 : 400,
    errors[0]!.code,
    `${errors.length} of ${total} records are invalid; the first: ${errors[0]!.message}`,
    errors[0]!.path,
    errors.slice(0, shown),
  );

// the NDJSON stream
export const notAStream = createErrorFactory({
  code: 'unsupported_media_type',
  status: 415,
  message: (contentType: string) => `send the records as ${contentType}, one JSON object a line`,
  path: 'body',
});
export const emptyStream = createErrorFactory({ code: 'empty_stream', status: 400, message: () => 'the stream holds no record', path: 'body' });
export const streamTooLarge = createErrorFactory({ code: 'payload_too_large', status: 413, message: (message: string) => message, path: 'body' });
export const tooManyLines = createErrorFactory({ code: 'payload_too_large', status: 413, message: (max: number) => `the stream has more than ${max} lines; split it`, path: 'body' });
/** Individual lines in a stream from a key that may not write them: each line named. */
export const streamIndividualsForbidden = (role: string, lines: number[]) =>
  new AppError(
    403,
    'forbidden',
    `individual (tier-2) inputs are entered by an admin or the department head, not a ${role} key; remove line(s) ${lines.join(', ')}`,
    `lines[${lines[0]}].type`,
    lines.map((n) => ({ code: 'forbidden', message: `lines[${n}]: individual inputs are not this key's to write`, path: `lines[${n}].type` })),
  );
/** A stream's invalid lines, in line order: the first named, those given listed. */
export const linesInvalid = (errors: { code: string; message: string; path: string }[], listed: unknown[]) =>
  new AppError(400, errors[0]!.code, `${errors.length} line(s) are invalid; the first: ${errors[0]!.message}`, errors[0]!.path, listed);
