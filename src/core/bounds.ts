import { Dec } from './money.js';

/**
 * The bounds of what the engine accepts beyond the format, and of what a result may hold, in
 * one place (issue #13, items 20 and 28). A value outside them is nothing a hospital scheme
 * means, and one the service could not store: results go into numeric(20,2) money columns
 * (|amount| < 10^18) and numeric(40,6) score columns (< 10^34).
 *
 * | what | bound | why |
 * |---|---|---|
 * | money inputs (revenue, adjustments, revenues and costs, inventory loss, fines, compensation, floorPerCapita, risk-award amounts) | at most 15 digits before the point (< 10^15 yuan) | a county hospital's year is ~10^9; 10^15 leaves every sum and product of §3 far below the store's 10^18 |
 * | scheme rates and shares: poolRate, reserveRate, qualityShares, fee and drug penalties per point, position bonus rates, pay ratios, study-leave rates, dispute segment rates and shares | ≤ 1 | a share of something can't exceed the whole |
 * | reserveRate | ≤ poolRate | the reserve is taken out of the pool |
 * | multipliers: capMultiple, costQuotaPenaltyRate, inventoryLossMultiplier, overtimeFactor | ≤ 10 | the source's are 1 and 2; ten times the whole is no scheme's |
 * | a staff member's payRatioOverride | ≤ 1 | as the scheme's pay ratios |
 * | result money | < 10^18 | numeric(20,2) |
 * | result scores, points, coefficients | < 10^33 | numeric(40,6), with a digit to spare |
 */
export const MONEY_INTEGER_DIGITS = 15;

export interface SchemeBound {
  /** The parameter, as a path in the scheme: `*` stands for every key of an object or index of a list. */
  path: string;
  max: Dec;
  /** What kind of parameter it is, for the message. */
  kind: 'rate' | 'multiplier';
}

const RATE = new Dec(1);
const MULTIPLIER = new Dec(10);
const rate = (path: string): SchemeBound => ({ path, max: RATE, kind: 'rate' });
const multiplier = (path: string): SchemeBound => ({ path, max: MULTIPLIER, kind: 'multiplier' });

export const SCHEME_BOUNDS: readonly SchemeBound[] = [
  rate('poolRate'),
  rate('reserveRate'),
  rate('qualityShares.*'),
  rate('feePenaltyPerPoint'),
  rate('drugPenaltyPerPoint'),
  rate('positions.*.bonusRate'),
  rate('payRatios.*.*'),
  rate('studyLeave.*.rate'),
  rate('disputes.defectSegments.*.rate'),
  rate('disputes.avoidableSegments.*.rate'),
  rate('disputes.shares.*.*'),
  multiplier('capMultiple'),
  multiplier('costQuotaPenaltyRate'),
  multiplier('inventoryLossMultiplier'),
  multiplier('overtimeFactor'),
];

export const PAY_RATIO_OVERRIDE_MAX = RATE;

/** Digits before the point that a result may not reach: money ≥ 10^18, scores ≥ 10^33. */
export const STORABLE_INTEGER_DIGITS = { money: 18, score: 33 } as const;
