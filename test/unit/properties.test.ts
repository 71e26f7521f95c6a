/**
 * Property-based tests of the settlement engine on generated hospitals (test/fixtures/generator.ts).
 *
 * Every check recomputes from the *result document's strings* with decimal.js, never from the
 * engine's internals: what a finance system reading the output would see must add up.
 */
import DecimalJs from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, EngineError, simulate, split } from '../../src/core/index.js';
import type { AnnualResult, QuarterlyResult, ResultDocument } from '../../src/core/index.js';
import type { Scenario } from '../../src/core/schema.js';
import { mulberry32, plainHospital, scenarioArb } from '../fixtures/generator.js';

/** Exact decimal arithmetic for the checks: every amount in a result has at most 6 decimals. */
const X = DecimalJs.clone({ precision: 80, rounding: DecimalJs.ROUND_HALF_UP });
type X = InstanceType<typeof X>;
const x = (s: string): X => new X(s);
const total = (values: readonly string[]): X => values.reduce((acc, v) => acc.plus(v), new X(0));
const ZERO = new X(0);
/** The engine's own arithmetic (allocation-rules §1.1), for amounts the spec defines through it. */
const S = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_UP });
type S = InstanceType<typeof S>;
const money = (v: S): S => v.toDecimalPlaces(2, DecimalJs.ROUND_HALF_UP);

class PropertyViolation extends Error {}

function same(actual: X, expected: X, what: string): void {
  if (!actual.eq(expected)) throw new PropertyViolation(`${what}: ${actual.toFixed()} ≠ ${expected.toFixed()}`);
}

function holds(condition: boolean, what: string): void {
  if (!condition) throw new PropertyViolation(what);
}

/** simulate(), with an EngineError on a generated (valid) scenario reported with its code and path. */
function run(doc: Scenario): ResultDocument {
  try {
    return simulate(doc);
  } catch (e) {
    if (e instanceof EngineError) {
      throw new PropertyViolation(`EngineError ${e.code} at ${e.path}: ${e.message}`);
    }
    throw e;
  }
}

const quarterly = (doc: ResultDocument): QuarterlyResult[] => doc.results.filter((r): r is QuarterlyResult => r.kind === 'quarterly');
const annualOf = (doc: ResultDocument): AnnualResult | undefined => doc.results.find((r): r is AnnualResult => r.kind === 'annual');

// ------------------------------------------------------------------------------------ §3.10 invariants

/**
 * allocation-rules §3.10 on one quarter's result, plus the bookkeeping identities of §3.7–§3.9
 * that the result's own lines must satisfy. `opening` is each department's bank balance after the
 * previous quarter of the same year (empty for the year's first settled quarter).
 */
