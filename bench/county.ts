import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createBullMqRunner } from '../jobs/runner.js';
import { createLogger } from '../src/app.js';
import type { Scenario } from '../src/core/index.js';
import type { Config } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { importScenario } from '../src/modules/imports/imports.usecases.js';
import { findHospital } from '../src/modules/hospitals/hospitals.repository.js';
import { requestSettlement } from '../src/modules/settlements/settlements.usecases.js';
import { systemClock } from '../src/shared/context.js';
import { SYSTEM_CALLER } from '../src/shared/principal.js';
import { startService } from '../src/service.js';
import { plainHospital } from '../test/fixtures/generator.js';
import { killAll, startChild, type Child } from '../test/reliability/processes.js';
import { createBenchDatabase } from './service.js';
import { fmt, spread } from './stats.js';

const TOKEN = `bench-${randomUUID()}`;
const BENCH_CALLER = { ...SYSTEM_CALLER, actor: 'bench' };

/**
 * Issue #6's benchmarks, each a ratio against a baseline measured in the same run, on PostgreSQL
 * (and Redis for the worker processes):
 *  1. REST bulk ingest, committed rows/s, against raw COPY rows/s into the same table (≥ 20%);
 *  3. one person's line over HTTP, p50, against a raw primary-key SELECT (≤ 5×); the whole
 *     10,000-line result over HTTP against a raw SELECT of the same rows (≤ 3×);
 *  4. thirty hospitals of 2,000 staff settled by two worker processes against one (≥ 1.6×).
 * (2, the settlement job against the engine, is benchService.)
 */
export async function benchCounty(repetitions: number): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('\n## County scale (issue #6): skipped — set DATABASE_URL (and REDIS_URL for the worker processes)');
    return;
  }
  const { url: benchUrl, drop } = await createBenchDatabase(url);
  try {
    await benchIngestAndReads(benchUrl, repetitions);
    if (process.env.REDIS_URL) await benchWorkers(benchUrl, process.env.REDIS_URL, repetitions);
    else console.log('\n## Worker processes: skipped — set REDIS_URL');
  } finally {
    await drop();
  }
}

function config(databaseUrl: string): Config {
  return {
    PORT: 0,
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: undefined,
    PERFPAY_DATA_DIR: 'unused',
    PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    PERFPAY_QUEUE_NAME: `perfpay-bench-${randomUUID()}`,
    PERFPAY_WORKER_CONCURRENCY: 1,
    PERFPAY_BODY_LIMIT_MB: 100,
    PERFPAY_RATE_LIMIT_PER_MINUTE: 1_000_000,
    PERFPAY_UI_SESSION_HOURS: 12,
    PERFPAY_TIME_ZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'silent',
  };
}

