import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { createBullMqRunner, createInProcessRunner, startBullMqWorker, type SettlementRunner } from '../jobs/runner.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { findHospitalById } from './modules/inputs/inputs.repository.js';
import { listQueuedRuns } from './modules/settlements/settlements.repository.js';

export interface Service {
  app: FastifyInstance;
  database: Database;
  runner: SettlementRunner;
  worker: Worker | null;
  /** Drains in-flight requests and jobs, then closes the queue and the database pool. */
  close(): Promise<void>;
}

/**
 * The whole service in one process: the database (PostgreSQL, or PGlite when DATABASE_URL is
 * unset), the settlement runner (BullMQ with a worker in this process when REDIS_URL is set,
 * otherwise in process), and the HTTP app. Runs left queued by a previous process are queued again.
 */
export async function startService(config: Config, logger: Logger, options: { now?: () => Date; withWorker?: boolean } = {}): Promise<Service> {
  const now = options.now ?? (() => new Date());
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PERFPAY_DATA_DIR });
  const processorDeps = { db: database.db, now, log: logger };
  const runner = config.REDIS_URL
    ? createBullMqRunner({ redisUrl: config.REDIS_URL, queueName: config.PERFPAY_QUEUE_NAME })
    : createInProcessRunner(processorDeps);
  const worker =
    config.REDIS_URL && options.withWorker !== false
      ? startBullMqWorker(processorDeps, { redisUrl: config.REDIS_URL, queueName: config.PERFPAY_QUEUE_NAME, concurrency: config.PERFPAY_WORKER_CONCURRENCY, lockMs: config.PERFPAY_JOB_LOCK_MS })
      : null;
  const app = await buildApp({ config, database, runner, now, logger });
  // Closing waits for every open connection. A request still in flight when close() begins would
  // otherwise answer `Connection: keep-alive` and leave its socket idle but open afterwards,
  // holding the process until the client drops it (up to the 72 s keep-alive timeout): while
  // closing, responses say `Connection: close` and Node ends their socket once they are sent.
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  await requeue(database, runner, logger);
  // a run whose enqueue was lost (a crash between the commit and the queue) is queued again
  const sweeper = setInterval(() => void requeue(database, runner, logger, 60_000).catch(() => {}), 60_000);
  sweeper.unref();
  return {
    app,
    database,
    runner,
    worker,
    async close() {
      clearInterval(sweeper);
      closing = true;
      await app.close();
      await worker?.close();
      await runner.close();
      await database.close();
    },
  };
}

async function requeue(database: Database, runner: SettlementRunner, logger: Logger, olderThanMs = 0): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  for (const run of await listQueuedRuns(database.db)) {
    if (run.createdAt.getTime() > cutoff) continue;
    const hospital = await findHospitalById(database.db, run.hospitalId);
    await runner.enqueue({ runId: run.id, hospital: hospital!.code, period: run.period }).catch((err) => logger.error({ err, runId: run.id }, 'could not queue a waiting run again'));
  }
}