function checkQuarter(r: QuarterlyResult, opening: ReadonlyMap<string, string>, scheme: { capMultiple: string; floorPerCapita: string }): void {
  const at = `period ${r.period}`;
  const s = r.summary;
  const depts = r.departments;
  const people = r.individuals;

  // Σ gross_d = tier1Pool
  same(total(depts.map((d) => d.gross)), x(s.tier1Pool), `${at}: Σ gross vs tier1Pool`);

  // Σ_i∈d tier2Pay_i = final_d, unless the department's final is unallocated.
  const byDept = new Map<string, QuarterlyResult['individuals']>();
  for (const p of people) byDept.set(p.department, [...(byDept.get(p.department) ?? []), p]);
  let unallocated = ZERO;
  for (const d of depts) {
    const lines = byDept.get(d.code) ?? [];
    const tier2 = total(lines.map((p) => p.tier2Pay));
    if (tier2.eq(d.final)) continue;
    // The only exception: a department whose final > 0 has no member with an effective score.
    holds(
      tier2.isZero() && x(d.final).gt(0) && lines.every((p) => x(p.effectiveScore).isZero()),
      `${at}, department ${d.code}: Σ tier2Pay ${tier2.toFixed()} ≠ final ${d.final}, and the department is not unallocated`,
    );
    holds(
      r.warnings.some((w) => w.startsWith(`department ${d.code}:`) && w.includes('unallocated')),
      `${at}, department ${d.code}: final ${d.final} left unallocated without a warning`,
    );
    unallocated = unallocated.plus(d.final);
  }
  same(x(s.unallocated), unallocated, `${at}: summary.unallocated vs the finals of the unallocated departments`);

  // distributable + Σ subsidy + Σ draw + Σ studyLeavePay
  //   = Σ total_i + Σ penaltyTotal + Σ deposit + unallocated + Σ finesApplied
  const sources = x(s.distributable)
    .plus(total(depts.map((d) => d.floorSubsidy)))
    .plus(total(depts.map((d) => d.bankDraw)))
    .plus(total(people.map((p) => p.studyLeavePay)));
  const uses = total(people.map((p) => p.total))
    .plus(total(depts.map((d) => d.penaltyTotal)))
    .plus(total(depts.map((d) => d.bankDeposit)))
    .plus(x(s.unallocated))
    .plus(total(people.map((p) => p.finesApplied)));
  same(sources, uses, `${at}: money conservation (sources vs uses)`);

  // The summary reports the sums of its lines.
  same(x(s.leaderBonusTotal), total(people.map((p) => p.leaderBonus)), `${at}: leaderBonusTotal vs Σ leaderBonus`);
  same(x(s.tier1Pool), x(s.distributable).minus(s.leaderBonusTotal), `${at}: tier1Pool vs distributable − leaderBonusTotal`);
  same(x(s.penaltiesRetained), total(depts.map((d) => d.penaltyTotal)), `${at}: penaltiesRetained vs Σ penaltyTotal`);
  same(x(s.bankDeposits), total(depts.map((d) => d.bankDeposit)), `${at}: bankDeposits vs Σ bankDeposit`);
  same(x(s.bankDraws), total(depts.map((d) => d.bankDraw)), `${at}: bankDraws vs Σ bankDraw`);
  same(x(s.floorSubsidies), total(depts.map((d) => d.floorSubsidy)), `${at}: floorSubsidies vs Σ floorSubsidy`);
  same(x(s.departmentsFinal), total(depts.map((d) => d.final)), `${at}: departmentsFinal vs Σ final`);
  same(x(s.tier2Total), total(people.map((p) => p.tier2Pay)), `${at}: tier2Total vs Σ tier2Pay`);
  same(x(s.studyLeavePay), total(people.map((p) => p.studyLeavePay)), `${at}: studyLeavePay vs Σ studyLeavePay`);
  same(x(s.finesRetained), total(people.map((p) => p.finesApplied)), `${at}: finesRetained vs Σ finesApplied`);
  same(x(s.paidTotal), total(people.map((p) => p.total)), `${at}: paidTotal vs Σ total`);
  holds(s.headcount === depts.reduce((n, d) => n + d.headcount, 0), `${at}: headcount vs Σ department headcount`);
  same(x(s.distributable), x(s.pool).minus(s.reserve).plus(s.adjustment), `${at}: distributable vs pool − reserve + adjustment`);

  // Department lines: §3.7 penalties and §3.8 cap, bank and floor. The §3.8 amounts are
  // recomputed in the spec's own arithmetic (§1.1: 34 digits, half-up, in the order written).
  const averageNet = total(depts.map((d) => d.net))
    .toDecimalPlaces(2)
    .toString();
  const avg = new S(averageNet).div(s.headcount);
  for (const d of depts) {
    const dat = `${at}, department ${d.code}`;
    const components = total(Object.values(d.penalties));
    same(x(d.penaltyTotal), X.min(components, x(d.gross)) as X, `${dat}: penaltyTotal vs min(Σ components, gross)`);
    same(x(d.net), x(d.gross).minus(d.penaltyTotal), `${dat}: net vs gross − penaltyTotal`);
    const before = x(opening.get(d.code) ?? '0');
    same(x(d.bankBalanceAfter), before.minus(d.bankDraw).plus(d.bankDeposit), `${dat}: bankBalanceAfter vs opening − draw + deposit`);
    if (d.headcount === 0) {
      holds(d.cap === null, `${dat}: cap of a department without staff is not null`);
      same(x(d.final), x(d.net), `${dat}: final of a department without staff vs net`);
      for (const k of ['bankDeposit', 'bankDraw', 'floorSubsidy'] as const) same(x(d[k]), ZERO, `${dat}: ${k} without staff`);
    } else {
      holds(d.cap !== null, `${dat}: cap is null for a department with staff`);
      const cap = x(d.cap!);
      same(x(d.bankDeposit), X.max(ZERO, x(d.net).minus(cap)) as X, `${dat}: bankDeposit vs max(0, net − cap)`);
      const capped = X.min(x(d.net), cap) as X;
      same(x(d.final), capped.plus(d.bankDraw).plus(d.floorSubsidy), `${dat}: final vs min(net, cap) + draw + subsidy`);
      holds(x(d.bankDraw).lte(before), `${dat}: bankDraw ${d.bankDraw} exceeds the opening balance ${before.toFixed()}`);
      // cap = money(capMultiple × averageNetPerCapita × hc); amount = min(net, cap);
      // draw = min(bank, target − amount) when amount < target; subsidy = max(0, money(floor × hc) − amount).
      const hc = new S(d.headcount);
      same(x(d.cap!), x(money(new S(scheme.capMultiple).times(avg).times(hc)).toFixed()), `${dat}: cap vs money(capMultiple × averageNetPerCapita × hc)`);
      const target = x(money(avg.times(hc)).toFixed());
      const draw = capped.lt(target) && before.gt(0) ? (X.min(before, target.minus(capped)) as X) : ZERO;
      same(x(d.bankDraw), draw, `${dat}: bankDraw vs min(bank, target − amount)`);
      const floor = x(money(new S(scheme.floorPerCapita).times(hc)).toFixed());
      same(x(d.floorSubsidy), X.max(ZERO, floor.minus(capped).minus(draw)) as X, `${dat}: floorSubsidy vs max(0, money(floor × hc) − amount)`);
    }
  }

  // Individual lines (§3.9): total = tier2Pay + leaderBonus + studyLeavePay − finesApplied.
  for (const p of people) {
    const gross = x(p.tier2Pay).plus(p.leaderBonus).plus(p.studyLeavePay);
    same(x(p.total), gross.minus(p.finesApplied), `${at}, staff ${p.staffId}: total vs gross − finesApplied`);
    holds(x(p.finesApplied).lte(gross), `${at}, staff ${p.staffId}: finesApplied above the person's gross`);
  }
}

