import { fail } from './errors.js';
import { Dec, HUNDRED, ONE, ZERO, compareKeys, maxDec, minDec, money, sum } from './money.js';
import type { Scheme } from './scheme.js';
import type { AdminInputs, ClinicalInputs, Department } from './types.js';

export interface ClinicalScore {
  workloadRatio: Dec;
  workloadScore: Dec;
  qualityScore: Dec;
  ethicsScore: Dec;
  costCoefficient: Dec;
  score: Dec;
}

/** 业务科室考核实得分 (§3.4) for a clinical department with n > 0 members. */
export function clinicalScore(dept: Department, inputs: ClinicalInputs, n: number, scheme: Scheme, label: string): ClinicalScore {
  const where = inputs.path;
  if (inputs.workload.length === 0) fail('missing_inputs', `${label}, department ${dept.code}: workload is required (at least one indicator)`, `${where}.workload`);
  if (!inputs.totalCost) fail('missing_field', `${label}, department ${dept.code}: totalCost is required`, `${where}.totalCost`);
  if (!inputs.medicalRevenue) fail('missing_field', `${label}, department ${dept.code}: medicalRevenue is required`, `${where}.medicalRevenue`);
  const hc = new Dec(n);
  const { clinicalBasePoints: base, qualityShares: shares } = scheme;

  const equalWeight = ONE.div(inputs.workload.length);
  let workloadRatio = sum(inputs.workload.map((w) => (w.weight ?? equalWeight).times(w.actual.div(w.base))));
  if (scheme.workloadRatioCap) workloadRatio = minDec(workloadRatio, scheme.workloadRatioCap);
  const workloadScore = base.workload.times(hc).times(workloadRatio);

  const qualityBase = base.quality.times(hc);
  const q = inputs.qualityDeductions;
  const qualityDeducted = minDec(q.medical, shares.medical.times(base.quality).times(hc))
    .plus(minDec(q.nursing, shares.nursing.times(base.quality).times(hc)))
    .plus(minDec(q.infectionControl, shares.infectionControl.times(base.quality).times(hc)));
  const qualityScore = maxDec(ZERO, qualityBase.minus(qualityDeducted));

  const ethicsScore = maxDec(ZERO, base.ethics.times(hc).minus(inputs.ethicsDeductions));

  let costCoefficient = inputs.medicalRevenue.div(inputs.totalCost);
  const bounds = scheme.costCoefficientBounds;
  if (bounds) costCoefficient = minDec(maxDec(costCoefficient, bounds.min), bounds.max);

  const score = workloadScore.plus(qualityScore).plus(ethicsScore).times(costCoefficient).times(dept.riskCoefficient);
  return { workloadRatio, workloadScore, qualityScore, ethicsScore, costCoefficient, score };
}

export interface ClinicalPerCapita {
  code: string;
  perCapita: Dec;
}

/** pc_d = S_d / hc_d of the clinical departments with staff, descending, ties by code (§3.5). */
export function rankClinicalPerCapita(scores: { code: string; score: Dec; headcount: number }[]): ClinicalPerCapita[] {
  return scores.map((s) => ({ code: s.code, perCapita: s.score.div(s.headcount) })).sort((a, b) => b.perCapita.comparedTo(a.perCapita) || compareKeys(a.code, b.code));
}

export interface AdminScore {
  basePerCapita: Dec;
  score: Dec;
}

/** 行政、后勤科室考核实得分 (§3.5) for an admin department with n > 0 members. */
export function adminScore(dept: Department, inputs: AdminInputs | undefined, n: number, ranked: ClinicalPerCapita[], clinicalTotals: { score: Dec; headcount: number }, scheme: Scheme): AdminScore {
  let basePerCapita: Dec;
  if (dept.adminClass === 'general_admin') {
    basePerCapita = clinicalTotals.score.div(clinicalTotals.headcount);
  } else {
    const topN = dept.adminClass === 'leadership' ? scheme.adminBaseTopN.leadership : scheme.adminBaseTopN.coreAdmin;
    const top = ranked.slice(0, topN);
    basePerCapita = sum(top.map((t) => t.perCapita)).div(top.length);
  }
  const deductions = (inputs?.adminDeductions ?? ZERO).plus(inputs?.ethicsDeductions ?? ZERO);
  const score = maxDec(ZERO, basePerCapita.times(n).times(dept.riskCoefficient).minus(deductions));
  return { basePerCapita, score };
}

export interface Penalties {
  costQuota: Dec;
  outpatientFee: Dec;
  inpatientFee: Dec;
  drugRatio: Dec;
  inventoryLoss: Dec;
}

