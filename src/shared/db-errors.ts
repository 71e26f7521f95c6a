/**
 * What a database error means for the caller, in one place: a constraint violation the domain
 * reports as its own error, text PostgreSQL cannot store (the client's input), a lost connection
 * (503). Drivers wrap their errors (drizzle's cause is node-postgres's or PGlite's), so each test
 * walks the chain of causes.
 */
function* causes(e: unknown): Generator<{ code?: string; message?: string; constraint?: string }> {
  for (let x: unknown = e; x && typeof x === 'object'; x = (x as { cause?: unknown }).cause) yield x as { code?: string; message?: string; constraint?: string };
}

/** A unique or primary-key violation (23505), optionally of the named constraint. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  for (const x of causes(e)) if (x.code === '23505' && (constraint === undefined || x.constraint === constraint || x.message?.includes(constraint))) return true;
  return false;
}

/** PostgreSQL's refusal of text it cannot store (U+0000, an invalid encoding). */
export function isBadText(e: unknown): boolean {
  for (const x of causes(e)) {
    if (x.code === '22021' || x.code === '22P05' || (x.code === '22P02' && /unicode|utf8|encoding/i.test(x.message ?? ''))) return true;
  }
  return false;
}

/** A numeric value out of its column's range (22003): an amount the store cannot hold. */
export function isOutOfRange(e: unknown): boolean {
  for (const x of causes(e)) if (x.code === '22003') return true;
  return false;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08003', '08006']);

/** A lost database or Redis connection: the client gets a 503, not a 500. */
export function isUnavailable(e: unknown): boolean {
  for (const x of causes(e)) {
    if (x.code && CONNECTION_CODES.has(x.code)) return true;
    if (/Connection terminated|connect ECONNREFUSED|Connection is closed|timeout exceeded when trying to connect/i.test(x.message ?? '')) return true;
  }
  return false;
}
