import { fail } from './errors.js';
import { checkQuarterInvariants } from './invariants.js';
import { Dec, MoneyTotal, ZERO, formatConstantScore, formatMoney, formatScore, maxDec, minDec, money, split, sum } from './money.js';
import type { QuarterlyDepartmentLine, QuarterlyIndividualLine, QuarterlyResult } from './result.js';
import { ELIGIBLE_EMPLOYMENTS } from './schema.js';
import {
  NO_PENALTIES,
  adminScore,
  clinicalScore,
  penaltiesWithBasis,
  NO_BASIS,
  type PenaltyBasis,
  rankClinicalPerCapita,
  type ClinicalScore,
  type Penalties,
} from './scores.js';
import { fullMarksPoints, individualScore, isOnStudyLeave, studyLeaveRate, type IndividualScore, type ScoreComponents } from './tier2.js';
import type { Department, Hospital, IndividualInputs, QuarterInputs, Staff } from './types.js';
import { defaultIndividualInputs } from './validate.js';

/** What a settled quarter hands on: to the next quarter (the bank) and to the year-end. */
export interface QuarterOutcome {
  period: string;
  year: number;
  reserve: Dec;
  /** S_d at full precision, every department. */
  scores: Map<string, Dec>;
  /** Bank balance after this quarter, every department. */
  bankAfter: Map<string, Dec>;
  /** Members (not staff on study leave) with their department and full-precision effective score. */
  memberships: { staffId: string; department: string; effectiveScore: Dec }[];
  /** The points behind each member's raw score, for statements ("why this amount"). */
  components: Map<string, ScoreComponents>;
  /** What each department's figures were computed from, for its statement. */
  departmentBasis: Map<string, { workloadRatio: Dec | null; medicalRevenue: Dec | null; totalCost: Dec | null; penalties: PenaltyBasis }>;
  /** Each person's liability of each dispute booked in the quarter (their disputeFines). */
  disputeItems: Map<string, { disputeId: string; amount: Dec }[]>;
  result: QuarterlyResult;
}

/** An eligible staff member's quarter: membership, then what the steps of §3 give them. */
interface Person {
  staff: Staff;
  inputs: IndividualInputs;
  department: string;
  onStudyLeave: boolean;
  leaderBonus: Dec;
  score: IndividualScore | null;
  tier2Pay: Dec;
  studyLeavePay: Dec;
}

interface DepartmentState {
  dept: Department;
  members: Person[];
  clinical: ClinicalScore | null;
  basePerCapita: Dec | null;
  score: Dec;
  gross: Dec;
  penalties: Penalties;
  penaltyBasis: PenaltyBasis;
  penaltyTotal: Dec;
  net: Dec;
  cap: Dec | null;
  bankDeposit: Dec;
  bankDraw: Dec;
  floorSubsidy: Dec;
  final: Dec;
  bankBalanceAfter: Dec;
  unallocated: Dec;
}

/**
 * One quarter's settlement (allocation-rules.md §3). `openingBank` is each department's bank
 * balance carried from the previous settled quarter of the same year (empty in the year's first).
 */
