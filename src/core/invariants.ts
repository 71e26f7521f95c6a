import { STORABLE_INTEGER_DIGITS } from './bounds.js';
import { fail } from './errors.js';
import { messages } from './messages.js';
import { formatMoney, type Dec } from './money.js';
import type { AnnualResult, QuarterlyResult } from './result.js';

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

/**
 * No result leaves the engine with an amount or a score the store cannot hold (src/core/bounds.ts):
 * the input bounds keep sums of money far below it, but a ratio of inputs (a fee far above its
 * target, a workload far above its base) can still grow without bound. `pathOf` gives the input
 * record behind a department line. A record's label is made only for the one refused: the check
 * reads some 50,000 lines a year.
 */
export function checkStorable(label: string, result: QuarterlyResult | AnnualResult, path: string, pathOf: (department: string) => string = () => path): void {
  const r = messages.record;
  const summary = unstorableField(result.summary, '');
  if (summary) refuse(r.within(label, 'summary'), summary, path);
  for (const d of result.departments) {
    const found = unstorableField(d, '');
    if (found) refuse(r.within(label, r.department(d.code)), found, pathOf(d.code));
  }
  for (const i of result.individuals) {
    const found = unstorableField(i, '');
    if (found) refuse(r.within(label, r.staff(i.staffId)), found, path);
  }
}

// the shortest texts that can break a bound: 19 digits, the point and 2 decimals; 34, the point and 6
const SHORTEST_UNSTORABLE = STORABLE_INTEGER_DIGITS.money + 4;

interface Unstorable {
  field: string;
  value: string;
  limit: number;
}

/** The first field of a record (nested records' fields as `outer.inner`) whose amount or score the store cannot hold. */
function unstorableField(record: object, prefix: string): Unstorable | null {
  for (const field in record) {
    const value: unknown = (record as Record<string, unknown>)[field];
    if (value !== null && typeof value === 'object') {
      const inner = unstorableField(value, `${prefix}${field}.`);
      if (inner) return inner;
    }
    if (typeof value !== 'string' || value.length < SHORTEST_UNSTORABLE || !/^-?[0-9]+\.[0-9]+$/.test(value)) continue;
    const integerDigits = value.indexOf('.') - (value.startsWith('-') ? 1 : 0);
    const decimals = value.length - value.indexOf('.') - 1;
    const limit = decimals === 2 ? STORABLE_INTEGER_DIGITS.money : STORABLE_INTEGER_DIGITS.score;
    if (integerDigits > limit) return { field: `${prefix}${field}`, value, limit };
  }
  return null;
}

function refuse(where: string, { field, value, limit }: Unstorable, path: string): never {
  fail('out_of_range', messages.run.notStorable(where, field, value, limit), path);
}
