import { Type, type Static } from '@sinclair/typebox';
import { Dec, ZERO, formatMoney, formatScore, money, sum } from './money.js';
import type { PersonBasis, QuarterOutcome } from './quarterly.js';
import { Headcount, Money, QuarterlyIndividualLineSchema, Score, type AnnualResult, type QuarterlyDepartmentLine, type QuarterlyIndividualLine, type QuarterlyResult } from './result.js';
import { MEDICAL_ROLES } from './schema.js';
import type { PenaltyBasis } from './scores.js';
import type { AnnualInputs, Hospital } from './types.js';

/**
 * Statements (个人绩效工资明细, 科室绩效核算表): every figure of a settled quarter that a person
 * or a department head reads, each with its label in Chinese and English, the rule that produced
 * it in both languages with the figures it was computed from (its operands), and the reasons a
 * line is zero or reduced. Built from the engine's own outcome, so a statement never recomputes a
 * rule: the operands are the engine's inputs and intermediate figures, shown as they were used.
 * The words of the core's items are kept here (the core depends on nothing); the service words
 * the reasons from its catalogue (src/shared/messages/statements.ts) by their codes.
 */
const OperandSchema = Type.Object(
  {
    key: Type.String({ description: 'the operand’s name (requiredDays, departmentFinal, medicalRevenue…)' }),
    value: Type.String({ description: 'its value as the engine used it: money as a 2-decimal string, scores as 6-decimal strings, counts and rates as written' }),
  },
  { description: 'one figure a rule was computed from' },
);

export const StatementItemSchema = Type.Object(
  {
    key: Type.String({ description: 'the figure’s name in the result document or the rule (e.g. rawScore, qualityPoints)' }),
    zh: Type.String({ description: 'its label in Chinese' }),
    en: Type.String({ description: 'its label in English' }),
    value: Type.String({ description: 'the figure: money as a 2-decimal string, points and scores as 6-decimal strings, or "—"' }),
    rule: Type.String({ description: 'the rule that produced it, with its inputs (English)' }),
    ruleZh: Type.String({ description: '计算依据: the same rule in Chinese, with its inputs' }),
    operands: Type.Array(OperandSchema, { description: 'the figures the rule was computed from, by name (empty when the figure is an input)' }),
  },
  { description: 'one figure of a statement' },
);

