import { simulate } from '../src/core/index.js';
import { withAssessment, withDerivedInputs } from '../test/fixtures/assessment.js';
import { plainHospital } from '../test/fixtures/generator.js';
import { fmt, spread, time } from './stats.js';

/**
 * Issue #17's benchmark: the engine's whole year (four quarters and the year-end) of a
 * 200-department hospital assessed on a 40-leaf scorecard with 12 months of values and 5,000
 * defects, against the same year of the same hospital with the derived inputs given directly
 * instead, measured alternately in the same run. Target: ≤ 1.25×.
 */
/** Runs of each side in a repetition, alternating; the repetition keeps each side's fastest. */
const RUNS_PER_REPETITION = 3;

/** A full collection when the bench runs with --expose-gc (npm run bench does). */
const collect = () => (globalThis as { gc?: () => void }).gc?.();

export function benchAssessment(repetitions: number): void {
  const plain = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
  const assessed = withAssessment(plain, { leaves: 40, departmentDefects: 2_500, personalDefects: 2_500, seed: 17 });
  const assessedResult = simulate(assessed);
  const direct = withDerivedInputs(assessed, assessedResult);
  const directResult = simulate(direct);
  // the two must settle the same money, or the comparison measures different work
  const paid = (doc: typeof assessedResult) => doc.results.map((r) => r.summary.paidTotal).join(' ');
  if (paid(assessedResult) !== paid(directResult)) throw new Error(`the assessed and direct years differ: ${paid(assessedResult)} vs ${paid(directResult)}`);
  const a = assessed.assessment!;
  // warm-up: JIT of the assessment's code paths is not the engine's cost
  for (let r = 0; r < 2; r++) {
    simulate(direct);
    simulate(assessed);
  }
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    // a repetition runs each side RUNS_PER_REPETITION times, alternately, and keeps each side's
    // fastest: this machine's noise (other tenants, frequency) only ever adds time, and a burst of
    // it lasting one run would otherwise decide a repetition's ratio
    let without = Number.POSITIVE_INFINITY;
    let withIt = Number.POSITIVE_INFINITY;
    for (let k = 0; k < RUNS_PER_REPETITION; k++) {
      // each side starts from a collected heap, so neither pays for the other's garbage
      collect();
      without = Math.min(
        without,
        time(() => simulate(direct)),
      );
      collect();
      withIt = Math.min(
        withIt,
        time(() => simulate(assessed)),
      );
    }
    withoutMs.push(without);
    withMs.push(withIt);
    ratios.push(withIt / without);
  }
  console.log(
    `\n## Assessment: 200 departments, 10,000 staff, a ${40}-leaf scorecard, 4 quarters + year-end (${repetitions} repetitions, each the fastest of ${RUNS_PER_REPETITION} alternating runs per side)`,
  );
  console.log(`values: ${a.values!.length}; defects: ${a.departmentDefects!.length + a.personalDefects!.length}`);
  console.log('| measure | min / median / max |');
  console.log('|---|---|');
  console.log(`| engine, whole year, derived inputs given directly, ms | ${fmt(spread(withoutMs))} |`);
  console.log(`| engine, whole year, with the assessment, ms | ${fmt(spread(withMs))} |`);
  console.log(`| ratio with / without (target ≤ 1.25×) | ${fmt(spread(ratios), 3)} |`);
}
