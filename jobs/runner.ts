import { createRequire } from 'node:module';
import type { ConnectionOptions, Worker } from 'bullmq';

const load = createRequire(import.meta.url);

/**
 * BullMQ (and ioredis under it), loaded the first time a queue or worker is made: a service
 * without REDIS_URL never loads it, and one with it does not wait for it before it starts.
 * Synchronous (BullMQ is CommonJS), so the runner's functions stay synchronous.
 */
export function bullmq(): typeof import('bullmq') {
  return load('bullmq') as typeof import('bullmq');
}

/**
 * The settlement queue: BullMQ on Redis, or a queue inside the process. It knows jobs, not what
 * they do: the service gives it the processor (settlement.processor.ts around its use case).
 */

export interface SettlementJob {
  runId: string;
  hospital: string;
  period: string;
}

/** The processor of a job; `final` on its last attempt. */
export type ProcessJob = (job: SettlementJob, attempt: { final: boolean }) => Promise<unknown>;

/** Where a worker reports what went wrong (pino's shape). */
export interface JobLog {
  error(obj: object, msg: string): void;
}

/** How a queued run reaches the processor: BullMQ on Redis, or a queue inside this process. */
export interface SettlementRunner {
  readonly kind: 'bullmq' | 'in-process';
  enqueue(job: SettlementJob): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const ATTEMPTS = 3;
const START_DELAY_MS = 25;
const BACKOFF_MS = 1000;
/** BullMQ's own default lockDuration and stalledInterval. */
const DEFAULT_JOB_LOCK_MS = 30_000;

/** One BullMQ job id per hospital and period (`:` is reserved by BullMQ, so the code is encoded). */
export function jobIdOf(job: Pick<SettlementJob, 'hospital' | 'period'>): string {
  return `settle-${encodeURIComponent(job.hospital).replace(/%/g, '_')}-${job.period}`;
}

export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    enableOfflineQueue: false,
    connectTimeout: 5000,
  };
}

export function createBullMqRunner(options: { redisUrl: string; queueName: string }): SettlementRunner {
  const queue = new (bullmq().Queue)<SettlementJob>(options.queueName, { connection: redisConnection(options.redisUrl) });
  queue.on('error', () => {}); // reported to callers through the failed enqueue or ping
  return {
    kind: 'bullmq',
    async enqueue(job) {
      const options = { jobId: jobIdOf(job), attempts: ATTEMPTS, backoff: { type: 'exponential' as const, delay: BACKOFF_MS }, removeOnComplete: true, removeOnFail: true };
      // The job id is the hospital and period. A job of an earlier run of the period may linger a
      // moment after its run finished (until BullMQ removes it): then add() would return it and
      // the new run would never be picked up. Wait for it to go, or remove it once it has finished.
      for (let attempt = 0; attempt < 100; attempt++) {
        const queued = await queue.add('settle', job, options);
        if (queued.data.runId === job.runId) return;
        const state = await queued.getState();
        if (state === 'completed' || state === 'failed' || state === 'unknown') await queued.remove().catch(() => {});
        else await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the settlement job ${jobIdOf(job)} is still held by an earlier run`);
    },
    async ping() {
      await queue.getJobCounts('waiting');
    },
    close: () => queue.close(),
  };
}

/** A worker that takes settlement jobs from Redis; `npm run worker` runs one in its own process. */
export function startBullMqWorker(process: ProcessJob, log: JobLog, options: { redisUrl: string; queueName: string; concurrency: number; lockMs?: number }): Worker<SettlementJob> {
  // lockMs (PERFPAY_JOB_LOCK_MS): a dead worker's job is found stalled and run again within about
  // two of these (its lock expires, then the next stalled check moves it back to wait).
  // Unset: BullMQ's defaults (30 s each).
  const lockMs = options.lockMs ?? DEFAULT_JOB_LOCK_MS;
  const worker = new (bullmq().Worker)<SettlementJob>(options.queueName, async (job) => process(job.data, { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }), {
    connection: redisConnection(options.redisUrl),
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs,
  });
  worker.on('error', (err) => log.error({ err }, 'settlement worker error'));
  return worker;
}

/**
 * Without Redis: jobs run in this process, one at a time, with the same processor and the same
 * retries. A job for a run already waiting is not added twice.
 */
export function createInProcessRunner(process: ProcessJob): SettlementRunner {
  const waiting = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const run = async (job: SettlementJob) => {
    // PGlite answers without yielding to the event loop, so a job started at once would hold the
    // process until it ends: first let the request that queued it answer, and concurrent
    // requests for the same period arrive and find the run queued.
    await new Promise((r) => setTimeout(r, START_DELAY_MS));
    for (let attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
      try {
        await process(job, { final: attempt === ATTEMPTS });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  };
  return {
    kind: 'in-process',
    async enqueue(job) {
      if (closed || waiting.has(job.runId)) return;
      waiting.add(job.runId);
      chain = chain.then(() => run(job)).finally(() => waiting.delete(job.runId));
    },
    async ping() {},
    async close() {
      closed = true;
      await chain;
    },
  };
}