/** allocation-rules §4 on the year-end result. */
function checkAnnual(a: AnnualResult, quarters: readonly QuarterlyResult[], doc: Scenario): void {
  const at = `year-end ${a.period}`;
  const s = a.summary;
  const settled = quarters.filter((q) => q.period.startsWith(a.period));
  const adjustment = doc.annual?.adjustment ?? '0';
  same(x(s.fund), total(settled.map((q) => q.summary.reserve)).plus(x(adjustment).toDecimalPlaces(2, DecimalJs.ROUND_HALF_UP)), `${at}: fund vs Σ reserve + money(adjustment)`);
  // Σ amount_d = fund — except when every annual score is 0: then nothing is split (§1.3) and
  // the whole fund is unallocated.
  const amounts = total(a.departments.map((d) => d.amount));
  if (!amounts.eq(s.fund)) {
    holds(amounts.isZero() && a.departments.every((d) => x(d.score).isZero()) && x(s.unallocated).eq(s.fund), `${at}: Σ department amount ${amounts.toFixed()} ≠ fund ${s.fund}`);
  }
  same(x(s.paidTotal).plus(s.unallocated), x(s.fund), `${at}: paidTotal + unallocated vs fund`);
  same(x(s.paidTotal), total(a.individuals.map((i) => i.amount)), `${at}: paidTotal vs Σ individual amount`);
  // Each department's people get exactly its amount, or nobody is listed and it is unallocated.
  let unallocated = amounts.eq(s.fund) ? ZERO : x(s.fund);
  for (const d of a.departments) {
    const paid = total(a.individuals.filter((i) => i.department === d.code).map((i) => i.amount));
    if (paid.eq(d.amount)) continue;
    holds(paid.isZero() && !a.individuals.some((i) => i.department === d.code), `${at}, department ${d.code}: Σ individual amount ${paid.toFixed()} ≠ amount ${d.amount}`);
    unallocated = unallocated.plus(d.amount);
  }
  same(x(s.unallocated), unallocated, `${at}: unallocated vs the amounts nobody was paid`);
  // Failed staff get nothing; the bank expires at the year-end (reported, not paid).
  const failed = new Set(doc.annual?.failedStaff ?? []);
  holds(!a.individuals.some((i) => failed.has(i.staffId)), `${at}: a failed staff member is paid`);
  const last = settled.at(-1)!;
  for (const d of a.departments) {
    const q = last.departments.find((l) => l.code === d.code);
    same(x(d.bankExpired), x(q?.bankBalanceAfter ?? '0'), `${at}, department ${d.code}: bankExpired vs the last quarter's balance`);
  }
  same(x(s.bankExpired), total(a.departments.map((d) => d.bankExpired)), `${at}: bankExpired vs Σ`);
}

