import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The result document (contract.md §2) as JSON Schema, with the types the engine builds it with.
 * The service builds its response schemas from these, so every field is described: money as
 * 2-decimal strings, scores, coefficients and averages as 6-decimal strings (allocation-rules §1).
 */

export const Money = (description: string) => Type.String({ pattern: '^-?[0-9]+\\.[0-9]{2}$', description: `${description} (yuan, a 2-decimal string)` });
export const Score = (description: string) => Type.String({ pattern: '^-?[0-9]+\\.[0-9]{6}$', description: `${description} (a 6-decimal string)` });
export const Headcount = (description: string) => Type.Integer({ minimum: 0, description });
const Text = (description: string) => Type.String({ description });
const Warnings = Type.Array(Type.String(), { description: 'what the run settled by a default or left unpaid, in plain words' });

export const PenaltyLinesSchema = Type.Object(
  {
    costQuota: Money('成本定额超支扣罚: the variable cost over the quota, × the cost-quota penalty rate'),
    outpatientFee: Money('门诊次均费用超标扣罚'),
    inpatientFee: Money('住院次均费用超标扣罚'),
    drugRatio: Money('药占比超标扣罚'),
    inventoryLoss: Money('药品盘亏扣罚: the loss × the inventory-loss multiplier'),
  },
  { description: 'the penalties of allocation-rules §3.7, each money-rounded' },
);

export const QuarterlyDepartmentLineSchema = Type.Object(
  {
    code: Text('department code'),
    name: Text('department name'),
    kind: Type.Union([Type.Literal('clinical'), Type.Literal('admin')], { description: 'clinical or admin' }),
    headcount: Headcount('members this quarter (staff on study leave are in none)'),
    score: Score('S_d, the department score (§3.4, §3.5)'),
    riskCoefficient: Score('风险系数'),
    gross: Money('the department’s part of the tier-1 pool (§3.6)'),
    penalties: PenaltyLinesSchema,
    penaltyTotal: Money('Σ penalties, at most the gross'),
    net: Money('gross − penaltyTotal'),
    cap: Type.Union([Money('封顶线 (§3.8)'), Type.Null()], { description: '封顶线 (§3.8); null for a department without staff' }),
    bankDeposit: Money('the part above the cap, banked for a later quarter of the year'),
    bankDraw: Money('drawn from the bank up to the average per capita × headcount'),
    floorSubsidy: Money('保底补贴 paid by the hospital'),
    final: Money('what the department distributes in tier 2'),
    bankBalanceAfter: Money('the bank balance after this quarter'),
    workloadScore: Type.Optional(Score('W, 工作数量分 (clinical)')),
    qualityScore: Type.Optional(Score('Q, 工作质量分 (clinical)')),
    ethicsScore: Type.Optional(Score('E, 医德医风分 (clinical)')),
    costCoefficient: Type.Optional(Type.Union([Score('C, 成本费用系数 (clinical)'), Type.Null()], { description: 'C, 成本费用系数 (clinical); null without staff' })),
    basePerCapita: Type.Optional(Score('the per-capita base of an admin department (§3.5)')),
  },
  { description: 'one department’s quarter, tier 1 (allocation-rules §3.4–§3.8)' },
);

export const QuarterlyIndividualLineSchema = Type.Object(
  {
    staffId: Text('staff id'),
    name: Text('staff name'),
    department: Text('the department the person belonged to this quarter'),
    rawScore: Score('title + position + workload + quality + ethics + discipline − deductions (§3.9)'),
    attendanceDeduction: Score('rawScore ÷ requiredDays × absentDays'),
    overtimeAddition: Score('rawScore ÷ requiredDays × overtimeDays × the overtime factor'),
    payRatio: Score('发放系数'),
    effectiveScore: Score('(rawScore − attendance + overtime) × payRatio'),
    tier2Pay: Money('the person’s part of the department’s final amount'),
    leaderBonus: Money('the position bonus (§3.3)'),
    studyLeavePay: Money('外出学习、进修 pay from the hospital'),
    finesApplied: Money('fines taken, at most the pay they are taken from'),
    total: Money('tier2Pay + leaderBonus + studyLeavePay − finesApplied'),
    disputeFines: Type.Optional(Money('the dispute liabilities in this quarter’s fines (disputes-and-awards §3); with disputes')),
  },
  { description: 'one eligible person’s quarter, tier 2 (allocation-rules §3.9)' },
);

