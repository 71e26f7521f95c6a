import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from '../src/core/index.js';
import { plainHospital } from '../test/fixtures/generator.js';
import { createBenchDatabase } from './service.js';
import { fmt, spread, time } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = join(ROOT, 'bench', 'tmp', 'start');
const NODE = process.execPath;
const TIME = '/usr/bin/time';

/**
 * Issue #16's benchmarks: whole processes as a user starts them, each against a baseline measured
 * in the same run, interleaved repetition by repetition:
 *  1. `perfpay simulate` on the worked example ÷ bare `node -e 0` (target ≤ 2.5×);
 *  2. `perfpay simulate` on 200 departments / 10,000 staff / four quarters + year-end ÷ the
 *     engine's compute of the same document in this process (≤ 2×), and its peak RSS (≤ 200 MB);
 *     then the same command with --timings, step by step, and the engine's first run in that new
 *     process (validate + settle, nothing read, parsed or written) ÷ the same warm compute: a
 *     floor under figure 2's ratio that no saving outside the engine can lower;
 *  3. `npm start` (node bin/start.mjs) on an existing embedded database, spawn to the first 200
 *     on /health ÷ PGlite alone opening the same data directory and answering `select 1`
 *     (≤ 1.5×); with DATABASE_URL, the same on PostgreSQL ÷ a bare pg connect + `select 1` +
 *     Fastify listen.
 * The compiled dist/ is built first when stale (the bin and npm start would build it anyway, but
 * not inside the measurement).
 */
export async function benchStart(repetitions: number): Promise<void> {
  await run(NODE, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale', '--quiet']);
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  try {
    await figureCli(repetitions);
    await figureLargeCli(repetitions);
    await figureServicePglite(repetitions);
    await figureServicePostgres(repetitions);
  } finally {
    rmSync(TMP, { recursive: true, force: true });
  }
}

async function figureCli(repetitions: number): Promise<void> {
  const example = join(ROOT, 'examples', 'worked-example.scenario.json');
  const bare: number[] = [];
  const cli: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r <= repetitions; r++) {
    const b = (await run(NODE, ['-e', '0'])).ms;
    const c = (await run(NODE, [join(ROOT, 'bin', 'perfpay.mjs'), 'simulate', example])).ms;
    if (r === 0) continue; // warm-up: the file system cache
    bare.push(b);
    cli.push(c);
    ratios.push(c / b);
  }
  console.log(`\n## Start (issue #16): whole processes against baselines in the same run (${repetitions} repetitions)`);
  console.log('| measure | min / median / max |');
  console.log('|---|---|');
  console.log(`| bare \`node -e 0\`, ms | ${fmt(spread(bare))} |`);
  console.log(`| \`perfpay simulate\` on the worked example, whole process, ms | ${fmt(spread(cli))} |`);
  console.log(`| 1. ratio perfpay simulate (worked example) / node -e 0 (target ≤ 2.5×) | ${fmt(spread(ratios), 2)} |`);
}

