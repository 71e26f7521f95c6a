import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection, type SettlementJob, type SettlementRunner } from '../../jobs/runner.js';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { settleQuarter, validateScenario, type QuarterlyResult } from '../../src/core/index.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { startService, type Service } from '../../src/service.js';
import { compareResult } from '../fixtures/compare.js';
import { plainHospital } from '../fixtures/generator.js';
import { POSTGRES_URL, REDIS_URL, TOKEN, createDatabase, dropDatabase, httpClient } from '../integration/harness.js';
import { freePort, killAll, sleep, startChild, within, type Child } from './processes.js';

/**
 * Restarts (issue #5). A run that is queued when its process stops — or whose job never reached
 * the queue (a crash between the commit and the enqueue) — is settled by the next service
 * started on the same data: the embedded PGlite data dir on disk, and PostgreSQL with BullMQ
 * (the job still in Redis, or lost from it). And the compiled `dist/server.mjs` (what
 * `npm start` runs) on SIGTERM lets the request in flight and the settlement job in hand finish,
 * exits 0 within a bounded time, and starts again on the same data dir with everything there.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const expectedQ1 = expected.results.find((r: { period: string }) => r.period === '2026Q1');
const PG_ENABLED = Boolean(POSTGRES_URL && REDIS_URL);
if (!PG_ENABLED) {
  console.warn('[perfpay reliability] DATABASE_URL and REDIS_URL are not both set: the PostgreSQL + BullMQ restart tests are skipped (PGlite and SIGTERM tests still run)');
}

const figures: Record<string, number> = {};
afterAll(() => console.log(`[perfpay reliability] restart figures (ms): ${JSON.stringify(figures)}`));

function exampleFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

function capture(): { logs: string[]; sink: Writable } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return { logs, sink };
}

/** Requests through fastify's inject (no socket needed), with the bootstrap admin token. */
function injector(app: FastifyInstance) {
  return async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };
}

