import { Dec, ZERO, formatMoney, formatScore, money } from './money.js';
import type { QuarterOutcome } from './quarterly.js';
import { Type, type Static } from '@sinclair/typebox';
import { Headcount, Money, QuarterlyIndividualLineSchema, Score, type QuarterlyDepartmentLine, type QuarterlyResult } from './result.js';
import type { PenaltyBasis } from './scores.js';

/**
 * Statements (个人绩效工资明细, 科室绩效核算表): every figure of a settled quarter that a person
 * or a department head reads, each with its label in Chinese and English and the rule that
 * produced it. Built from the engine's own outcome, so a statement never recomputes a rule.
 */
export const StatementItemSchema = Type.Object(
  {
    key: Type.String({ description: 'the figure’s name in the result document or the rule (e.g. rawScore, qualityPoints)' }),
    zh: Type.String({ description: 'its label in Chinese' }),
    en: Type.String({ description: 'its label in English' }),
    value: Type.String({ description: 'the figure: money as a 2-decimal string, points and scores as 6-decimal strings, or "—"' }),
    rule: Type.String({ description: 'the rule that produced it, with its inputs' }),
  },
  { description: 'one figure of a statement' },
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
    total: Money('what the person is paid this quarter'),
  },
  { description: 'every figure of a settled quarter that a person reads' },
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
  },
  { description: 'every figure of a settled quarter that a department head reads' },
);

export type StatementItem = Static<typeof StatementItemSchema>;
export type PersonStatement = Static<typeof PersonStatementSchema>;
export type DepartmentStatement = Static<typeof DepartmentStatementSchema>;

const item = (key: string, zh: string, en: string, value: string, rule: string): StatementItem => ({ key, zh, en, value, rule });

/** The department's tier-2 point value (元/分): its final amount over its members' effective scores. */
export function tier2PointValue(outcome: QuarterOutcome, department: string): Dec | null {
  return tier2PointValues(outcome).get(department) ?? null;
}

/**
 * Every department's tier-2 point value in one pass over the members (null: nobody with an
 * effective score). The members' scores are added in their order, as the split adds them.
 */