function checkInvariants(result: ResultDocument, doc: Scenario): void {
  const quarters = quarterly(result);
  holds(quarters.length === (doc.periods ?? []).length, 'one quarterly result per period');
  const scheme = {
    capMultiple: doc.scheme?.capMultiple ?? '2',
    floorPerCapita: doc.scheme?.floorPerCapita ?? '600.00',
  };
  let bank = new Map<string, string>();
  let year = '';
  for (const q of quarters) {
    if (q.period.slice(0, 4) !== year) bank = new Map();
    year = q.period.slice(0, 4);
    checkQuarter(q, bank, scheme);
    bank = new Map(q.departments.map((d) => [d.code, d.bankBalanceAfter]));
  }
  const a = annualOf(result);
  holds((a !== undefined) === (doc.annual != null), 'a year-end result exactly when the annual section is given');
  if (a) checkAnnual(a, quarters, doc);
}

// ------------------------------------------------------------------------------------ formats

const MONEY = /^(0|[1-9][0-9]*)\.[0-9]{2}$/;
const SIGNED_MONEY = /^-?(0|[1-9][0-9]*)\.[0-9]{2}$/;
const SCORE = /^(0|[1-9][0-9]*)\.[0-9]{6}$/;

type FieldClass = 'money' | 'signedMoney' | 'score' | 'text' | 'integer' | 'nullableMoney' | 'nullableScore' | 'penalties';

const QUARTER_SUMMARY: Record<string, FieldClass> = {
  revenue: 'money',
  pool: 'money',
  reserve: 'money',
  adjustment: 'signedMoney',
  distributable: 'money',
  averageBonus: 'score',
  leaderBonusTotal: 'money',
  tier1Pool: 'money',
  totalScore: 'score',
  pointValue: 'score',
  penaltiesRetained: 'money',
  averageNetPerCapita: 'score',
  bankDeposits: 'money',
  bankDraws: 'money',
  floorSubsidies: 'money',
  departmentsFinal: 'money',
  tier2Total: 'money',
  studyLeavePay: 'money',
  finesRetained: 'money',
  unallocated: 'money',
  paidTotal: 'money',
  headcount: 'integer',
};
const QUARTER_DEPARTMENT: Record<string, FieldClass> = {
  code: 'text',
  name: 'text',
  kind: 'text',
  headcount: 'integer',
  score: 'score',
  riskCoefficient: 'score',
  gross: 'money',
  penalties: 'penalties',
  penaltyTotal: 'money',
  net: 'money',
  cap: 'nullableMoney',
  bankDeposit: 'money',
  bankDraw: 'money',
  floorSubsidy: 'money',
  final: 'money',
  bankBalanceAfter: 'money',
  workloadScore: 'score',
  qualityScore: 'score',
  ethicsScore: 'score',
  costCoefficient: 'nullableScore',
  basePerCapita: 'score',
};
const QUARTER_INDIVIDUAL: Record<string, FieldClass> = {
  staffId: 'text',
  name: 'text',
  department: 'text',
  rawScore: 'score',
  attendanceDeduction: 'score',
  overtimeAddition: 'score',
  payRatio: 'score',
  effectiveScore: 'score',
  tier2Pay: 'money',
  leaderBonus: 'money',
  studyLeavePay: 'money',
  finesApplied: 'money',
  total: 'money',
};
const ANNUAL_SUMMARY: Record<string, FieldClass> = { fund: 'money', unallocated: 'money', bankExpired: 'money', paidTotal: 'money' };
const ANNUAL_DEPARTMENT: Record<string, FieldClass> = { code: 'text', name: 'text', score: 'score', amount: 'money', bankExpired: 'money' };
const ANNUAL_INDIVIDUAL: Record<string, FieldClass> = { staffId: 'text', name: 'text', department: 'text', weight: 'score', amount: 'money' };