const REASON_CODES = [
  'suspended',
  'studyLeave',
  'notMember',
  'absent',
  'payRatio',
  'accident',
  'ethicsZero',
  'fullDayAbsent',
  'deductions',
  'noLeaderBonus',
  'disputeLiability',
  'finesCapped',
  'noStaff',
  'penaltiesCapped',
  'capped',
  'bankDraw',
  'floorSubsidy',
  'unallocated',
  'failedAnnual',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const ReasonSchema = Type.Object(
  {
    code: Type.Union(
      REASON_CODES.map((c) => Type.Literal(c)),
      { description: 'why a figure is zero or reduced (its words are the catalogue’s `reason.<code>`)' },
    ),
    item: Type.String({ description: 'the key of the item it explains' }),
    staffId: Type.Optional(Type.String({ description: 'the person it concerns (department statements)' })),
    params: Type.Array(OperandSchema, { description: 'the figures the reason names' }),
    zh: Type.Optional(Type.String({ description: 'the reason in Chinese (filled in by the service)' })),
    en: Type.Optional(Type.String({ description: 'the reason in English (filled in by the service)' })),
  },
  { description: 'why a line is zero or reduced, in words' },
);

const FinesSchema = Type.Object(
  {
    own: Money('个人罚款: the person’s own fines of the quarter'),
    disputes: Type.Array(Type.Object({ disputeId: Type.String({ description: 'the dispute' }), amount: Money('the person’s liability of it') }, { description: 'one dispute’s liability' }), {
      description: '医疗纠纷责任分担: each dispute booked in the quarter that the person bears a part of',
    }),
    due: Money('应扣合计: own fines + dispute liabilities'),
    gross: Money('应发: tier-2 pay + leader bonus + study-leave pay, what the fines are taken from'),
    applied: Money('实扣: min(due, gross)'),
    notTaken: Money('未扣: what the pay could not cover (due − applied)'),
  },
  { description: 'fines and dispute liabilities side by side, and how they were applied (§3.9, disputes-and-awards §3)' },
);

export const PersonStatementSchema = Type.Object(
  {
    kind: Type.Literal('person', { description: 'a person’s statement (个人绩效工资明细)' }),
    period: Type.String({ description: 'the quarter, YYYYQn' }),
    staffId: Type.String({ description: 'staff id' }),
    name: Type.String({ description: 'staff name' }),
    department: Type.Object(
      { code: Type.String({ description: 'department code' }), name: Type.String({ description: 'department name' }) },
      { description: 'the department the person belonged to this quarter' },
    ),
    onStudyLeave: Type.Boolean({ description: 'true for a person on study leave, paid by the hospital (no score items)' }),
    items: Type.Array(StatementItemSchema, { description: 'the points behind the score, then the pay, in order' }),
    fines: FinesSchema,
    reasons: Type.Array(ReasonSchema, { description: 'why figures are zero or reduced' }),
    total: Money('what the person is paid this quarter'),
  },
  { description: 'every figure of a settled quarter that a person reads' },
);

const PeopleTotalsSchema = Type.Object(
  {
    headcount: Headcount('the lines added'),
    effectiveScore: Score('Σ the members’ effective scores at full precision (the tier-2 divisor)'),
    tier2Pay: Money('Σ tier-2 pay'),
    leaderBonus: Money('Σ leader bonuses'),
    studyLeavePay: Money('Σ study-leave pay'),
    finesApplied: Money('Σ fines applied'),
    total: Money('Σ totals'),
  },
  { description: '合计: the people table’s totals' },
);

export const DepartmentStatementSchema = Type.Object(
  {
    kind: Type.Literal('department', { description: 'a department’s statement (科室绩效核算表)' }),
    period: Type.String({ description: 'the quarter, YYYYQn' }),
    department: Type.Object(
      {
        code: Type.String({ description: 'department code' }),
        name: Type.String({ description: 'department name' }),
        kind: Type.Union([Type.Literal('clinical'), Type.Literal('admin')], { description: 'clinical or admin' }),
        headcount: Headcount('members this quarter'),
      },
      { description: 'the department' },
    ),
    tier1: Type.Array(StatementItemSchema, { description: 'from the score to the final amount (§3.4–§3.8)' }),
    penalties: Type.Array(StatementItemSchema, { description: 'each penalty of §3.7 with its basis' }),
    final: Money('what the department distributes in tier 2'),
    pointValue: Score('the hospital’s tier-1 point value, yuan per point'),
    tier2PointValue: Type.Union([Score('the department’s tier-2 point value'), Type.Null()], {
      description: 'the department’s final amount ÷ its members’ effective scores; null when nobody has one',
    }),
    people: Type.Array(QuarterlyIndividualLineSchema, { description: 'the members’ lines, by staff id' }),
    totals: PeopleTotalsSchema,
    reasons: Type.Array(ReasonSchema, { description: 'why the department’s or its people’s figures are zero or reduced' }),
  },
  { description: 'every figure of a settled quarter that a department head reads' },
);

export type StatementItem = Static<typeof StatementItemSchema>;
export type StatementReason = Static<typeof ReasonSchema>;
export type PersonStatement = Static<typeof PersonStatementSchema>;
export type DepartmentStatement = Static<typeof DepartmentStatementSchema>;
type Operands = Record<string, string>;

const item = (key: string, zh: string, en: string, value: string, rule: string, ruleZh: string, operands: Operands = {}): StatementItem => ({
  key,
  zh,
  en,
  value,
  rule,
  ruleZh,
  operands: Object.entries(operands).map(([k, v]) => ({ key: k, value: v })),
});

const reason = (code: ReasonCode, itemKey: string, params: Operands = {}, staffId?: string): StatementReason => ({
  code,
  item: itemKey,
  ...(staffId === undefined ? {} : { staffId }),
  params: Object.entries(params).map(([k, v]) => ({ key: k, value: v })),
});

/** A number in a Chinese rule: thousands separators (money and scores as the engine formats them). */
function g(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  return m ? `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}` : text;
}
/** Money in a Chinese rule: 1,234.50. */
const y = (x: Dec | string) => g(typeof x === 'string' ? x : formatMoney(x));
/** A score in a Chinese rule, at full precision: 1,234.567890. */
const sc = (x: Dec | string) => g(typeof x === 'string' ? x : formatScore(x));
/** A scheme parameter or count as written: 0.05, 2, 62. */
const n = (x: Dec | number) => (typeof x === 'number' ? String(x) : x.toFixed());

const TITLE_ZH: Record<string, string> = {
  chief: '正高（主任医师）',
  associate_chief: '副高（副主任医师）',
  attending: '中级（主治医师）',
  resident: '初级（师）',
  assistant: '初级（士）',
  technician: '技术员',
  worker: '工勤',
};
const POSITION_ZH: Record<string, string> = {
  hospital_leader: '院领导',
  key_director: '重点科室主任',
  clinical_director: '临床科室主任',
  functional_director: '职能科室主任',
  functional_deputy: '职能科室副主任',
};
const QUARTER_ZH = ['一', '二', '三', '四'];
/** A quarter in Chinese words: 2026Q2 → 2026年第二季度. */
const quarterZh = (period: string) => {
  const m = /^(\d{4})Q([1-4])$/.exec(period);
  return m ? `${m[1]}年第${QUARTER_ZH[Number(m[2]) - 1]}季度` : period;
};
const EMPLOYMENT_ZH: Record<string, string> = { regular: '正式', temporary: '临时工', contract: '合同工', probation: '试用期', lump_sum: '包干' };

/** The department's tier-2 point value (元/分): its final amount over its members' effective scores. */
export function tier2PointValue(outcome: QuarterOutcome, department: string): Dec | null {
  return tier2PointValues(outcome).get(department) ?? null;
}

/** Σ the members' full-precision effective scores by department, added in their order as the split adds them. */
function effectiveTotals(outcome: QuarterOutcome): Map<string, Dec> {
  const totals = new Map<string, Dec>();
  for (const m of outcome.memberships) totals.set(m.department, (totals.get(m.department) ?? ZERO).plus(m.effectiveScore));
  return totals;
}

/**
 * Every department's tier-2 point value in one pass over the members (null: nobody with an
 * effective score). The members' scores are added in their order, as the split adds them.
 */
export function tier2PointValues(outcome: QuarterOutcome): Map<string, Dec | null> {
  const totals = effectiveTotals(outcome);
  const values = new Map<string, Dec | null>();
  for (const d of outcome.result.departments) {
    const total = totals.get(d.code);
    values.set(d.code, !total || total.isZero() ? null : new Dec(d.final).div(total));
  }
  return values;
}

/** A department's final amount per head, to the cent (money(final ÷ headcount)); null without staff. */
export function perCapitaPay(final: string, headcount: number): string | null {
  return headcount > 0 ? formatMoney(money(new Dec(final).div(headcount))) : null;
}

// ------------------------------------------------------------------ person

export function personStatement(outcome: QuarterOutcome, staffId: string): PersonStatement | null {
  const line = outcome.result.individuals.find((l) => l.staffId === staffId);
  if (!line) return null;
  const department = outcome.result.departments.find((d) => d.code === line.department);
  const basis = outcome.people.get(staffId) ?? null;
  const reasons: StatementReason[] = [];
  const items = [...scoreItems(outcome, line, basis, department ?? null, reasons), ...payItems(outcome, line, basis, reasons)];
  const fines = finesOf(outcome, line, basis);
  for (const d of fines.disputes) reasons.push(reason('disputeLiability', 'disputeFines', { disputeId: d.disputeId, amount: d.amount }));
  if (fines.notTaken !== '0.00') reasons.push(reason('finesCapped', 'finesApplied', { due: fines.due, gross: fines.gross, applied: fines.applied, notTaken: fines.notTaken }));
  return {
    kind: 'person',
    period: outcome.period,
    staffId,
    name: line.name,
    department: { code: line.department, name: department?.name ?? line.department },
    onStudyLeave: !outcome.components.has(staffId),
    items,
    fines,
    reasons,
    total: line.total,
  };
}

/** The points behind the score (§3.9) and the department's point value; none for a person on study leave. */
function scoreItems(outcome: QuarterOutcome, line: QuarterlyIndividualLine, basis: PersonBasis | null, department: QuarterlyDepartmentLine | null, reasons: StatementReason[]): StatementItem[] {
  const c = outcome.components.get(line.staffId);
  if (!c || !basis) return [];
  const { scheme } = outcome;
  const { staff, inputs } = basis;
  const base = scheme.individualBase;
  const dp = scheme.disciplinePenalties;
  const quarter = Number(outcome.period.slice(-1));
  const deductionsZh: string[] = [];
  const deductionsOps: Operands = {};
  if (quarter === scheme.cme.quarter && (MEDICAL_ROLES as readonly string[]).includes(staff.role) && inputs.cmeCredits?.lt(scheme.cme.minCredits)) {
    deductionsZh.push(`继续医学教育学分 ${n(inputs.cmeCredits)} 不足 ${n(scheme.cme.minCredits)}，扣 ${n(scheme.cme.penalty)}`);
    deductionsOps.cmeCredits = n(inputs.cmeCredits);
  }
  if (inputs.refusedTraining) deductionsZh.push(`拒绝参加培训，扣 ${n(scheme.refusedTrainingPenalty)}`);
  if ((staff.role === 'physician' || staff.role === 'nurse') && !staff.licensed) deductionsZh.push(`无执业资格，扣 ${n(scheme.unlicensedPenalty)}`);
  if (!c.penalties.isZero()) reasons.push(reason('deductions', 'deductions', { points: formatScore(c.penalties), detail: deductionsZh.join('；') }));
  if (inputs.accident) reasons.push(reason('accident', 'qualityPoints'));
  if (inputs.ethicsZero) reasons.push(reason('ethicsZero', 'ethicsPoints'));
  if (inputs.absentFullDays >= 1) reasons.push(reason('fullDayAbsent', 'disciplinePoints', { absentFullDays: String(inputs.absentFullDays) }));
  if (inputs.absentDays > 0)
    reasons.push(reason('absent', 'attendanceDeduction', { absentDays: String(inputs.absentDays), requiredDays: String(inputs.requiredDays), deduction: line.attendanceDeduction }));
  if (new Dec(line.payRatio).lt(1)) reasons.push(reason('payRatio', 'payRatio', { payRatio: line.payRatio, employment: staff.employment }));
  if (basis.suspended) reasons.push(reason('suspended', 'effectiveScore', { disputeId: basis.suspended.disputeId, bookedIn: basis.suspended.bookedIn, period: outcome.period }));

  const effectiveTotal = effectiveTotals(outcome).get(line.department) ?? ZERO;
  const pointValue = effectiveTotal.isZero() || !department ? null : new Dec(department.final).div(effectiveTotal);
  const final = department?.final ?? '0.00';
  const raw = line.rawScore;
  const parts = [c.title, c.position, c.workload, c.quality, c.ethics, c.discipline].map((x) => sc(x)).join(' + ');
  const suspended = basis.suspended;
  return [
    item('titlePoints', '职称分', 'Title points', formatScore(c.title), '§3.9 the title grade’s points in the scheme', `§3.9 职称「${TITLE_ZH[staff.titleGrade] ?? staff.titleGrade}」在方案中的分值`, {
      titleGrade: staff.titleGrade,
    }),
    item(
      'positionPoints',
      '职务分',
      'Position points',
      formatScore(c.position),
      '§3.9 the position’s points (0 without a position)',
      staff.position ? `§3.9 职务「${POSITION_ZH[staff.position] ?? staff.position}」在方案中的分值` : '§3.9 无职务，为 0',
      staff.position ? { position: staff.position } : {},
    ),
    item('workloadPoints', '工作量得分', 'Workload', formatScore(c.workload), '§3.9 the department head’s workload score', '§3.9 科主任评定的个人工作量得分'),
    item(
      'qualityPoints',
      '医疗质量得分',
      'Quality',
      formatScore(c.quality),
      '§3.9 base quality − errors × error penalty; 0 after an accident',
      inputs.accident ? '§3.9 本季度发生医疗事故，医疗质量得分为 0' : `§3.9 基础分 ${n(base.quality)} − 差错 ${inputs.errors} 次 × ${n(scheme.errorPenalty)}，不低于 0`,
      { base: n(base.quality), errors: String(inputs.errors), errorPenalty: n(scheme.errorPenalty), accident: String(inputs.accident) },
    ),
    item(
      'ethicsPoints',
      '医德医风得分',
      'Ethics',
      formatScore(c.ethics),
      '§3.9 base ethics − deduction; 0 when zeroed',
      inputs.ethicsZero ? '§3.9 医德医风一票否决，得分为 0' : `§3.9 基础分 ${n(base.ethics)} − 扣分 ${n(inputs.ethicsDeduction)}，不低于 0`,
      { base: n(base.ethics), deduction: n(inputs.ethicsDeduction), ethicsZero: String(inputs.ethicsZero) },
    ),
    item(
      'disciplinePoints',
      '劳动纪律得分',
      'Discipline',
      formatScore(c.discipline),
      '§3.9 base discipline − lateness and half-day absences; 0 after a full day absent',
      inputs.absentFullDays >= 1
        ? `§3.9 旷工全天 ${inputs.absentFullDays} 天，劳动纪律得分为 0`
        : `§3.9 基础分 ${n(base.discipline)} − 迟到5分钟以上 ${inputs.lateOver5} 次 × ${n(dp.lateOver5)} − 迟到30分钟以上 ${inputs.lateOver30} 次 × ${n(dp.lateOver30)} − 缺勤半天 ${inputs.absentHalfDays} 次 × ${n(dp.absentHalfDay)}，不低于 0`,
      {
        base: n(base.discipline),
        lateOver5: String(inputs.lateOver5),
        lateOver30: String(inputs.lateOver30),
        absentHalfDays: String(inputs.absentHalfDays),
        absentFullDays: String(inputs.absentFullDays),
      },
    ),
    item(
      'deductions',
      '其他扣分',
      'Deductions',
      formatScore(c.penalties),
      '§3.9 CME shortfall (Q4, medical roles), refused training, unlicensed practice',
      `§3.9 继续医学教育学分不足（第${scheme.cme.quarter}季度，医技人员）、拒绝培训、无执业资格：${deductionsZh.length ? deductionsZh.join('；') : '本季度无'}`,
      deductionsOps,
    ),
    item(
      'rawScore',
      '原始得分',
      'Raw score',
      raw,
      'title + position + workload + quality + ethics + discipline − deductions, not below 0',
      `职称分 + 职务分 + 工作量 + 医疗质量 + 医德医风 + 劳动纪律 − 其他扣分 = ${parts} − ${sc(c.penalties)}，不低于 0`,
    ),
    item(
      'attendanceDeduction',
      '缺勤扣减',
      'Attendance deduction',
      line.attendanceDeduction,
      `rawScore ÷ requiredDays × absentDays = ${raw} ÷ ${inputs.requiredDays} × ${inputs.absentDays}`,
      `原始得分 ${sc(raw)} ÷ 应出勤天数 ${inputs.requiredDays} × 缺勤天数 ${inputs.absentDays}`,
      { rawScore: raw, requiredDays: String(inputs.requiredDays), absentDays: String(inputs.absentDays) },
    ),
    item(
      'overtimeAddition',
      '加班增加',
      'Overtime addition',
      line.overtimeAddition,
      `rawScore ÷ requiredDays × overtimeDays × overtime factor = ${raw} ÷ ${inputs.requiredDays} × ${inputs.overtimeDays} × ${n(scheme.overtimeFactor)}`,
      `原始得分 ${sc(raw)} ÷ 应出勤天数 ${inputs.requiredDays} × 加班天数 ${inputs.overtimeDays} × 加班系数 ${n(scheme.overtimeFactor)}`,
      { rawScore: raw, requiredDays: String(inputs.requiredDays), overtimeDays: String(inputs.overtimeDays), overtimeFactor: n(scheme.overtimeFactor) },
    ),
    item(
      'payRatio',
      '发放系数',
      'Pay ratio',
      line.payRatio,
      '§3.9 1 for 正式; by title grade for 临时工 and 合同工; or the person’s own',
      staff.payRatioOverride
        ? '§3.9 本人核定的发放系数'
        : `§3.9 用工形式「${EMPLOYMENT_ZH[staff.employment] ?? staff.employment}」、职称「${TITLE_ZH[staff.titleGrade] ?? staff.titleGrade}」的发放系数（正式职工为 1）`,
      { employment: staff.employment, titleGrade: staff.titleGrade },
    ),
    item(
      'effectiveScore',
      '实得分',
      'Effective score',
      line.effectiveScore,
      suspended
        ? `suspended (dispute ${suspended.disputeId}, booked in ${suspended.bookedIn}): the raw score stands, the effective score is 0`
        : `(rawScore − attendance + overtime) × payRatio = (${raw} − ${line.attendanceDeduction} + ${line.overtimeAddition}) × ${line.payRatio}`,
      suspended
        ? `暂停执业（医疗纠纷 ${suspended.disputeId}，${quarterZh(suspended.bookedIn)}登记）：原始得分保留，本季度实得分为 0`
        : `(原始得分 ${sc(raw)} − 缺勤扣减 ${sc(line.attendanceDeduction)} + 加班增加 ${sc(line.overtimeAddition)}) × 发放系数 ${sc(line.payRatio)}`,
      { rawScore: raw, attendanceDeduction: line.attendanceDeduction, overtimeAddition: line.overtimeAddition, payRatio: line.payRatio },
    ),
    item(
      'departmentPointValue',
      '科室分值（元/分）',
      'Department point value (yuan per point)',
      pointValue ? formatScore(pointValue) : '0.000000',
      `the department’s final amount ÷ its members’ effective scores = ${final} ÷ ${formatScore(effectiveTotal)}`,
      `科室实发 ${y(final)} ÷ 科室成员实得分合计 ${sc(effectiveTotal)}`,
      { departmentFinal: final, departmentEffectiveTotal: formatScore(effectiveTotal) },
    ),
    item(
      'tier2Pay',
      '科室二次分配',
      'Tier-2 pay',
      line.tier2Pay,
      `§3.9 the department’s final amount split by effective scores (largest remainder, to the cent): ${final} × ${line.effectiveScore} ÷ ${formatScore(effectiveTotal)}`,
      `§3.9 科室实发 ${y(final)} × 本人实得分 ${sc(line.effectiveScore)} ÷ 科室成员实得分合计 ${sc(effectiveTotal)}（最大余额法，精确到分）`,
      { departmentFinal: final, effectiveScore: line.effectiveScore, departmentEffectiveTotal: formatScore(effectiveTotal) },
    ),
  ];
}

/** The pay: tier 2 (for a person on study leave), leader bonus, study-leave pay, dispute liabilities, fines, total. */
function payItems(outcome: QuarterOutcome, line: QuarterlyIndividualLine, basis: PersonBasis | null, reasons: StatementReason[]): StatementItem[] {
  const { scheme } = outcome;
  const onLeave = !outcome.components.has(line.staffId);
  const items: StatementItem[] = [];
  const leave = basis?.studyLeave ?? null;
  if (onLeave) {
    reasons.push(reason('studyLeave', 'tier2Pay', { months: leave ? n(leave.months) : '', rate: leave ? n(leave.rate) : '' }));
    items.push(
      item(
        'tier2Pay',
        '科室二次分配',
        'Tier-2 pay',
        line.tier2Pay,
        '§3.2 on study leave: not a member of a department this quarter, no tier-2 pay',
        '§3.2 外出学习进修：本季度不是科室成员，不参加科室二次分配',
      ),
    );
  }
  const position = basis?.staff.position ?? null;
  const averageBonus = outcome.result.summary.averageBonus;
  let leaderZh = '§3.3 无职务，无职务奖励';
  let leaderEn = '§3.3 no position, no leader bonus';
  const leaderOps: Operands = {};
  if (position) {
    const rate = scheme.positions[position].bonusRate;
    leaderOps.position = position;
    leaderOps.bonusRate = n(rate);
    leaderOps.averageBonus = averageBonus;
    if (onLeave) {
      leaderZh = '§3.3 外出学习进修期间不发职务奖励';
      leaderEn = '§3.3 no leader bonus while on study leave';
      reasons.push(reason('noLeaderBonus', 'leaderBonus', { position, cause: 'studyLeave' }));
    } else if (!basis?.inputs.managerAssessmentPassed) {
      leaderZh = `§3.3 职务「${POSITION_ZH[position] ?? position}」管理考核未通过，不发职务奖励`;
      leaderEn = '§3.3 the manager assessment was not passed: no leader bonus';
      reasons.push(reason('noLeaderBonus', 'leaderBonus', { position, cause: 'assessment' }));
    } else {
      leaderZh = `§3.3 职务「${POSITION_ZH[position] ?? position}」奖励系数 ${n(rate)} × 全院平均奖 ${sc(averageBonus)}`;
      leaderEn = `§3.3 position bonus rate × the hospital’s average bonus = ${n(rate)} × ${averageBonus}, when the manager assessment is passed`;
    }
  }
  items.push(item('leaderBonus', '职务奖励', 'Leader bonus', line.leaderBonus, leaderEn, leaderZh, leaderOps));
  items.push(
    item(
      'studyLeavePay',
      '外出学习进修工资',
      'Study-leave pay',
      line.studyLeavePay,
      leave
        ? `§3.9 rate by length × mean tier-2 pay of members of the same title grade = ${n(leave.rate)} (${n(leave.months)} months) × ${formatScore(leave.mean)} (${leave.grade ? `${leave.members} members of grade ${leave.grade}` : `all ${leave.members} members`})`
        : '§3.9 rate by length × mean tier-2 pay of members of the same title grade (not on study leave)',
      leave
        ? `§3.9 外出 ${n(leave.months)} 个月的系数 ${n(leave.rate)} × ${leave.grade ? `同职称「${TITLE_ZH[leave.grade] ?? leave.grade}」在岗 ${leave.members} 人` : `全院在岗 ${leave.members} 人`}的二次分配平均数 ${sc(leave.mean)}`
        : '§3.9 未外出学习进修，无此项',
      leave ? { months: n(leave.months), rate: n(leave.rate), mean: formatScore(leave.mean), members: String(leave.members), ...(leave.grade ? { titleGrade: leave.grade } : {}) } : {},
    ),
  );
  const disputes = outcome.disputeItems.get(line.staffId) ?? [];
  if (line.disputeFines !== undefined) {
    items.push(
      item(
        'disputeFines',
        '医疗纠纷责任分担',
        'Medical-dispute liability',
        line.disputeFines,
        `disputes-and-awards §2–§3: ${disputes.map((d) => `${d.disputeId} ${formatMoney(d.amount)}`).join(', ') || 'none this quarter'}; part of the fines`,
        `医疗纠纷处理办法 §2–§3：${disputes.map((d) => `纠纷 ${d.disputeId} ${y(d.amount)}`).join('，') || '本季度无'}；并入罚款`,
        Object.fromEntries(disputes.map((d) => [d.disputeId, formatMoney(d.amount)])),
      ),
    );
  }
  const f = finesOf(outcome, line, basis);
  items.push(
    item(
      'finesApplied',
      '罚款',
      'Fines',
      line.finesApplied,
      `§3.9 fines (with any dispute liability), never more than the pay they are taken from: min(${f.own} + ${sumOf(f.disputes.map((d) => d.amount))}, ${f.gross})`,
      `§3.9 个人罚款 ${y(f.own)} + 纠纷责任 ${y(sumOf(f.disputes.map((d) => d.amount)))} = 应扣 ${y(f.due)}；不超过应发 ${y(f.gross)}（二次分配 + 职务奖励 + 进修工资）${f.notTaken === '0.00' ? '' : `，超出的 ${y(f.notTaken)} 不扣`}`,
      { own: f.own, disputes: sumOf(f.disputes.map((d) => d.amount)), due: f.due, gross: f.gross },
    ),
    item(
      'total',
      '实发合计',
      'Total',
      line.total,
      `tier-2 pay + leader bonus + study-leave pay − fines = ${line.tier2Pay} + ${line.leaderBonus} + ${line.studyLeavePay} − ${line.finesApplied}`,
      `二次分配 ${y(line.tier2Pay)} + 职务奖励 ${y(line.leaderBonus)} + 进修工资 ${y(line.studyLeavePay)} − 罚款 ${y(line.finesApplied)}`,
      { tier2Pay: line.tier2Pay, leaderBonus: line.leaderBonus, studyLeavePay: line.studyLeavePay, finesApplied: line.finesApplied },
    ),
  );
  return items;
}

/** Σ of money strings, as a money string. */
function sumOf(values: readonly string[]): string {
  return formatMoney(sum(values.map((v) => new Dec(v))));
}

/** The fines and dispute liabilities side by side with how they were applied (the line's own figures). */
function finesOf(outcome: QuarterOutcome, line: QuarterlyIndividualLine, basis: PersonBasis | null): PersonStatement['fines'] {
  const own = formatMoney(basis ? money(basis.inputs.fines) : ZERO);
  const disputes = (outcome.disputeItems.get(line.staffId) ?? []).map((d) => ({ disputeId: d.disputeId, amount: formatMoney(d.amount) }));
  const due = sumOf([own, ...disputes.map((d) => d.amount)]);
  const gross = sumOf([line.tier2Pay, line.leaderBonus, line.studyLeavePay]);
  return { own, disputes, due, gross, applied: line.finesApplied, notTaken: formatMoney(new Dec(due).minus(line.finesApplied)) };
}

// ------------------------------------------------------------------ department

export function departmentStatement(outcome: QuarterOutcome, code: string): DepartmentStatement | null {
  const d = outcome.result.departments.find((x) => x.code === code);
  if (!d) return null;
  const basis = outcome.departmentBasis.get(code) ?? null;
  const effectiveTotal = effectiveTotals(outcome).get(code) ?? ZERO;
  const pointValue = effectiveTotal.isZero() ? null : new Dec(d.final).div(effectiveTotal);
  const people = outcome.result.individuals.filter((l) => l.department === code);
  const reasons: StatementReason[] = [];
  if (d.headcount === 0) reasons.push(reason('noStaff', 'final'));
  const penaltiesDue = sumOf(Object.values(d.penalties));
  if (new Dec(penaltiesDue).gt(d.penaltyTotal)) reasons.push(reason('penaltiesCapped', 'penaltyTotal', { due: penaltiesDue, gross: d.gross, applied: d.penaltyTotal }));
  if (d.bankDeposit !== '0.00') reasons.push(reason('capped', 'bankDeposit', { net: d.net, cap: d.cap ?? '', deposit: d.bankDeposit }));
  if (d.bankDraw !== '0.00') reasons.push(reason('bankDraw', 'bankDraw', { draw: d.bankDraw }));
  if (d.floorSubsidy !== '0.00') reasons.push(reason('floorSubsidy', 'floorSubsidy', { subsidy: d.floorSubsidy }));
  if (d.headcount > 0 && effectiveTotal.isZero() && d.final !== '0.00') reasons.push(reason('unallocated', 'final', { final: d.final }));
  for (const p of people) {
    const s = personStatement(outcome, p.staffId);
    for (const r of s?.reasons ?? []) reasons.push({ ...r, staffId: p.staffId });
  }
  return {
    kind: 'department',
    period: outcome.period,
    department: { code: d.code, name: d.name, kind: d.kind, headcount: d.headcount },
    tier1: tier1Items(outcome, d, basis),
    penalties: penaltyItems(d, basis?.penalties ?? null),
    final: d.final,
    pointValue: outcome.result.summary.pointValue,
    tier2PointValue: pointValue ? formatScore(pointValue) : null,
    people,
    totals: {
      headcount: people.length,
      effectiveScore: formatScore(effectiveTotal),
      tier2Pay: sumOf(people.map((p) => p.tier2Pay)),
      leaderBonus: sumOf(people.map((p) => p.leaderBonus)),
      studyLeavePay: sumOf(people.map((p) => p.studyLeavePay)),
      finesApplied: sumOf(people.map((p) => p.finesApplied)),
      total: sumOf(people.map((p) => p.total)),
    },
    reasons,
  };
}

type DepartmentBasis = QuarterOutcome['departmentBasis'] extends Map<string, infer B> ? B : never;

function tier1Items(outcome: QuarterOutcome, d: QuarterlyDepartmentLine, basis: DepartmentBasis | null): StatementItem[] {
  const { scheme } = outcome;
  const summary = outcome.result.summary;
  const items: StatementItem[] = [];
  const hc = d.headcount;
  const inputs = basis?.inputs ?? null;
  const clinical = inputs?.kind === 'clinical' ? inputs : null;
  const cb = scheme.clinicalBasePoints;
  const W = d.workloadScore ?? '0.000000';
  const Q = d.qualityScore ?? '0.000000';
  const E = d.ethicsScore ?? '0.000000';
  const C = d.costCoefficient ?? '—';
  if (d.kind === 'clinical') {
    const workloadRatio = basis?.workloadRatio ?? null;
    const equal = clinical?.workload.length ? `1/${clinical.workload.length}` : '';
    const terms = (clinical?.workload ?? []).map((w) => `${w.weight ? n(w.weight) : equal} × ${g(n(w.actual))} ÷ ${g(n(w.base))}`);
    const revenue = basis?.medicalRevenue ?? null;
    const cost = basis?.totalCost ?? null;
    const bounds = scheme.costCoefficientBounds;
    const qd = clinical?.qualityDeductions;
    items.push(
      item(
        'workloadRatio',
        '工作量比率',
        'Workload ratio',
        formatScore(workloadRatio ?? ZERO),
        `§3.4 Σ weight × actual ÷ base over the workload indicators (capped if the scheme says so)${terms.length ? `: ${terms.join(' + ')}` : ''}`,
        `§3.4 各工作量指标 权重 × 实际 ÷ 基数 之和${terms.length ? `：${terms.join(' + ')}` : ''}${scheme.workloadRatioCap ? `，上限 ${n(scheme.workloadRatioCap)}` : ''}`,
        Object.fromEntries((clinical?.workload ?? []).flatMap((w, i) => [[`actual${i + 1}`, n(w.actual)], [`base${i + 1}`, n(w.base)], ...(w.weight ? [[`weight${i + 1}`, n(w.weight)]] : [])])),
      ),
      item(
        'workloadScore',
        '工作量得分 W',
        'Workload score W',
        W,
        `§3.4 base workload points × headcount × workload ratio = ${n(cb.workload)} × ${hc} × ${formatScore(workloadRatio ?? ZERO)}`,
        `§3.4 工作量基础分 ${n(cb.workload)} × 人数 ${hc} × 工作量比率 ${sc(workloadRatio ?? ZERO)}`,
        { basePoints: n(cb.workload), headcount: String(hc), workloadRatio: formatScore(workloadRatio ?? ZERO) },
      ),
      item(
        'qualityScore',
        '质量得分 Q',
        'Quality score Q',
        Q,
        `§3.4 base quality points × headcount − deductions, each category capped at its share: ${n(cb.quality)} × ${hc} − (medical ${qd ? n(qd.medical) : 0}, nursing ${qd ? n(qd.nursing) : 0}, infection control ${qd ? n(qd.infectionControl) : 0})`,
        `§3.4 质量基础分 ${n(cb.quality)} × 人数 ${hc} − 扣分（医疗 ${qd ? n(qd.medical) : 0}、护理 ${qd ? n(qd.nursing) : 0}、院感 ${qd ? n(qd.infectionControl) : 0}，各不超过其份额 ${n(scheme.qualityShares.medical)}、${n(scheme.qualityShares.nursing)}、${n(scheme.qualityShares.infectionControl)}）`,
        { basePoints: n(cb.quality), headcount: String(hc), medical: qd ? n(qd.medical) : '0', nursing: qd ? n(qd.nursing) : '0', infectionControl: qd ? n(qd.infectionControl) : '0' },
      ),
      item(
        'ethicsScore',
        '医德医风得分 E',
        'Ethics score E',
        E,
        `§3.4 base ethics points × headcount − deductions = ${n(cb.ethics)} × ${hc} − ${clinical ? n(clinical.ethicsDeductions) : 0}`,
        `§3.4 医德医风基础分 ${n(cb.ethics)} × 人数 ${hc} − 扣分 ${clinical ? n(clinical.ethicsDeductions) : 0}，不低于 0`,
        { basePoints: n(cb.ethics), headcount: String(hc), deductions: clinical ? n(clinical.ethicsDeductions) : '0' },
      ),
      item(
        'costCoefficient',
        '成本系数',
        'Cost coefficient',
        C,
        `§3.4 medical revenue ÷ total cost${revenue && cost ? ` = ${formatMoney(revenue)} ÷ ${formatMoney(cost)}` : ''} (within the scheme’s bounds)`,
        `§3.4 医疗收入${revenue ? ` ${y(revenue)}` : ''} ÷ 总成本${cost ? ` ${y(cost)}` : ''}${bounds ? `，限于 ${n(bounds.min)}～${n(bounds.max)}` : ''}${hc === 0 ? '；本季度无人员，不计' : ''}`,
        revenue && cost ? { medicalRevenue: formatMoney(revenue), totalCost: formatMoney(cost) } : {},
      ),
    );
  } else {
    const admin = inputs?.kind === 'admin' ? inputs : null;
    items.push(
      item(
        'basePerCapita',
        '人均基数',
        'Base per capita',
        d.basePerCapita ?? '0.000000',
        `§3.5 the mean per-capita score of the clinical departments (top ${scheme.adminBaseTopN.leadership} for leadership, top ${scheme.adminBaseTopN.coreAdmin} for core admin; all clinical for general admin)`,
        `§3.5 业务科室人均得分：院领导取第 ${scheme.adminBaseTopN.leadership} 名以内的平均，核心职能科室取前 ${scheme.adminBaseTopN.coreAdmin} 名的平均，一般行政后勤取全院业务科室总分 ÷ 总人数`,
      ),
    );
    items.push(
      item('riskCoefficient', '风险系数', 'Risk coefficient', d.riskCoefficient, 'the department’s risk coefficient', '科室风险系数（方案设定）'),
      item(
        'score',
        '考核得分',
        'Score',
        d.score,
        `§3.5 base × headcount × risk − deductions = ${d.basePerCapita ?? '0.000000'} × ${hc} × ${d.riskCoefficient} − (${admin ? n(admin.adminDeductions) : 0} + ${admin ? n(admin.ethicsDeductions) : 0})`,
        `§3.5 人均基数 ${sc(d.basePerCapita ?? '0.000000')} × 人数 ${hc} × 风险系数 ${sc(d.riskCoefficient)} − (管理扣分 ${admin ? n(admin.adminDeductions) : 0} + 医德医风扣分 ${admin ? n(admin.ethicsDeductions) : 0})，不低于 0`,
        {
          basePerCapita: d.basePerCapita ?? '0.000000',
          headcount: String(hc),
          riskCoefficient: d.riskCoefficient,
          adminDeductions: admin ? n(admin.adminDeductions) : '0',
          ethicsDeductions: admin ? n(admin.ethicsDeductions) : '0',
        },
      ),
    );
  }
  if (d.kind === 'clinical') {
    items.push(
      item('riskCoefficient', '风险系数', 'Risk coefficient', d.riskCoefficient, 'the department’s risk coefficient', '科室风险系数（方案设定）'),
      item(
        'score',
        '考核得分',
        'Score',
        d.score,
        `§3.4 (W + Q + E) × cost coefficient × risk coefficient = (${W} + ${Q} + ${E}) × ${C} × ${d.riskCoefficient}`,
        `§3.4 (W ${sc(W)} + Q ${sc(Q)} + E ${sc(E)}) × 成本系数 ${sc(C)} × 风险系数 ${sc(d.riskCoefficient)}`,
        { workloadScore: W, qualityScore: Q, ethicsScore: E, costCoefficient: C, riskCoefficient: d.riskCoefficient },
      ),
    );
  }
  const opening = formatMoney(new Dec(d.bankBalanceAfter).plus(d.bankDraw).minus(d.bankDeposit));
  const amount = formatMoney(Dec.min(new Dec(d.net), new Dec(d.cap ?? d.net)).plus(d.bankDraw));
  items.push(
    item(
      'pointValue',
      '全院分值（元/分）',
      'Hospital point value',
      summary.pointValue,
      `§3.6 tier-1 pool ÷ the total score = ${summary.tier1Pool} ÷ ${summary.totalScore}`,
      `§3.6 一次分配总额 ${y(summary.tier1Pool)} ÷ 全院科室总分 ${sc(summary.totalScore)}`,
      { tier1Pool: summary.tier1Pool, totalScore: summary.totalScore },
    ),
    item(
      'gross',
      '应分金额',
      'Gross',
      d.gross,
      `§3.6 the tier-1 pool split by scores (largest remainder): ${summary.tier1Pool} × ${d.score} ÷ ${summary.totalScore}`,
      `§3.6 一次分配总额 ${y(summary.tier1Pool)} × 本科室得分 ${sc(d.score)} ÷ 全院科室总分 ${sc(summary.totalScore)}（最大余额法，精确到分）`,
      { tier1Pool: summary.tier1Pool, score: d.score, totalScore: summary.totalScore },
    ),
    item(
      'penaltyTotal',
      '扣罚合计',
      'Penalties',
      d.penaltyTotal,
      `§3.7 the sum of the penalties below, at most the gross: min(${penaltiesDueOf(d)}, ${d.gross})`,
      `§3.7 下列各项扣罚之和 ${y(penaltiesDueOf(d))}，不超过应分金额 ${y(d.gross)}`,
      { penalties: penaltiesDueOf(d), gross: d.gross },
    ),
    item('net', '扣罚后金额', 'Net', d.net, `gross − penalties = ${d.gross} − ${d.penaltyTotal}`, `应分金额 ${y(d.gross)} − 扣罚合计 ${y(d.penaltyTotal)}`, {
      gross: d.gross,
      penaltyTotal: d.penaltyTotal,
    }),
    item(
      'cap',
      '封顶线',
      'Cap',
      d.cap ?? '—',
      `§3.8 cap multiple × average net per capita × headcount = ${n(scheme.capMultiple)} × ${summary.averageNetPerCapita} × ${hc}`,
      hc === 0 ? '§3.8 本季度无人员，不设封顶线' : `§3.8 封顶倍数 ${n(scheme.capMultiple)} × 全院人均核算额 ${sc(summary.averageNetPerCapita)} × 人数 ${hc}`,
      { capMultiple: n(scheme.capMultiple), averageNetPerCapita: summary.averageNetPerCapita, headcount: String(hc) },
    ),
    item(
      'bankDeposit',
      '存入调节金',
      'Banked',
      d.bankDeposit,
      `§3.8 the part above the cap, kept for a later quarter of the year: max(0, ${d.net} − ${d.cap ?? '—'})`,
      `§3.8 超过封顶线的部分存入调节金，留待本年度以后季度：max(0, 扣罚后金额 ${y(d.net)} − 封顶线 ${y(d.cap ?? '—')})`,
      { net: d.net, cap: d.cap ?? '—' },
    ),
    item(
      'bankDraw',
      '调节金补发',
      'Drawn from the bank',
      d.bankDraw,
      `§3.8 up to the average per capita × headcount, from the bank (opening balance ${opening}): ${summary.averageNetPerCapita} × ${hc}`,
      `§3.8 不足全院人均核算额 ${sc(summary.averageNetPerCapita)} × 人数 ${hc} 时，从调节金（期初余额 ${y(opening)}）补发`,
      { averageNetPerCapita: summary.averageNetPerCapita, headcount: String(hc), openingBalance: opening },
    ),
    item(
      'floorSubsidy',
      '保底补贴',
      'Floor subsidy',
      d.floorSubsidy,
      `§3.8 up to the floor per capita × headcount, paid by the hospital: ${n(scheme.floorPerCapita)} × ${hc} − ${amount}`,
      `§3.8 不足保底 人均 ${y(formatMoney(scheme.floorPerCapita))} × 人数 ${hc} 的部分由医院补足（补前 ${y(amount)}）`,
      { floorPerCapita: formatMoney(scheme.floorPerCapita), headcount: String(hc), before: amount },
    ),
    item(
      'final',
      '科室实发',
      'Final',
      d.final,
      `min(net, cap) + draw + subsidy = ${amount} + ${d.floorSubsidy}`,
      `min(扣罚后金额, 封顶线) + 调节金补发 + 保底补贴 = ${y(amount)} + ${y(d.floorSubsidy)}`,
      { beforeSubsidy: amount, floorSubsidy: d.floorSubsidy },
    ),
    item(
      'bankBalanceAfter',
      '调节金余额',
      'Bank balance after',
      d.bankBalanceAfter,
      `bank − draw + deposit = ${opening} − ${d.bankDraw} + ${d.bankDeposit}; expires at the year-end`,
      `期初余额 ${y(opening)} − 补发 ${y(d.bankDraw)} + 存入 ${y(d.bankDeposit)}；年终清零`,
      { openingBalance: opening, bankDraw: d.bankDraw, bankDeposit: d.bankDeposit },
    ),
  );
  return items;
}

/** Σ the department's penalties before the cap at the gross. */
function penaltiesDueOf(d: QuarterlyDepartmentLine): string {
  return sumOf(Object.values(d.penalties));
}

function penaltyItems(d: QuarterlyDepartmentLine, basis: PenaltyBasis | null): StatementItem[] {
  const s = formatScore;
  const cq = basis?.costQuota;
  const op = basis?.outpatientFee;
  const ip = basis?.inpatientFee;
  const dr = basis?.drugRatio;
  const il = basis?.inventoryLoss;
  const feeZh = (fee: NonNullable<typeof op>, what: string) =>
    `§3.7 ${what}：(实际 ${y(fee.actual)} − 目标 ${y(fee.target)}) ÷ 目标 × 100 = ${sc(fee.points)} 个百分点；为正时 应分金额 ${y(d.gross)} × ${n(fee.perPoint)} × 百分点`;
  return [
    item(
      'costQuota',
      '成本定额超支扣罚',
      'Cost-quota overrun',
      d.penalties.costQuota,
      cq
        ? `§3.7 (variable cost ${formatMoney(cq.variableCost)} − quota ratio ${s(cq.costQuotaRatio)} × medical revenue ${formatMoney(cq.medicalRevenue)}) = overrun ${formatMoney(cq.overrun)}; × ${s(cq.rate)} when positive`
        : '§3.7 no cost quota set',
      cq ? `§3.7 (变动成本 ${y(cq.variableCost)} − 定额比例 ${n(cq.costQuotaRatio)} × 医疗收入 ${y(cq.medicalRevenue)}) = 超支 ${y(cq.overrun)}；为正时 × ${n(cq.rate)}` : '§3.7 未设成本定额',
      cq
        ? { variableCost: formatMoney(cq.variableCost), costQuotaRatio: n(cq.costQuotaRatio), medicalRevenue: formatMoney(cq.medicalRevenue), overrun: formatMoney(cq.overrun), rate: n(cq.rate) }
        : {},
    ),
    item(
      'outpatientFee',
      '门诊次均费用超标扣罚',
      'Outpatient fee overrun',
      d.penalties.outpatientFee,
      op ? `§3.7 (actual ${s(op.actual)} − target ${s(op.target)}) ÷ target × 100 = ${s(op.points)} points; gross × ${s(op.perPoint)} × points when positive` : '§3.7 no outpatient fee target',
      op ? feeZh(op, '门诊次均费用') : '§3.7 未设门诊次均费用目标',
      op ? { actual: formatMoney(op.actual), target: formatMoney(op.target), points: s(op.points), perPoint: n(op.perPoint), gross: d.gross } : {},
    ),
    item(
      'inpatientFee',
      '住院次均费用超标扣罚',
      'Inpatient fee overrun',
      d.penalties.inpatientFee,
      ip ? `§3.7 (actual ${s(ip.actual)} − target ${s(ip.target)}) ÷ target × 100 = ${s(ip.points)} points; gross × ${s(ip.perPoint)} × points when positive` : '§3.7 no inpatient fee target',
      ip ? feeZh(ip, '住院次均费用') : '§3.7 未设住院次均费用目标',
      ip ? { actual: formatMoney(ip.actual), target: formatMoney(ip.target), points: s(ip.points), perPoint: n(ip.perPoint), gross: d.gross } : {},
    ),
    item(
      'drugRatio',
      '药占比超标扣罚',
      'Drug ratio overrun',
      d.penalties.drugRatio,
      dr
        ? `§3.7 drug ratio ${s(dr.ratio)} = drug ${formatMoney(dr.drugRevenue)} ÷ (medical ${formatMoney(dr.medicalRevenue)} + drug); (ratio − target ${s(dr.target)}) × 100 = ${s(dr.points)} points; gross × ${s(dr.perPoint)} × points when positive`
        : '§3.7 no drug-ratio target',
      dr
        ? `§3.7 药占比 ${sc(dr.ratio)} = 药品收入 ${y(dr.drugRevenue)} ÷ (医疗收入 ${y(dr.medicalRevenue)} + 药品收入)；(药占比 − 目标 ${n(dr.target)}) × 100 = ${sc(dr.points)} 个百分点；为正时 应分金额 ${y(d.gross)} × ${n(dr.perPoint)} × 百分点`
        : '§3.7 未设药占比目标',
      dr
        ? {
            drugRevenue: formatMoney(dr.drugRevenue),
            medicalRevenue: formatMoney(dr.medicalRevenue),
            ratio: s(dr.ratio),
            target: n(dr.target),
            points: s(dr.points),
            perPoint: n(dr.perPoint),
            gross: d.gross,
          }
        : {},
    ),
    item(
      'inventoryLoss',
      '盘亏扣罚',
      'Inventory loss',
      d.penalties.inventoryLoss,
      il ? `§3.7 loss ${formatMoney(il.loss)} × ${s(il.multiplier)}` : '§3.7 no inventory loss',
      il ? `§3.7 盘亏金额 ${y(il.loss)} × ${n(il.multiplier)} 倍` : '§3.7 本季度无盘亏',
      il ? { loss: formatMoney(il.loss), multiplier: n(il.multiplier) } : {},
    ),
  ];
}

/**
 * The conservation check a finance office reads on a quarter (§3.10, rearranged around the
 * pool): pool = paid + retained + banked − drawn − subsidised, where retained is what stays with
 * the hospital (the reserve less the adjustment, penalties, fines and unallocated money) and
 * subsidised is what it adds beyond the pool (floor subsidies and study-leave pay).
 */
export function conservation(summary: QuarterlyResult['summary']) {
  const d = (s: string) => new Dec(s);
  const retained = d(summary.reserve).minus(d(summary.adjustment)).plus(d(summary.penaltiesRetained)).plus(d(summary.finesRetained)).plus(d(summary.unallocated));
  const subsidised = d(summary.floorSubsidies).plus(d(summary.studyLeavePay));
  const right = d(summary.paidTotal).plus(retained).plus(d(summary.bankDeposits)).minus(d(summary.bankDraws)).minus(subsidised);
  return {
    pool: summary.pool,
    paid: summary.paidTotal,
    retained: formatMoney(retained),
    banked: summary.bankDeposits,
    drawn: summary.bankDraws,
    subsidised: formatMoney(subsidised),
    total: formatMoney(right),
    holds: right.eq(d(summary.pool)),
  };
}

// ------------------------------------------------------------------ year-end (allocation-rules §4)

/** What a year-end statement is built from: the engine's inputs of the year-end, the year's settled quarters and the result. */
export interface YearOutcome {
  hospital: Hospital;
  annual: AnnualInputs;
  /** The year's settled quarters, in order. */
  quarters: readonly QuarterOutcome[];
  result: AnnualResult;
}

const AnnualLineSchema = Type.Object(
  {
    department: Type.Object({ code: Type.String({ description: 'department code' }), name: Type.String({ description: 'department name' }) }, { description: 'the department of this line' }),
    quarters: Type.Array(
      Type.Object({ period: Type.String({ description: 'the quarter' }), effectiveScore: Score('the effective score in the department that quarter') }, { description: 'one quarter' }),
      {
        description: 'the quarters the person was a member of the department, with their effective scores',
      },
    ),
    weight: Score('Σ the effective scores (the weight)'),
    departmentAmount: Money('the department’s year-end amount'),
    departmentWeight: Score('Σ the weights of the department’s people'),
    amount: Money('the person’s part of the department’s amount'),
    riskAward: Type.Union([Money('the person’s part of the department’s risk award'), Type.Null()], { description: 'null without risk-award inputs' }),
  },
  { description: 'one department of a person’s year-end' },
);

export const AnnualPersonStatementSchema = Type.Object(
  {
    kind: Type.Literal('annualPerson', { description: 'a person’s year-end statement (个人年终绩效工资明细)' }),
    period: Type.String({ description: 'the year, YYYY' }),
    staffId: Type.String({ description: 'staff id' }),
    name: Type.String({ description: 'staff name' }),
    lines: Type.Array(AnnualLineSchema, { description: 'one per department the person was a member of, by code' }),
    items: Type.Array(StatementItemSchema, { description: 'each department’s weight, amount and risk award with its rule, then the total' }),
    reasons: Type.Array(ReasonSchema, { description: 'why figures are zero (a failed annual assessment)' }),
    total: Money('the year-end amount and risk awards'),
  },
  { description: 'every figure of a year-end that a person reads' },
);

export const AnnualDepartmentStatementSchema = Type.Object(
  {
    kind: Type.Literal('annualDepartment', { description: 'a department’s year-end statement (科室年终绩效核算表)' }),
    period: Type.String({ description: 'the year, YYYY' }),
    department: Type.Object({ code: Type.String({ description: 'department code' }), name: Type.String({ description: 'department name' }) }, { description: 'the department' }),
    items: Type.Array(StatementItemSchema, { description: 'the quarters’ scores, the assessment factor, the year-end score, the amount, the risk award, the bank expired' }),
    people: Type.Array(
      Type.Object(
        {
          staffId: Type.String({ description: 'staff id' }),
          name: Type.String({ description: 'staff name' }),
          weight: Score('Σ effective scores in the department over the year'),
          amount: Money('the person’s part of the amount'),
          riskAward: Type.Union([Money('the person’s part of the risk award'), Type.Null()], { description: 'null without risk-award inputs' }),
        },
        { description: 'one person’s line' },
      ),
      { description: 'the department’s year-end lines, by staff id' },
    ),
    excluded: Type.Array(
      Type.Object(
        { staffId: Type.String({ description: 'staff id' }), name: Type.String({ description: 'staff name' }), weight: Score('the weight they would have had') },
        { description: 'one person' },
      ),
      {
        description: 'members of the year who failed the annual assessment (年度考核不合格), excluded',
      },
    ),
    totals: Type.Object(
      {
        headcount: Headcount('the lines added'),
        weight: Score('Σ weights'),
        amount: Money('Σ amounts'),
        riskAward: Type.Union([Money('Σ risk awards'), Type.Null()], { description: 'null without risk-award inputs' }),
      },
      { description: '合计' },
    ),
    reasons: Type.Array(ReasonSchema, { description: 'why figures are zero' }),
  },
  { description: 'every figure of a year-end that a department head reads' },
);

export type AnnualPersonStatement = Static<typeof AnnualPersonStatementSchema>;
export type AnnualDepartmentStatement = Static<typeof AnnualDepartmentStatementSchema>;

/** Each member's full-precision effective score by quarter in a department (the weight's terms). */
function quarterTerms(yr: YearOutcome, department: string, staffId: string): { period: string; effectiveScore: Dec }[] {
  const out: { period: string; effectiveScore: Dec }[] = [];
  for (const q of yr.quarters) {
    for (const m of q.memberships) if (m.staffId === staffId && m.department === department) out.push({ period: q.period, effectiveScore: m.effectiveScore });
  }
  return out;
}

/** Σ the full-precision weights of a department's paid lines (the divisor of its split). */
function departmentWeight(yr: YearOutcome, department: string): Dec {
  const people = new Set(yr.result.individuals.filter((l) => l.department === department).map((l) => l.staffId));
  let total = ZERO;
  for (const q of yr.quarters) for (const m of q.memberships) if (m.department === department && people.has(m.staffId)) total = total.plus(m.effectiveScore);
  return total;
}

export function annualPersonStatement(yr: YearOutcome, staffId: string): AnnualPersonStatement | null {
  const staff = yr.hospital.staff.find((s) => s.id === staffId);
  const lines = yr.result.individuals.filter((l) => l.staffId === staffId);
  const failed = yr.annual.failedStaff.has(staffId);
  const memberOf = [...new Set(yr.quarters.flatMap((q) => q.memberships.filter((m) => m.staffId === staffId).map((m) => m.department)))];
  if (!staff || (lines.length === 0 && !(failed && memberOf.length > 0))) return null;
  const names = new Map(yr.result.departments.map((d) => [d.code, d.name]));
  const reasons: StatementReason[] = failed ? [reason('failedAnnual', 'total')] : [];
  const items: StatementItem[] = [];
  const out: AnnualPersonStatement['lines'] = [];
  const departments = failed ? memberOf.sort() : lines.map((l) => l.department);
  let total = ZERO;
  for (const code of departments) {
    const line = lines.find((l) => l.department === code);
    const d = yr.result.departments.find((x) => x.code === code)!;
    const terms = quarterTerms(yr, code, staffId);
    const weight = line?.weight ?? formatScore(sum(terms.map((t) => t.effectiveScore)));
    const divisor = formatScore(departmentWeight(yr, code));
    const amount = line?.amount ?? '0.00';
    const award = line?.riskAward ?? null;
    const termsText = terms.map((t) => `${t.period} ${formatScore(t.effectiveScore)}`);
    const termsZh = terms.map((t) => `${quarterZh(t.period)} ${sc(t.effectiveScore)}`);
    out.push({
      department: { code, name: names.get(code) ?? code },
      quarters: terms.map((t) => ({ period: t.period, effectiveScore: formatScore(t.effectiveScore) })),
      weight,
      departmentAmount: d.amount,
      departmentWeight: divisor,
      amount,
      riskAward: award,
    });
    items.push(
      item(
        `weight:${code}`,
        `全年实得分合计（${names.get(code) ?? code}）`,
        `Weight (${names.get(code) ?? code})`,
        weight,
        `§4 Σ the effective scores of the quarters in the department: ${termsText.join(' + ') || 'none'}`,
        `§4 本科室各季度实得分之和：${termsZh.join(' + ') || '无'}`,
        Object.fromEntries(terms.map((t) => [t.period, formatScore(t.effectiveScore)])),
      ),
      item(
        `amount:${code}`,
        `年终绩效（${names.get(code) ?? code}）`,
        `Year-end amount (${names.get(code) ?? code})`,
        amount,
        failed ? '§4 failed the annual assessment (年度考核不合格): excluded' : `§4 the department’s amount split by weights (largest remainder): ${d.amount} × ${weight} ÷ ${divisor}`,
        failed ? '§4 年度考核不合格，不参加年终绩效分配' : `§4 科室年终绩效 ${y(d.amount)} × 本人全年实得分 ${sc(weight)} ÷ 科室合计 ${sc(divisor)}（最大余额法，精确到分）`,
        { departmentAmount: d.amount, weight, departmentWeight: divisor },
      ),
    );
    if (award !== null || d.riskAward !== undefined) {
      items.push(
        item(
          `riskAward:${code}`,
          `风险奖（${names.get(code) ?? code}）`,
          `Risk award (${names.get(code) ?? code})`,
          award ?? '0.00',
          failed
            ? 'disputes-and-awards §5 failed the annual assessment (年度考核不合格): excluded'
            : `disputes-and-awards §5 the department’s risk award split by weights: ${d.riskAward ?? '0.00'} × ${weight} ÷ ${divisor}`,
          failed ? '医疗纠纷处理办法 §5 年度考核不合格，不参加风险奖分配' : `医疗纠纷处理办法 §5 科室风险奖 ${y(d.riskAward ?? '0.00')} × 本人全年实得分 ${sc(weight)} ÷ 科室合计 ${sc(divisor)}`,
          { departmentRiskAward: d.riskAward ?? '0.00', weight, departmentWeight: divisor },
        ),
      );
    }
    total = total.plus(amount).plus(award ?? 0);
  }
  const totalText = formatMoney(total);
  items.push(
    item(
      'total',
      '年终实发合计',
      'Total',
      totalText,
      `Σ the amounts and risk awards = ${out.map((l) => `${l.amount}${l.riskAward !== null ? ` + ${l.riskAward}` : ''}`).join(' + ') || '0.00'}`,
      `各科室年终绩效与风险奖之和 = ${out.map((l) => `${y(l.amount)}${l.riskAward !== null ? ` + ${y(l.riskAward)}` : ''}`).join(' + ') || '0.00'}`,
    ),
  );
  return { kind: 'annualPerson', period: yr.result.period, staffId, name: staff.name, lines: out, items, reasons, total: totalText };
}

export function annualDepartmentStatement(yr: YearOutcome, code: string): AnnualDepartmentStatement | null {
  const d = yr.result.departments.find((x) => x.code === code);
  if (!d) return null;
  const { scheme } = yr.hospital;
  const scores = yr.quarters.map((q) => ({ period: q.period, score: q.scores.get(code) ?? ZERO }));
  const quarterly = sum(scores.map((s) => s.score));
  const factor = yr.annual.assessmentFactors.get(code);
  const totalScore = formatScore(sum(yr.result.departments.map((x) => new Dec(x.score))));
  const fund = yr.result.summary.fund;
  const reserves = yr.quarters.map((q) => formatMoney(q.reserve));
  const risk = yr.annual.riskInputs?.get(code) ?? null;
  const named = yr.annual.disputeDepartments.has(code);
  const people = yr.result.individuals.filter((l) => l.department === code);
  const paid = new Set(people.map((p) => p.staffId));
  const names = new Map(yr.hospital.staff.map((s) => [s.id, s.name]));
  const excludedIds = [
    ...new Set(yr.quarters.flatMap((q) => q.memberships.filter((m) => m.department === code && yr.annual.failedStaff.has(m.staffId) && !paid.has(m.staffId)).map((m) => m.staffId))),
  ].sort();
  const reasons: StatementReason[] = excludedIds.map((id) => reason('failedAnnual', 'amount', {}, id));
  const withRisk = d.riskAward !== undefined;
  const items: StatementItem[] = [
    ...scores.map((s) =>
      item(
        `score:${s.period}`,
        `${quarterZh(s.period)}考核得分`,
        `Score ${s.period}`,
        formatScore(s.score),
        `§3.4–§3.5 the department’s score in ${s.period}`,
        `§3.4–§3.5 本科室${quarterZh(s.period)}考核得分`,
      ),
    ),
    item(
      'assessmentFactor',
      '年终考核系数',
      'Assessment factor',
      formatScore(factor ?? new Dec(1)),
      factor ? '§4 the year-end assessment score ÷ 100 (年终科室综合目标考核)' : '§4 no year-end assessment: 1',
      factor ? '§4 年终科室综合目标考核得分 ÷ 100' : '§4 未做年终考核，系数为 1',
    ),
    item(
      'score',
      '年终得分',
      'Year-end score',
      d.score,
      `§4 (Σ quarterly scores) × assessment factor = (${scores.map((s) => formatScore(s.score)).join(' + ')}) × ${formatScore(factor ?? new Dec(1))}`,
      `§4 (各季度得分之和 ${scores.map((s) => sc(s.score)).join(' + ')} = ${sc(quarterly)}) × 年终考核系数 ${sc(formatScore(factor ?? new Dec(1)))}`,
      { quarterlyScores: formatScore(quarterly), assessmentFactor: formatScore(factor ?? new Dec(1)) },
    ),
    item(
      'amount',
      '科室年终绩效',
      'Year-end amount',
      d.amount,
      `§4 the fund split by year-end scores (largest remainder): ${fund} × ${d.score} ÷ ${totalScore}; fund = Σ reserves (${reserves.join(' + ')}) + adjustment ${formatMoney(money(yr.annual.adjustment))}`,
      `§4 年终奖励基金 ${y(fund)} × 本科室年终得分 ${sc(d.score)} ÷ 全院年终得分合计 ${sc(totalScore)}（最大余额法）；基金 = 各季度预留 ${reserves.map((r) => y(r)).join(' + ')} + 年终调节 ${y(formatMoney(money(yr.annual.adjustment)))}`,
      { fund, score: d.score, totalScore, adjustment: formatMoney(money(yr.annual.adjustment)) },
    ),
  ];
  if (withRisk) {
    const tiers = scheme.riskAward.tiers.map((t) => `${n(t.growth)} → ${formatMoney(t.amount)}`).join('; ');
    const tiersZh = scheme.riskAward.tiers.map((t) => `增长 ≥ ${n(t.growth)} 奖 ${y(formatMoney(t.amount))}`).join('，');
    const ruleZh = named
      ? '医疗纠纷处理办法 §5 本年度有赔偿金额大于 0 的医疗纠纷涉及本科室，无风险奖'
      : risk
        ? `医疗纠纷处理办法 §5 开放床位 ${risk.openBeds ?? '—'}（不少于 ${scheme.riskAward.minOpenBeds}）或急诊科室（${risk.emergency ? '是' : '否'}），效益增长 ${risk.benefitGrowth ? n(risk.benefitGrowth) : '—'}：${tiersZh}`
        : '医疗纠纷处理办法 §5 无风险奖申报数据';
    items.push(
      item(
        'riskAward',
        '风险奖',
        'Risk award',
        d.riskAward ?? '0.00',
        named
          ? 'disputes-and-awards §5 named by a dispute with compensation this year: no risk award'
          : risk
            ? `disputes-and-awards §5 open beds ${risk.openBeds ?? '—'} (at least ${scheme.riskAward.minOpenBeds}) or emergency (${risk.emergency}), benefit growth ${risk.benefitGrowth ? n(risk.benefitGrowth) : '—'}: the highest tier reached (${tiers})`
            : 'disputes-and-awards §5 no risk-award inputs',
        ruleZh,
        risk ? { openBeds: String(risk.openBeds ?? ''), emergency: String(risk.emergency), benefitGrowth: risk.benefitGrowth ? n(risk.benefitGrowth) : '', namedByDispute: String(named) } : {},
      ),
    );
  }
  items.push(
    item(
      'bankExpired',
      '调节金年终清零',
      'Bank expired',
      d.bankExpired,
      `§4 the bank balance after the year’s last settled quarter (${yr.quarters.at(-1)?.period ?? '—'}), expired`,
      `§4 本年度最后一个已核算季度（${yr.quarters.at(-1) ? quarterZh(yr.quarters.at(-1)!.period) : '—'}）后的调节金余额，年终清零`,
    ),
  );
  return {
    kind: 'annualDepartment',
    period: yr.result.period,
    department: { code: d.code, name: d.name },
    items,
    people: people.map((p) => ({ staffId: p.staffId, name: p.name, weight: p.weight, amount: p.amount, riskAward: p.riskAward ?? null })),
    excluded: excludedIds.map((id) => ({ staffId: id, name: names.get(id) ?? id, weight: formatScore(sum(quarterTerms(yr, code, id).map((t) => t.effectiveScore))) })),
    totals: {
      headcount: people.length,
      weight: formatScore(departmentWeight(yr, code)),
      amount: sumOf(people.map((p) => p.amount)),
      riskAward: withRisk ? sumOf(people.map((p) => p.riskAward ?? '0.00')) : null,
    },
    reasons,
  };
}