export function tier2PointValues(outcome: QuarterOutcome): Map<string, Dec | null> {
  const totals = new Map<string, Dec>();
  for (const m of outcome.memberships) totals.set(m.department, (totals.get(m.department) ?? ZERO).plus(m.effectiveScore));
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

export function personStatement(outcome: QuarterOutcome, staffId: string): PersonStatement | null {
  const line = outcome.result.individuals.find((l) => l.staffId === staffId);
  if (!line) return null;
  const department = outcome.result.departments.find((d) => d.code === line.department);
  const c = outcome.components.get(staffId);
  const pointValue = tier2PointValue(outcome, line.department);
  const items: StatementItem[] = [];
  if (c) {
    items.push(
      item('titlePoints', '职称分', 'Title points', formatScore(c.title), '§3.9 the title grade’s points in the scheme'),
      item('positionPoints', '职务分', 'Position points', formatScore(c.position), '§3.9 the position’s points (0 without a position)'),
      item('workloadPoints', '工作量得分', 'Workload', formatScore(c.workload), '§3.9 the department head’s workload score'),
      item('qualityPoints', '医疗质量得分', 'Quality', formatScore(c.quality), '§3.9 base quality − errors × error penalty; 0 after an accident'),
      item('ethicsPoints', '医德医风得分', 'Ethics', formatScore(c.ethics), '§3.9 base ethics − deduction; 0 when zeroed'),
      item('disciplinePoints', '劳动纪律得分', 'Discipline', formatScore(c.discipline), '§3.9 base discipline − lateness and half-day absences; 0 after a full day absent'),
      item('deductions', '其他扣分', 'Deductions', formatScore(c.penalties), '§3.9 CME shortfall (Q4, medical roles), refused training, unlicensed practice'),
      item('rawScore', '原始得分', 'Raw score', line.rawScore, 'title + position + workload + quality + ethics + discipline − deductions, not below 0'),
      item('attendanceDeduction', '缺勤扣减', 'Attendance deduction', line.attendanceDeduction, 'rawScore ÷ requiredDays × absentDays'),
      item('overtimeAddition', '加班增加', 'Overtime addition', line.overtimeAddition, 'rawScore ÷ requiredDays × overtimeDays × overtime factor'),
      item('payRatio', '发放系数', 'Pay ratio', line.payRatio, '§3.9 1 for 正式; by title grade for 临时工 and 合同工; or the person’s own'),
      item('effectiveScore', '实得分', 'Effective score', line.effectiveScore, '(rawScore − attendance + overtime) × payRatio'),
      item(
        'departmentPointValue',
        '科室分值（元/分）',
        'Department point value (yuan per point)',
        pointValue ? formatScore(pointValue) : '0.000000',
        'the department’s final amount ÷ its members’ effective scores',
      ),
    );
  }
  items.push(
    item('tier2Pay', '科室二次分配', 'Tier-2 pay', line.tier2Pay, '§3.9 the department’s final amount split by effective scores (largest remainder, to the cent)'),
    item('leaderBonus', '职务奖励', 'Leader bonus', line.leaderBonus, '§3.3 position bonus rate × the hospital’s average bonus, when the manager assessment is passed'),
    item('studyLeavePay', '外出学习进修工资', 'Study-leave pay', line.studyLeavePay, '§3.9 rate by length × mean tier-2 pay of members of the same title grade'),
    ...(line.disputeFines !== undefined
      ? [
          item(
            'disputeFines',
            '医疗纠纷责任分担',
            'Medical-dispute liability',
            line.disputeFines,
            `disputes-and-awards §2–§3: ${(outcome.disputeItems.get(staffId) ?? []).map((d) => `${d.disputeId} ${formatMoney(d.amount)}`).join(', ') || 'none this quarter'}; part of the fines`,
          ),
        ]
      : []),
    item('finesApplied', '罚款', 'Fines', line.finesApplied, '§3.9 fines (with any dispute liability), never more than the pay they are taken from'),
    item('total', '实发合计', 'Total', line.total, 'tier-2 pay + leader bonus + study-leave pay − fines'),
  );
  return {
    kind: 'person',
    period: outcome.period,
    staffId,
    name: line.name,
    department: { code: line.department, name: department?.name ?? line.department },
    onStudyLeave: !c,
    items,
    total: line.total,
  };
}

export function departmentStatement(outcome: QuarterOutcome, code: string): DepartmentStatement | null {
  const d = outcome.result.departments.find((x) => x.code === code);
  if (!d) return null;
  const basis = outcome.departmentBasis.get(code);
  const pointValue = tier2PointValue(outcome, code);
  return {
    kind: 'department',
    period: outcome.period,
    department: { code: d.code, name: d.name, kind: d.kind, headcount: d.headcount },
    tier1: tier1Items(d, basis ?? null, outcome.result.summary.pointValue),
    penalties: penaltyItems(d, basis?.penalties ?? null),
    final: d.final,
    pointValue: outcome.result.summary.pointValue,
    tier2PointValue: pointValue ? formatScore(pointValue) : null,
    people: outcome.result.individuals.filter((l) => l.department === code),
  };
}

function tier1Items(d: QuarterlyDepartmentLine, basis: { workloadRatio: Dec | null; medicalRevenue: Dec | null; totalCost: Dec | null } | null, pointValue: string): StatementItem[] {
  const items: StatementItem[] = [];
  const workloadRatio = basis?.workloadRatio ?? null;
  const revenueAndCost = basis?.medicalRevenue && basis.totalCost ? ` = ${formatMoney(basis.medicalRevenue)} ÷ ${formatMoney(basis.totalCost)}` : '';
  if (d.kind === 'clinical') {
    items.push(
      item('workloadRatio', '工作量比率', 'Workload ratio', formatScore(workloadRatio ?? ZERO), '§3.4 Σ weight × actual ÷ base over the workload indicators (capped if the scheme says so)'),
      item('workloadScore', '工作量得分 W', 'Workload score W', d.workloadScore ?? '0.000000', '§3.4 base workload points × headcount × workload ratio'),
      item('qualityScore', '质量得分 Q', 'Quality score Q', d.qualityScore ?? '0.000000', '§3.4 base quality points × headcount − deductions, each category capped at its share'),
      item('ethicsScore', '医德医风得分 E', 'Ethics score E', d.ethicsScore ?? '0.000000', '§3.4 base ethics points × headcount − deductions'),
      item('costCoefficient', '成本系数', 'Cost coefficient', d.costCoefficient ?? '—', `§3.4 medical revenue ÷ total cost${revenueAndCost} (within the scheme’s bounds)`),
    );
  } else {
    items.push(item('basePerCapita', '人均基数', 'Base per capita', d.basePerCapita ?? '0.000000', '§3.5 the mean per-capita score of the clinical departments (top N for leadership and core admin)'));
  }
  items.push(
    item('riskCoefficient', '风险系数', 'Risk coefficient', d.riskCoefficient, 'the department’s risk coefficient'),
    item('score', '考核得分', 'Score', d.score, d.kind === 'clinical' ? '§3.4 (W + Q + E) × cost coefficient × risk coefficient' : '§3.5 base × headcount × risk − deductions'),
    item('pointValue', '全院分值（元/分）', 'Hospital point value', pointValue, '§3.6 tier-1 pool ÷ the total score'),
    item('gross', '应分金额', 'Gross', d.gross, '§3.6 the tier-1 pool split by scores (largest remainder)'),
    item('penaltyTotal', '扣罚合计', 'Penalties', d.penaltyTotal, '§3.7 the sum of the penalties below, at most the gross'),
    item('net', '扣罚后金额', 'Net', d.net, 'gross − penalties'),
    item('cap', '封顶线', 'Cap', d.cap ?? '—', '§3.8 cap multiple × average net per capita × headcount'),
    item('bankDeposit', '存入调节金', 'Banked', d.bankDeposit, '§3.8 the part above the cap, kept for a later quarter of the year'),
    item('bankDraw', '调节金补发', 'Drawn from the bank', d.bankDraw, '§3.8 up to the average per capita × headcount, from the bank'),
    item('floorSubsidy', '保底补贴', 'Floor subsidy', d.floorSubsidy, '§3.8 up to the floor per capita × headcount, paid by the hospital'),
    item('final', '科室实发', 'Final', d.final, 'min(net, cap) + draw + subsidy'),
    item('bankBalanceAfter', '调节金余额', 'Bank balance after', d.bankBalanceAfter, 'bank − draw + deposit; expires at the year-end'),
  );
  return items;
}

function penaltyItems(d: QuarterlyDepartmentLine, basis: PenaltyBasis | null): StatementItem[] {
  const s = formatScore;
  const cq = basis?.costQuota;
  const op = basis?.outpatientFee;
  const ip = basis?.inpatientFee;
  const dr = basis?.drugRatio;
  const il = basis?.inventoryLoss;
  return [
    item(
      'costQuota',
      '成本定额超支扣罚',
      'Cost-quota overrun',
      d.penalties.costQuota,
      cq
        ? `§3.7 (variable cost ${formatMoney(cq.variableCost)} − quota ratio ${s(cq.costQuotaRatio)} × medical revenue ${formatMoney(cq.medicalRevenue)}) = overrun ${formatMoney(cq.overrun)}; × ${s(cq.rate)} when positive`
        : '§3.7 no cost quota set',
    ),
    item(
      'outpatientFee',
      '门诊次均费用超标扣罚',
      'Outpatient fee overrun',
      d.penalties.outpatientFee,
      op ? `§3.7 (actual ${s(op.actual)} − target ${s(op.target)}) ÷ target × 100 = ${s(op.points)} points; gross × ${s(op.perPoint)} × points when positive` : '§3.7 no outpatient fee target',
    ),
    item(
      'inpatientFee',
      '住院次均费用超标扣罚',
      'Inpatient fee overrun',
      d.penalties.inpatientFee,
      ip ? `§3.7 (actual ${s(ip.actual)} − target ${s(ip.target)}) ÷ target × 100 = ${s(ip.points)} points; gross × ${s(ip.perPoint)} × points when positive` : '§3.7 no inpatient fee target',
    ),
    item(
      'drugRatio',
      '药占比超标扣罚',
      'Drug ratio overrun',
      d.penalties.drugRatio,
      dr
        ? `§3.7 drug ratio ${s(dr.ratio)} = drug ${formatMoney(dr.drugRevenue)} ÷ (medical ${formatMoney(dr.medicalRevenue)} + drug); (ratio − target ${s(dr.target)}) × 100 = ${s(dr.points)} points; gross × ${s(dr.perPoint)} × points when positive`
        : '§3.7 no drug-ratio target',
    ),
    item('inventoryLoss', '盘亏扣罚', 'Inventory loss', d.penalties.inventoryLoss, il ? `§3.7 loss ${formatMoney(il.loss)} × ${s(il.multiplier)}` : '§3.7 no inventory loss'),
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