export const QuarterlySummarySchema = Type.Object(
  {
    revenue: Money('全院当季医疗总收入'),
    pool: Money('revenue × poolRate'),
    reserve: Money('revenue × reserveRate, kept for the year-end'),
    adjustment: Money('收支调节'),
    distributable: Money('pool − reserve + adjustment'),
    averageBonus: Score('distributable ÷ headcount, 平均奖'),
    leaderBonusTotal: Money('Σ leader bonuses'),
    tier1Pool: Money('distributable − leaderBonusTotal'),
    totalScore: Score('Σ department scores'),
    pointValue: Score('tier1Pool ÷ totalScore, yuan per point'),
    penaltiesRetained: Money('Σ penaltyTotal, retained by the hospital'),
    averageNetPerCapita: Score('Σ net ÷ headcount'),
    bankDeposits: Money('Σ bankDeposit'),
    bankDraws: Money('Σ bankDraw'),
    floorSubsidies: Money('Σ floorSubsidy'),
    departmentsFinal: Money('Σ final'),
    tier2Total: Money('Σ tier2Pay'),
    studyLeavePay: Money('Σ studyLeavePay'),
    finesRetained: Money('Σ finesApplied'),
    unallocated: Money('what no one could be paid'),
    paidTotal: Money('Σ total of the individual lines'),
    headcount: Headcount('H, the members of every department'),
  },
  { description: 'the quarter’s totals (allocation-rules §3)' },
);

const GradeWord = (description: string) =>
  Type.Union([Type.Literal('pass'), Type.Literal('basic_pass'), Type.Literal('fail')], { description: `${description}: pass 合格, basic_pass 基本合格, fail 不合格` });
const Nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

export const IndicatorScoreSchema = Type.Object(
  {
    code: Text('indicator code'),
    score: Score('a leaf: points × attainment; an inner node: the sum of its assessed leaves’ scores'),
    attainment: Type.Optional(Score('a leaf’s attainment in the period, 0 to 1 (leaves only)')),
  },
  { description: 'one node of the scorecard assessed in the period, in tree pre-order' },
);

export const DeductionsSchema = Type.Object(
  {
    medical: Score('points of the medical defects'),
    nursing: Score('points of the nursing defects'),
    infectionControl: Score('points of the infection-control defects'),
    ethics: Score('points of the ethics defects'),
    admin: Score('points of the admin defects'),
  },
  { description: 'the points of the department’s defects of the quarter, by category (the derived deductions)' },
);

export const QuarterlyAssessmentSchema = Type.Object(
  {
    departments: Type.Array(
      Type.Object(
        {
          code: Text('department code'),
          scorecard: Nullable(Text('scorecard id'), 'the scorecard that assesses the department; null: unscored'),
          score: Nullable(Score('the quarter score, 0 to 100'), 'the quarter score, 0 to 100; null: unscored'),
          grade: Nullable(GradeWord('the department’s grade'), 'the department’s grade; null: unscored'),
          directorGrade: Nullable(GradeWord('the directors’ grade from their department’s score'), 'the directors’ grade; null: unscored'),
          deductions: DeductionsSchema,
          indicators: Type.Array(IndicatorScoreSchema, { description: 'the nodes assessed in the quarter, in tree pre-order' }),
        },
        { description: 'one department’s quarter assessment (assessment.md §2)' },
      ),
      { description: 'every department, by code' },
    ),
    individuals: Type.Array(
      Type.Object(
        {
          staffId: Text('staff id'),
          score: Score('personal score: the base less the points of the quarter’s defects, at least 0'),
          grade: GradeWord('personal grade'),
          errors: Headcount('the number of error defects (the derived errors)'),
          accident: Type.Boolean({ description: 'an accident defect in the quarter (the derived accident)' }),
          ethicsDeduction: Score('points of the ethics defects, at most the ethics base (the derived ethicsDeduction)'),
          ethicsZero: Type.Boolean({ description: 'an ethics defect with veto (the derived ethicsZero)' }),
          defects: Type.Array(Type.String(), { description: 'the ids of the person’s defects of the quarter, ascending' }),
        },
        { description: 'one person’s quarter assessment (assessment.md §3)' },
      ),
      { description: 'every eligible staff member, by staff id' },
    ),
  },
  { description: 'the quarter’s assessment (assessment.md §4); with an assessment' },
);

export const AnnualAssessmentSchema = Type.Object(
  {
    departments: Type.Array(
      Type.Object(
        {
          code: Text('department code'),
          scorecard: Text('scorecard id'),
          score: Score('the year-end score, 0 to 100'),
          grade: GradeWord('the year-end grade'),
          assessmentFactor: Score('the year-end score ÷ 100 (年终科室综合目标考核)'),
          indicators: Type.Array(IndicatorScoreSchema, { description: 'every node, in tree pre-order' }),
        },
        { description: 'one scored department’s year-end assessment' },
      ),
      { description: 'scored departments, by code' },
    ),
    individuals: Type.Array(
      Type.Object(
        {
          staffId: Text('staff id'),
          grade: GradeWord('the annual grade (年度考核)'),
          demerits: Headcount('demerits of the year’s quarters'),
          ethicsDeductions: Score('points of the year’s ethics defects (not capped)'),
          ethicsGrade: Type.Union([Type.Literal('excellent'), Type.Literal('good'), Type.Literal('fair'), Type.Literal('poor')], {
            description: '医德医风考评: excellent 优秀, good 良好, fair 一般, poor 较差',
          }),
        },
        { description: 'one person’s year' },
      ),
      { description: 'every eligible staff member, by staff id' },
    ),
  },
  { description: 'the year’s assessment (assessment.md §4); with an assessment' },
);