export function settleQuarter(hospital: Hospital, q: QuarterInputs, openingBank: ReadonlyMap<string, Dec>): QuarterOutcome {
  const { scheme } = hospital;
  const label = `period ${q.period}`;
  const warnings: string[] = [];

  // §3.1 pool
  const pool = money(q.revenue.times(scheme.poolRate));
  const reserve = money(q.revenue.times(scheme.reserveRate));
  const adjustment = money(q.adjustment);
  const distributable = pool.minus(reserve).plus(adjustment);
  if (distributable.lt(0)) {
    fail('negative_distributable', `${label}: the distributable amount would be negative (${formatMoney(distributable)}); check revenue and adjustment`, `${q.path}.adjustment`);
  }

  // §3.2 membership
  const people: Person[] = [];
  for (const staff of hospital.staff) {
    if (!(ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(staff.employment)) continue;
    const record = q.individuals.get(staff.id);
    if (!record) warnings.push(`staff ${staff.id}: no individual record, defaults used`);
    const inputs = record ?? defaultIndividualInputs(q.workingDays, scheme);
    people.push({
      staff,
      inputs,
      department: inputs.department ?? staff.department,
      onStudyLeave: isOnStudyLeave(inputs.studyLeaveMonths, scheme),
      leaderBonus: ZERO,
      score: null,
      tier2Pay: ZERO,
      studyLeavePay: ZERO,
    });
  }
  const states = new Map<string, DepartmentState>(hospital.departments.map((dept) => [dept.code, emptyState(dept)]));
  for (const p of people) if (!p.onStudyLeave) states.get(p.department)!.members.push(p);
  let headcount = 0;
  for (const p of people) if (!p.onStudyLeave) headcount += 1;
  if (headcount === 0) fail('no_eligible_staff', `${label}: no eligible staff member is a member of a department this quarter`, 'staff');

  // §3.3 leader bonus
  const averageBonus = distributable.div(headcount);
  let leaderBonusTotal = ZERO;
  for (const p of people) {
    if (p.onStudyLeave || !p.staff.position || !p.inputs.managerAssessmentPassed) continue;
    p.leaderBonus = money(scheme.positions[p.staff.position].bonusRate.times(averageBonus));
    leaderBonusTotal = leaderBonusTotal.plus(p.leaderBonus);
  }
  const tier1Pool = distributable.minus(leaderBonusTotal);
  if (tier1Pool.lt(0)) fail('leader_bonus_exceeds_pool', `${label}: leader bonuses (${formatMoney(leaderBonusTotal)}) exceed the distributable amount; check the scheme's position bonus rates`, 'scheme.positions');

  // §3.4, §3.5 department scores
  const all = [...states.values()];
  for (const s of all) {
    if (s.dept.kind !== 'clinical') continue;
    if (s.members.length === 0) {
      warnings.push(`department ${s.dept.code}: no staff this quarter, score 0`);
      continue;
    }
    const inputs = q.departments.get(s.dept.code);
    if (inputs?.kind !== 'clinical') fail('missing_inputs', `${label}: clinical department ${s.dept.code} has ${s.members.length} members but no inputs`, `${q.path}.departments`);
    s.clinical = clinicalScore(s.dept, inputs, s.members.length, scheme, label);
    s.score = s.clinical.score;
  }
  const clinicalWithStaff = all.filter((s) => s.dept.kind === 'clinical' && s.members.length > 0);
  const ranked = rankClinicalPerCapita(clinicalWithStaff.map((s) => ({ code: s.dept.code, score: s.score, headcount: s.members.length })));
  const clinicalTotals = { score: sum(clinicalWithStaff.map((s) => s.score)), headcount: clinicalWithStaff.reduce((n, s) => n + s.members.length, 0) };
  for (const s of all) {
    if (s.dept.kind !== 'admin') continue;
    if (s.members.length === 0) {
      s.basePerCapita = ZERO;
      continue;
    }
    if (clinicalWithStaff.length === 0) {
      fail('no_clinical_staff', `${label}: admin department ${s.dept.code} has staff but no clinical department has any`, `${q.path}.departments`);
    }
    const inputs = q.departments.get(s.dept.code);
    const a = adminScore(s.dept, inputs?.kind === 'admin' ? inputs : undefined, s.members.length, ranked, clinicalTotals, scheme);
    s.basePerCapita = a.basePerCapita;
    s.score = a.score;
  }

  // §3.6 tier 1
  const totalScore = sum(all.map((s) => s.score));
  if (totalScore.isZero()) fail('zero_total_score', `${label}: every department scores 0, so the pool cannot be divided`, `${q.path}.departments`);
  const pointValue = tier1Pool.div(totalScore);
  const gross = split(tier1Pool, all.map((s) => ({ key: s.dept.code, weight: s.score }))).parts;

  // §3.7 penalties
  for (const s of all) {
    s.gross = gross.get(s.dept.code)!;
    const charged = penaltiesWithBasis(q.departments.get(s.dept.code), s.gross, s.members.length > 0, scheme);
    s.penalties = charged.amounts;
    s.penaltyBasis = charged.basis;
    s.penaltyTotal = minDec(sum(Object.values(s.penalties)), s.gross);
    s.net = s.gross.minus(s.penaltyTotal);
  }

  // §3.8 cap, bank, floor
  const averageNetPerCapita = sum(all.map((s) => s.net)).div(headcount);
  for (const s of all) {
    const balance = openingBank.get(s.dept.code) ?? ZERO;
    s.final = s.net;
    s.bankBalanceAfter = balance;
    const hc = s.members.length;
    if (hc === 0) continue;
    s.cap = money(scheme.capMultiple.times(averageNetPerCapita).times(hc));
    s.bankDeposit = maxDec(ZERO, s.net.minus(s.cap));
    let amount = minDec(s.net, s.cap);
    const target = money(averageNetPerCapita.times(hc));
    if (amount.lt(target) && balance.gt(0)) {
      s.bankDraw = minDec(balance, target.minus(amount));
      amount = amount.plus(s.bankDraw);
    }
    const floorAmount = money(scheme.floorPerCapita.times(hc));
    s.floorSubsidy = maxDec(ZERO, floorAmount.minus(amount));
    s.final = amount.plus(s.floorSubsidy);
    s.bankBalanceAfter = balance.minus(s.bankDraw).plus(s.bankDeposit);
  }

  // §3.9 tier 2
  const tier2ByDepartment = new Map<string, Dec>();
  const memo = fullMarksPoints();
  for (const s of all) {
    for (const p of s.members) {
      p.score = individualScore(p.staff, p.inputs, q.quarter, scheme, memo);
      // disputes-and-awards §4: while suspended (暂停执业) the raw score stands but earns nothing
      if (q.suspended.has(p.staff.id)) p.score = { ...p.score, effectiveScore: ZERO };
    }
    const parts = split(s.final, s.members.map((p) => ({ key: p.staff.id, weight: p.score!.effectiveScore })));
    const departmentTier2 = new MoneyTotal();
    for (const p of s.members) {
      p.tier2Pay = parts.parts.get(p.staff.id)!;
      departmentTier2.add(p.tier2Pay);
    }
    tier2ByDepartment.set(s.dept.code, departmentTier2.value());
    if (parts.unallocated && s.final.gt(0)) {
      s.unallocated = s.final;
      warnings.push(`department ${s.dept.code}: ${formatMoney(s.final)} unallocated, no member with an effective score`);
    }
  }
  const studyLeavePayTotal = payStudyLeave(people, scheme);

  const individuals: QuarterlyIndividualLine[] = [];
  const finesTotal = new MoneyTotal();
  const paid = new MoneyTotal();
  for (const p of people) {
    const { score, tier2Pay: pay, leaderBonus: bonus, studyLeavePay: leavePay } = p;
    // gross_i = tier2Pay + leaderBonus + studyLeavePay; total_i = gross_i − min(fines, gross_i)
    const grossPay = bonus.isZero() && leavePay.isZero() ? pay : pay.plus(bonus).plus(leavePay);
    // fines are money: rounded to the cent like the adjustment, so every reported line adds up;
    // the liabilities of the disputes booked in the quarter join them (disputes-and-awards §3)
    const disputeFines = q.disputeFines?.get(p.staff.id) ?? ZERO;
    const ownFines = p.inputs.fines.isZero() ? ZERO : money(p.inputs.fines);
    const fines = disputeFines.isZero() ? ownFines : ownFines.plus(disputeFines);
    const finesApplied = fines.isZero() ? ZERO : minDec(fines, grossPay);
    const total = finesApplied.isZero() ? grossPay : grossPay.minus(finesApplied);
    if (!finesApplied.isZero()) finesTotal.add(finesApplied);
    paid.add(total);
    const rawScore = formatScore(score?.rawScore ?? ZERO);
    const tier2PayText = formatMoney(pay);
    const line: QuarterlyIndividualLine = {
      staffId: p.staff.id,
      name: p.staff.name,
      department: p.department,
      rawScore,
      attendanceDeduction: formatScore(score?.attendanceDeduction ?? ZERO),
      overtimeAddition: formatScore(score?.overtimeAddition ?? ZERO),
      payRatio: formatConstantScore(score?.payRatio ?? ZERO),
      effectiveScore: score && score.effectiveScore === score.rawScore ? rawScore : formatScore(score?.effectiveScore ?? ZERO),
      tier2Pay: tier2PayText,
      leaderBonus: formatMoney(bonus),
      studyLeavePay: formatMoney(leavePay),
      finesApplied: formatMoney(finesApplied),
      total: total === pay ? tier2PayText : formatMoney(total),
    };
    if (q.disputeFines) line.disputeFines = formatMoney(disputeFines);
    individuals.push(line);
  }

  const finesRetained = finesTotal.value();
  const paidTotal = paid.value();
  const totals = {
    distributable,
    subsidies: sum(all.map((s) => s.floorSubsidy)),
    draws: sum(all.map((s) => s.bankDraw)),
    deposits: sum(all.map((s) => s.bankDeposit)),
    penalties: sum(all.map((s) => s.penaltyTotal)),
    studyLeavePay: studyLeavePayTotal,
    unallocated: sum(all.map((s) => s.unallocated)),
    finesRetained,
    paidTotal,
    departmentsFinal: sum(all.map((s) => s.final)),
    tier2Total: sum(tier2ByDepartment.values()),
  };
  checkQuarterInvariants(label, {
    tier1Pool,
    grossTotal: sum(all.map((s) => s.gross)),
    departments: all.map((s) => ({
      code: s.dept.code,
      final: s.final,
      unallocated: s.unallocated,
      tier2Total: tier2ByDepartment.get(s.dept.code)!,
    })),
    ...totals,
  });

  const result: QuarterlyResult = {
    period: q.period,
    kind: 'quarterly',
    summary: {
      revenue: formatMoney(q.revenue),
      pool: formatMoney(pool),
      reserve: formatMoney(reserve),
      adjustment: formatMoney(adjustment),
      distributable: formatMoney(distributable),
      averageBonus: formatScore(averageBonus),
      leaderBonusTotal: formatMoney(leaderBonusTotal),
      tier1Pool: formatMoney(tier1Pool),
      totalScore: formatScore(totalScore),
      pointValue: formatScore(pointValue),
      penaltiesRetained: formatMoney(totals.penalties),
      averageNetPerCapita: formatScore(averageNetPerCapita),
      bankDeposits: formatMoney(totals.deposits),
      bankDraws: formatMoney(totals.draws),
      floorSubsidies: formatMoney(totals.subsidies),
      departmentsFinal: formatMoney(totals.departmentsFinal),
      tier2Total: formatMoney(totals.tier2Total),
      studyLeavePay: formatMoney(totals.studyLeavePay),
      finesRetained: formatMoney(finesRetained),
      unallocated: formatMoney(totals.unallocated),
      paidTotal: formatMoney(paidTotal),
      headcount,
    },
    departments: all.map(departmentLine),
    individuals,
    warnings,
  };
  const memberships: QuarterOutcome['memberships'] = [];
  const components = new Map<string, ScoreComponents>();
  for (const p of people) {
    if (p.onStudyLeave || !p.score) continue;
    memberships.push({ staffId: p.staff.id, department: p.department, effectiveScore: p.score.effectiveScore });
    components.set(p.staff.id, p.score.components);
  }
  return {
    period: q.period,
    year: q.year,
    reserve,
    scores: new Map(all.map((s) => [s.dept.code, s.score])),
    bankAfter: new Map(all.map((s) => [s.dept.code, s.bankBalanceAfter])),
    memberships,
    components,
    disputeItems: q.disputeItems,
    departmentBasis: new Map(
      all.map((s) => {
        const inputs = q.departments.get(s.dept.code);
        const clinical = inputs?.kind === 'clinical' ? inputs : null;
        return [s.dept.code, { workloadRatio: s.clinical?.workloadRatio ?? null, medicalRevenue: clinical?.medicalRevenue ?? null, totalCost: clinical?.totalCost ?? null, penalties: s.penaltyBasis }];
      }),
    ),
    result,
  };
}

/**
 * 外出学习、进修 pay (§3.9): a rate of the mean tier-2 pay of the members of the same title grade
 * (of all members when none has it). Sets each person's studyLeavePay; returns the total.
 */
function payStudyLeave(people: Person[], scheme: Hospital['scheme']): Dec {
  const onLeave = people.filter((p) => p.onStudyLeave);
  if (onLeave.length === 0) return ZERO;
  const grades = new Set(onLeave.map((p) => p.staff.titleGrade));
  const byGrade = new Map<string, { total: Dec; count: number }>();
  for (const p of people) {
    if (p.onStudyLeave || !grades.has(p.staff.titleGrade)) continue;
    const g = byGrade.get(p.staff.titleGrade);
    if (g) {
      g.total = g.total.plus(p.tier2Pay);
      g.count += 1;
    } else byGrade.set(p.staff.titleGrade, { total: p.tier2Pay, count: 1 });
  }
  // the mean over all members, needed only when a grade on leave has no member
  let allMean: Dec | null = null;
  const meanOfAll = (): Dec => {
    if (allMean === null) {
      const members = people.filter((p) => !p.onStudyLeave);
      allMean = sum(members.map((p) => p.tier2Pay)).div(members.length);
    }
    return allMean;
  };
  let total = ZERO;
  for (const p of onLeave) {
    const g = byGrade.get(p.staff.titleGrade);
    const reference = g ? g.total.div(g.count) : meanOfAll();
    p.studyLeavePay = money(studyLeaveRate(p.inputs.studyLeaveMonths, scheme).times(reference));
    total = total.plus(p.studyLeavePay);
  }
  return total;
}

function emptyState(dept: Department): DepartmentState {
  return {
    dept,
    members: [],
    clinical: null,
    basePerCapita: null,
    score: ZERO,
    gross: ZERO,
    penalties: NO_PENALTIES,
    penaltyBasis: NO_BASIS,
    penaltyTotal: ZERO,
    net: ZERO,
    cap: null,
    bankDeposit: ZERO,
    bankDraw: ZERO,
    floorSubsidy: ZERO,
    final: ZERO,
    bankBalanceAfter: ZERO,
    unallocated: ZERO,
  };
}

function departmentLine(s: DepartmentState): QuarterlyDepartmentLine {
  const p = s.penalties;
  const line: QuarterlyDepartmentLine = {
    code: s.dept.code,
    name: s.dept.name,
    kind: s.dept.kind,
    headcount: s.members.length,
    score: formatScore(s.score),
    riskCoefficient: formatScore(s.dept.riskCoefficient),
    gross: formatMoney(s.gross),
    penalties: {
      costQuota: formatMoney(p.costQuota),
      outpatientFee: formatMoney(p.outpatientFee),
      inpatientFee: formatMoney(p.inpatientFee),
      drugRatio: formatMoney(p.drugRatio),
      inventoryLoss: formatMoney(p.inventoryLoss),
    },
    penaltyTotal: formatMoney(s.penaltyTotal),
    net: formatMoney(s.net),
    cap: s.cap ? formatMoney(s.cap) : null,
    bankDeposit: formatMoney(s.bankDeposit),
    bankDraw: formatMoney(s.bankDraw),
    floorSubsidy: formatMoney(s.floorSubsidy),
    final: formatMoney(s.final),
    bankBalanceAfter: formatMoney(s.bankBalanceAfter),
  };
  if (s.dept.kind === 'clinical') {
    line.workloadScore = formatScore(s.clinical?.workloadScore ?? ZERO);
    line.qualityScore = formatScore(s.clinical?.qualityScore ?? ZERO);
    line.ethicsScore = formatScore(s.clinical?.ethicsScore ?? ZERO);
    line.costCoefficient = s.clinical ? formatScore(s.clinical.costCoefficient) : null;
  } else {
    line.basePerCapita = formatScore(s.basePerCapita ?? ZERO);
  }
  return line;
}
