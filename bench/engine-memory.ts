import { simulate } from '../src/core/index.js';
import { plainHospital } from '../test/fixtures/generator.js';

/**
 * Run in a child process by bench/engine.ts: one whole settlement of the benchmark hospital, and
 * nothing else, so the process's peak RSS is the engine's memory for it (with its input and result).
 */
const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
const before = process.memoryUsage();
const result = simulate(doc);
const after = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    lines: result.results.reduce((n, r) => n + r.individuals.length, 0),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapBeforeMb: before.heapUsed / 2 ** 20,
    heapAfterMb: after.heapUsed / 2 ** 20,
  }),
);
