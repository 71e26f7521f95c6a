import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MONEY_INTEGER_DIGITS } from './bounds.js';

/**
 * The scenario document (contract.md §1) as JSON Schema. The same schema validates the CLI's
 * input and, later, the service's import body and its OpenAPI document. `x-kind` tells the
 * validator which plain-language message to give when a value does not fit.
 */

// at most 18 digits before the point and 16 after: every input fits the engine's 34 digits exactly
const DECIMAL = '^[0-9]{1,18}(\\.[0-9]{1,16})?$';
const SIGNED_DECIMAL = '^-?[0-9]{1,18}(\\.[0-9]{1,16})?$';

export const Decimal = (description?: string) => Type.String({ pattern: DECIMAL, 'x-kind': 'decimal', description, examples: ['1234.50'] });
export const SignedDecimal = (description?: string) => Type.String({ pattern: SIGNED_DECIMAL, 'x-kind': 'signedDecimal', description, examples: ['-1000.00'] });
// money inputs are bounded tighter (src/core/bounds.ts), so that no sum or product of them
// can reach what the store holds
const MONEY = `^[0-9]{1,${MONEY_INTEGER_DIGITS}}(\\.[0-9]{1,16})?$`;
const SIGNED_MONEY = `^-?[0-9]{1,${MONEY_INTEGER_DIGITS}}(\\.[0-9]{1,16})?$`;
/** An amount of money in yuan, ≥ 0. */
export const MoneyAmount = (description?: string) =>
  Type.String({ pattern: MONEY, 'x-kind': 'money', description: description ? `${description}; yuan, below 10^${MONEY_INTEGER_DIGITS}` : undefined });
/** An amount of money that may be negative (an adjustment). */
export const SignedMoneyAmount = (description?: string) =>
  Type.String({ pattern: SIGNED_MONEY, 'x-kind': 'signedMoney', description: description ? `${description}; yuan, |x| below 10^${MONEY_INTEGER_DIGITS}` : undefined });
/** Counts and days: whole numbers up to a million (no count in a hospital quarter comes near). */
export const MAX_COUNT = 1_000_000;
export const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: MAX_COUNT, 'x-kind': 'count', description });
const PositiveCount = (description?: string) => Type.Integer({ minimum: 1, maximum: MAX_COUNT, 'x-kind': 'positiveCount', description });
const IntegerOrDecimal = (description?: string) =>
  Type.Union([Type.Integer({ minimum: 0, maximum: MAX_COUNT }), Type.String({ pattern: DECIMAL })], {
    'x-kind': 'integerOrDecimal',
    description,
  });
const Code = (description?: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$', 'x-kind': 'code', description });
const Name = (description?: string) => Type.String({ maxLength: 200, description });
const Enum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { 'x-kind': 'enum', 'x-values': values, description },
  );
const Strict = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { 'x-kind': 'nullable' });

export const TITLE_GRADES = ['chief', 'associate_chief', 'attending', 'resident', 'assistant', 'technician', 'worker'] as const;
export const POSITIONS = ['hospital_leader', 'key_director', 'clinical_director', 'functional_director', 'functional_deputy'] as const;
export const EMPLOYMENTS = ['regular', 'temporary', 'contract', 'probation', 'lump_sum'] as const;
export const ELIGIBLE_EMPLOYMENTS = ['regular', 'temporary', 'contract'] as const;
export const ROLES = ['physician', 'nurse', 'technician', 'pharmacist', 'admin', 'worker'] as const;
export const MEDICAL_ROLES = ['physician', 'nurse', 'technician', 'pharmacist'] as const;
export const ADMIN_CLASSES = ['leadership', 'core_admin', 'general_admin'] as const;

export type TitleGrade = (typeof TITLE_GRADES)[number];
export type Position = (typeof POSITIONS)[number];
export type Employment = (typeof EMPLOYMENTS)[number];
export type Role = (typeof ROLES)[number];
export type AdminClass = (typeof ADMIN_CLASSES)[number];

