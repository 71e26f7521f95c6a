import { Dec } from './money.js';
import type { Grade, Position, SchemeOverridesInput, TitleGrade } from './schema.js';

/** The scheme parameters with the defaults of contract.md §1 (allocation-rules.md's figures). */
export const DEFAULT_SCHEME = {
  poolRate: '0.09',
  reserveRate: '0.03',
  clinicalBasePoints: { workload: '50', quality: '30', ethics: '20' },
  qualityShares: { medical: '0.5', nursing: '0.3', infectionControl: '0.2' },
  workloadRatioCap: null as string | null,
  costCoefficientBounds: null as { min: string; max: string } | null,
  adminBaseTopN: { leadership: 1, coreAdmin: 3 },
  feePenaltyPerPoint: '0.05',
  drugPenaltyPerPoint: '0.05',
  costQuotaPenaltyRate: '1',
  inventoryLossMultiplier: '2',
  capMultiple: '2',
  floorPerCapita: '600.00',
  titleScores: {
    chief: '55',
    associate_chief: '50',
    attending: '45',
    resident: '40',
    assistant: '35',
    technician: '30',
    worker: '25',
  } as Record<string, string>,
  positions: {
    hospital_leader: { points: '5', bonusRate: '0.35' },
    key_director: { points: '4', bonusRate: '0.30' },
    clinical_director: { points: '3', bonusRate: '0.25' },
    functional_director: { points: '2', bonusRate: '0.20' },
    functional_deputy: { points: '1', bonusRate: '0.15' },
  } as Record<string, { points: string; bonusRate: string }>,
  individualBase: { workload: '40', quality: '10', ethics: '10', discipline: '10' },
  errorPenalty: '2',
  disciplinePenalties: { lateOver5: '1', lateOver30: '2', absentHalfDay: '5' },
  cme: { quarter: 4, minCredits: '20', penalty: '10' },
  refusedTrainingPenalty: '10',
  unlicensedPenalty: '10',
  overtimeFactor: '1',
  payRatios: {
    regular: { '*': '1' },
    temporary: {
      worker: '0.15',
      technician: '0.20',
      assistant: '0.25',
      resident: '0.30',
      attending: '0.30',
      associate_chief: '0.30',
      chief: '0.30',
    },
    contract: {
      worker: '0.50',
      technician: '0.50',
      assistant: '0.50',
      resident: '0.60',
      attending: '1',
      associate_chief: '1',
      chief: '1',
    },
  } as Record<string, Record<string, string>>,
  studyLeave: [
    { maxMonths: '1', rate: '1' },
    { maxMonths: '3', rate: '0.60' },
    { maxMonths: '6', rate: '0.50' },
    { maxMonths: '12', rate: '0.30' },
    { maxMonths: null, rate: '0' },
  ] as { maxMonths: string | null; rate: string }[],
  disputes: {
    defectSegments: [
      { upTo: '10000', rate: '0.15' },
      { upTo: '20000', rate: '0.10' },
      { upTo: '50000', rate: '0.05' },
      { upTo: '100000', rate: '0.03' },
      { upTo: null, rate: '0.01' },
    ] as { upTo: string | null; rate: string }[],
    avoidableSegments: [
      { upTo: '20000', rate: '0.20' },
      { upTo: '50000', rate: '0.10' },
      { upTo: '100000', rate: '0.05' },
      { upTo: null, rate: '0.01' },
    ] as { upTo: string | null; rate: string }[],
    shares: { bed: { responsible: '0.65', teamLead: '0.25' }, non_bed: { responsible: '0.85' }, nursing: { responsible: '0.85' } },
    defectFlags: { noAwardsAbove: '10000', basicPassAbove: '50000', failAbove: '100000' },
    avoidableFlags: { noAwardsAbove: '20000', basicPassAbove: '50000', failAbove: '100000' },
    demeritAtLeast: '500000',
    focusedMonitoringAtLeast: '50000',
  },
  assessment: {
    departmentGrades: [
      { grade: 'pass', min: '85' },
      { grade: 'basic_pass', min: '60' },
      { grade: 'fail', min: '0' },
    ] as { grade: Grade; min: string }[],
    directorGrades: [
      { grade: 'pass', min: '75' },
      { grade: 'basic_pass', min: '60' },
      { grade: 'fail', min: '0' },
    ] as { grade: Grade; min: string }[],
    personalGrades: [
      { grade: 'pass', min: '85' },
      { grade: 'basic_pass', min: '60' },
      { grade: 'fail', min: '0' },
    ] as { grade: Grade; min: string }[],
    personalBase: '100',
    annualDemerits: { basic_pass: 1, fail: 2 },
    annualFailAt: 3,
    annualBasicPassAt: 2,
    ethicsGrades: { good: '15', fair: '30' },
  },
  riskAward: {
    minOpenBeds: 10,
    tiers: [
      { growth: '0.05', amount: '3000.00' },
      { growth: '0.10', amount: '6000.00' },
      { growth: '0.15', amount: '9000.00' },
      { growth: '0.20', amount: '12000.00' },
    ] as { growth: string; amount: string }[],
  },
};

