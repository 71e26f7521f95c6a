import { bullmq, type ProcessJob, type SettlementJob } from './runner.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The settlement job's processor: checks the job's payload (a malformed one is not retried), then
 * hands the run to the settlement use case it is given (src/service.ts gives `settleRun`), which
 * claims, computes and stores it, and tells data errors from faults worth a retry. BullMQ's
 * UnrecoverableError is loaded only when a malformed job needs it.
 */
export function settlementProcessor(settleRun: (runId: string, attempt: { final: boolean }) => Promise<unknown>): ProcessJob {
  return async (job: SettlementJob, attempt) => {
    if (typeof job?.runId !== 'string' || !UUID.test(job.runId)) throw new (bullmq().UnrecoverableError)(`a settlement job without a run id: ${JSON.stringify(job).slice(0, 200)}`);
    return settleRun(job.runId, attempt);
  };
}