const gradeMap = (description: string) => Type.Partial(Type.Object(Object.fromEntries(TITLE_GRADES.map((g) => [g, Decimal()])), Strict), { description });
const payRatioMap = (description: string) =>
  Type.Partial(Type.Object({ '*': Decimal('every grade not listed'), ...Object.fromEntries(TITLE_GRADES.map((g) => [g, Decimal()])) }, Strict), { description });
const positionParams = Type.Partial(Type.Object({ points: Decimal('extra points'), bonusRate: Decimal('leader bonus rate') }, Strict));

const Segments = (description: string) =>
  Type.Array(Type.Object({ upTo: Nullable(Decimal('segment upper bound, yuan; null: no bound')), rate: Decimal() }, Strict), {
    minItems: 1,
    description: `${description}, ascending; the last has upTo null`,
  });
export const GRADES = ['pass', 'basic_pass', 'fail'] as const;
export type Grade = (typeof GRADES)[number];
const GradeList = (description: string) =>
  Type.Array(Type.Object({ grade: Enum(GRADES), min: Decimal('the lowest score of the grade') }, Strict), {
    minItems: 1,
    description: `${description}: mins descending, the last "0"; replaces the default list whole`,
  });

const FlagThresholds = (description: string) => Type.Partial(Type.Object({ noAwardsAbove: Decimal(), basicPassAbove: Decimal(), failAbove: Decimal() }, Strict), { description });

/** Any subset of the scheme parameters, deep-merged over the defaults (contract.md §1). */
export const SchemeOverrides = Type.Partial(
  Type.Object(
    {
      poolRate: Decimal('绩效工资总额 as a share of the quarter revenue'),
      reserveRate: Decimal('年终预留 as a share of the quarter revenue'),
      clinicalBasePoints: Type.Partial(Type.Object({ workload: Decimal(), quality: Decimal(), ethics: Decimal() }, Strict)),
      qualityShares: Type.Partial(Type.Object({ medical: Decimal(), nursing: Decimal(), infectionControl: Decimal() }, Strict)),
      workloadRatioCap: Nullable(Decimal('cap on the clinical workload ratio')),
      costCoefficientBounds: Nullable(Type.Object({ min: Decimal(), max: Decimal() }, Strict)),
      adminBaseTopN: Type.Partial(Type.Object({ leadership: PositiveCount(), coreAdmin: PositiveCount() }, Strict)),
      feePenaltyPerPoint: Decimal(),
      drugPenaltyPerPoint: Decimal(),
      costQuotaPenaltyRate: Decimal(),
      inventoryLossMultiplier: Decimal(),
      capMultiple: Decimal(),
      floorPerCapita: MoneyAmount('保底线 per head'),
      titleScores: gradeMap('职称/岗位分值 by title grade'),
      positions: Type.Partial(Type.Object(Object.fromEntries(POSITIONS.map((p) => [p, positionParams])), Strict)),
      individualBase: Type.Partial(Type.Object({ workload: Decimal(), quality: Decimal(), ethics: Decimal(), discipline: Decimal() }, Strict)),
      errorPenalty: Decimal(),
      disciplinePenalties: Type.Partial(Type.Object({ lateOver5: Decimal(), lateOver30: Decimal(), absentHalfDay: Decimal() }, Strict)),
      cme: Type.Partial(Type.Object({ quarter: Type.Integer({ minimum: 1, maximum: 4, 'x-kind': 'quarterNumber' }), minCredits: Decimal(), penalty: Decimal() }, Strict)),
      refusedTrainingPenalty: Decimal(),
      unlicensedPenalty: Decimal(),
      overtimeFactor: Decimal(),
      payRatios: Type.Partial(Type.Object({ regular: payRatioMap('正式在编'), temporary: payRatioMap('临时工'), contract: payRatioMap('合同工') }, Strict)),
      studyLeave: Type.Array(Type.Object({ maxMonths: Nullable(Decimal()), rate: Decimal() }, Strict), {
        minItems: 1,
        description: 'bands by length in months, ascending; the last band has maxMonths null',
      }),
      disputes: Type.Partial(
        Type.Object(
          {
            defectSegments: Segments('存在缺陷: liability segments of the compensation'),
            avoidableSegments: Segments('可以避免 and grade-1 accidents: liability segments'),
            shares: Type.Partial(
              Type.Object(
                {
                  bed: Type.Partial(Type.Object({ responsible: Decimal(), teamLead: Decimal() }, Strict)),
                  non_bed: Type.Partial(Type.Object({ responsible: Decimal() }, Strict)),
                  nursing: Type.Partial(Type.Object({ responsible: Decimal() }, Strict)),
                },
                Strict,
              ),
            ),
            defectFlags: FlagThresholds('存在缺陷: compensation above which each flag applies'),
            avoidableFlags: FlagThresholds('可以避免 and grade-1 accidents: compensation above which each flag applies'),
            demeritAtLeast: Decimal('院内记过 of the department heads at this compensation and above'),
            focusedMonitoringAtLeast: Decimal('重点监控科室: Σ compensation × share in a year at least this'),
          },
          Strict,
        ),
      ),
      assessment: Type.Partial(
        Type.Object(
          {
            departmentGrades: GradeList('departments’ grades by score (assessment.md §2)'),
            directorGrades: GradeList('directors’ grades by their department’s score (§2)'),
            personalGrades: GradeList('people’s quarterly grades by personal score (§3)'),
            personalBase: Decimal('a person’s score before defects'),
            annualDemerits: Type.Partial(Type.Object({ basic_pass: Count('demerits of a basic_pass quarter'), fail: Count('demerits of a failed quarter') }, Strict)),
            annualFailAt: Count('demerits from which the year is failed'),
            annualBasicPassAt: Count('demerits from which the year is basic_pass'),
            ethicsGrades: Type.Partial(Type.Object({ good: Decimal('the largest ethics points of the year still good'), fair: Decimal('the largest still fair') }, Strict)),
          },
          Strict,
        ),
      ),
      riskAward: Type.Partial(
        Type.Object(
          {
            minOpenBeds: Count('开放床位 at least this (or an emergency department)'),
            tiers: Type.Array(Type.Object({ growth: SignedDecimal('科室效益 growth at least'), amount: MoneyAmount('award') }, Strict), {
              minItems: 1,
              description: 'ascending by growth; the highest tier reached applies',
            }),
          },
          Strict,
        ),
      ),
    },
    Strict,
  ),
);

