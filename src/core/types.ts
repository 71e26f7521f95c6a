import type { AssessmentLineage } from './assessment/evaluate.js';
import type { Dec } from './money.js';
import type { AnnualAssessment, QuarterlyAssessment } from './result.js';
import type { Scheme } from './scheme.js';
import type { AdminClass, DepartmentType, DisputeClassification, Employment, Position, Role, TitleGrade } from './schema.js';

/**
 * The validated hospital the engine computes on: every decimal a Decimal, every list sorted by
 * code / id, every reference checked. `path` fields point back into the scenario document so
 * that a run-time error can still name the record and field.
 */
export interface Department {
  code: string;
  name: string;
  kind: 'clinical' | 'admin';
  adminClass: AdminClass | null;
  riskCoefficient: Dec;
}

export interface Staff {
  id: string;
  name: string;
  department: string;
  titleGrade: TitleGrade;
  position: Position | null;
  employment: Employment;
  role: Role;
  licensed: boolean;
  payRatioOverride: Dec | null;
}

export interface WorkloadIndicator {
  actual: Dec;
  base: Dec;
  weight: Dec | null;
}

export interface Fee {
  actual: Dec;
  target: Dec;
}

export interface ClinicalInputs {
  kind: 'clinical';
  path: string;
  workload: WorkloadIndicator[];
  qualityDeductions: { medical: Dec; nursing: Dec; infectionControl: Dec };
  ethicsDeductions: Dec;
  medicalRevenue: Dec | null;
  drugRevenue: Dec;
  totalCost: Dec | null;
  variableCost: Dec | null;
  costQuotaRatio: Dec | null;
  outpatientFee: Fee | null;
  inpatientFee: Fee | null;
  drugRatioTarget: Dec | null;
  inventoryLoss: Dec;
}

export interface AdminInputs {
  kind: 'admin';
  path: string;
  adminDeductions: Dec;
  ethicsDeductions: Dec;
  inventoryLoss: Dec;
}

export type DepartmentInputs = ClinicalInputs | AdminInputs;

export interface IndividualInputs {
  workloadScore: Dec;
  errors: number;
  accident: boolean;
  ethicsDeduction: Dec;
  ethicsZero: boolean;
  lateOver5: number;
  lateOver30: number;
  absentHalfDays: number;
  absentFullDays: number;
  requiredDays: number;
  absentDays: number;
  overtimeDays: number;
  cmeCredits: Dec | null;
  refusedTraining: boolean;
  studyLeaveMonths: Dec;
  department: string | null;
  managerAssessmentPassed: boolean;
  fines: Dec;
}

export interface QuarterInputs {
  period: string;
  year: number;
  quarter: number;
  path: string;
  revenue: Dec;
  workingDays: number;
  adjustment: Dec;
  departments: Map<string, DepartmentInputs>;
  /** Only the staff who have a record; the others take every default (§2). */
  individuals: Map<string, IndividualInputs>;
  /** Dispute liabilities booked in this quarter, by person; null when the scenario has no disputes. */
  disputeFines: Map<string, Dec> | null;
  /** The same by dispute: each person's liability of each dispute booked in this quarter. */
  disputeItems: Map<string, { disputeId: string; amount: Dec }[]>;
  /** Staff suspended (暂停执业) in this quarter, with the dispute that suspended them: their effective score is 0. */
  suspended: Map<string, Suspension>;
  /**
   * Eligible staff without an individual record whose assessment derives inputs other than the
   * defaults (assessment.md §3): they are settled on these, and still warned about as without a record.
   */
  derivedDefaults: Map<string, IndividualInputs>;
  /** The quarter's assessment block and where its figures came from; null without an assessment. */
  assessment: { block: QuarterlyAssessment; lineage: AssessmentLineage } | null;
}

export interface DisputeParty {
  department: string;
  share: Dec;
  departmentType: DepartmentType;
  responsible: string;
  teamLead: string | null;
  departmentHead: string;
}

export interface Dispute {
  id: string;
  bookedIn: string;
  year: number;
  quarter: number;
  compensation: Dec;
  classification: DisputeClassification;
  parties: DisputeParty[];
  path: string;
}

/** Why a person is suspended: the dispute (the second avoidable or grade-1 of the year) and the quarter it was booked in. */
export interface Suspension {
  disputeId: string;
  bookedIn: string;
}

export type DisputeFlagName = 'no_awards' | 'grade_basic_pass' | 'grade_fail' | 'suspended' | 'demerit' | 'focused_monitoring';
export type DisputeFlag = ({ staffId: string } | { department: string }) & { flag: DisputeFlagName; disputeId: string };

export interface RiskInputs {
  openBeds: number | null;
  emergency: boolean;
  benefitGrowth: Dec | null;
}

export interface AnnualInputs {
  year: number;
  path: string;
  adjustment: Dec;
  assessmentFactors: Map<string, Dec>;
  failedStaff: Set<string>;
  /** Risk-award inputs by department; null when no annual department has any. */
  riskInputs: Map<string, RiskInputs> | null;
  /** The year's dispute flags (sorted) when the scenario has disputes, else null. */
  flags: DisputeFlag[] | null;
  /** Departments a dispute with compensation > 0 booked in the year names (no risk award). */
  disputeDepartments: Set<string>;
  /** The year-end's assessment block and where its figures came from; null without an assessment. */
  assessment: { block: AnnualAssessment; lineage: AssessmentLineage } | null;
}

export interface Hospital {
  code: string;
  name: string;
  scheme: Scheme;
  /** Sorted by code. */
  departments: Department[];
  /** Sorted by id. */
  staff: Staff[];
}

export interface ValidatedScenario {
  hospital: Hospital;
  /** In chronological order. */
  quarters: QuarterInputs[];
  annual: AnnualInputs | null;
  /** In processing order: (bookedIn, id). */
  disputes: Dispute[];
}
