import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../src/app.js';
import { settleQuarter, validateScenario } from '../src/core/index.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { importScenario } from '../src/modules/imports/imports.usecases.js';
import { buildScenario, schemeFor } from '../src/modules/inputs/inputs.repository.js';
import { findHospital } from '../src/modules/hospitals/hospitals.repository.js';
import { requestSettlement, settleRun } from '../src/modules/settlements/settlements.usecases.js';
import { SYSTEM_CALLER } from '../src/shared/principal.js';
import { systemClock } from '../src/shared/context.js';
import { plainHospital } from '../test/fixtures/generator.js';
import { fmt, spread, time, timeAsync } from './stats.js';

/**
 * Issue #3's benchmark: one quarter of 200 departments and 10,000 staff, from the job's start to
 * its committed result (the settlement processor: load the inputs, run the engine, write ~10,000
 * result rows and the audit event in one transaction), against the engine's compute alone on the
 * same input (validate + settle), measured in the same run. Target: ≤ 4×.
 */
export async function benchService(repetitions: number): Promise<void> {
  const { database, label, drop } = await openBenchDatabase();
  try {
    const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
    const oneQuarter = { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined };
    const log = createLogger('silent');
    const deps = { db: database.db, clock: systemClock, log, caller: { ...SYSTEM_CALLER, actor: 'bench' } };
    const queue = { kind: 'in-process' as const, enqueue: async () => {}, ping: async () => {}, close: async () => {} };
    const importMs = await timeAsync(() => importScenario(deps, oneQuarter));
    const hospital = (await findHospital(database.db, oneQuarter.hospital.code))!;
    const period = oneQuarter.periods[0]!.period;
    const scheme = await schemeFor(database.db, hospital.id, period);
    const stored = await buildScenario(database.db, hospital, { periods: [period], schemeParameters: scheme?.parameters ?? {} });
    const engine = () => {
      const v = validateScenario(stored);
      return settleQuarter(v.hospital, v.quarters[0]!, new Map());
    };
    engine();
    const engineMs: number[] = [];
    const jobMs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < repetitions + 1; r++) {
      const { run } = await requestSettlement({ ...deps, queue }, hospital.code, period, { force: true });
      const job = await timeAsync(() => settleRun(deps, run.id, { final: true }));
      const compute = time(engine);
      if (r === 0) continue; // warm-up: first query plans and JIT
      jobMs.push(job);
      engineMs.push(compute);
      ratios.push(job / compute);
    }
    console.log(`\n## Service: one quarter of 200 departments / 10,000 staff, job start to committed result (${label}, ${repetitions} repetitions)`);
    console.log(`import of the quarter (10,000 staff and their records) took ${importMs.toFixed(0)} ms`);
    console.log('| measure | min / median / max |');
    console.log('|---|---|');
    console.log(`| engine compute (validate + settle the quarter), ms | ${fmt(spread(engineMs))} |`);
    console.log(`| settlement job (load, compute, store ~10,000 rows + audit in one transaction), ms | ${fmt(spread(jobMs))} |`);
    console.log(`| 2. ratio job / engine (target ≤ 3×; #3 asked ≤ 4×) | ${fmt(spread(ratios), 2)} |`);
  } finally {
    await database.close();
    await drop();
  }
}

async function openBenchDatabase(): Promise<{ database: Database; label: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await openDatabase({ dataDir: 'memory://' }), label: 'PGlite in memory', drop: async () => {} };
  const created = await createBenchDatabase(url);
  return { database: await openDatabase({ url: created.url, dataDir: 'unused' }), label: 'PostgreSQL', drop: created.drop };
}

/** A new, empty database next to DATABASE_URL's, for one benchmark; drop() removes it. */
export async function createBenchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `perfpay_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
