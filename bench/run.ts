import { benchAssessment } from './assessment.js';
import { benchCounty } from './county.js';
import { benchEngine } from './engine.js';
import { benchService } from './service.js';
import { benchStart } from './start.js';

/**
 * `npm run bench`: every benchmark, each reported as ratios against a baseline measured in the
 * same run. The service benchmark uses PostgreSQL when DATABASE_URL is set, PGlite otherwise; the
 * start benchmark measures the compiled processes (dist/), on PGlite and, with DATABASE_URL, PostgreSQL.
 * `BENCH_ONLY=start,assessment npm run bench` runs just the named ones (engine, assessment,
 * start, service, county) — each still against its own baseline in the same run.
 */
const repetitions = Number.parseInt(process.env.BENCH_REPETITIONS ?? '7', 10);
const benches = {
  engine: () => benchEngine(Math.max(5, repetitions)),
  assessment: () => benchAssessment(Math.max(5, repetitions)),
  start: () => benchStart(Math.max(5, repetitions)),
  service: () => benchService(Math.max(3, Math.min(repetitions, 5))),
  county: () => benchCounty(Math.max(3, Math.min(repetitions, 5))),
} as const;
type BenchName = keyof typeof benches;
const isBench = (name: string): name is BenchName => Object.hasOwn(benches, name);
const asked = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = asked.filter((name) => !isBench(name));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
const chosen = asked.length > 0 ? asked.filter(isBench) : (Object.keys(benches) as BenchName[]);
console.log(`# perfpay benchmarks — node ${process.version}, ${new Date().toISOString()}${asked.length > 0 ? ` (only: ${chosen.join(', ')})` : ''}`);
for (const name of chosen) await benches[name]();
