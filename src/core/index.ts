export { settleYear } from './annual.js';
export type { AssessmentLineage, DepartmentLineage, LeafLineage, PersonLineage } from './assessment/evaluate.js';
export { EngineError, type EngineErrorCode, type ErrorDetail } from './errors.js';
export { Dec, formatMoney, formatScore, money, split } from './money.js';
export { settleQuarter, type PersonBasis, type QuarterOutcome, type StudyLeaveBasis } from './quarterly.js';
export type { ScoreComponents } from './tier2.js';
export {
  AnnualAssessmentSchema,
  AnnualDepartmentLineSchema,
  AnnualIndividualLineSchema,
  AnnualResultSchema,
  AnnualSummarySchema,
  DisputeFlagSchema,
  PenaltyLinesSchema,
  PeriodResultSchema,
  QuarterlyDepartmentLineSchema,
  QuarterlyIndividualLineSchema,
  QuarterlyAssessmentSchema,
  QuarterlyResultSchema,
  QuarterlySummarySchema,
  ResultDocumentSchema,
} from './result.js';
export type * from './result.js';
export { DEFAULT_SCHEME, mergeScheme } from './scheme.js';
export { ScenarioSchema, type Scenario } from './schema.js';
export { settleScenario, simulate } from './settle.js';
export type { ValidatedScenario } from './types.js';
export { schemaError, validateScenario } from './validate.js';
export {
  annualDepartmentStatement,
  AnnualDepartmentStatementSchema,
  annualPersonStatement,
  AnnualPersonStatementSchema,
  conservation,
  departmentStatement,
  DepartmentStatementSchema,
  perCapitaPay,
  personStatement,
  PersonStatementSchema,
  ReasonSchema,
  StatementItemSchema,
  tier2PointValue,
  tier2PointValues,
  type AnnualDepartmentStatement,
  type AnnualPersonStatement,
  type DepartmentStatement,
  type YearOutcome,
  type PersonStatement,
  type ReasonCode,
  type StatementItem,
  type StatementReason,
} from './statements.js';
