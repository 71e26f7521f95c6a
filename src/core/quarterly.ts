import { fail } from './errors.js';
import type { AssessmentLineage } from './assessment/evaluate.js';
import { checkQuarterInvariants, checkStorable } from './invariants.js';
import { type Dec, MoneyTotal, ZERO, formatConstantScore, formatMoney, formatScore, maxDec, minDec, money, split, splitInOrder, sum } from './money.js';
import type { QuarterlyDepartmentLine, QuarterlyIndividualLine, QuarterlyResult } from './result.js';
import { ELIGIBLE_EMPLOYMENTS } from './schema.js';
import { NO_PENALTIES, adminScore, clinicalScore, penaltiesWithBasis, NO_BASIS, type PenaltyBasis, rankClinicalPerCapita, type ClinicalScore, type Penalties } from './scores.js';
import { fullMarksPoints, individualScore, isOnStudyLeave, studyLeaveRate, type IndividualScore, type ScoreComponents } from './tier2.js';
import type { Scheme } from './scheme.js';
import type { Department, DepartmentInputs, Hospital, IndividualInputs, QuarterInputs, Staff, Suspension } from './types.js';
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
  departmentBasis: Map<string, { workloadRatio: Dec | null; medicalRevenue: Dec | null; totalCost: Dec | null; penalties: PenaltyBasis; inputs: DepartmentInputs | null }>;
  /** For statements: the scheme the quarter was settled with. */
  scheme: Scheme;
  /** For statements: every eligible person's record as settled, study-leave basis and suspension. */
  people: Map<string, PersonBasis>;
  /** Each person's liability of each dispute booked in the quarter (their disputeFines). */
  disputeItems: Map<string, { disputeId: string; amount: Dec }[]>;
  /** With an assessment: the defects and value records behind its figures (assessment.md §4); else null. */
  assessment: AssessmentLineage | null;
  result: QuarterlyResult;
}

/** What a study-leave payment was computed from (§3.9): rate × the mean tier-2 pay of `members` members (of `grade`, or of all when null). */
export interface StudyLeaveBasis {
  months: Dec;
  rate: Dec;
  mean: Dec;
  grade: string | null;
  members: number;
}

