import { benchAssessment } from './assessment.js';
import { benchEngine } from './engine.js';
import { benchCounty } from './county.js';
import { benchService } from './service.js';
import { benchStart } from './start.js';

/**
 * `npm run bench`: every benchmark, each reported as ratios against a baseline measured in the
 * same run. The service benchmark uses PostgreSQL when DATABASE_URL is set, PGlite otherwise; the
 * start benchmark measures the compiled processes (dist/), on PGlite and, with DATABASE_URL, PostgreSQL.
 */
const repetitions = Number.parseInt(process.env.BENCH_REPETITIONS ?? '7', 10);
console.log(`# perfpay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
benchEngine(Math.max(5, repetitions));
benchAssessment(Math.max(5, repetitions));
await benchStart(Math.max(5, repetitions));
await benchService(Math.max(3, Math.min(repetitions, 5)));
await benchCounty(Math.max(3, Math.min(repetitions, 5)));
