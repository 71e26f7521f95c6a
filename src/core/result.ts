/** The result document (contract.md §2): money as 2-decimal strings, scores as 6-decimal strings. */

export interface PenaltyLines {
  costQuota: string;
  outpatientFee: string;
  inpatientFee: string;
  drugRatio: string;
  inventoryLoss: string;
}

export interface QuarterlyDepartmentLine {
  code: string;
  name: string;
  kind: 'clinical' | 'admin';
  headcount: number;
  score: string;
  riskCoefficient: string;
  gross: string;
  penalties: PenaltyLines;
  penaltyTotal: string;
  net: string;
  cap: string | null;
  bankDeposit: string;
  bankDraw: string;
  floorSubsidy: string;
  final: string;
  bankBalanceAfter: string;
  workloadScore?: string;
  qualityScore?: string;
  ethicsScore?: string;
  costCoefficient?: string | null;
  basePerCapita?: string;
}

export interface QuarterlyIndividualLine {
  staffId: string;
  name: string;
  department: string;
  rawScore: string;
  attendanceDeduction: string;
  overtimeAddition: string;
  payRatio: string;
  effectiveScore: string;
  tier2Pay: string;
  leaderBonus: string;
  studyLeavePay: string;
  finesApplied: string;
  total: string;
  /** The dispute liabilities in this quarter's fines (disputes-and-awards.md §3), with disputes. */
  disputeFines?: string;
}

export interface QuarterlySummary {
  revenue: string;
  pool: string;
  reserve: string;
  adjustment: string;
  distributable: string;
  averageBonus: string;
  leaderBonusTotal: string;
  tier1Pool: string;
  totalScore: string;
  pointValue: string;
  penaltiesRetained: string;
  averageNetPerCapita: string;
  bankDeposits: string;
  bankDraws: string;
  floorSubsidies: string;
  departmentsFinal: string;
  tier2Total: string;
  studyLeavePay: string;
  finesRetained: string;
  unallocated: string;
  paidTotal: string;
  headcount: number;
}

export interface QuarterlyResult {
  period: string;
  kind: 'quarterly';
  summary: QuarterlySummary;
  departments: QuarterlyDepartmentLine[];
  individuals: QuarterlyIndividualLine[];
  warnings: string[];
}

export interface AnnualResult {
  period: string;
  kind: 'annual';
  summary: { fund: string; unallocated: string; bankExpired: string; paidTotal: string; riskAwardTotal?: string };
  departments: { code: string; name: string; score: string; amount: string; bankExpired: string; riskAward?: string }[];
  individuals: { staffId: string; name: string; department: string; weight: string; amount: string; riskAward?: string }[];
  warnings: string[];
  /** The year's dispute flags (disputes-and-awards.md §4), with disputes. */
  flags?: ({ staffId: string } | { department: string } & Record<string, unknown>)[];
}

export type PeriodResult = QuarterlyResult | AnnualResult;

export interface ResultDocument {
  hospital: string;
  results: PeriodResult[];
}