export type SchemeParameters = typeof DEFAULT_SCHEME;

/** Deep merge: objects key by key, anything else (arrays, null, strings) replaces. */
export function mergeScheme(overrides: SchemeOverridesInput | undefined): SchemeParameters {
  return deepMerge(DEFAULT_SCHEME, overrides ?? {}) as SchemeParameters;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export interface StudyLeaveBand {
  maxMonths: Dec | null;
  rate: Dec;
}

/** The scheme with every parameter as a Decimal, ready for the engine. */
export interface Scheme {
  poolRate: Dec;
  reserveRate: Dec;
  clinicalBasePoints: { workload: Dec; quality: Dec; ethics: Dec };
  qualityShares: { medical: Dec; nursing: Dec; infectionControl: Dec };
  workloadRatioCap: Dec | null;
  costCoefficientBounds: { min: Dec; max: Dec } | null;
  adminBaseTopN: { leadership: number; coreAdmin: number };
  feePenaltyPerPoint: Dec;
  drugPenaltyPerPoint: Dec;
  costQuotaPenaltyRate: Dec;
  inventoryLossMultiplier: Dec;
  capMultiple: Dec;
  floorPerCapita: Dec;
  titleScores: Record<TitleGrade, Dec>;
  positions: Record<Position, { points: Dec; bonusRate: Dec }>;
  individualBase: { workload: Dec; quality: Dec; ethics: Dec; discipline: Dec };
  errorPenalty: Dec;
  disciplinePenalties: { lateOver5: Dec; lateOver30: Dec; absentHalfDay: Dec };
  cme: { quarter: number; minCredits: Dec; penalty: Dec };
  refusedTrainingPenalty: Dec;
  unlicensedPenalty: Dec;
  overtimeFactor: Dec;
  payRatios: Record<string, Record<string, Dec>>;
  studyLeave: StudyLeaveBand[];
  disputes: {
    defectSegments: { upTo: Dec | null; rate: Dec }[];
    avoidableSegments: { upTo: Dec | null; rate: Dec }[];
    shares: { bed: { responsible: Dec; teamLead: Dec }; non_bed: { responsible: Dec }; nursing: { responsible: Dec } };
    defectFlags: FlagThresholds;
    avoidableFlags: FlagThresholds;
    demeritAtLeast: Dec;
    focusedMonitoringAtLeast: Dec;
  };
  riskAward: { minOpenBeds: number; tiers: { growth: Dec; amount: Dec }[] };
  assessment: AssessmentParameters;
}

export interface GradeBand {
  grade: Grade;
  min: Dec;
}

/** assessment.md's parameters: grade bands (descending min, the last 0), the personal base, the year's rules. */
export interface AssessmentParameters {
  departmentGrades: GradeBand[];
  directorGrades: GradeBand[];
  personalGrades: GradeBand[];
  personalBase: Dec;
  annualDemerits: { basic_pass: number; fail: number };
  annualFailAt: number;
  annualBasicPassAt: number;
  ethicsGrades: { good: Dec; fair: Dec };
}

export interface FlagThresholds {
  noAwardsAbove: Dec;
  basicPassAbove: Dec;
  failAbove: Dec;
}

/** Turns every decimal string of merged parameters into a Decimal (counts stay integers). */
export function toScheme(p: SchemeParameters): Scheme {
  return decimalize(p) as Scheme;
}

/** The parameters whose strings are words (grade names), not decimals. */
const WORD_KEYS = new Set(['grade']);

function decimalize(x: unknown): unknown {
  if (typeof x === 'string') return new Dec(x);
  if (Array.isArray(x)) return x.map(decimalize);
  if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, WORD_KEYS.has(k) ? v : decimalize(v)]));
  return x;
}