function checkFields(record: object, classes: Record<string, FieldClass>, at: string): void {
  for (const [field, value] of Object.entries(record)) {
    const cls = classes[field];
    const where = `${at}.${field} = ${JSON.stringify(value)}`;
    holds(cls !== undefined, `${where}: a field the format test does not know`);
    switch (cls) {
      case 'money':
        holds(typeof value === 'string' && MONEY.test(value), `${where}: not a non-negative 2-decimal money string`);
        break;
      case 'signedMoney':
        holds(typeof value === 'string' && SIGNED_MONEY.test(value) && value !== '-0.00', `${where}: not a 2-decimal money string`);
        break;
      case 'score':
        holds(typeof value === 'string' && SCORE.test(value), `${where}: not a non-negative 6-decimal string`);
        break;
      case 'nullableMoney':
        holds(value === null || (typeof value === 'string' && MONEY.test(value)), `${where}: not null or a 2-decimal money string`);
        break;
      case 'nullableScore':
        holds(value === null || (typeof value === 'string' && SCORE.test(value)), `${where}: not null or a 6-decimal string`);
        break;
      case 'integer':
        holds(typeof value === 'number' && Number.isInteger(value) && value >= 0, `${where}: not a non-negative integer`);
        break;
      case 'text':
        holds(typeof value === 'string', `${where}: not a string`);
        break;
      case 'penalties':
        holds(typeof value === 'object' && value !== null, `${where}: not an object`);
        checkFields(value as object, { costQuota: 'money', outpatientFee: 'money', inpatientFee: 'money', drugRatio: 'money', inventoryLoss: 'money' }, `${at}.penalties`);
        break;
    }
  }
}

function checkFormats(result: ResultDocument): void {
  for (const r of result.results) {
    const at = `results[${r.period}]`;
    if (r.kind === 'quarterly') {
      checkFields(r.summary, QUARTER_SUMMARY, `${at}.summary`);
      for (const key of Object.keys(QUARTER_SUMMARY)) holds(key in r.summary, `${at}.summary.${key} is missing`);
      for (const d of r.departments) {
        checkFields(d, QUARTER_DEPARTMENT, `${at}.departments[${d.code}]`);
        holds((d.cap === null) === (d.headcount === 0), `${at}.departments[${d.code}].cap is null exactly without staff`);
        if (d.kind === 'clinical') {
          holds((d.costCoefficient === null) === (d.headcount === 0), `${at}.departments[${d.code}].costCoefficient is null exactly without staff`);
          holds(d.basePerCapita === undefined, `${at}.departments[${d.code}]: basePerCapita on a clinical line`);
        } else {
          holds(d.basePerCapita !== undefined && d.costCoefficient === undefined, `${at}.departments[${d.code}]: admin line fields`);
        }
      }
      for (const p of r.individuals) checkFields(p, QUARTER_INDIVIDUAL, `${at}.individuals[${p.staffId}]`);
    } else {
      checkFields(r.summary, ANNUAL_SUMMARY, `${at}.summary`);
      for (const d of r.departments) checkFields(d, ANNUAL_DEPARTMENT, `${at}.departments[${d.code}]`);
      for (const p of r.individuals) checkFields(p, ANNUAL_INDIVIDUAL, `${at}.individuals[${p.staffId}/${p.department}]`);
    }
  }
  holds(!/"-0(\.0+)?"/.test(JSON.stringify(result)), 'a negative zero in the result');
}

