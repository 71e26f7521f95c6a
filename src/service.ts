import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createBullMqRunner, createInProcessRunner, startBullMqWorker, type SettlementRunner } from '../jobs/runner.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { requeueWaiting } from './modules/settlements/settlements.usecases.js';
import { processorFor } from './processor.js';
import { systemClock, type Clock } from './shared/context.js';

export interface Service {
  app: FastifyInstance;
  database: Database;
  runner: SettlementRunner;
  worker: Worker | null;
  /** Drains in-flight requests and jobs, then closes the queue and the database pool. */
  close(): Promise<void>;
}

/** How long after the start the runs a previous process left are queued again. */
const REQUEUE_AFTER_START_MS = 1000;

/**
 * The whole service in one process: the database (PostgreSQL, or PGlite when DATABASE_URL is
 * unset), the settlement queue (BullMQ with a worker in this process when REDIS_URL is set,
 * otherwise in process), and the HTTP app. Runs left queued by a previous process are queued
 * again, once the service is up, and by a sweeper every minute after.
 */
export async function startService(config: Config, logger: Logger, options: { clock?: Clock; withWorker?: boolean } = {}): Promise<Service> {
  const base = options.clock ?? systemClock;
  const clock: Clock = { now: () => base.now(), timeZone: base.timeZone ?? config.PERFPAY_TIME_ZONE };
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PERFPAY_DATA_DIR });
  const deps = { db: database.db, clock, log: logger };
  const process = processorFor(deps);
  const runner = config.REDIS_URL ? createBullMqRunner({ redisUrl: config.REDIS_URL, queueName: config.PERFPAY_QUEUE_NAME }) : createInProcessRunner(process);
  const worker =
    config.REDIS_URL && options.withWorker !== false
      ? startBullMqWorker(process, logger, { redisUrl: config.REDIS_URL, queueName: config.PERFPAY_QUEUE_NAME, concurrency: config.PERFPAY_WORKER_CONCURRENCY, lockMs: config.PERFPAY_JOB_LOCK_MS })
      : null;
  const app = await buildApp({ config, database, queue: runner, clock, logger });
  // Closing waits for every open connection. A request still in flight when close() begins would
  // otherwise answer `Connection: keep-alive` and leave its socket idle but open afterwards,
  // holding the process until the client drops it (up to the 72 s keep-alive timeout): while
  // closing, responses say `Connection: close` and Node ends their socket once they are sent.
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  // a run whose enqueue was lost (a crash between the commit and the queue) is queued again: the
  // runs a previous process left a moment after the start (not at once: its query would hold an
  // embedded database, and the first requests, while the service comes up), then every minute
  // those older than a minute
  const requeue = { ...deps, queue: runner };
  const first = setTimeout(() => void requeueWaiting(requeue).catch((err: unknown) => logger.error({ err }, 'could not queue the waiting runs again')), REQUEUE_AFTER_START_MS);
  first.unref();
  const sweeper = setInterval(() => void requeueWaiting(requeue, 60_000).catch(() => {}), 60_000);
  sweeper.unref();
  return {
    app,
    database,
    runner,
    worker,
    async close() {
      clearTimeout(first);
      clearInterval(sweeper);
      closing = true;
      await app.close();
      await worker?.close();
      await runner.close();
      await database.close();
    },
  };
}