async function figureLargeCli(repetitions: number): Promise<void> {
  const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
  const file = join(TMP, 'hospital-200x10000.json');
  writeFileSync(file, JSON.stringify(doc));
  simulate(doc); // warm-up: JIT and module initialisation are not the engine's cost
  const engine: number[] = [];
  const whole: number[] = [];
  const ratios: number[] = [];
  const peaks: number[] = [];
  const steps: Record<string, number>[] = [];
  const firstRatios: number[] = [];
  for (let r = 0; r <= repetitions; r++) {
    const e = time(() => simulate(doc));
    const p = await run(NODE, [join(ROOT, 'bin', 'perfpay.mjs'), 'simulate', file], { peak: true });
    // the same command with --timings, apart: where its time goes, step by step
    const t = await run(NODE, [join(ROOT, 'bin', 'perfpay.mjs'), 'simulate', '--timings', file], { stderr: true });
    if (r === 0) continue;
    engine.push(e);
    whole.push(p.ms);
    ratios.push(p.ms / e);
    peaks.push(p.peakMb);
    const { timingsMs } = JSON.parse(t.stderr.trim().split('\n').at(-1)!) as { timingsMs: Record<string, number> };
    steps.push({ ...timingsMs, exit: t.ms - Object.values(timingsMs).reduce((a, b) => a + b, 0) });
    firstRatios.push((timingsMs.validate! + timingsMs.settle!) / e);
  }
  const step = (name: string) => fmt(spread(steps.map((s) => s[name]!)));
  console.log(`| engine compute in process (simulate) of 200 departments / 10,000 staff / 4 quarters + year-end, ms | ${fmt(spread(engine))} |`);
  console.log(`| \`perfpay simulate\` on it, whole process (read, validate, settle, write 20 MB to a pipe), ms | ${fmt(spread(whole))} |`);
  console.log(`| 2. ratio perfpay simulate (200 × 10,000) / engine compute (target ≤ 2×) | ${fmt(spread(ratios), 2)} |`);
  console.log(`| 2. peak RSS of that process, MB (target ≤ 200) | ${fmt(spread(peaks), 0)} |`);
  console.log(`| \`perfpay simulate --timings\` on it, step by step, ms: Node and the bundle, until the command line runs | ${step('start')} |`);
  console.log(`| … read the file | ${step('read')} |`);
  console.log(`| … parse it | ${step('parse')} |`);
  console.log(`| … validate (the engine's first run in a new process) | ${step('validate')} |`);
  console.log(`| … settle (the engine's first run in a new process) | ${step('settle')} |`);
  console.log(`| … write the result | ${step('write')} |`);
  console.log(`| … the process's end after it | ${step('exit')} |`);
  console.log(`| 2. floor: the engine's first run in a new process (validate + settle) / engine compute in process, warm | ${fmt(spread(firstRatios), 2)} |`);
}

async function figureServicePglite(repetitions: number): Promise<void> {
  const dataDir = join(TMP, 'pglite');
  // made once, by the service itself (initdb and the migrations): "an existing embedded database",
  // which has also written its code cache (bin/code-cache.mjs), as any service that ran 2 s has
  await stop(await startService({ PERFPAY_DATA_DIR: dataDir }));
  const alone = `import { PGlite } from '@electric-sql/pglite'; const db = new PGlite(${JSON.stringify(dataDir)}); await db.query('select 1'); process.stdout.write('ready\\n'); await db.close();`;
  const base: number[] = [];
  const service: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r <= repetitions; r++) {
    const b = await untilReady(NODE, ['--input-type=module', '-e', alone]);
    const started = await startService({ PERFPAY_DATA_DIR: dataDir });
    await stop(started);
    if (r === 0) continue;
    base.push(b);
    service.push(started.ms);
    ratios.push(started.ms / b);
  }
  console.log(`| PGlite alone: open the existing data directory and answer \`select 1\`, from spawn, ms | ${fmt(spread(base))} |`);
  console.log(`| \`npm start\` on that embedded database, spawn to the first 200 on /health, ms | ${fmt(spread(service))} |`);
  console.log(`| 3. ratio npm start (PGlite) / PGlite alone (target ≤ 1.5×) | ${fmt(spread(ratios), 2)} |`);
}