export const DepartmentSchema = Type.Object(
  {
    code: Code('department code (科室编码)'),
    name: Name('科室名称'),
    kind: Enum(['clinical', 'admin'] as const),
    adminClass: Type.Optional(Nullable(Enum(ADMIN_CLASSES))),
    riskCoefficient: Decimal('风险系数, > 0'),
  },
  Strict,
);

export const StaffSchema = Type.Object(
  {
    id: Code('staff id (工号)'),
    name: Name('姓名'),
    department: Code('home department code'),
    titleGrade: Enum(TITLE_GRADES),
    position: Type.Optional(Nullable(Enum(POSITIONS))),
    employment: Enum(EMPLOYMENTS),
    role: Enum(ROLES),
    licensed: Type.Optional(Type.Boolean({ 'x-kind': 'boolean' })),
    payRatioOverride: Type.Optional(Nullable(Decimal('pay ratio replacing the scheme table'))),
  },
  Strict,
);

const Fee = Type.Object({ actual: Decimal(), target: Decimal('> 0') }, Strict);

export const WorkloadIndicatorSchema = Type.Object(
  {
    indicator: Type.Optional(Name('indicator name')),
    actual: Decimal(),
    base: Decimal('> 0'),
    weight: Type.Optional(Decimal('all weights given and summing to 1, or none')),
  },
  Strict,
);

/**
 * A department's inputs for one quarter. Clinical and admin departments take different
 * fields; which ones apply is checked against the department's kind after this schema.
 */
