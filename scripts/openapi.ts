import { buildApp, createLogger } from '../src/app.js';
import { openDatabase } from '../src/db/client.js';
import { createInProcessRunner } from '../jobs/runner.js';

/** The OpenAPI document as the service serves it at /openapi.json, as stable text. */
export async function generateOpenApi(): Promise<string> {
  const logger = createLogger('silent');
  const database = await openDatabase({ dataDir: 'memory://' });
  // the document needs the routes, not a queue that runs anything
  const runner = createInProcessRunner(async () => {});
  const app = await buildApp({ config: { PERFPAY_BODY_LIMIT_MB: 50, PERFPAY_RATE_LIMIT_PER_MINUTE: 1200 }, database, queue: runner, logger });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await runner.close();
    await database.close();
  }
}