export const NO_PENALTIES: Penalties = { costQuota: ZERO, outpatientFee: ZERO, inpatientFee: ZERO, drugRatio: ZERO, inventoryLoss: ZERO };

/** What each penalty of §3.7 was computed from (null: the component does not apply). */
export interface PenaltyBasis {
  costQuota: { variableCost: Dec; costQuotaRatio: Dec; medicalRevenue: Dec; overrun: Dec; rate: Dec } | null;
  outpatientFee: { actual: Dec; target: Dec; points: Dec; perPoint: Dec } | null;
  inpatientFee: { actual: Dec; target: Dec; points: Dec; perPoint: Dec } | null;
  drugRatio: { drugRevenue: Dec; medicalRevenue: Dec; ratio: Dec; target: Dec; points: Dec; perPoint: Dec } | null;
  inventoryLoss: { loss: Dec; multiplier: Dec } | null;
}

export const NO_BASIS: PenaltyBasis = { costQuota: null, outpatientFee: null, inpatientFee: null, drugRatio: null, inventoryLoss: null };

/**
 * The three controls and inventory loss (§3.7), each money-rounded, with the figures each
 * component was computed from (for statements). The fee, drug and cost-quota components apply
 * to clinical departments with staff; inventory loss to any department.
 */
export function penaltiesWithBasis(inputs: ClinicalInputs | AdminInputs | undefined, gross: Dec, hasStaff: boolean, scheme: Scheme): { amounts: Penalties; basis: PenaltyBasis } {
  if (!inputs) return { amounts: NO_PENALTIES, basis: NO_BASIS };
  const inventoryLoss = money(inputs.inventoryLoss.times(scheme.inventoryLossMultiplier));
  const lossBasis = inputs.inventoryLoss.isZero() ? null : { loss: inputs.inventoryLoss, multiplier: scheme.inventoryLossMultiplier };
  if (inputs.kind === 'admin' || !hasStaff) return { amounts: { ...NO_PENALTIES, inventoryLoss }, basis: { ...NO_BASIS, inventoryLoss: lossBasis } };

  let costQuota = ZERO;
  let costBasis: PenaltyBasis['costQuota'] = null;
  if (inputs.variableCost && inputs.costQuotaRatio) {
    const overrun = inputs.variableCost.minus(inputs.costQuotaRatio.times(inputs.medicalRevenue!));
    if (overrun.gt(0)) costQuota = money(overrun.times(scheme.costQuotaPenaltyRate));
    costBasis = { variableCost: inputs.variableCost, costQuotaRatio: inputs.costQuotaRatio, medicalRevenue: inputs.medicalRevenue!, overrun, rate: scheme.costQuotaPenaltyRate };
  }
  const feePenalty = (fee: ClinicalInputs['outpatientFee']): [Dec, PenaltyBasis['outpatientFee']] => {
    if (!fee) return [ZERO, null];
    const pp = fee.actual.minus(fee.target).div(fee.target).times(HUNDRED);
    const amount = pp.gt(0) ? money(gross.times(scheme.feePenaltyPerPoint).times(pp)) : ZERO;
    return [amount, { actual: fee.actual, target: fee.target, points: pp, perPoint: scheme.feePenaltyPerPoint }];
  };
  let drugRatio = ZERO;
  let drugBasis: PenaltyBasis['drugRatio'] = null;
  const revenue = inputs.medicalRevenue!.plus(inputs.drugRevenue);
  if (inputs.drugRatioTarget && revenue.gt(0)) {
    const ratio = inputs.drugRevenue.div(revenue);
    const pp = ratio.minus(inputs.drugRatioTarget).times(HUNDRED);
    if (pp.gt(0)) drugRatio = money(gross.times(scheme.drugPenaltyPerPoint).times(pp));
    drugBasis = { drugRevenue: inputs.drugRevenue, medicalRevenue: inputs.medicalRevenue!, ratio, target: inputs.drugRatioTarget, points: pp, perPoint: scheme.drugPenaltyPerPoint };
  }
  const [outpatientFee, outpatientBasis] = feePenalty(inputs.outpatientFee);
  const [inpatientFee, inpatientBasis] = feePenalty(inputs.inpatientFee);
  return {
    amounts: { costQuota, outpatientFee, inpatientFee, drugRatio, inventoryLoss },
    basis: { costQuota: costBasis, outpatientFee: outpatientBasis, inpatientFee: inpatientBasis, drugRatio: drugBasis, inventoryLoss: lossBasis },
  };
}