export const DepartmentInputSchema = Type.Object(
  {
    code: Code(),
    workload: Type.Optional(Type.Array(WorkloadIndicatorSchema)),
    qualityDeductions: Type.Optional(Type.Partial(Type.Object({ medical: Decimal(), nursing: Decimal(), infectionControl: Decimal() }, Strict))),
    ethicsDeductions: Type.Optional(Decimal('医德医风扣分')),
    medicalRevenue: Type.Optional(MoneyAmount('医疗收入, excluding drugs')),
    drugRevenue: Type.Optional(MoneyAmount('药品收入')),
    totalCost: Type.Optional(MoneyAmount('全成本, > 0')),
    variableCost: Type.Optional(MoneyAmount('变动成本')),
    costQuotaRatio: Type.Optional(Decimal('以收定支定额')),
    outpatientFee: Type.Optional(Fee),
    inpatientFee: Type.Optional(Fee),
    drugRatioTarget: Type.Optional(Decimal('药品收入比例控制指标, a fraction')),
    inventoryLoss: Type.Optional(MoneyAmount('药品盘亏 at retail price')),
    adminDeductions: Type.Optional(Decimal('工作任务、质量与效率扣分')),
  },
  Strict,
);

export const IndividualInputSchema = Type.Object(
  {
    staffId: Code(),
    workloadScore: Type.Optional(Decimal('0 to individualBase.workload')),
    errors: Type.Optional(Count('差错次数')),
    accident: Type.Optional(Type.Boolean({ 'x-kind': 'boolean' })),
    ethicsDeduction: Type.Optional(Decimal('0 to individualBase.ethics')),
    ethicsZero: Type.Optional(Type.Boolean({ 'x-kind': 'boolean' })),
    lateOver5: Type.Optional(Count()),
    lateOver30: Type.Optional(Count()),
    absentHalfDays: Type.Optional(Count()),
    absentFullDays: Type.Optional(Count()),
    requiredDays: Type.Optional(Count('> 0; default the period workingDays')),
    absentDays: Type.Optional(Count()),
    overtimeDays: Type.Optional(Count()),
    cmeCredits: Type.Optional(IntegerOrDecimal('继续教育学分 for the year, read in the CME quarter')),
    refusedTraining: Type.Optional(Type.Boolean({ 'x-kind': 'boolean' })),
    studyLeaveMonths: Type.Optional(IntegerOrDecimal('外出学习/进修 months')),
    department: Type.Optional(Nullable(Code('department this quarter, overriding the home department'))),
    managerAssessmentPassed: Type.Optional(Type.Boolean({ 'x-kind': 'boolean' })),
    fines: Type.Optional(MoneyAmount('违规及医疗事故扣罚')),
  },
  Strict,
);

export const PeriodSchema = Type.Object(
  {
    period: Type.String({ pattern: '^[0-9]{4}Q[1-4]$', 'x-kind': 'quarter' }),
    revenue: MoneyAmount('全院当季医疗总收入'),
    workingDays: PositiveCount('规定上班天数'),
    adjustment: Type.Optional(Nullable(SignedMoneyAmount('收支调节, may be negative'))),
    departments: Type.Array(DepartmentInputSchema),
    individuals: Type.Optional(Type.Array(IndividualInputSchema)),
  },
  Strict,
);

export const AnnualSchema = Type.Object(
  {
    year: Type.Integer({ minimum: 1900, maximum: 9999, 'x-kind': 'year' }),
    adjustment: Type.Optional(Nullable(SignedMoneyAmount('年终调节, may be negative'))),
    departments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            code: Code(),
            assessmentFactor: Type.Optional(Decimal('年终科室综合目标考核系数')),
            openBeds: Type.Optional(Count('开放床位 (risk award)')),
            emergency: Type.Optional(Type.Boolean({ 'x-kind': 'boolean', description: '急诊 (risk award)' })),
            benefitGrowth: Type.Optional(SignedDecimal('科室效益 growth over the previous year, a fraction (risk award)')),
          },
          Strict,
        ),
      ),
    ),
    failedStaff: Type.Optional(Type.Array(Code(), { description: '年度考核不合格' })),
  },
  Strict,
);

