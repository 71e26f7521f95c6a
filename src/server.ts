import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './app.js';
import { startService } from './service.js';

/** `npm start`: the API and the settlement jobs, on the embedded default unless configured otherwise. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, logger);
  if (!config.PERFPAY_BOOTSTRAP_ADMIN_TOKEN) {
    logger.warn('PERFPAY_BOOTSTRAP_ADMIN_TOKEN is not set: every /v1 call will be refused with 401');
  }
  await service.app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    { database: service.database.kind, dataDir: config.DATABASE_URL ? undefined : config.PERFPAY_DATA_DIR, queue: service.runner.kind },
    `perfpay listening on http://${config.HOST}:${config.PORT} (docs at /docs)`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining requests and jobs, then stopping');
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err) => {
  process.stderr.write(`perfpay failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
