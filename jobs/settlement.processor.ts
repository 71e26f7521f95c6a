import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { EngineError } from '../src/core/index.js';
import type { Db } from '../src/db/client.js';
import { findHospitalById, lockHospitalById } from '../src/modules/inputs/inputs.repository.js';
import { findRun, updateRun } from '../src/modules/settlements/settlements.repository.js';
import { computeRun, markFailed, storeResult } from '../src/modules/settlements/settlements.usecases.js';

export interface ProcessorDeps {
  db: Db;
  now: () => Date;
  log: Logger;
}

export type ProcessOutcome = 'succeeded' | 'failed' | 'skipped';

const SYSTEM = { actor: 'system:settlement-worker', requestId: null };

/**
 * Settles one run: claims it (queued → running), computes it with the engine outside any
 * transaction, then stores the whole result and marks it succeeded in one transaction — so no
 * partial result is ever visible. A data error (the engine's EngineError) fails the run with
 * that error and is not retried; anything else is thrown for the queue to retry, and fails the
 * run on the last attempt.
 */
export async function processSettlement(deps: ProcessorDeps, runId: string, attempt: { final: boolean }): Promise<ProcessOutcome> {
  const log = deps.log.child({ runId });
  const claimed = await deps.db.transaction(async (tx) => {
    const run = await findRun(tx, runId);
    if (!run) return null;
    await lockHospitalById(tx, run.hospitalId);
    const current = (await findRun(tx, runId))!;
    if (current.status !== 'queued' && current.status !== 'running') return null;
    await updateRun(tx, runId, { status: 'running', startedAt: deps.now(), attempts: current.attempts + 1 });
    return current;
  });
  if (!claimed) {
    log.info('settlement run is not queued or running; nothing to do');
    return 'skipped';
  }
  await yieldToEventLoop();
  const hospital = (await findHospitalById(deps.db, claimed.hospitalId))!;
  log.info({ hospital: hospital.code, period: claimed.period }, 'settling');
  try {
    // the inputs (a large document) are written onto the running run while the engine computes
    const computed = await computeRun(deps.db, hospital, claimed, { onInputs: (json) => updateRun(deps.db, runId, { inputs: sql`${json}::json` }) });
    await yieldToEventLoop();
    const stored = await deps.db.transaction(async (tx) => {
      await lockHospitalById(tx, claimed.hospitalId);
      const run = (await findRun(tx, runId))!;
      if (run.status !== 'running') return false;
      await storeResult(tx, claimed.hospitalId, run, computed, SYSTEM, deps.now());
      return true;
    });
    log.info({ stored }, 'settlement finished');
    return stored ? 'succeeded' : 'skipped';
  } catch (e) {
    if (e instanceof EngineError) {
      log.warn({ code: e.code, path: e.path }, `settlement failed on its data: ${e.message}`);
      await markFailed(deps.db, claimed, { code: e.code, message: e.message, path: e.path }, SYSTEM, deps.now());
      return 'failed';
    }
    log.error({ err: e, final: attempt.final }, 'settlement attempt failed');
    if (attempt.final) {
      await markFailed(deps.db, claimed, { code: 'internal', message: 'the settlement could not be completed; see the service log' }, SYSTEM, deps.now());
    }
    throw e;
  }
}

/** Lets waiting requests run between the job's phases (PGlite's queries never yield on their own). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
