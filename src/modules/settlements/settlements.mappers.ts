import type { Static } from '@sinclair/typebox';
import type { RunView } from './settlements.schemas.js';
import type { AnnualResult, QuarterlyResult } from '../../core/index.js';
import type { annualDepartmentLines, annualIndividualLines } from '../../db/schema.js';
import type { DepartmentLineRow, ResultLineRow, RunRow } from './settlements.repository.js';

/** A stored quarter's lines back into the result document's entry (contract.md §2), field for field. */
export function quarterlyResultOf(run: RunRow, departments: DepartmentLineRow[], individuals: ResultLineRow[]): QuarterlyResult {
  return {
    period: run.period,
    kind: 'quarterly',
    summary: run.summary as QuarterlyResult['summary'],
    departments: departments.map(departmentLineOf),
    individuals: individuals.map(individualLineOf),
    warnings: (run.warnings ?? []) as string[],
  };
}

export function departmentLineOf(d: DepartmentLineRow): QuarterlyResult['departments'][number] {
  const line: QuarterlyResult['departments'][number] = {
    code: d.department,
    name: d.name,
    kind: d.kind as 'clinical' | 'admin',
    headcount: d.headcount,
    score: d.score,
    riskCoefficient: d.riskCoefficient,
    gross: d.gross,
    penalties: {
      costQuota: d.penaltyCostQuota,
      outpatientFee: d.penaltyOutpatientFee,
      inpatientFee: d.penaltyInpatientFee,
      drugRatio: d.penaltyDrugRatio,
      inventoryLoss: d.penaltyInventoryLoss,
    },
    penaltyTotal: d.penaltyTotal,
    net: d.net,
    cap: d.cap,
    bankDeposit: d.bankDeposit,
    bankDraw: d.bankDraw,
    floorSubsidy: d.floorSubsidy,
    final: d.final,
    bankBalanceAfter: d.bankBalanceAfter,
  };
  if (d.kind === 'clinical') {
    line.workloadScore = d.workloadScore ?? '0.000000';
    line.qualityScore = d.qualityScore ?? '0.000000';
    line.ethicsScore = d.ethicsScore ?? '0.000000';
    line.costCoefficient = d.costCoefficient;
  } else {
    line.basePerCapita = d.basePerCapita ?? '0.000000';
  }
  return line;
}

export function individualLineOf(i: ResultLineRow): QuarterlyResult['individuals'][number] {
  return {
    staffId: i.staffId,
    name: i.name,
    department: i.department,
    rawScore: i.rawScore,
    attendanceDeduction: i.attendanceDeduction,
    overtimeAddition: i.overtimeAddition,
    payRatio: i.payRatio,
    effectiveScore: i.effectiveScore,
    tier2Pay: i.tier2Pay,
    leaderBonus: i.leaderBonus,
    studyLeavePay: i.studyLeavePay,
    finesApplied: i.finesApplied,
    total: i.total,
    ...(i.disputeFines !== null && i.disputeFines !== undefined ? { disputeFines: i.disputeFines } : {}),
  };
}

export function annualResultOf(run: RunRow, departments: (typeof annualDepartmentLines.$inferSelect)[], individuals: (typeof annualIndividualLines.$inferSelect)[]): AnnualResult {
  return {
    period: run.period,
    kind: 'annual',
    summary: run.summary as AnnualResult['summary'],
    departments: departments.map((d) => ({
      code: d.department,
      name: d.name,
      score: d.score,
      amount: d.amount,
      bankExpired: d.bankExpired,
      ...(d.riskAward !== null ? { riskAward: d.riskAward } : {}),
    })),
    individuals: individuals.map((i) => ({
      staffId: i.staffId,
      name: i.name,
      department: i.department,
      weight: i.weight,
      amount: i.amount,
      ...(i.riskAward !== null ? { riskAward: i.riskAward } : {}),
    })),
    warnings: (run.warnings ?? []) as string[],
    ...(run.flags ? { flags: run.flags as AnnualResult['flags'] } : {}),
  };
}

/** The run as the API shows it (contract.md §4): result only once it exists. */
export type RunViewShape = Static<typeof RunView>;

export function runView(run: RunRow, hospitalCode: string, result?: QuarterlyResult | AnnualResult): RunViewShape {
  return {
    id: run.id,
    hospital: hospitalCode,
    period: run.period,
    kind: run.kind as RunViewShape['kind'],
    status: run.status as RunViewShape['status'],
    ...(run.error ? { error: run.error as RunViewShape['error'] } : {}),
    requestedBy: run.requestedBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    approvedBy: run.approvedBy,
    approvedAt: run.approvedAt?.toISOString() ?? null,
    approvalOverrideReason: run.approvalOverrideReason,
    supersededBy: run.supersededBy,
    schemeVersionId: run.schemeVersionId,
    inputHash: run.inputHash,
    ...(result ? { result } : {}),
  };
}