async function figureServicePostgres(repetitions: number): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('| 3. npm start on PostgreSQL | skipped: set DATABASE_URL |');
    return;
  }
  const created = await createBenchDatabase(url);
  try {
    await stop(await startService({ DATABASE_URL: created.url }));
    const bare = `import pg from 'pg'; import Fastify from 'fastify'; const c = new pg.Client({ connectionString: ${JSON.stringify(created.url)} }); await c.connect(); await c.query('select 1'); const app = Fastify(); await app.listen({ port: 0, host: '127.0.0.1' }); process.stdout.write('ready\\n'); await c.end(); await app.close();`;
    const base: number[] = [];
    const service: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r <= repetitions; r++) {
      const b = await untilReady(NODE, ['--input-type=module', '-e', bare]);
      const started = await startService({ DATABASE_URL: created.url });
      await stop(started);
      if (r === 0) continue;
      base.push(b);
      service.push(started.ms);
      ratios.push(started.ms / b);
    }
    console.log(`| bare pg connect + \`select 1\` + Fastify listen, from spawn, ms | ${fmt(spread(base))} |`);
    console.log(`| \`npm start\` on PostgreSQL (migrated), spawn to the first 200 on /health, ms | ${fmt(spread(service))} |`);
    console.log(`| 3. ratio npm start (PostgreSQL) / bare pg + Fastify | ${fmt(spread(ratios), 2)} |`);
  } finally {
    await created.drop();
  }
}

// ------------------------------------------------------------------------------------------------

/** Runs a process to its end, its output read and dropped (as a pipe to a reader would); wall time, peak RSS and its stderr when asked. */
function run(command: string, args: string[], options: { peak?: boolean; stderr?: boolean } = {}): Promise<{ ms: number; peakMb: number; stderr: string }> {
  const report = join(TMP, 'time.txt');
  // GNU time reports the child's peak RSS exactly; without it, /proc is sampled while it runs
  const timed = options.peak && existsSync(TIME);
  const started = process.hrtime.bigint();
  const stdio = ['ignore', 'pipe', options.stderr ? 'pipe' : 'inherit'] as const;
  const child = timed ? spawn(TIME, ['-f', '%M', '-o', report, command, ...args], { stdio: [...stdio] }) : spawn(command, args, { stdio: [...stdio] });
  child.stdout!.resume();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let sampledKb = 0;
  const sampler =
    options.peak && !timed
      ? setInterval(() => {
          const m = /VmHWM:\s+(\d+)/.exec(readProc(child.pid));
          if (m) sampledKb = Math.max(sampledKb, Number(m[1]));
        }, 10)
      : undefined;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
      const kb = timed ? Number(readFileSync(report, 'utf8').trim().split('\n').at(-1)) : sampledKb;
      resolve({ ms, peakMb: kb / 1024, stderr });
    });
  });
}

function readProc(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

/** ms from spawn until the process writes "ready" on stdout; then it is left to end by itself. */
function untilReady(command: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let ms = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (!ms && d.toString().includes('ready')) ms = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && ms ? resolve(ms) : reject(new Error(`baseline exited ${code} before it was ready`))));
  });
}

interface Started {
  ms: number;
  child: ReturnType<typeof spawn>;
}

/**
 * `npm start` as a user runs it (node bin/start.mjs, without Redis: the queue in process), timed
 * from spawn to the first 200 on /health: asked once the service logs that it listens, and again
 * every 5 ms until it answers 200.
 */
async function startService(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const { REDIS_URL: _redis, DATABASE_URL: _database, ...inherited } = process.env;
  const started = process.hrtime.bigint();
  const child = spawn(NODE, [join(ROOT, 'bin', 'start.mjs')], {
    cwd: ROOT,
    env: { ...inherited, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', PERFPAY_BOOTSTRAP_ADMIN_TOKEN: 'bench-start-token-0123456789' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let listening = false;
  let failed: Error | null = null;
  child.stdout.on('data', (d: Buffer) => {
    if (d.toString().includes('perfpay listening')) listening = true;
  });
  child.on('exit', (code) => {
    failed = new Error(`npm start exited ${code} before /health answered`);
  });
  for (;;) {
    if (failed) throw failed;
    if (listening) {
      const status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return { ms: Number(process.hrtime.bigint() - started) / 1e6, child };
    }
    await new Promise((r) => setTimeout(r, listening ? 5 : 2));
  }
}

async function stop(started: Started): Promise<void> {
  const exited = new Promise((r) => started.child.on('exit', r));
  started.child.kill('SIGTERM');
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
