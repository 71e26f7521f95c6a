import { settleYear } from './annual.js';
import type { Dec } from './money.js';
import { settleQuarter, type QuarterOutcome } from './quarterly.js';
import type { PeriodResult, ResultDocument } from './result.js';
import type { ValidatedScenario } from './types.js';
import { validateScenario } from './validate.js';

/**
 * Settles every quarter of a validated scenario in chronological order, carrying each
 * department's bank from one quarter to the next within a year, then the year-end if asked.
 */
export function settleScenario(scenario: ValidatedScenario): ResultDocument {
  const outcomes: QuarterOutcome[] = [];
  let bank: ReadonlyMap<string, Dec> = new Map();
  for (const q of scenario.quarters) {
    const previous = outcomes.at(-1);
    if (!previous || previous.year !== q.year) bank = new Map();
    const outcome = settleQuarter(scenario.hospital, q, bank);
    bank = outcome.bankAfter;
    outcomes.push(outcome);
  }
  const results: PeriodResult[] = outcomes.map((o) => o.result);
  if (scenario.annual) results.push(settleYear(scenario.hospital, scenario.annual, outcomes));
  return { hospital: scenario.hospital.code, results };
}

/** Validate and settle a parsed scenario document: what `perfpay simulate` runs (src/cli.ts, one step after the other). */
export function simulate(doc: unknown): ResultDocument {
  return settleScenario(validateScenario(doc));
}