async function waitForRun(request: ReturnType<typeof injector>, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request('GET', `/v1/settlements/${id}`);
    expect(res.status).toBe(200);
    if (res.body.status !== 'queued' && res.body.status !== 'running') return res.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A runner that accepts jobs and never runs them: the process stops (or dies) before any job is taken. */
function droppingRunner(): SettlementRunner & { jobs: SettlementJob[] } {
  const jobs: SettlementJob[] = [];
  return { kind: 'in-process', jobs, enqueue: async (job) => void jobs.push(job), ping: async () => {}, close: async () => {} };
}

async function attemptsOf(database: Database, runId: string): Promise<{ status: string; attempts: number }[]> {
  const result = (await database.db.execute(sql`select status, attempts from settlement_runs where id = ${runId}`)) as unknown as { rows: { status: string; attempts: number }[] };
  return result.rows;
}

describe('restart on the embedded database (PGlite data dir on disk)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfpay-restart-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a run left queued by a stopped process (its job never taken) is settled by the next service on the same data dir, and stays settled', async () => {
    const config = loadConfig({ PERFPAY_DATA_DIR: dir, PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
    // the first process: the API with a runner that never runs a job, then stopped
    const database = await openDatabase({ dataDir: dir });
    const runner = droppingRunner();
    const app = await buildApp({ config, database, queue: runner, logger: createLogger('warn', capture().sink) });
    const first = injector(app);
    expect((await first('POST', '/v1/imports', exampleFor('RESTART-PGLITE'))).status).toBe(200);
    const triggered = await first('POST', '/v1/hospitals/RESTART-PGLITE/settlements', { period: '2026Q1' });
    expect(triggered.status).toBe(202);
    const runId: string = triggered.body.id;
    expect(runner.jobs).toEqual([{ runId, hospital: 'RESTART-PGLITE', period: '2026Q1' }]);
    await sleep(200);
    expect((await first('GET', `/v1/settlements/${runId}`)).body).toMatchObject({ status: 'queued' });
    await app.close();
    await database.close();

    // the next process on the same directory: the run is queued again at start and settled
    const started = Date.now();
    const service = await startService(config, createLogger('warn', capture().sink));
    try {
      expect(service.runner.kind).toBe('in-process');
      const request = injector(service.app);
      const run = await waitForRun(request, runId);
      figures['pglite.restartToSucceededMs'] = Date.now() - started;
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('succeeded');
      expect(compareResult(expectedQ1, run.result)).toEqual([]);
      expect(await attemptsOf(service.database, runId)).toEqual([{ status: 'succeeded', attempts: 1 }]);
    } finally {
      await service.close();
    }

    // and once more: the result is on disk, approvable, and nothing runs twice
    const again = await startService(config, createLogger('warn', capture().sink));
    try {
      const request = injector(again.app);
      const reread = await request('GET', `/v1/settlements/${runId}`);
      expect(reread.body.status).toBe('succeeded');
      expect(compareResult(expectedQ1, reread.body.result)).toEqual([]);
      expect((await request('POST', `/v1/settlements/${runId}/approve`)).body.status).toBe('approved');
      expect(await attemptsOf(again.database, runId)).toEqual([{ status: 'approved', attempts: 1 }]);
      expect((await request('GET', '/v1/hospitals/RESTART-PGLITE/audit/verify')).body.valid).toBe(true);
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe.skipIf(!PG_ENABLED)('restart on PostgreSQL + BullMQ', () => {
  let databaseUrl: string;
  let queueName: string;
  let config: Config;
  const services: Service[] = [];
  const start = async (withWorker: boolean) => {
    const service = await startService(config, createLogger('warn', capture().sink), { withWorker });
    services.push(service);
    return service;
  };
  const stop = async (service: Service) => {
    services.splice(services.indexOf(service), 1);
    await service.close();
  };
  const queue = () => new Queue(queueName, { connection: redisConnection(REDIS_URL!) });
  const jobCounts = async () => {
    const q = queue();
    try {
      return await q.getJobCounts('waiting', 'active', 'delayed');
    } finally {
      await q.close();
    }
  };

  beforeAll(async () => {
    databaseUrl = await createDatabase();
    queueName = `perfpay-restart-${randomUUID()}`;
    config = loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL, PERFPAY_QUEUE_NAME: queueName, PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close();
  });
  afterAll(async () => {
    if (queueName) {
      const q = queue();
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  /** The first process: the API without a worker; imports, triggers, and stops with the run queued. */
  const queueAndStop = async (code: string): Promise<string> => {
    const first = await start(false);
    expect(first.worker).toBeNull();
    const request = injector(first.app);
    expect((await request('POST', '/v1/imports', exampleFor(code))).status).toBe(200);
    const triggered = await request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect(triggered.status).toBe(202);
    await sleep(200);
    expect((await request('GET', `/v1/settlements/${triggered.body.id}`)).body).toMatchObject({ status: 'queued' });
    await stop(first);
    return triggered.body.id;
  };

  const settledByNextService = async (runId: string, label: string) => {
    const started = Date.now();
    const next = await start(true);
    expect(next.worker).not.toBeNull();
    const run = await waitForRun(injector(next.app), runId);
    figures[`${label}.restartToSucceededMs`] = Date.now() - started;
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(compareResult(expectedQ1, run.result)).toEqual([]);
    expect(await attemptsOf(next.database, runId)).toEqual([{ status: 'succeeded', attempts: 1 }]);
    await stop(next);
  };

  it('a run queued while no worker ran (its job waiting in Redis) is settled by a service started later on the same database', async () => {
    const runId = await queueAndStop('RESTART-PG-WAITING');
    expect(await jobCounts()).toEqual({ waiting: 1, active: 0, delayed: 0 });
    await settledByNextService(runId, 'postgres.jobWaiting');
  }, 60_000);

  it('a run whose job was lost from Redis is queued again when the next service starts, and settled', async () => {
    const runId = await queueAndStop('RESTART-PG-LOST');
    const q = queue();
    await q.obliterate({ force: true });
    await q.close();
    expect(await jobCounts()).toEqual({ waiting: 0, active: 0, delayed: 0 });
    await settledByNextService(runId, 'postgres.jobLost');
  }, 60_000);
});

describe('SIGTERM (and SIGKILL) on the compiled server, dist/server.mjs (PGlite data dir)', () => {
  const STAFF = 10_000;
  let dir: string;
  let scenario: any;
  let engineResult: QuarterlyResult;
  let runId: string;

  const startServer = async (
    name: string,
  ): Promise<{ child: Child; request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }> }> => {
    const port = await freePort();
    const started = Date.now();
    const child = startChild(name, 'server', {
      PERFPAY_DATA_DIR: dir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      PERFPAY_RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'info',
    });
    await child.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('perfpay listening'), 90_000);
    figures[`sigterm.${name}.startMs`] = Date.now() - started;
    const request = httpClient(`http://127.0.0.1:${port}`);
    return { child, request };
  };

  /** Sends SIGTERM; returns when it was sent. */
  const sigterm = (child: Child) => {
    child.process.kill('SIGTERM');
    return Date.now();
  };

  /** The process must exit 0 (not by the signal) within the bound, having said it drains. */
  const exitsCleanly = async (child: Child, boundMs: number, what: string) => {
    const exit = await within(child.exited, boundMs, `${child.name} did not exit within ${boundMs} ms ${what}`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(child.logs().some((l) => l.msg === 'draining requests and jobs, then stopping' && l.signal === 'SIGTERM')).toBe(true);
    return exit.at;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfpay-sigterm-'));
    const doc = plainHospital({ departments: 200, staff: STAFF, seed: 5 });
    scenario = { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined };
    const validated = validateScenario(JSON.parse(JSON.stringify(scenario)));
    engineResult = settleQuarter(validated.hospital, validated.quarters[0]!, new Map()).result;
  });
  afterEach(async () => {
    await killAll();
  });
  afterAll(async () => {
    await killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a slow request in flight at SIGTERM (an import of 10,000 staff) completes with 200, then the process exits 0', async () => {
    const { child, request } = await startServer('server-1');
    const sentAt = Date.now();
    const slow = request('POST', '/v1/imports', scenario, { 'x-request-id': 'slow-import' });
    await child.waitForLog((l) => l.clientRequestId === 'slow-import' && l.msg === 'incoming request', 30_000);
    const sigtermAt = sigterm(child);
    figures['sigterm.inFlightImport.sigtermAfterRequestMs'] = sigtermAt - sentAt;
    // the request in flight is answered in full…
    const answered = await within(slow, 60_000, 'the import in flight at SIGTERM never answered');
    const answeredAt = Date.now();
    figures['sigterm.inFlightImport.sigtermToResponseMs'] = answeredAt - sigtermAt;
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ hospital: 'PLAIN', changed: true, staff: { created: STAFF } });
    await child.waitForLog((l) => l.clientRequestId === 'slow-import' && l.msg === 'request completed' && l.res?.statusCode === 200, 5000);
    // …and then the process exits 0 promptly: nothing (such as the keep-alive connection the
    // request came on) holds it once the requests and jobs in hand are done
    const exitedAt = await exitsCleanly(child, 10_000, 'of answering the request in flight at SIGTERM');
    figures['sigterm.inFlightImport.responseToExitMs'] = exitedAt - answeredAt;
    figures['sigterm.inFlightImport.sigtermToExitMs'] = exitedAt - sigtermAt;
  }, 150_000);

  it('restarted on the same data dir it has the import; a settlement job in hand at SIGTERM is finished before the process exits 0', async () => {
    const { child, request } = await startServer('server-2');
    const staff = await request('GET', '/v1/hospitals/PLAIN/staff');
    expect(staff.status).toBe(200);
    expect(staff.body.staff).toHaveLength(STAFF);
    const triggered = await request('POST', '/v1/hospitals/PLAIN/settlements', { period: '2026Q1' });
    expect(triggered.status).toBe(202);
    runId = triggered.body.id;
    await child.waitForLog((l) => l.runId === runId && l.msg === 'settling', 60_000);
    const sigtermAt = sigterm(child);
    figures['sigterm.jobInHand.sigtermToExitMs'] = (await exitsCleanly(child, 90_000, 'of SIGTERM with a settlement job in hand')) - sigtermAt;
    expect(
      child
        .logs()
        .filter((l) => l.runId === runId && l.msg === 'settlement finished')
        .map((l) => l.stored),
    ).toEqual([true]);

    // the stopped process's data, read directly: the run succeeded with all its lines, in one attempt
    const database = await openDatabase({ dataDir: dir });
    try {
      expect(await attemptsOf(database, runId)).toEqual([{ status: 'succeeded', attempts: 1 }]);
      const lines = (await database.db.execute(sql`select count(*)::int as n from individual_lines where run_id = ${runId}`)) as unknown as { rows: { n: number }[] };
      expect(lines.rows[0]!.n).toBe(engineResult.individuals.length);
    } finally {
      await database.close();
    }
  }, 180_000);

  it("restarted again, the run reads back with the engine's result, and an idle server exits 0 promptly on SIGTERM", async () => {
    expect(runId).toBeDefined();
    const { child, request } = await startServer('server-3');
    const health = await request('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', database: 'pglite: ok', queue: 'in-process: ok' });
    const run = await request('GET', `/v1/settlements/${runId}`);
    expect(run.body.status).toBe('succeeded');
    expect(run.body.result.individuals).toHaveLength(engineResult.individuals.length);
    expect(compareResult(engineResult, run.body.result)).toEqual([]);
    expect((await request('GET', '/v1/hospitals/PLAIN/audit/verify')).body.valid).toBe(true);
    const sigtermAt = sigterm(child);
    figures['sigterm.idle.sigtermToExitMs'] = (await exitsCleanly(child, 15_000, 'of SIGTERM while idle')) - sigtermAt;
  }, 150_000);

  it('SIGKILLed in the middle of a settlement, the server restarts on the same data dir and settles the run it left running', async () => {
    const { child, request } = await startServer('server-4');
    // the quarter's inputs are unchanged since its succeeded run: a new run is asked for explicitly
    const triggered = await request('POST', '/v1/hospitals/PLAIN/settlements', { period: '2026Q1', force: true });
    expect(triggered.status).toBe(202);
    const killedRun: string = triggered.body.id;
    expect(killedRun).not.toBe(runId);
    await child.waitForLog((l) => l.runId === killedRun && l.msg === 'settling', 60_000);
    child.process.kill('SIGKILL');
    expect(await within(child.exited, 10_000, 'the killed server did not exit')).toMatchObject({ signal: 'SIGKILL' });
    expect(child.logs().filter((l) => l.runId === killedRun && l.msg === 'settlement finished')).toEqual([]);

    // what the dead process left on disk: the run running, no lines
    const database = await openDatabase({ dataDir: dir });
    try {
      expect(await attemptsOf(database, killedRun)).toEqual([{ status: 'running', attempts: 1 }]);
      const lines = (await database.db.execute(sql`select count(*)::int as n from individual_lines where run_id = ${killedRun}`)) as unknown as { rows: { n: number }[] };
      expect(lines.rows[0]!.n).toBe(0);
    } finally {
      await database.close();
    }

    const restartedAt = Date.now();
    const next = await startServer('server-5');
    let run: any;
    for (const deadline = Date.now() + 60_000; ; ) {
      run = (await next.request('GET', `/v1/settlements/${killedRun}`)).body;
      if (run.status !== 'queued' && run.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`run ${killedRun} still ${run.status} after the restart`);
      await sleep(100);
    }
    figures['sigkill.restartToSucceededMs'] = Date.now() - restartedAt;
    expect(run.status).toBe('succeeded');
    expect(run.result.individuals).toHaveLength(engineResult.individuals.length);
    expect(compareResult(engineResult, run.result)).toEqual([]);
    expect((await next.request('GET', '/v1/hospitals/PLAIN/audit/verify')).body.valid).toBe(true);
    const sigtermAt = sigterm(next.child);
    await exitsCleanly(next.child, 15_000, 'of SIGTERM while idle');
    expect(
      next.child
        .logs()
        .filter((l) => l.runId === killedRun && l.msg === 'settlement finished')
        .map((l) => l.stored),
    ).toEqual([true]);
    figures['sigkill.sigtermToExitMs'] = Date.now() - sigtermAt;
    const after = await openDatabase({ dataDir: dir });
    try {
      expect(await attemptsOf(after, killedRun)).toEqual([{ status: 'succeeded', attempts: 2 }]);
    } finally {
      await after.close();
    }
  }, 150_000);
});
