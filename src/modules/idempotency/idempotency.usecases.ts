import type { Db } from '../../db/client.js';
import { sha256 } from '../../shared/canonical.js';
import { keyInProgress, keyJustFinishing, keyReused } from './idempotency.errors.js';
import { claimKey, findKey, forgetKey, keepAnswer } from './idempotency.repository.js';

/**
 * `Idempotency-Key` on a POST: the first request with a (caller, key) is remembered (in
 * progress, then with its answer); a retry with the same request gets the first answer again and
 * writes nothing; the same key with another request is a 422; a retry while the first runs, a 409.
 */
export interface Held {
  actor: string;
  key: string;
}

/** What a replay answers instead of a secret the first answer held. */
export const SECRET_NOT_REPLAYED = 'this is a replay of an earlier request with the same Idempotency-Key: the secret it created was shown in the first answer only and is not shown again';

/** Claims the key for a request (method, url and its body's canonical text or digest); the first answer when this is a replay. */
export async function claim(db: Db, held: Held, request: { method: string; url: string; body: string }): Promise<{ status: number; response: unknown } | null> {
  const requestHash = sha256(`${request.method} ${request.url}\n${request.body}`);
  if (await claimKey(db, held.actor, held.key, requestHash)) return null;
  const first = await findKey(db, held.actor, held.key);
  if (!first) throw keyJustFinishing();
  if (first.requestHash !== requestHash) {
    throw keyReused();
  }
  if (first.status === null) throw keyInProgress();
  return { status: first.status, response: first.response };
}

/**
 * Keeps the first request's answer for its replays; a 5xx is forgotten, so the retry runs. The
 * answer's secret fields (a new API key's token) are never kept: a replay says so instead.
 */
export async function settle(db: Db, held: Held, status: number, response: unknown, secretFields: readonly string[]): Promise<void> {
  if (status >= 500) return forgetKey(db, held.actor, held.key);
  let kept = response;
  if (kept && typeof kept === 'object' && secretFields.some((f) => Object.hasOwn(kept as object, f))) {
    kept = { ...Object.fromEntries(Object.entries(kept as object).filter(([k]) => !secretFields.includes(k))), note: SECRET_NOT_REPLAYED };
  }
  await keepAnswer(db, held.actor, held.key, status, kept);
}
