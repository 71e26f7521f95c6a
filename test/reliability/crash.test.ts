import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection } from '../../jobs/runner.js';
import { createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { settleQuarter, validateScenario, type QuarterlyResult } from '../../src/core/index.js';
import { startService, type Service } from '../../src/service.js';
import { compareResult } from '../fixtures/compare.js';
import { plainHospital } from '../fixtures/generator.js';
import { POSTGRES_URL, REDIS_URL, TOKEN, createDatabase, dropDatabase, httpClient } from '../integration/harness.js';
import { killAll, sleep, startChild, within, type Child } from './processes.js';

/**
 * Crash safety of settlement jobs (issue #5), on PostgreSQL and BullMQ: the API runs in this
 * process WITHOUT a worker (`startService(…, { withWorker: false })`), on a fresh database and a
 * queue of its own; settlement workers are separate processes (the compiled
 * `dist/worker.mjs`, as `npm run worker`), and the test SIGKILLs one in the middle of a large
 * settlement (200 departments, 10,000 staff, one quarter).
 *
 * From the trigger until the run has succeeded after the retry, two watchers sample the run
 * every few milliseconds: the API (GET /v1/settlements/{id} carries no result while the run has
 * not succeeded, and the whole result once it has) and the database in ONE statement, so in one
 * snapshot (the run's status and how many department and individual lines it has: 0 while it
 * has not succeeded, all of them once it has — never a part). A new worker process then picks
 * the job up through BullMQ's stalled-job recovery, and the run completes with the engine's
 * result for the inputs it stored, with its lines written exactly once.
 *
 * BullMQ's lock and stalled check default to 30 s; the workers here run with
 * PERFPAY_JOB_LOCK_MS=3000 so the job comes back within seconds.
 */
const ENABLED = Boolean(POSTGRES_URL && REDIS_URL);
if (!ENABLED) {
  console.warn('[perfpay reliability] DATABASE_URL and REDIS_URL are not both set: the crash tests (PostgreSQL + BullMQ worker processes killed mid-job) are skipped');
}

const JOB_LOCK_MS = 3000;
const DEPARTMENTS = 200;
const STAFF = 10_000;
const CODE = 'PLAIN';
const PERIOD = '2026Q1';

type Row = { status: string; attempts: number; department_lines: number; individual_lines: number; storing: number };
interface DbSample extends Row {
  t: number;
}
interface ApiSample {
  t: number;
  status: string;
  hasResult: boolean;
  departments?: number;
  individuals?: number;
}

describe.skipIf(!ENABLED)('a settlement worker process killed mid-job (PostgreSQL + BullMQ)', () => {
  let databaseUrl: string;
  let queueName: string;
  let service: Service;
  let baseUrl: string;
  let client: pg.Client;
  const apiLogs: string[] = [];
  /** The scenario imported: one quarter of plainHospital. */
  let scenario: any;
  /** The engine's result for that scenario, computed here. */
  let engineResult: QuarterlyResult;
  const figures: Record<string, number> = {};

  const request = (method: string, path: string, body?: unknown) => httpClient(baseUrl)(method, path, body);

  const startWorker = async (name: string): Promise<Child> => {
    const child = startChild(name, 'worker', {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      PERFPAY_QUEUE_NAME: queueName,
      PERFPAY_JOB_LOCK_MS: String(JOB_LOCK_MS),
      LOG_LEVEL: 'info',
    });
    await child.waitForLog((l) => l.msg === 'settlement worker started', 60_000);
    return child;
  };

  /** The run's status, attempts, its lines, and whether a transaction is writing individual lines now: one statement, one snapshot. */
  const snapshot = async (runId: string): Promise<Row> => {
    const { rows } = await client.query<Row>(
      `select r.status, r.attempts,
              (select count(*)::int from department_lines d where d.run_id = r.id) as department_lines,
              (select count(*)::int from individual_lines i where i.run_id = r.id) as individual_lines,
              (select count(*)::int from pg_stat_activity a
                 where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_xid is not null
                   and (a.query ilike 'copy "individual_lines"%' or a.query ilike 'insert into "individual_lines"%')) as storing
         from settlement_runs r where r.id = $1`,
      [runId],
    );
    return rows[0]!;
  };

  /**
   * Samples the run every few ms through the database and through the API until stopped (the
   * API watcher stops by itself once it has seen the succeeded run and its whole result).
   */
  const watch = (runId: string) => {
    const db: DbSample[] = [];
    const api: ApiSample[] = [];
    let stopped = false;
    const dbLoop = (async () => {
      while (!stopped) {
        db.push({ t: Date.now(), ...(await snapshot(runId)) });
        await sleep(2);
      }
    })();
    const apiLoop = (async () => {
      while (!stopped) {
        const res = await request('GET', `/v1/settlements/${runId}`);
        expect(res.status).toBe(200);
        const result = res.body.result;
        api.push({ t: Date.now(), status: res.body.status, hasResult: result !== undefined, departments: result?.departments?.length, individuals: result?.individuals?.length });
        if (res.body.status === 'succeeded') return;
        await sleep(3);
      }
    })();
    return {
      db,
      api,
      latest: () => db.at(-1),
      async stop() {
        stopped = true;
        await Promise.all([dbLoop, apiLoop]);
      },
    };
  };

  /** Waits until a database sample satisfies the condition (or fails after timeoutMs). */
  const until = async (w: ReturnType<typeof watch>, cond: (s: DbSample) => boolean, timeoutMs: number, what: string): Promise<DbSample> => {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      const found = w.db.slice(seen).find(cond);
      if (found) return found;
      seen = w.db.length;
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms; last sample ${JSON.stringify(w.latest())}`);
      await sleep(1);
    }
  };

  /** No sample, through the database or the API, ever shows a part of the result. */
  const expectNoPartialResult = (w: ReturnType<typeof watch>) => {
    const lines = engineResult.individuals.length;
    const departments = engineResult.departments.length;
    const badDb = w.db.filter((s) => (s.status === 'succeeded' ? s.individual_lines !== lines || s.department_lines !== departments : s.individual_lines !== 0 || s.department_lines !== 0));
    expect(badDb, 'database samples with a part of the result, or lines before the run succeeded').toEqual([]);
    const badApi = w.api.filter((s) => (s.status === 'succeeded' ? !s.hasResult || s.individuals !== lines || s.departments !== departments : s.hasResult));
    expect(badApi, 'API samples with a result before the run succeeded, or a partial one').toEqual([]);
    // every count the database showed was 0 or the full count, never in between
    expect([...new Set(w.db.map((s) => s.individual_lines))].sort((a, b) => a - b)).toEqual([0, lines]);
  };

  /** The succeeded run matches the engine's result for the inputs it stored, its lines written once, one success in the audit log. */
  const expectEngineResult = async (runId: string) => {
    const run = await request('GET', `/v1/settlements/${runId}`);
    expect(run.body.status).toBe('succeeded');
    const { rows } = await client.query<{ inputs: unknown; opening_bank: Record<string, string> }>('select inputs, opening_bank from settlement_runs where id = $1', [runId]);
    const stored = validateScenario(rows[0]!.inputs);
    expect(rows[0]!.opening_bank).toEqual({});
    const fromStoredInputs = settleQuarter(stored.hospital, stored.quarters[0]!, new Map()).result;
    expect(compareResult(fromStoredInputs, run.body.result)).toEqual([]);
    // the stored inputs are the imported ones: the same result as the engine on the document itself
    expect(compareResult(engineResult, run.body.result)).toEqual([]);
    expect(run.body.result.individuals).toHaveLength(engineResult.individuals.length);
    const counts = await snapshot(runId);
    expect(counts).toMatchObject({ department_lines: engineResult.departments.length, individual_lines: engineResult.individuals.length });
    const { rows: dup } = await client.query('select staff_id, count(*) from individual_lines where run_id = $1 group by staff_id, department having count(*) > 1', [runId]);
    expect(dup).toEqual([]);
    const { rows: events } = await client.query<{ action: string }>('select action from audit_events where entity_key = $1 order by id', [runId]);
    expect(events.map((e) => e.action)).toEqual(['settlement.trigger', 'settlement.succeed']);
    const verify = await request('GET', `/v1/hospitals/${CODE}/audit/verify`);
    expect(verify.body.valid).toBe(true);
  };

  const runLogs = (child: Child, runId: string) => child.logs().filter((l) => l.runId === runId);

  beforeAll(async () => {
    databaseUrl = await createDatabase();
    queueName = `perfpay-crash-${randomUUID()}`;
    const sink = new Writable({
      write(chunk, _enc, done) {
        apiLogs.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      PERFPAY_QUEUE_NAME: queueName,
      PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      PERFPAY_RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
    });
    service = await startService(config, createLogger('warn', sink), { withWorker: false });
    expect(service.worker).toBeNull();
    await service.app.listen({ port: 0, host: '127.0.0.1' });
    const address = service.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();

    const doc = plainHospital({ departments: DEPARTMENTS, staff: STAFF, seed: 20261123 });
    scenario = { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined };
    const started = Date.now();
    const imported = await request('POST', '/v1/imports', scenario);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    figures.importMs = Date.now() - started;
    const validated = validateScenario(JSON.parse(JSON.stringify(scenario)));
    engineResult = settleQuarter(validated.hospital, validated.quarters[0]!, new Map()).result;
  }, 120_000);

  afterEach(async () => {
    await killAll();
  });

  afterAll(async () => {
    await killAll();
    await client?.end().catch(() => {});
    await service?.close();
    if (queueName) {
      const queue = new Queue(queueName, { connection: redisConnection(REDIS_URL!) });
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    }
    if (databaseUrl) await dropDatabase(databaseUrl);
    console.log(`[perfpay reliability] crash figures (ms): ${JSON.stringify(figures)}`);
  }, 60_000);

  /**
   * One crash and recovery: trigger, wait for `killWhen` while the first worker runs the job,
   * SIGKILL it, check the run is still running with no lines, start a second worker, wait for
   * the run to succeed. Returns the run id; the watchers' samples are checked by the caller.
   */
  const crashAndRecover = async (label: string, killWhen: (w: ReturnType<typeof watch>, runId: string, worker: Child) => Promise<unknown>) => {
    const first = await startWorker(`${label}-worker-1`);
    const triggeredAt = Date.now();
    // each crash settles the same inputs again: a new run is asked for explicitly
    const triggered = await request('POST', `/v1/hospitals/${CODE}/settlements`, { period: PERIOD, force: true });
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    const runId: string = triggered.body.id;
    const w = watch(runId);
    try {
      const running = await until(w, (s) => s.status === 'running', 30_000, 'the run running');
      figures[`${label}.triggerToRunningMs`] = running.t - triggeredAt;
      await killWhen(w, runId, first);
      const killedAt = Date.now();
      first.process.kill('SIGKILL');
      const exit = await within(first.exited, 10_000, 'the killed worker did not exit');
      expect(exit.signal).toBe('SIGKILL');
      figures[`${label}.runningToKillMs`] = killedAt - running.t;
      // the kill came before the commit: the first worker never finished, the run is running with no lines
      expect(runLogs(first, runId).filter((l) => l.msg === 'settlement finished')).toEqual([]);
      const afterKill = await snapshot(runId);
      expect(afterKill).toMatchObject({ status: 'running', attempts: 1, department_lines: 0, individual_lines: 0 });

      // nothing moves while no worker is alive: still running, still no lines, no result
      await sleep(500);
      expect(await snapshot(runId)).toMatchObject({ status: 'running', department_lines: 0, individual_lines: 0 });
      expect((await request('GET', `/v1/settlements/${runId}`)).body).toMatchObject({ status: 'running' });
      expect((await request('GET', `/v1/settlements/${runId}`)).body.result).toBeUndefined();

      const second = await startWorker(`${label}-worker-2`);
      const secondUpAt = Date.now();
      figures[`${label}.killToSecondWorkerUpMs`] = secondUpAt - killedAt;
      const retried = await second.waitForLog((l) => l.runId === runId && l.msg === 'settling', 60_000);
      figures[`${label}.secondWorkerUpToRetryMs`] = retried.time - secondUpAt;
      const succeeded = await until(w, (s) => s.status === 'succeeded', 60_000, 'the run succeeded after the retry');
      figures[`${label}.killToSucceededMs`] = succeeded.t - killedAt;
      figures[`${label}.retryJobMs`] = succeeded.t - retried.time;
      // the API watcher stops once it has seen the succeeded run with its result
      await within(
        (async () => {
          while (!w.api.some((s) => s.status === 'succeeded')) await sleep(10);
        })(),
        30_000,
        'the API never showed the succeeded run',
      );
      await w.stop();
      figures[`${label}.samples.db`] = w.db.length;
      figures[`${label}.samples.api`] = w.api.length;
      // how long the retry's store transaction was seen writing individual lines (the window the 'storing' kill aims at)
      const storingSeen = w.db.filter((s) => s.t > secondUpAt && s.storing > 0);
      figures[`${label}.retryStoringWindowMs`] = storingSeen.length ? storingSeen.at(-1)!.t - storingSeen[0]!.t : 0;

      // one more attempt: BullMQ's stalled-job recovery, not a failure retry
      expect((await snapshot(runId)).attempts).toBe(2);
      expectNoPartialResult(w);
      // the watchers saw the run while it was running after the kill, and many times in all
      expect(w.db.filter((s) => s.status === 'running' && s.t > killedAt).length).toBeGreaterThan(10);
      expect(w.api.filter((s) => s.status === 'running' && s.t > killedAt).length).toBeGreaterThan(10);
      await expectEngineResult(runId);
      second.process.kill('SIGTERM');
      const stopped = await within(second.exited, 30_000, 'the second worker did not stop on SIGTERM');
      expect(stopped.code).toBe(0);
      // the second worker settled it, once, and no attempt failed
      expect(
        runLogs(second, runId)
          .filter((l) => l.msg === 'settlement finished')
          .map((l) => l.stored),
      ).toEqual([true]);
      expect(runLogs(second, runId).filter((l) => /attempt failed/.test(l.msg ?? ''))).toEqual([]);
      return runId;
    } finally {
      await w.stop().catch(() => {}); // a watcher's own failure has been reported above
    }
  };

  it("SIGKILL while the engine computes (after the claim, before any write): no partial result ever; a new worker retries it to the engine's result", async () => {
    await crashAndRecover('computing', async (_w, runId, worker) => {
      // "settling" is logged after the claim, just before the inputs are loaded and the engine runs
      await worker.waitForLog((l) => l.runId === runId && l.msg === 'settling', 30_000);
    });
  }, 180_000);

  it("SIGKILL inside the transaction that stores the result (individual lines being written): it is rolled back, never seen; a new worker retries it to the engine's result", async () => {
    await crashAndRecover('storing', async (w) => {
      const storing = await until(w, (s) => s.status === 'running' && s.storing > 0, 60_000, 'the store transaction writing individual lines');
      // at that moment the lines written so far are uncommitted: invisible
      expect(storing).toMatchObject({ individual_lines: 0, department_lines: 0 });
    });
  }, 180_000);

  it('a run that fails on its data (a clinical department with staff but no inputs) fails once with missing_inputs and is not retried', async () => {
    const worker = await startWorker('data-error-worker');
    const doc = plainHospital({ departments: 8, staff: 40, seed: 7 });
    doc.hospital = { code: 'CRASH-DATA', name: '数据错误医院' };
    const quarter = doc.periods![0]!;
    quarter.departments = quarter.departments.filter((d) => d.code !== 'D01'); // D01 is clinical and has staff
    expect(doc.departments.find((d) => d.code === 'D01')).toMatchObject({ kind: 'clinical' });
    expect(doc.staff.some((s) => s.department === 'D01')).toBe(true);
    const imported = await request('POST', '/v1/imports', { ...doc, periods: [quarter], annual: undefined });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const triggered = await request('POST', '/v1/hospitals/CRASH-DATA/settlements', { period: PERIOD });
    expect(triggered.status).toBe(202);
    const runId: string = triggered.body.id;
    const deadline = Date.now() + 60_000;
    let run: any;
    for (;;) {
      run = (await request('GET', `/v1/settlements/${runId}`)).body;
      if (run.status !== 'queued' && run.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`run still ${run.status}`);
      await sleep(20);
    }
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'missing_inputs', message: expect.stringContaining('D01') });
    expect(run.result).toBeUndefined();

    // BullMQ would retry a thrown job after 1 s (then 2 s): wait past that and look again
    await sleep(3500);
    const { rows } = await client.query('select status, attempts, error from settlement_runs where id = $1', [runId]);
    expect(rows).toEqual([{ status: 'failed', attempts: 1, error: run.error }]);
    const logs = runLogs(worker, runId);
    expect(logs.filter((l) => l.msg === 'settling')).toHaveLength(1);
    expect(logs.filter((l) => /settlement failed on its data/.test(l.msg ?? ''))).toHaveLength(1);
    expect(logs.filter((l) => /attempt failed/.test(l.msg ?? ''))).toEqual([]);
    const { rows: events } = await client.query<{ action: string }>('select action from audit_events where entity_key = $1 order by id', [runId]);
    expect(events.map((e) => e.action)).toEqual(['settlement.trigger', 'settlement.fail']);
    // the job is done with in Redis: nothing waiting, delayed (a retry) or failed
    const queue = new Queue(queueName, { connection: redisConnection(REDIS_URL!) });
    try {
      expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, prioritized: 0 });
    } finally {
      await queue.close();
    }
    expect((await request('GET', `/v1/settlements/${runId}`)).body).toMatchObject({ status: 'failed', error: { code: 'missing_inputs' } });
  }, 120_000);
});