export const QuarterlyResultSchema = Type.Object(
  {
    period: Text('the quarter, YYYYQn'),
    kind: Type.Literal('quarterly', { description: 'a quarterly settlement' }),
    summary: QuarterlySummarySchema,
    departments: Type.Array(QuarterlyDepartmentLineSchema, { description: 'every department, by code' }),
    individuals: Type.Array(QuarterlyIndividualLineSchema, { description: 'every eligible staff member, by staff id' }),
    warnings: Warnings,
    assessment: Type.Optional(QuarterlyAssessmentSchema),
  },
  { description: 'one quarter’s settlement (allocation-rules §3)' },
);

export const AnnualSummarySchema = Type.Object(
  {
    fund: Money('Σ the quarters’ reserves + the annual adjustment'),
    unallocated: Money('what no one could be paid'),
    bankExpired: Money('Σ the departments’ bank balances, expired at the year-end'),
    paidTotal: Money('Σ the individuals’ amounts (and risk awards)'),
    riskAwardTotal: Type.Optional(Money('Σ the departments’ risk awards (disputes-and-awards §5); with risk-award inputs')),
  },
  { description: 'the year-end totals (allocation-rules §4)' },
);

export const AnnualDepartmentLineSchema = Type.Object(
  {
    code: Text('department code'),
    name: Text('department name'),
    score: Score('(Σ quarterly scores) × assessmentFactor'),
    amount: Money('the department’s part of the fund'),
    bankExpired: Money('the bank balance after the year’s last settled quarter, expired'),
    riskAward: Type.Optional(Money('风险奖 (disputes-and-awards §5); with risk-award inputs')),
  },
  { description: 'one department’s year-end' },
);

export const AnnualIndividualLineSchema = Type.Object(
  {
    staffId: Text('staff id'),
    name: Text('staff name'),
    department: Text('the department of this line (one line per staff member and department)'),
    weight: Score('Σ of the person’s effective scores in the department over the year'),
    amount: Money('the person’s part of the department’s amount'),
    riskAward: Type.Optional(Money('the person’s part of the department’s risk award; with risk-award inputs')),
  },
  { description: 'one person’s year-end in one department' },
);

const FLAGS = ['no_awards', 'grade_basic_pass', 'grade_fail', 'suspended', 'demerit', 'focused_monitoring'] as const;
const FlagName = Type.Union(
  FLAGS.map((f) => Type.Literal(f)),
  { description: 'the consequence (disputes-and-awards §4)' },
);
const DisputeId = Text('the dispute that raised the flag');

export const DisputeFlagSchema = Type.Union(
  [Type.Object({ staffId: Text('the staff member flagged'), flag: FlagName, disputeId: DisputeId }), Type.Object({ department: Text('the department flagged'), flag: FlagName, disputeId: DisputeId })],
  { description: 'a dispute’s consequence that is not money' },
);

export const AnnualResultSchema = Type.Object(
  {
    period: Text('the year, YYYY'),
    kind: Type.Literal('annual', { description: 'a year-end settlement' }),
    summary: AnnualSummarySchema,
    departments: Type.Array(AnnualDepartmentLineSchema, { description: 'every department, by code' }),
    individuals: Type.Array(AnnualIndividualLineSchema, { description: 'by staff id, then department' }),
    warnings: Warnings,
    flags: Type.Optional(Type.Array(DisputeFlagSchema, { description: 'the year’s dispute flags, sorted; with disputes' })),
    assessment: Type.Optional(AnnualAssessmentSchema),
  },
  { description: 'the year-end settlement (allocation-rules §4)' },
);

export const PeriodResultSchema = Type.Union([QuarterlyResultSchema, AnnualResultSchema], { description: 'one period’s settlement' });

export const ResultDocumentSchema = Type.Object(
  {
    hospital: Text('hospital code'),
    results: Type.Array(PeriodResultSchema, { description: 'the quarters in order, then the year-end' }),
  },
  { description: 'what `perfpay simulate` prints (contract.md §2)' },
);

export type PenaltyLines = Static<typeof PenaltyLinesSchema>;
export type QuarterlyDepartmentLine = Static<typeof QuarterlyDepartmentLineSchema>;
export type QuarterlyIndividualLine = Static<typeof QuarterlyIndividualLineSchema>;
export type QuarterlySummary = Static<typeof QuarterlySummarySchema>;
export type QuarterlyResult = Static<typeof QuarterlyResultSchema>;
export type AnnualSummary = Static<typeof AnnualSummarySchema>;
export type AnnualDepartmentLine = Static<typeof AnnualDepartmentLineSchema>;
export type AnnualIndividualLine = Static<typeof AnnualIndividualLineSchema>;
export type ResultDisputeFlag = Static<typeof DisputeFlagSchema>;
export type AnnualResult = Static<typeof AnnualResultSchema>;
export type PeriodResult = Static<typeof PeriodResultSchema>;
export type ResultDocument = Static<typeof ResultDocumentSchema>;
export type IndicatorScore = Static<typeof IndicatorScoreSchema>;
export type QuarterlyAssessment = Static<typeof QuarterlyAssessmentSchema>;
export type AnnualAssessment = Static<typeof AnnualAssessmentSchema>;
