import { fail } from './errors.js';
import { formatMoney, type Dec } from './money.js';

export interface QuarterTotals {
  tier1Pool: Dec;
  grossTotal: Dec;
  departments: { code: string; final: Dec; unallocated: Dec; tier2Total: Dec }[];
  distributable: Dec;
  subsidies: Dec;
  draws: Dec;
  studyLeavePay: Dec;
  paidTotal: Dec;
  penalties: Dec;
  deposits: Dec;
  unallocated: Dec;
  finesRetained: Dec;
}

/**
 * The invariants of allocation-rules.md §3.10, checked before a quarter's result leaves the
 * engine. A breach is a defect in the engine, never rounded away: the run fails.
 */
export function checkQuarterInvariants(label: string, t: QuarterTotals): void {
  if (!t.grossTotal.eq(t.tier1Pool)) {
    broken(`${label}: Σ gross ${formatMoney(t.grossTotal)} ≠ tier1Pool ${formatMoney(t.tier1Pool)}`);
  }
  for (const d of t.departments) {
    if (d.unallocated.isZero() && !d.tier2Total.eq(d.final)) {
      broken(`${label}, department ${d.code}: Σ tier2Pay ${formatMoney(d.tier2Total)} ≠ final ${formatMoney(d.final)}`);
    }
  }
  const sources = t.distributable.plus(t.subsidies).plus(t.draws).plus(t.studyLeavePay);
  const uses = t.paidTotal.plus(t.penalties).plus(t.deposits).plus(t.unallocated).plus(t.finesRetained);
  if (!sources.eq(uses)) {
    broken(`${label}: money is not conserved: distributable + subsidies + draws + study-leave pay = ${formatMoney(sources)}, paid + penalties + deposits + unallocated + fines = ${formatMoney(uses)}`);
  }
}

export interface AnnualTotals {
  fund: Dec;
  departmentTotal: Dec;
  paidTotal: Dec;
  unallocated: Dec;
  /** The risk awards, paid by the hospital beyond the fund (disputes-and-awards §5). */
  riskAwardTotal: Dec;
}

export function checkAnnualInvariants(label: string, t: AnnualTotals): void {
  if (!t.departmentTotal.eq(t.fund)) broken(`${label}: Σ department amounts ${formatMoney(t.departmentTotal)} ≠ fund ${formatMoney(t.fund)}`);
  if (!t.paidTotal.plus(t.unallocated).eq(t.fund.plus(t.riskAwardTotal))) {
    broken(`${label}: paid ${formatMoney(t.paidTotal)} + unallocated ${formatMoney(t.unallocated)} ≠ fund ${formatMoney(t.fund)} + risk awards ${formatMoney(t.riskAwardTotal)}`);
  }
}

function broken(message: string): never {
  fail('invariant_broken', `invariant broken: ${message}`, '');
}