async function benchIngestAndReads(databaseUrl: string, repetitions: number): Promise<void> {
  const service = await startService(config(databaseUrl), createLogger('silent'));
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const address = service.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const raw = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
    const quarter = { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined } as Scenario;
    const code = quarter.hospital.code;
    const period = quarter.periods![0]!.period;
    await importScenario({ db: service.database.db, clock: systemClock, caller: BENCH_CALLER }, quarter);
    const hospitalId = (await findHospital(service.database.db, code))!.id;
    // requests are made with a finance API key, as a hospital's system makes them (not the bootstrap token)
    const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return text;
    };
    const key = JSON.parse(await call('POST', '/v1/api-keys', { role: 'admin', hospital: code, name: 'bench' })).token as string;

    // 1. bulk ingest against COPY
    const records = quarter.periods![0]!.individuals!;
    const columns = ['hospital_id', 'period', 'staff_id', 'workload_score', 'errors', 'required_days', 'absent_days', 'overtime_days', 'fines'];
    const ingestRatios: number[] = [];
    const restRates: number[] = [];
    const copyRates: number[] = [];
    for (let r = 0; r <= repetitions; r++) {
      // every record changes, so every row is written
      const changed = records.map((rec, i) => ({ ...rec, workloadScore: `${20 + ((i + r) % 20)}.${r % 10}` }));
      const t0 = performance.now();
      const out = JSON.parse(await call('PUT', `/v1/hospitals/${code}/periods/${period}/individuals`, { records: changed }, key)) as { written: number };
      const restMs = performance.now() - t0;
      const client = await raw.connect();
      const c0 = performance.now();
      try {
        await client.query('begin');
        await client.query(`delete from individual_inputs where hospital_id = $1 and period = '2099Q1'`, [hospitalId]);
        const lines = changed.map(
          (rec) =>
            `${[hospitalId, '2099Q1', rec.staffId, rec.workloadScore ?? '\\N', rec.errors ?? '\\N', rec.requiredDays ?? '\\N', rec.absentDays ?? '\\N', rec.overtimeDays ?? '\\N', rec.fines ?? '\\N'].join('\t')}\n`,
        );
        await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`copy individual_inputs (${columns.join(', ')}) from stdin`)));
        await client.query('commit');
      } finally {
        client.release();
      }
      const copyMs = performance.now() - c0;
      if (r === 0) continue; // warm-up
      const restRate = (out.written / restMs) * 1000;
      const copyRate = (changed.length / copyMs) * 1000;
      restRates.push(restRate);
      copyRates.push(copyRate);
      ingestRatios.push(restRate / copyRate);
    }

    // 3. reads: settle the quarter once, then read
    const run = JSON.parse(await call('POST', `/v1/hospitals/${code}/settlements`, { period }, key)) as { id: string };
    for (;;) {
      const status = (JSON.parse(await call('GET', `/v1/settlements/${run.id}`, undefined, key)) as { status: string }).status;
      if (status === 'succeeded') break;
      if (status === 'failed') throw new Error('the bench settlement failed');
      await new Promise((res) => setTimeout(res, 100));
    }
    // the people with a line (staff not eligible for performance pay have none)
    const staffIds = (await raw.query<{ staff_id: string }>('select staff_id from individual_lines where run_id = $1 order by staff_id', [run.id])).rows.map((x) => x.staff_id);
    const pick = (i: number) => staffIds[(i * 7919) % staffIds.length]!;
    const lineP50: number[] = [];
    const pkP50: number[] = [];
    const personRatios: number[] = [];
    const fullMs: number[] = [];
    const rawAllMs: number[] = [];
    const fullRatios: number[] = [];
    const N = 300;
    for (let r = 0; r <= repetitions; r++) {
      const http: number[] = [];
      const sql: number[] = [];
      for (let i = 0; i < N; i++) {
        const id = pick(i + r * N);
        const t0 = performance.now();
        await call('GET', `/v1/settlements/${run.id}/individuals/${encodeURIComponent(id)}`, undefined, key);
        http.push(performance.now() - t0);
        const s0 = performance.now();
        await raw.query('select * from individual_lines where run_id = $1 and staff_id = $2', [run.id, id]);
        sql.push(performance.now() - s0);
      }
      const f0 = performance.now();
      const full = await call('GET', `/v1/settlements/${run.id}`, undefined, key);
      const f = performance.now() - f0;
      const a0 = performance.now();
      const all = await raw.query('select * from individual_lines where run_id = $1', [run.id]);
      const a = performance.now() - a0;
      if (all.rowCount !== staffIds.length || !full.includes(staffIds.at(-1)!)) throw new Error('the reads did not return every line');
      if (r === 0) continue;
      const h = spread(http).median;
      const s = spread(sql).median;
      lineP50.push(h);
      pkP50.push(s);
      personRatios.push(h / s);
      fullMs.push(f);
      rawAllMs.push(a);
      fullRatios.push(f / a);
    }

    console.log(`\n## County scale (issue #6), PostgreSQL, ${repetitions} repetitions`);
    console.log('| measure | min / median / max |');
    console.log('|---|---|');
    console.log(`| 1. REST bulk ingest (PUT …/individuals, 10,000 changed records, one request), committed rows/s | ${fmt(spread(restRates), 0)} |`);
    console.log(`| 1. raw COPY of the same 10,000 rows into individual_inputs, rows/s | ${fmt(spread(copyRates), 0)} |`);
    console.log(`| 1. ratio REST / COPY (target ≥ 20%) | ${fmt(spread(ingestRatios.map((x) => x * 100)), 1)} % |`);
    console.log(`| 3. one person's line over HTTP (API key), p50 of ${N}, ms | ${fmt(spread(lineP50), 2)} |`);
    console.log(`| 3. raw primary-key SELECT of that line, p50 of ${N}, ms | ${fmt(spread(pkP50), 2)} |`);
    console.log(`| 3. ratio person line / PK SELECT (target ≤ 5×) | ${fmt(spread(personRatios), 2)} |`);
    console.log(`| 3. the whole result (GET /v1/settlements/{id}, 10,000 lines), ms | ${fmt(spread(fullMs), 1)} |`);
    console.log(`| 3. raw SELECT of the run's 10,000 lines, ms | ${fmt(spread(rawAllMs), 1)} |`);
    console.log(`| 3. ratio result read / raw SELECT (target ≤ 3×) | ${fmt(spread(fullRatios), 2)} |`);
  } finally {
    await raw.end();
    await service.close();
  }
}

