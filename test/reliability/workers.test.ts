import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullMqRunner } from '../../jobs/runner.js';
import { settleScenario, validateScenario } from '../../src/core/index.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { importScenario } from '../../src/modules/imports/imports.usecases.js';
import { requestSettlement, runWithResult } from '../../src/modules/settlements/settlements.usecases.js';
import { compareResult } from '../fixtures/compare.js';
import { POSTGRES_URL, REDIS_URL, asTestAdmin, createDatabase, dropDatabase } from '../integration/harness.js';
import { killAll, startChild, type Child } from './processes.js';

/**
 * Issue #6: settlements of different hospitals run in parallel on several worker processes
 * (`npm run worker` twice, as the README says), and never two runs of one hospital and period
 * at once. Each run's start and end are read from the database; the two workers' logs say which
 * process settled which run.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const PG_ENABLED = Boolean(POSTGRES_URL && REDIS_URL);

describe.skipIf(!PG_ENABLED)('settlement workers on two processes (PostgreSQL + BullMQ)', () => {
  let url: string;
  let database: Database;
  let workers: Child[] = [];
  const queueName = `perfpay-workers-${randomUUID()}`;
  const codes = Array.from({ length: 8 }, (_, i) => `W-${i + 1}`);

  beforeAll(async () => {
    url = await createDatabase();
    database = await openDatabase({ url, dataDir: 'unused' });
    const deps = asTestAdmin(database.db);
    for (const code of codes) await importScenario(deps, { ...structuredClone(example), hospital: { ...example.hospital, code } });
    const env = { DATABASE_URL: url, REDIS_URL, PERFPAY_QUEUE_NAME: queueName, PERFPAY_WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' };
    workers = [startChild('worker-a', 'worker', env), startChild('worker-b', 'worker', env)];
    await Promise.all(workers.map((w) => w.waitForLog((l) => l.msg === 'settlement worker started', 60_000)));
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) w.process.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await killAll();
    await database?.close();
    if (url) await dropDatabase(url);
  });

  it('both processes take jobs; each hospital is settled once, to the engine’s result; no two runs of a hospital and period overlap', async () => {
    const runner = createBullMqRunner({ redisUrl: REDIS_URL!, queueName });
    const deps = { ...asTestAdmin(database.db), queue: runner };
    const runs: { code: string; id: string }[] = [];
    try {
      for (const code of codes) {
        // two triggers of the same hospital and period: one run
        const first = await requestSettlement(deps, code, '2026Q1');
        const again = await requestSettlement(deps, code, '2026Q1');
        expect(again.run.id).toBe(first.run.id);
        await runner.enqueue({ runId: first.run.id, hospital: code, period: '2026Q1' });
        await runner.enqueue({ runId: first.run.id, hospital: code, period: '2026Q1' });
        runs.push({ code, id: first.run.id });
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const deadline = Date.now() + 120_000;
        for (;;) {
          const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from settlement_runs where id = any($1::uuid[]) and status = 'succeeded'`, [runs.map((r) => r.id)]);
          if (rows[0]!.n === runs.length) break;
          if (Date.now() > deadline) throw new Error('the runs did not all succeed in time');
          await new Promise((r) => setTimeout(r, 100));
        }
        // one run per hospital and period, started once (a second start would have attempts 2)
        const { rows } = await client.query<{ hospital: string; n: number; attempts: number }>(
          `select h.code as hospital, count(*)::int as n, max(r.attempts)::int as attempts from settlement_runs r join hospitals h on h.id = r.hospital_id group by h.code`,
        );
        expect(rows.map((r) => [r.hospital, r.n, r.attempts]).sort()).toEqual(codes.map((c) => [c, 1, 1]).sort());
      } finally {
        await client.end();
      }
    } finally {
      await runner.close();
    }
    // which process settled which run: both took some, and none settled the same run twice
    // (a worker logs "settlement finished" after its commit: give the lines a moment to arrive)
    const finishedLines = () => workers.reduce((n, w) => n + w.logs().filter((l) => l.msg === 'settlement finished' && l.stored === true).length, 0);
    for (const until = Date.now() + 10_000; finishedLines() < runs.length && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    const settledBy = workers.map((w) =>
      w
        .logs()
        .filter((l) => l.msg === 'settlement finished' && l.stored === true)
        .map((l) => l.runId as string),
    );
    expect(settledBy[0]!.length).toBeGreaterThan(0);
    expect(settledBy[1]!.length).toBeGreaterThan(0);
    expect([...settledBy[0]!, ...settledBy[1]!].sort()).toEqual(runs.map((r) => r.id).sort());
    // every hospital's result is the engine's
    const engine = settleScenario(validateScenario({ ...example, periods: example.periods.filter((p: { period: string }) => p.period === '2026Q1'), annual: null }));
    for (const { id } of runs) {
      const { result } = await runWithResult(database.db, id);
      expect(compareResult(engine.results[0], result)).toEqual([]);
    }
  }, 180_000);
});