export const DISPUTE_CLASSIFICATIONS = ['defect', 'avoidable', 'unavoidable', 'grade1_accident', 'misconduct'] as const;
export const DEPARTMENT_TYPES = ['bed', 'non_bed', 'nursing'] as const;
export type DisputeClassification = (typeof DISPUTE_CLASSIFICATIONS)[number];
export type DepartmentType = (typeof DEPARTMENT_TYPES)[number];

/** A medical dispute (disputes-and-awards.md §1), booked in a quarter. */
export const DisputeSchema = Type.Object(
  {
    id: Code('dispute id'),
    bookedIn: Type.String({ pattern: '^[0-9]{4}Q[1-4]$', 'x-kind': 'quarter', description: 'the quarter whose settlement bears it' }),
    compensation: MoneyAmount('what the hospital paid (补偿/赔偿)'),
    classification: Enum(DISPUTE_CLASSIFICATIONS),
    parties: Type.Array(
      Type.Object(
        {
          department: Code(),
          share: Decimal("the department's share; the shares sum to 1"),
          departmentType: Enum(DEPARTMENT_TYPES),
          responsible: Code('当事人 staff id'),
          teamLead: Type.Optional(Nullable(Code('医疗组长 staff id (bed departments)'))),
          departmentHead: Code('科主任 / 护士长 staff id'),
        },
        Strict,
      ),
      { minItems: 1 },
    ),
  },
  Strict,
);

export const CADENCES = ['monthly', 'quarterly', 'yearly'] as const;
export const METHOD_TYPES = ['ratio', 'deviation', 'bands', 'manual', 'defects'] as const;
export const DEPARTMENT_DEFECT_CATEGORIES = ['medical', 'nursing', 'infectionControl', 'admin', 'ethics'] as const;
export const PERSONAL_DEFECT_CATEGORIES = ['error', 'accident', 'ethics', 'discipline'] as const;
export type Cadence = (typeof CADENCES)[number];
export type DepartmentDefectCategory = (typeof DEPARTMENT_DEFECT_CATEGORIES)[number];
export type PersonalDefectCategory = (typeof PERSONAL_DEFECT_CATEGORIES)[number];

const Month = (description?: string) => Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', 'x-kind': 'month', description });

/** How a leaf's value becomes its attainment (assessment.md §1.2); which fields apply is checked by type. */
export const MethodSchema = Type.Object(
  {
    type: Enum(METHOD_TYPES, 'ratio 参照法, deviation 加分/扣分法, bands 区间法, manual 直接打分, defects 扣分法'),
    direction: Type.Optional(Enum(['higher', 'lower'] as const, 'which way is better (ratio, deviation)')),
    target: Type.Optional(Decimal('the target value (ratio: > 0; deviation: ≥ 0)')),
    step: Type.Optional(Decimal('deviation: the gap that costs one stepShare, > 0')),
    stepShare: Type.Optional(Decimal('deviation: the attainment one step costs, > 0')),
    bands: Type.Optional(
      Type.Array(Type.Object({ from: Decimal('the band’s lowest value'), attainment: Decimal('0 to 1') }, Strict), {
        description: 'bands: from strictly ascending',
      }),
    ),
  },
  Strict,
);

/** A node of a scorecard: an inner node has children; a leaf has cadence, owner and method. */
export const IndicatorNodeSchema = Type.Recursive((Node) =>
  Type.Object(
    {
      code: Code('indicator code, unique within the scorecard'),
      name: Name('指标名称'),
      points: Decimal('the node’s points, > 0'),
      children: Type.Optional(Type.Array(Node, { minItems: 1 })),
      cadence: Type.Optional(Enum(CADENCES, 'how often the leaf is scored')),
      owner: Type.Optional(Code('the functional department that scores the leaf')),
      method: Type.Optional(MethodSchema),
    },
    Strict,
  ),
);