/** What a person's statement reads besides their line: the staff record, the inputs settled on, study leave, suspension. */
export interface PersonBasis {
  staff: Staff;
  inputs: IndividualInputs;
  studyLeave: StudyLeaveBasis | null;
  suspended: Suspension | null;
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
  studyLeave: StudyLeaveBasis | null;
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

/** What every step of a quarter reads: the scheme, the quarter's inputs, and where warnings go. */
interface QuarterContext {
  scheme: Scheme;
  q: QuarterInputs;
  label: string;
  warnings: string[];
}

/**
 * One quarter's settlement (allocation-rules.md §3). `openingBank` is each department's bank
 * balance carried from the previous settled quarter of the same year (empty in the year's first).
 */
export function settleQuarter(hospital: Hospital, q: QuarterInputs, openingBank: ReadonlyMap<string, Dec>): QuarterOutcome {
  const ctx: QuarterContext = { scheme: hospital.scheme, q, label: `period ${q.period}`, warnings: [] };
  const pool = poolOf(ctx);
  const { people, departments, headcount } = membership(ctx, hospital);
  const bonuses = payLeaderBonuses(ctx, people, pool.distributable, headcount);
  scoreDepartments(ctx, departments);
  const tier1 = tier1AndPenalties(ctx, departments, bonuses.tier1Pool);
  const averageNetPerCapita = capBankFloor(ctx, departments, headcount, openingBank);
  const tier2ByDepartment = payTier2(ctx, departments);
  const studyLeavePay = payStudyLeave(people, ctx.scheme);
  const lines = individualLines(ctx, people);

  const totals = {
    distributable: pool.distributable,
    subsidies: sum(departments.map((s) => s.floorSubsidy)),
    draws: sum(departments.map((s) => s.bankDraw)),
    deposits: sum(departments.map((s) => s.bankDeposit)),
    penalties: sum(departments.map((s) => s.penaltyTotal)),
    studyLeavePay,
    unallocated: sum(departments.map((s) => s.unallocated)),
    finesRetained: lines.finesRetained,
    paidTotal: lines.paidTotal,
    departmentsFinal: sum(departments.map((s) => s.final)),
    tier2Total: sum(tier2ByDepartment.values()),
  };
  checkQuarterInvariants(ctx.label, {
    tier1Pool: bonuses.tier1Pool,
    grossTotal: sum(departments.map((s) => s.gross)),
    departments: departments.map((s) => ({
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
      pool: formatMoney(pool.pool),
      reserve: formatMoney(pool.reserve),
      adjustment: formatMoney(pool.adjustment),
      distributable: formatMoney(pool.distributable),
      averageBonus: formatScore(bonuses.averageBonus),
      leaderBonusTotal: formatMoney(bonuses.leaderBonusTotal),
      tier1Pool: formatMoney(bonuses.tier1Pool),
      totalScore: formatScore(tier1.totalScore),
      pointValue: formatScore(tier1.pointValue),
      penaltiesRetained: formatMoney(totals.penalties),
      averageNetPerCapita: formatScore(averageNetPerCapita),
      bankDeposits: formatMoney(totals.deposits),
      bankDraws: formatMoney(totals.draws),
      floorSubsidies: formatMoney(totals.subsidies),
      departmentsFinal: formatMoney(totals.departmentsFinal),
      tier2Total: formatMoney(totals.tier2Total),
      studyLeavePay: formatMoney(totals.studyLeavePay),
      finesRetained: formatMoney(totals.finesRetained),
      unallocated: formatMoney(totals.unallocated),
      paidTotal: formatMoney(totals.paidTotal),
      headcount,
    },
    departments: departments.map(departmentLine),
    individuals: lines.individuals,
    warnings: ctx.warnings,
  };
  if (q.assessment) result.assessment = q.assessment.block;
  checkStorable(ctx.label, result, q.path, (code) => q.departments.get(code)?.path ?? q.path);
  return outcomeOf(q, ctx.scheme, pool.reserve, departments, people, result);
}

/** §3.1: the pool, the year-end reserve, and what is left to distribute this quarter. */
function poolOf({ q, scheme, label }: QuarterContext): { pool: Dec; reserve: Dec; adjustment: Dec; distributable: Dec } {
  const pool = money(q.revenue.times(scheme.poolRate));
  const reserve = money(q.revenue.times(scheme.reserveRate));
  const adjustment = money(q.adjustment);
  const distributable = pool.minus(reserve).plus(adjustment);
  if (distributable.lt(0)) {
    // the scheme's bounds keep the reserve within the pool, so only the adjustment can do this
    fail(
      'negative_distributable',
      `${label}: the distributable amount would be negative (${formatMoney(distributable)}): the adjustment ${formatMoney(adjustment)} takes more than pool − reserve (${formatMoney(pool.minus(reserve))})`,
      `${q.path}.adjustment`,
    );
  }
  return { pool, reserve, adjustment, distributable };
}

/**
 * §3.2: every eligible staff member with this quarter's inputs and department, and each
 * department's members (staff on study leave are in none). Departments in code order.
 */
function membership(ctx: QuarterContext, hospital: Hospital): { people: Person[]; departments: DepartmentState[]; headcount: number } {
  const { q, scheme } = ctx;
  const people: Person[] = [];
  for (const staff of hospital.staff) {
    if (!(ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(staff.employment)) continue;
    const record = q.individuals.get(staff.id);
    if (!record) ctx.warnings.push(`staff ${staff.id}: no individual record, defaults used`);
    const inputs = record ?? q.derivedDefaults.get(staff.id) ?? defaultIndividualInputs(q.workingDays, scheme);
    people.push({
      staff,
      inputs,
      department: inputs.department ?? staff.department,
      onStudyLeave: isOnStudyLeave(inputs.studyLeaveMonths, scheme),
      leaderBonus: ZERO,
      score: null,
      tier2Pay: ZERO,
      studyLeavePay: ZERO,
      studyLeave: null,
    });
  }
  const states = new Map<string, DepartmentState>(hospital.departments.map((dept) => [dept.code, emptyState(dept)]));
  let headcount = 0;
  for (const p of people) {
    if (p.onStudyLeave) continue;
    states.get(p.department)!.members.push(p);
    headcount += 1;
  }
  if (headcount === 0) fail('no_eligible_staff', `${ctx.label}: no eligible staff member is a member of a department this quarter`, 'staff');
  return { people, departments: [...states.values()], headcount };
}

/** §3.3: the leader bonuses, top-sliced from the distributable amount. */
function payLeaderBonuses({ scheme, label }: QuarterContext, people: Person[], distributable: Dec, headcount: number): { averageBonus: Dec; leaderBonusTotal: Dec; tier1Pool: Dec } {
  const averageBonus = distributable.div(headcount);
  let leaderBonusTotal = ZERO;
  for (const p of people) {
    if (p.onStudyLeave || !p.staff.position || !p.inputs.managerAssessmentPassed) continue;
    p.leaderBonus = money(scheme.positions[p.staff.position].bonusRate.times(averageBonus));
    leaderBonusTotal = leaderBonusTotal.plus(p.leaderBonus);
  }
  const tier1Pool = distributable.minus(leaderBonusTotal);
  if (tier1Pool.lt(0))
    fail('leader_bonus_exceeds_pool', `${label}: leader bonuses (${formatMoney(leaderBonusTotal)}) exceed the distributable amount; check the scheme's position bonus rates`, 'scheme.positions');
  return { averageBonus, leaderBonusTotal, tier1Pool };
}

/** §3.4 and §3.5: clinical department scores first, then the admin ones, which are based on them. */
function scoreDepartments(ctx: QuarterContext, departments: DepartmentState[]): void {
  const { q, scheme, label } = ctx;
  for (const s of departments) {
    if (s.dept.kind !== 'clinical') continue;
    if (s.members.length === 0) {
      ctx.warnings.push(`department ${s.dept.code}: no staff this quarter, score 0`);
      continue;
    }
    const inputs = q.departments.get(s.dept.code);
    if (inputs?.kind !== 'clinical') fail('missing_inputs', `${label}: clinical department ${s.dept.code} has ${s.members.length} members but no inputs`, `${q.path}.departments`);
    s.clinical = clinicalScore(s.dept, inputs, s.members.length, scheme, label);
    s.score = s.clinical.score;
  }
  const clinicalWithStaff = departments.filter((s) => s.dept.kind === 'clinical' && s.members.length > 0);
  const ranked = rankClinicalPerCapita(clinicalWithStaff.map((s) => ({ code: s.dept.code, score: s.score, headcount: s.members.length })));
  const clinicalTotals = { score: sum(clinicalWithStaff.map((s) => s.score)), headcount: clinicalWithStaff.reduce((n, s) => n + s.members.length, 0) };
  for (const s of departments) {
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
}

/** §3.6 and §3.7: the tier-1 pool split by scores, then each department's penalties. */
function tier1AndPenalties({ q, scheme, label }: QuarterContext, departments: DepartmentState[], tier1Pool: Dec): { totalScore: Dec; pointValue: Dec } {
  const totalScore = sum(departments.map((s) => s.score));
  if (totalScore.isZero()) fail('zero_total_score', `${label}: every department scores 0, so the pool cannot be divided`, `${q.path}.departments`);
  const pointValue = tier1Pool.div(totalScore);
  const gross = split(
    tier1Pool,
    departments.map((s) => ({ key: s.dept.code, weight: s.score })),
  ).parts;
  for (const s of departments) {
    s.gross = gross.get(s.dept.code)!;
    const charged = penaltiesWithBasis(q.departments.get(s.dept.code), s.gross, s.members.length > 0, scheme);
    s.penalties = charged.amounts;
    s.penaltyBasis = charged.basis;
    s.penaltyTotal = minDec(sum(Object.values(s.penalties)), s.gross);
    s.net = s.gross.minus(s.penaltyTotal);
  }
  return { totalScore, pointValue };
}

/** §3.8: cap, carry-over bank and floor, department by department in code order. Returns the average net per capita. */
function capBankFloor({ scheme }: QuarterContext, departments: DepartmentState[], headcount: number, openingBank: ReadonlyMap<string, Dec>): Dec {
  const averageNetPerCapita = sum(departments.map((s) => s.net)).div(headcount);
  for (const s of departments) {
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
  return averageNetPerCapita;
}

/** §3.9: each member's score, and each department's final amount split by effective scores. Returns Σ tier2Pay by department. */
function payTier2(ctx: QuarterContext, departments: DepartmentState[]): Map<string, Dec> {
  const { q, scheme } = ctx;
  const tier2ByDepartment = new Map<string, Dec>();
  const memo = fullMarksPoints();
  for (const s of departments) {
    for (const p of s.members) {
      p.score = individualScore(p.staff, p.inputs, q.quarter, scheme, memo);
      // disputes-and-awards §4: while suspended (暂停执业) the raw score stands but earns nothing
      if (q.suspended.has(p.staff.id)) p.score = { ...p.score, effectiveScore: ZERO };
    }
    const parts = splitInOrder(
      s.final,
      s.members.map((p) => ({ key: p.staff.id, weight: p.score!.effectiveScore })),
    );
    const departmentTier2 = new MoneyTotal();
    s.members.forEach((p, i) => {
      p.tier2Pay = parts ? parts[i]! : ZERO;
      departmentTier2.add(p.tier2Pay);
    });
    tier2ByDepartment.set(s.dept.code, departmentTier2.value());
    if (!parts && s.final.gt(0)) {
      s.unallocated = s.final;
      ctx.warnings.push(`department ${s.dept.code}: ${formatMoney(s.final)} unallocated, no member with an effective score`);
    }
  }
  return tier2ByDepartment;
}

/** §3.9's fines and totals: every eligible person's line, with the fines retained and the total paid. */
function individualLines({ q }: QuarterContext, people: Person[]): { individuals: QuarterlyIndividualLine[]; finesRetained: Dec; paidTotal: Dec } {
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
  return { individuals, finesRetained: finesTotal.value(), paidTotal: paid.value() };
}

/** What the quarter hands on to the next quarter, the year-end and the statements. */
function outcomeOf(q: QuarterInputs, scheme: Scheme, reserve: Dec, departments: DepartmentState[], people: Person[], result: QuarterlyResult): QuarterOutcome {
  const memberships: QuarterOutcome['memberships'] = [];
  for (const p of people) {
    if (!isScoredMember(p)) continue;
    memberships.push({ staffId: p.staff.id, department: p.department, effectiveScore: p.score.effectiveScore });
  }
  // what only statements and the stored lines read, by staff id: two maps of 10,000 people a
  // quarter, made when first read (a simulation, which prints neither, never makes them)
  let bases: Map<string, PersonBasis> | undefined;
  let components: Map<string, ScoreComponents> | undefined;
  return {
    get people() {
      bases ??= basesOf(q, people);
      return bases;
    },
    get components() {
      components ??= componentsOf(people);
      return components;
    },
    period: q.period,
    year: q.year,
    reserve,
    scores: new Map(departments.map((s) => [s.dept.code, s.score])),
    bankAfter: new Map(departments.map((s) => [s.dept.code, s.bankBalanceAfter])),
    memberships,
    disputeItems: q.disputeItems,
    assessment: q.assessment?.lineage ?? null,
    departmentBasis: new Map(
      departments.map((s) => {
        const inputs = q.departments.get(s.dept.code);
        const clinical = inputs?.kind === 'clinical' ? inputs : null;
        return [
          s.dept.code,
          {
            workloadRatio: s.clinical?.workloadRatio ?? null,
            medicalRevenue: clinical?.medicalRevenue ?? null,
            totalCost: clinical?.totalCost ?? null,
            penalties: s.penaltyBasis,
            inputs: inputs ?? null,
          },
        ];
      }),
    ),
    scheme,
    result,
  };
}

/** A member of their department's tier 2 with a score (not on study leave): in the memberships and the score components alike. */
function isScoredMember(p: Person): p is Person & { score: IndividualScore } {
  return !p.onStudyLeave && p.score !== null;
}

/** Each eligible person's basis for their statement, by staff id. */
function basesOf(q: QuarterInputs, people: readonly Person[]): Map<string, PersonBasis> {
  const bases = new Map<string, PersonBasis>();
  for (const p of people) bases.set(p.staff.id, { staff: p.staff, inputs: p.inputs, studyLeave: p.studyLeave, suspended: q.suspended.get(p.staff.id) ?? null });
  return bases;
}

/** The points behind each member's raw score (not staff on study leave), by staff id. */
function componentsOf(people: readonly Person[]): Map<string, ScoreComponents> {
  const components = new Map<string, ScoreComponents>();
  for (const p of people) if (isScoredMember(p)) components.set(p.staff.id, p.score.components);
  return components;
}

/**
 * 外出学习、进修 pay (§3.9): a rate of the mean tier-2 pay of the members of the same title grade
 * (of all members when none has it). Sets each person's studyLeavePay; returns the total.
 */
function payStudyLeave(people: Person[], scheme: Scheme): Dec {
  const onLeave = people.filter((p) => p.onStudyLeave);
  if (onLeave.length === 0) return ZERO;
  const grades = new Set(onLeave.map((p) => p.staff.titleGrade));
  // Σ tier2Pay of a grade's members: whole cents, summed exactly as the Decimals would be
  const byGrade = new Map<string, { total: MoneyTotal; count: number }>();
  for (const p of people) {
    if (p.onStudyLeave || !grades.has(p.staff.titleGrade)) continue;
    let g = byGrade.get(p.staff.titleGrade);
    if (!g) {
      g = { total: new MoneyTotal(), count: 0 };
      byGrade.set(p.staff.titleGrade, g);
    }
    g.total.add(p.tier2Pay);
    g.count += 1;
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
    const reference = g ? g.total.value().div(g.count) : meanOfAll();
    const rate = studyLeaveRate(p.inputs.studyLeaveMonths, scheme);
    p.studyLeavePay = money(rate.times(reference));
    p.studyLeave = { months: p.inputs.studyLeaveMonths, rate, mean: reference, grade: g ? p.staff.titleGrade : null, members: g ? g.count : people.length - onLeave.length };
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