// ------------------------------------------------------------------------------------ permutations

/** A seeded Fisher–Yates shuffle (a copy). */
function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const prng = mulberry32;

/** The same scenario with departments, staff, periods and every list of records in another order. */
function permuted(doc: Scenario, seed: number): Scenario {
  const next = prng(seed);
  const out: Scenario = {
    ...doc,
    departments: shuffled(doc.departments, next),
    staff: shuffled(doc.staff, next),
    periods: shuffled(
      (doc.periods ?? []).map((p) => ({
        ...p,
        departments: shuffled(p.departments, next),
        ...(p.individuals ? { individuals: shuffled(p.individuals, next) } : {}),
      })),
      next,
    ),
  };
  if (doc.annual) {
    out.annual = {
      ...doc.annual,
      ...(doc.annual.departments ? { departments: shuffled(doc.annual.departments, next) } : {}),
      ...(doc.annual.failedStaff ? { failedStaff: shuffled(doc.annual.failedStaff, next) } : {}),
    };
  }
  return out;
}

// ------------------------------------------------------------------------------------ properties

const SCENARIOS = scenarioArb();

describe('settlement properties on generated hospitals', () => {
  it('§3.10 invariants hold on every quarter and the year-end, recomputed from the result strings', () => {
    fc.assert(
      fc.property(SCENARIOS, (doc) => {
        checkInvariants(run(doc), doc);
      }),
      { numRuns: 400 },
    );
  });

  it('§3.10 invariants also hold on larger hospitals (up to 24 departments and 150 staff)', () => {
    fc.assert(
      fc.property(scenarioArb({ minDepartments: 6, maxDepartments: 24, maxStaff: 150 }), (doc) => {
        const result = run(doc);
        checkInvariants(result, doc);
        checkFormats(result);
      }),
      { numRuns: 40 },
    );
  });

  it('the same input gives byte-identical output, and simulate does not change its input', () => {
    fc.assert(
      fc.property(SCENARIOS, (doc) => {
        const before = JSON.stringify(doc);
        const first = JSON.stringify(run(doc));
        const second = JSON.stringify(run(doc));
        const third = JSON.stringify(run(JSON.parse(before) as Scenario));
        holds(JSON.stringify(doc) === before, 'simulate changed its input document');
        holds(first === second, 'two runs on the same document differ');
        holds(first === third, 'a run on a copy of the document differs');
      }),
      { numRuns: 150 },
    );
  });

  it('permuting departments, staff, periods and the records within them changes no amount', () => {
    fc.assert(
      fc.property(SCENARIOS, fc.integer(), (doc, seed) => {
        const reference = JSON.stringify(run(doc));
        const other = JSON.stringify(run(permuted(doc, seed)));
        holds(reference === other, 'the result document differs after permuting the input');
      }),
      { numRuns: 250 },
    );
  });

  it('every money field is a 2-decimal string and every score a 6-decimal string; none negative, no "-0.00"', () => {
    fc.assert(
      fc.property(SCENARIOS, (doc) => {
        checkFormats(run(doc));
      }),
      { numRuns: 250 },
    );
  });

  // Money inputs are decimal strings with any number of decimals (§1.5: the schema accepts
  // "12.345"). `fines` is money (§2) but, unlike `adjustment` (§3.1: money(adjustment)), is used
  // unrounded, so finesApplied and total carry sub-cent amounts that the 2-decimal result
  // strings cannot show: the lines and the conservation law no longer add up as reported.
  it('§3.10 invariants hold, as reported, when fines have sub-cent precision', () => {
    fc.assert(
      fc.property(scenarioArb({ subCentFines: true }), (doc) => {
        const result = run(doc);
        checkInvariants(result, doc);
        checkFormats(result);
      }),
      { numRuns: 200 },
    );
  });

  it('the minimal counterexample of the sub-cent fines property (a fine of 0.005 yuan)', () => {
    const doc: Scenario = {
      hospital: { code: 'H' },
      departments: [{ code: 'D0', name: '内科', kind: 'clinical', riskCoefficient: '1' }],
      staff: [{ id: 'S0', name: '甲', department: 'D0', titleGrade: 'chief', employment: 'regular', role: 'physician' }],
      periods: [
        {
          period: '2026Q1',
          revenue: '100000.00',
          workingDays: 60,
          departments: [{ code: 'D0', workload: [{ actual: '1', base: '1' }], medicalRevenue: '1', totalCost: '1' }],
          individuals: [{ staffId: 'S0', fines: '0.005' }],
        },
      ],
    };
    // distributable 6000.00 is paid as tier2Pay 6000.00; the reported line must add up:
    // total = tier2Pay − finesApplied, and distributable = Σ total + Σ finesApplied.
    checkInvariants(run(doc), doc);
  });
});