export const ScorecardSchema = Type.Object(
  {
    id: Code('scorecard id'),
    name: Name('考核方案名称'),
    appliesTo: Type.Object(
      {
        kind: Type.Optional(Enum(['clinical', 'admin'] as const, 'every department of this kind without a scorecard of its own')),
        departments: Type.Optional(Type.Array(Code(), { description: 'these departments' })),
      },
      Strict,
    ),
    indicators: Type.Array(IndicatorNodeSchema, { minItems: 1, description: 'the top-level nodes; their points add up to 100' }),
  },
  Strict,
);

export const AssessmentSchema = Type.Object(
  {
    scorecards: Type.Optional(Type.Array(ScorecardSchema)),
    values: Type.Optional(
      Type.Array(
        Type.Object(
          {
            indicator: Code('a leaf’s code'),
            department: Code(),
            period: Type.String({
              pattern: '^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])?$',
              'x-kind': 'assessmentPeriod',
              description: 'YYYY-MM (monthly leaf), YYYYQn (quarterly) or YYYY (yearly)',
            }),
            value: Decimal('the raw figure'),
          },
          Strict,
        ),
      ),
    ),
    departmentDefects: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Code('defect id'),
            month: Month('the month the defect falls in'),
            owner: Code('the functional department that booked it'),
            department: Code('the department it is booked against'),
            category: Type.Optional(Enum(DEPARTMENT_DEFECT_CATEGORIES, 'the deduction it counts in')),
            indicator: Type.Optional(Code('a defects leaf of the department’s scorecard')),
            points: Decimal('> 0, at most 2 decimals'),
            note: Type.Optional(Name()),
          },
          Strict,
        ),
      ),
    ),
    personalDefects: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Code('defect id'),
            month: Month('the month the defect falls in'),
            owner: Code('the functional department that booked it'),
            staffId: Code('the person it is booked against'),
            category: Enum(PERSONAL_DEFECT_CATEGORIES),
            points: Decimal('≥ 0, at most 2 decimals'),
            veto: Type.Optional(Type.Boolean({ 'x-kind': 'boolean', description: '一票否决, on an ethics defect only' })),
            note: Type.Optional(Name()),
          },
          Strict,
        ),
      ),
    ),
  },
  Strict,
);

export const ScenarioSchema = Type.Object(
  {
    hospital: Type.Object({ code: Code('hospital code'), name: Type.Optional(Name()) }, Strict),
    scheme: Type.Optional(SchemeOverrides),
    departments: Type.Array(DepartmentSchema),
    staff: Type.Array(StaffSchema),
    periods: Type.Optional(Type.Array(PeriodSchema)),
    annual: Type.Optional(Nullable(AnnualSchema)),
    disputes: Type.Optional(Type.Array(DisputeSchema)),
    priorDisputes: Type.Optional(
      Type.Array(DisputeSchema, {
        description:
          'disputes booked in quarters of the same years that are not in this document: they count for suspensions, flags and the risk award, but their fines belong to their own quarters (a service settling one quarter at a time sends them)',
      }),
    ),
    assessment: Type.Optional(AssessmentSchema),
  },
  { ...Strict, $id: 'Scenario' },
);

export type Scenario = Static<typeof ScenarioSchema>;
export type SchemeOverridesInput = Static<typeof SchemeOverrides>;
export type DepartmentRecord = Static<typeof DepartmentSchema>;
export type StaffRecord = Static<typeof StaffSchema>;
export type PeriodInput = Static<typeof PeriodSchema>;
export type DepartmentInput = Static<typeof DepartmentInputSchema>;
export type IndividualInput = Static<typeof IndividualInputSchema>;
export type AnnualInput = Static<typeof AnnualSchema>;
export type DisputeInput = Static<typeof DisputeSchema>;
export type AssessmentInput = Static<typeof AssessmentSchema>;
export type ScorecardInput = Static<typeof ScorecardSchema>;
export type IndicatorNodeInput = Static<typeof IndicatorNodeSchema>;
export type MethodInput = Static<typeof MethodSchema>;