async function benchWorkers(databaseUrl: string, redisUrl: string, repetitions: number): Promise<void> {
  const HOSPITALS = 30;
  const database = await openDatabase({ url: databaseUrl, dataDir: 'unused' });
  const raw = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const deps = { db: database.db, clock: systemClock, caller: BENCH_CALLER, log: createLogger('silent') };
  // the bench enqueues the runs itself, all at once, once they are all stored
  const noQueue = { kind: 'in-process' as const, enqueue: async () => {}, ping: async () => {}, close: async () => {} };
  const codes: string[] = [];
  const period = '2026Q1';
  for (let h = 0; h < HOSPITALS; h++) {
    const doc = plainHospital({ departments: 40, staff: 2000, seed: 1000 + h });
    const code = `COUNTY-${String(h + 1).padStart(2, '0')}`;
    await importScenario(deps, { ...doc, hospital: { ...doc.hospital, code }, periods: doc.periods!.filter((p) => p.period === period), annual: undefined } as Scenario);
    codes.push(code);
  }
  /** Busy cores over a stretch of time, from /proc/stat (Linux): all processes, the database's too. */
  const cpuTimes = (): { busy: number; total: number } | null => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = fields[3]! + (fields[4] ?? 0);
      const total = fields.reduce((a, b) => a + b, 0);
      return { busy: total - idle, total };
    } catch {
      return null;
    }
  };
  /** CPU time (clock ticks) of every process by pid, with its name, from /proc/<pid>/stat (Linux). */
  const processTimes = (): Map<number, { name: string; ticks: number }> => {
    const out = new Map<number, { name: string; ticks: number }>();
    let pids: string[] = [];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return out;
    }
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(pid), { name, ticks: Number(fields[11]) + Number(fields[12]) }); // utime + stime
      } catch {
        // the process ended while being read
      }
    }
    return out;
  };
  /** Cores used by the worker processes, by PostgreSQL's processes and by everything else (the kernel's I/O threads, Redis, this process). */
  const coresBy = (before: ReturnType<typeof processTimes>, after: ReturnType<typeof processTimes>, workerPids: number[], ms: number) => {
    const sums = { workers: 0, postgres: 0, other: 0 };
    for (const [pid, { name, ticks }] of after) {
      const used = ticks - (before.get(pid)?.ticks ?? 0);
      if (used <= 0) continue;
      if (workerPids.includes(pid)) sums.workers += used;
      else if (name.startsWith('postgres')) sums.postgres += used;
      else sums.other += used;
    }
    // clock ticks are 1/100 s on Linux
    const cores = (ticks: number) => (ticks * 10) / ms;
    return { workers: cores(sums.workers), postgres: cores(sums.postgres), other: cores(sums.other) };
  };
  const busyCores: number[] = [];
  const split = { workers: [] as number[], postgres: [] as number[], other: [] as number[] };
  const settleAll = async (processes: number): Promise<number> => {
    const queueName = `perfpay-bench-${randomUUID()}`;
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PERFPAY_QUEUE_NAME: queueName, PERFPAY_WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' };
    const workers: Child[] = Array.from({ length: processes }, (_, i) => startChild(`worker-${i}`, 'worker', env));
    const runner = createBullMqRunner({ redisUrl, queueName });
    try {
      await Promise.all(workers.map((w) => w.waitForLog((l) => l.msg === 'settlement worker started', 60_000)));
      const runs = [];
      for (const code of codes) runs.push({ code, run: (await requestSettlement({ ...deps, queue: noQueue }, code, period, { force: true })).run });
      const p0 = processTimes();
      const c0 = cpuTimes();
      const t0 = performance.now();
      for (const { code, run } of runs) await runner.enqueue({ runId: run.id, hospital: code, period });
      const ids = runs.map((r) => r.run.id);
      for (;;) {
        const { rows } = await raw.query(`select status, count(*)::int as n from settlement_runs where id = any($1::uuid[]) group by status`, [ids]);
        const done = (rows as { status: string; n: number }[]).find((x) => x.status === 'succeeded')?.n ?? 0;
        if ((rows as { status: string }[]).some((x) => x.status === 'failed')) throw new Error('a bench settlement failed');
        if (done === ids.length) {
          const ms = performance.now() - t0;
          const c1 = cpuTimes();
          if (processes === 1 && c0 && c1) {
            busyCores.push(((c1.busy - c0.busy) / (c1.total - c0.total)) * cpus().length);
            const by = coresBy(
              p0,
              processTimes(),
              workers.map((w) => w.pid),
              ms,
            );
            split.workers.push(by.workers);
            split.postgres.push(by.postgres);
            split.other.push(by.other);
          }
          return ms;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    } finally {
      await runner.close();
      for (const w of workers) w.process.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  };
  try {
    const one: number[] = [];
    const two: number[] = [];
    const ratios: number[] = [];
    await settleAll(1); // warm-up: plans, caches
    for (let r = 0; r < repetitions; r++) {
      const a = await settleAll(1);
      const b = await settleAll(2);
      one.push(a);
      two.push(b);
      ratios.push(a / b);
    }
    console.log(`\n## Worker processes: ${HOSPITALS} hospitals × 2,000 staff, one quarter each (PostgreSQL + Redis, ${repetitions} repetitions)`);
    console.log('| measure | min / median / max |');
    console.log('|---|---|');
    console.log(`| one worker process: all ${HOSPITALS} settled, ms | ${fmt(spread(one), 0)} |`);
    console.log(`| two worker processes: all ${HOSPITALS} settled, ms | ${fmt(spread(two), 0)} |`);
    console.log(`| 4. throughput two / one (target ≥ 1.6×) | ${fmt(spread(ratios), 2)} |`);
    if (busyCores.length > 0) {
      const busy = spread(busyCores);
      console.log(`| cores busy while one worker settles (worker, PostgreSQL, Redis; of ${cpus().length}) | ${fmt(busy, 2)} |`);
      if (split.workers.some((x) => x > 0)) {
        console.log(`| … of which the worker process (its main thread and V8's helper threads) | ${fmt(spread(split.workers), 2)} |`);
        console.log(`| … of which PostgreSQL's processes | ${fmt(spread(split.postgres), 2)} |`);
        console.log(`| … of which everything else (the kernel's I/O threads, Redis, this benchmark) | ${fmt(spread(split.other), 2)} |`);
      }
      console.log(`| the most two workers can gain on this machine: cores ÷ busy cores | ${(cpus().length / busy.median).toFixed(2)}× |`);
    }
  } finally {
    await killAll();
    await raw.end();
    await database.close();
  }
}
