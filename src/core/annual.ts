import { fail } from './errors.js';
import { checkAnnualInvariants, checkStorable } from './invariants.js';
import { riskAwardOf } from './disputes.js';
import { type Dec, MoneyTotal, ONE, ZERO, compareKeys, formatMoney, formatScore, money, split, splitInOrder, sum } from './money.js';
import type { QuarterOutcome } from './quarterly.js';
import type { AnnualResult } from './result.js';
import type { AnnualInputs, Hospital } from './types.js';

/**
 * The year-end settlement (年终绩效工资, allocation-rules.md §4) from the year's settled quarters,
 * given in chronological order.
 */
export function settleYear(hospital: Hospital, annual: AnnualInputs, quarters: readonly QuarterOutcome[]): AnnualResult {
  const label = `year ${annual.year}`;
  const settled = quarters.filter((q) => q.year === annual.year);
  if (settled.length === 0) fail('no_settled_quarter', `${label}: the year has no settled quarter to settle at the year-end`, `${annual.path}.year`);

  const fund = sum(settled.map((q) => q.reserve)).plus(money(annual.adjustment));
  if (fund.lt(0)) fail('negative_fund', `${label}: the year-end fund would be negative (${formatMoney(fund)}); check the annual adjustment`, `${annual.path}.adjustment`);

  const annualScore = new Map<string, Dec>();
  for (const d of hospital.departments) {
    const quarterly = sum(settled.map((q) => q.scores.get(d.code) ?? ZERO));
    annualScore.set(d.code, quarterly.times(annual.assessmentFactors.get(d.code) ?? ONE));
  }
  const departmentSplit = split(
    fund,
    hospital.departments.map((d) => ({ key: d.code, weight: annualScore.get(d.code)! })),
  );

  // weight_i,d = Σ_q effective_i,q over the quarters i was a member of d; failed staff excluded.
  const weights = new Map<string, Map<string, Dec>>(hospital.departments.map((d) => [d.code, new Map()]));
  for (const q of settled) {
    for (const m of q.memberships) {
      if (annual.failedStaff.has(m.staffId)) continue;
      const byStaff = weights.get(m.department)!;
      const before = byStaff.get(m.staffId);
      byStaff.set(m.staffId, before === undefined ? m.effectiveScore : before.plus(m.effectiveScore));
    }
  }

  const names = new Map(hospital.staff.map((s) => [s.id, s.name]));
  const warnings: string[] = [];
  const individuals: AnnualResult['individuals'] = [];
  // §5 of disputes-and-awards: the risk award, paid by the hospital outside the fund
  const withRisk = annual.riskInputs !== null;
  const riskAward = new Map<string, Dec>();
  for (const d of hospital.departments) {
    const inputs = annual.riskInputs?.get(d.code);
    riskAward.set(d.code, inputs ? riskAwardOf(inputs, annual.disputeDepartments.has(d.code), hospital.scheme) : ZERO);
  }
  const riskAwardTotal = sum(riskAward.values());
  const paid = new MoneyTotal();
  let unallocated = departmentSplit.unallocated ? fund : ZERO;
  for (const d of hospital.departments) {
    const amount = departmentSplit.parts.get(d.code)!;
    const award = riskAward.get(d.code)!;
    const byStaff = [...weights.get(d.code)!].sort(([a], [b]) => compareKeys(a, b));
    const parties = byStaff.map(([staffId, weight]) => ({ key: staffId, weight }));
    const parts = splitInOrder(amount, parties);
    const awards = award.isZero() ? null : splitInOrder(award, parties);
    if (!award.isZero() && !awards) {
      unallocated = unallocated.plus(award);
      warnings.push(`department ${d.code}: risk award ${formatMoney(award)} unallocated, no member with a weight`);
    }
    if (!parts) {
      unallocated = unallocated.plus(amount);
      if (amount.gt(0)) warnings.push(`department ${d.code}: ${formatMoney(amount)} unallocated, no member with a weight`);
      continue;
    }
    for (const [i, [staffId, weight]] of byStaff.entries()) {
      const share = parts[i]!;
      const personAward = awards ? awards[i]! : ZERO;
      paid.add(share);
      if (!personAward.isZero()) paid.add(personAward);
      const line: AnnualResult['individuals'][number] = { staffId, name: names.get(staffId) ?? '', department: d.code, weight: formatScore(weight), amount: formatMoney(share) };
      if (withRisk) line.riskAward = formatMoney(personAward);
      individuals.push(line);
    }
  }
  individuals.sort((a, b) => compareKeys(a.staffId, b.staffId) || compareKeys(a.department, b.department));

  const paidTotal = paid.value();
  const departmentTotal = sum(departmentSplit.parts.values()).plus(departmentSplit.unallocated ? fund : ZERO);
  checkAnnualInvariants(label, { fund, departmentTotal, paidTotal, unallocated, riskAwardTotal });

  const lastBank = settled.at(-1)!.bankAfter;
  const bankExpired = hospital.departments.map((d) => lastBank.get(d.code) ?? ZERO);
  const summary: AnnualResult['summary'] = { fund: formatMoney(fund), unallocated: formatMoney(unallocated), bankExpired: formatMoney(sum(bankExpired)), paidTotal: formatMoney(paidTotal) };
  if (withRisk) summary.riskAwardTotal = formatMoney(riskAwardTotal);
  const result: AnnualResult = {
    period: String(annual.year),
    kind: 'annual',
    summary,
    departments: hospital.departments.map((d, i) => {
      const line: AnnualResult['departments'][number] = {
        code: d.code,
        name: d.name,
        score: formatScore(annualScore.get(d.code)!),
        amount: formatMoney(departmentSplit.parts.get(d.code)!),
        bankExpired: formatMoney(bankExpired[i]!),
      };
      if (withRisk) line.riskAward = formatMoney(riskAward.get(d.code)!);
      return line;
    }),
    individuals,
    warnings,
  };
  if (annual.flags) result.flags = annual.flags.map((f) => ({ ...f }));
  if (annual.assessment) result.assessment = annual.assessment.block;
  checkStorable(label, result, annual.path);
  return result;
}
