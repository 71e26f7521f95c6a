import closeWithGrace from 'close-with-grace';
import { startBullMqWorker } from '../jobs/runner.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { createLogger } from './logger.js';
import { processorFor } from './processor.js';
import { systemClock } from './shared/context.js';

/** `npm run worker`: a settlement worker alone, on PostgreSQL and Redis; start as many as you like. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.REDIS_URL || !config.DATABASE_URL) {
    throw new ConfigError('npm run worker needs DATABASE_URL and REDIS_URL (without them, npm start runs the jobs in its own process)');
  }
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PERFPAY_DATA_DIR });
  const worker = startBullMqWorker(processorFor({ db: database.db, clock: systemClock, log: logger }), logger, {
    redisUrl: config.REDIS_URL,
    queueName: config.PERFPAY_QUEUE_NAME,
    concurrency: config.PERFPAY_WORKER_CONCURRENCY,
    lockMs: config.PERFPAY_JOB_LOCK_MS,
  });
  logger.info({ queue: config.PERFPAY_QUEUE_NAME, concurrency: config.PERFPAY_WORKER_CONCURRENCY }, 'settlement worker started');
  // SIGTERM/SIGINT finish the jobs in hand, then exit 0
  closeWithGrace({ delay: 120_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an uncaught error');
    else logger.info({ signal }, 'finishing the jobs in hand, then stopping');
    await worker.close();
    await database.close();
  });
}

void main().catch((err) => {
  process.stderr.write(`perfpay worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
