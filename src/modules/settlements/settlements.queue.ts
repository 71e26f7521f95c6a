/** A settlement job: the run to settle (its hospital and period name the job, one at a time). */
export interface SettlementJob {
  runId: string;
  hospital: string;
  period: string;
}

/**
 * How a queued run reaches a worker: BullMQ on Redis, or a queue inside the process (jobs/runner.ts
 * implements both). The settlement use cases depend on this, never on the queue itself.
 */
export interface SettlementQueue {
  readonly kind: 'bullmq' | 'in-process';
  enqueue(job: SettlementJob): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
