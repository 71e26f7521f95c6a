import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

/** `npm start`: the API and the settlement jobs, on the embedded default unless configured otherwise. */
async function main(): Promise<void> {
  let config: Config;
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
  // SIGTERM/SIGINT drain requests and jobs, then exit 0; a second signal, or a drain longer than
  // the grace period, ends the process at once (exit 1)
  closeWithGrace({ delay: 60_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an uncaught error');
    else logger.info({ signal }, 'draining requests and jobs, then stopping');
    await service.close();
  });
}

void main().catch((err) => {
  process.stderr.write(`perfpay failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
