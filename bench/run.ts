import { benchEngine } from './engine.js';

/** `npm run bench`: every benchmark, each reported as ratios against a baseline measured in the same run. */
const repetitions = Number.parseInt(process.env.BENCH_REPETITIONS ?? '7', 10);
console.log(`# perfpay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
benchEngine(Math.max(5, repetitions));