// ------------------------------------------------------------------------------------ split()

const weightArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_000 }).map(String) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100_000_000 }).map((n) => (n / 1_000_000).toFixed(6)) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 97 })).map(([a, b]) => new Dec(a).div(b).toString()) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.000001', '1e-20', '123456789012.345678') },
);

const partiesArb = fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 4, unit: 'binary' }), weight: weightArb }), {
  minLength: 1,
  maxLength: 25,
  selector: (p) => p.key,
});

const totalArb = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1_000_000_000_000 })).map((c) => new Dec(c).div(100));

describe('split() (allocation-rules §1.3)', () => {
  it('parts add up to the total, each within one cent of its raw share, independent of the parties’ order', () => {
    fc.assert(
      fc.property(totalArb, partiesArb, fc.integer(), (amount, raw, seed) => {
        const parties = raw.map((p) => ({ key: p.key, weight: new Dec(p.weight) }));
        const out = split(amount, parties);
        const W = total(raw.map((p) => p.weight));
        if (W.isZero()) {
          holds(out.unallocated, 'weights adding up to 0 must leave the total unallocated');
          for (const p of parties) same(x(out.parts.get(p.key)?.toString() ?? 'NaN'), ZERO, `part of ${JSON.stringify(p.key)} with W = 0`);
          return;
        }
        holds(!out.unallocated, 'a split with W > 0 is not unallocated');
        holds(out.parts.size === parties.length, 'one part per party');
        const parts = parties.map((p) => x(out.parts.get(p.key)!.toString()));
        same(total(parts.map((v) => v.toFixed())), x(amount.toString()), 'Σ parts vs total');
        parties.forEach((p, i) => {
          const part = parts[i]!;
          const share = x(amount.toString()).times(raw[i]!.weight).div(W);
          holds(part.decimalPlaces() <= 2, `part ${part.toFixed()} has more than 2 decimals`);
          holds(part.gte(0), `part ${part.toFixed()} is negative`);
          holds(part.minus(share).abs().lt('0.01'), `part ${part.toFixed()} of ${JSON.stringify(p.key)} is a cent or more away from its raw share ${share.toFixed()}`);
        });
        const reordered = split(amount, shuffled(parties, prng(seed)));
        for (const p of parties) {
          holds(
            reordered.parts.get(p.key)!.eq(out.parts.get(p.key)!),
            `part of ${JSON.stringify(p.key)} changes with the parties' order: ${out.parts.get(p.key)!.toFixed()} vs ${reordered.parts.get(p.key)!.toFixed()}`,
          );
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// ------------------------------------------------------------------------------------ plainHospital

describe('plainHospital (the benchmark fixture)', () => {
  it('is deterministic and valid, and its settlement keeps the invariants', () => {
    const a = plainHospital({ departments: 30, staff: 600, seed: 7 });
    const b = plainHospital({ departments: 30, staff: 600, seed: 7 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.periods).toHaveLength(4);
    expect(a.annual).toBeTruthy();
    const result = run(a);
    checkInvariants(result, a);
    checkFormats(result);
  });

  it('builds the benchmark hospital (200 departments, 10,000 staff) and it settles within the invariants', () => {
    const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
    expect(doc.departments).toHaveLength(200);
    expect(doc.staff).toHaveLength(10_000);
    const result = run(doc);
    checkInvariants(result, doc);
  });
});
