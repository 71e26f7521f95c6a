import { settlementProcessor } from '../jobs/settlement.processor.js';
import { settleRun } from './modules/settlements/settlements.usecases.js';
import type { UseCaseDeps } from './shared/context.js';

/** The settlement jobs' processor, around the settlement use case: the service's and the worker's. */
export function processorFor(deps: UseCaseDeps) {
  return settlementProcessor((runId, attempt) => settleRun(deps, runId, attempt));
}
