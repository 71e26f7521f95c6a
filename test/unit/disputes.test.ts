import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import DecimalJs from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disputeEffects, liabilityBase, liabilityByPerson, riskAwardOf } from '../../src/core/disputes.js';
import { type EngineError, simulate, validateScenario, type EngineErrorCode } from '../../src/core/index.js';
import { engineErrorOf } from '../fixtures/errors.js';
import { Dec } from '../../src/core/money.js';
import type { AnnualResult, QuarterlyResult, ResultDocument } from '../../src/core/result.js';
import { mergeScheme, toScheme } from '../../src/core/scheme.js';
import type { DepartmentType, DisputeClassification } from '../../src/core/schema.js';
import type { Dispute, DisputeFlag, DisputeParty } from '../../src/core/types.js';

/*
 * disputes-and-awards.md: the segmented liability base (§2), who bears it (§3), the flags (§4),
 * the risk award (§5) and the validation of dispute records (§1).
 *
 * Every expected figure was computed by hand from the spec (decimal arithmetic, half-up to the
 * cent, largest-remainder split of allocation-rules §1.3) — the arithmetic is in the test name
 * or next to the assertion — and never copied from the engine's output.
 */

const scheme = toScheme(mergeScheme(undefined));

// ------------------------------------------------------------------ builders

type PartyOptions = { teamLead?: string | null };

/** A party of a dispute; `teamLead` defaults to null (required only for bed departments). */
function party(department: string, share: string, departmentType: DepartmentType, responsible: string, departmentHead: string, options: PartyOptions = {}): DisputeParty {
  return { department, share: new Dec(share), departmentType, responsible, teamLead: options.teamLead ?? null, departmentHead };
}

/** A single non-bed party: responsible S1, head H1, department X. */
const soleParty = (): DisputeParty[] => [party('X', '1', 'non_bed', 'S1', 'H1')];

function dispute(id: string, bookedIn: string, compensation: string, classification: DisputeClassification, parties: DisputeParty[] = soleParty()): Dispute {
  return {
    id,
    bookedIn,
    year: Number.parseInt(bookedIn.slice(0, 4), 10),
    quarter: Number.parseInt(bookedIn.slice(5), 10),
    compensation: new Dec(compensation),
    classification,
    parties,
    path: `disputes[${id}]`,
  };
}

/** Money assertions: the exact value, not just its 2-decimal rendering. */
function expectMoney(got: Dec | undefined, want: string, what = 'amount'): void {
  expect(got, `${what} is missing`).toBeDefined();
  expect(got!.toFixed(2), what).toBe(want);
  expect(got!.eq(new Dec(want)), `${what}: ${got!.toString()} is not exactly ${want}`).toBe(true);
}

/** A person → amount map as 2-decimal strings, people bearing 0 left out; every amount must be whole cents. */
function amounts(map: Map<string, Dec>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [staffId, amount] of map) {
    expect(amount.decimalPlaces(), `${staffId}: ${amount.toString()} is not a whole number of cents`).toBeLessThanOrEqual(2);
    if (!amount.isZero()) out[staffId] = amount.toFixed(2);
  }
  return out;
}

const flagsOf = (disputes: Dispute[], year = 2026): DisputeFlag[] => disputeEffects(disputes, scheme).flags.get(year) ?? [];
const staffFlag = (staffId: string, flag: DisputeFlag['flag'], disputeId: string): DisputeFlag => ({ staffId, flag, disputeId });
const departmentFlag = (department: string, flag: DisputeFlag['flag'], disputeId: string): DisputeFlag => ({ department, flag, disputeId });

// ------------------------------------------------------------------ §2 liability base

describe('§2 liability base (progressive segments, each part money-rounded)', () => {
  // defect: A 0–10,000 15%, B –20,000 10%, C –50,000 5%, D –100,000 3%, E above 1%
  const defectCases: [string, string, string][] = [
    ['0', '0.00', 'nothing to cut'],
    ['0.01', '0.00', 'money(0.01 × 0.15 = 0.0015) = 0.00'],
    ['0.04', '0.01', 'money(0.04 × 0.15 = 0.006) = 0.01'],
    ['10000.00', '1500.00', '10,000 × 0.15 = 1500'],
    ['10000.01', '1500.00', '1500 + money(0.01 × 0.10 = 0.001) = 1500.00'],
    ['10000.05', '1500.01', '1500 + money(0.05 × 0.10 = 0.005 → half up) = 1500.01'],
    ['20000.00', '2500.00', '1500 + 10,000 × 0.10 = 2500'],
    ['20000.01', '2500.00', '2500 + money(0.01 × 0.05 = 0.0005) = 2500.00'],
    ['20000.10', '2500.01', '2500 + money(0.10 × 0.05 = 0.005) = 2500.01'],
    ['35000.00', '3250.00', '1500 + 1000 + 15,000 × 0.05 = 750 → 3250'],
    ['50000.00', '4000.00', '1500 + 1000 + 30,000 × 0.05 = 1500 → 4000'],
    ['50000.01', '4000.00', '4000 + money(0.01 × 0.03 = 0.0003) = 4000.00'],
    ['100000.00', '5500.00', '4000 + 50,000 × 0.03 = 1500 → 5500'],
    ['100000.01', '5500.00', '5500 + money(0.01 × 0.01 = 0.0001) = 5500.00'],
    ['120000.00', '5700.00', '5500 + 20,000 × 0.01 = 200 → 5700'],
    ['250000.00', '7000.00', '5500 + 150,000 × 0.01 = 1500 → 7000'],
    ['666.73', '100.01', 'money(666.73 × 0.15 = 100.0095) = 100.01'],
    ['6666.80', '1000.02', '6666.80 × 0.15 = 1000.02'],
  ];
  it.each(defectCases)('defect %s → %s (%s)', (compensation, want) => {
    expectMoney(liabilityBase({ compensation: new Dec(compensation), classification: 'defect' }, scheme), want);
  });

  // avoidable and grade-1 accident: A 0–20,000 20%, B –50,000 10%, C –100,000 5%, D above 1%
  const avoidableCases: [string, string, string][] = [
    ['0', '0.00', 'nothing to cut'],
    ['0.01', '0.00', 'money(0.01 × 0.20 = 0.002) = 0.00'],
    ['0.03', '0.01', 'money(0.03 × 0.20 = 0.006) = 0.01'],
    ['8000.00', '1600.00', '8000 × 0.20 = 1600'],
    ['10000.00', '2000.00', '10,000 × 0.20 = 2000'],
    ['10000.01', '2000.00', 'money(10,000.01 × 0.20 = 2000.002) = 2000.00'],
    ['10000.03', '2000.01', 'money(10,000.03 × 0.20 = 2000.006) = 2000.01'],
    ['20000.00', '4000.00', '20,000 × 0.20 = 4000'],
    ['20000.01', '4000.00', '4000 + money(0.01 × 0.10 = 0.001) = 4000.00'],
    ['20000.10', '4000.01', '4000 + money(0.10 × 0.10 = 0.01) = 4000.01'],
    ['35000.00', '5500.00', '4000 + 15,000 × 0.10 = 1500 → 5500'],
    ['50000.00', '7000.00', '4000 + 30,000 × 0.10 = 3000 → 7000'],
    ['50000.01', '7000.00', '7000 + money(0.01 × 0.05 = 0.0005) = 7000.00'],
    ['100000.00', '9500.00', '7000 + 50,000 × 0.05 = 2500 → 9500'],
    ['100000.01', '9500.00', '9500 + money(0.01 × 0.01 = 0.0001) = 9500.00'],
    ['120000.00', '9700.00', '9500 + 20,000 × 0.01 = 200 → 9700'],
    ['250000.00', '11000.00', '9500 + 150,000 × 0.01 = 1500 → 11000'],
  ];
  for (const classification of ['avoidable', 'grade1_accident'] as const) {
    it.each(avoidableCases)(`${classification} %s → %s (%s)`, (compensation, want) => {
      expectMoney(liabilityBase({ compensation: new Dec(compensation), classification }, scheme), want);
    });
  }

  it.each(['0', '0.01', '35000.00', '1000000.00'])('unavoidable %s → 0.00', (compensation) => {
    expectMoney(liabilityBase({ compensation: new Dec(compensation), classification: 'unavoidable' }, scheme), '0.00');
  });

  it.each(['0', '0.01', '2000.00', '12345.67', '1000000.00'])('misconduct %s → the whole compensation', (compensation) => {
    expectMoney(liabilityBase({ compensation: new Dec(compensation), classification: 'misconduct' }, scheme), new Dec(compensation).toFixed(2));
  });

  it('the segments are scheme parameters: defect segments 0–1,000 at 50%, above at 0% → 3000.00 bears 500.00', () => {
    const custom = toScheme(
      mergeScheme({
        disputes: {
          defectSegments: [
            { upTo: '1000', rate: '0.5' },
            { upTo: null, rate: '0' },
          ],
        },
      }),
    );
    expectMoney(liabilityBase({ compensation: new Dec('3000.00'), classification: 'defect' }, custom), '500.00');
  });
});

// ------------------------------------------------------------------ §3 who bears it

describe('§3 liability by person', () => {
  it('bed, defect 35,000 → base 3250.00: responsible 0.65 × 3250 = 2112.50, team lead 0.25 × 3250 = 812.50, head the rest 325.00', () => {
    const d = dispute('D1', '2026Q1', '35000.00', 'defect', [party('IM', '1', 'bed', 'S12', 'S10', { teamLead: 'S11' })]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ S12: '2112.50', S11: '812.50', S10: '325.00' });
  });

  it('bed, defect 8230.47 → base money(1234.5705) = 1234.57: 802.4705 → 802.47, 308.6425 → 308.64, head 1234.57 − 802.47 − 308.64 = 123.46', () => {
    const d = dispute('D1', '2026Q1', '8230.47', 'defect', [party('IM', '1', 'bed', 'R', 'H', { teamLead: 'T' })]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ R: '802.47', T: '308.64', H: '123.46' });
  });

  it('non_bed, defect 35,000 → 3250.00: responsible 0.85 × 3250 = 2762.50, head 487.50; a teamLead named is ignored', () => {
    const d = dispute('D1', '2026Q1', '35000.00', 'defect', [party('LAB', '1', 'non_bed', 'R', 'H', { teamLead: 'T' })]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ R: '2762.50', H: '487.50' });
  });

  it('nursing, avoidable 8000 → 1600.00: responsible 0.85 × 1600 = 1360.00, head nurse 240.00', () => {
    const d = dispute('D1', '2026Q1', '8000.00', 'avoidable', [party('PED', '1', 'nursing', 'N', 'HN')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ N: '1360.00', HN: '240.00' });
  });

  it('nursing, defect 666.73 → 100.01: responsible money(85.0085) = 85.01, head 15.00', () => {
    const d = dispute('D1', '2026Q1', '666.73', 'defect', [party('PED', '1', 'nursing', 'N', 'HN')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ N: '85.01', HN: '15.00' });
  });

  it('misconduct 2000.00 on a bed party: the responsible bears the whole 2000.00, team lead and head nothing', () => {
    const d = dispute('D5', '2026Q2', '2000.00', 'misconduct', [party('IM', '1', 'bed', 'R', 'H', { teamLead: 'T' })]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ R: '2000.00' });
  });

  it('misconduct 2000.01 over IM 0.6 / PED 0.4: raw 1200.006 / 800.004, the leftover cent to IM → R1 1200.01, R2 800.00', () => {
    const d = dispute('D5', '2026Q2', '2000.01', 'misconduct', [party('IM', '0.6', 'non_bed', 'R1', 'H1'), party('PED', '0.4', 'nursing', 'R2', 'H2')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ R1: '1200.01', R2: '800.00' });
  });

  it('a person in two roles bears the sum: avoidable 120,000 → 9700.00; IM 0.6 = 5820.00 (bed: S11 3783.00, S10 team lead 1455.00 + head 582.00 = 2037.00), PED 0.4 = 3880.00 (nursing: S31 3298.00, S30 582.00)', () => {
    const d = dispute('D2', '2026Q2', '120000.00', 'avoidable', [party('IM', '0.6', 'bed', 'S11', 'S10', { teamLead: 'S10' }), party('PED', '0.4', 'nursing', 'S31', 'S30')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ S11: '3783.00', S10: '2037.00', S31: '3298.00', S30: '582.00' });
  });

  it('a person responsible in two parties bears the sum: defect 35,000 → 3250.00 over A 0.5 (non_bed 1625.00: 1381.25 / 243.75) and B 0.5 (nursing: 1381.25 / 243.75) → R 2762.50', () => {
    const d = dispute('D1', '2026Q1', '35000.00', 'defect', [party('A', '0.5', 'non_bed', 'R', 'HA'), party('B', '0.5', 'nursing', 'R', 'HB')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({ R: '2762.50', HA: '243.75', HB: '243.75' });
  });

  it('shares 0.6 / 0.4 on an odd base: avoidable 10,000.03 → 2000.01; IM raw 1200.006 → 1200.01 (the cent), PED 800.00; IM bed: 780.0065 → 780.01, 300.0025 → 300.00, head 120.00; PED nursing: 680.00 / 120.00', () => {
    const d = dispute('D1', '2026Q1', '10000.03', 'avoidable', [party('PED', '0.4', 'nursing', 'N', 'HN'), party('IM', '0.6', 'bed', 'R', 'H', { teamLead: 'T' })]);
    const got = liabilityByPerson(d, scheme);
    expect(amounts(got)).toEqual({ R: '780.01', T: '300.00', H: '120.00', N: '680.00', HN: '120.00' });
    expectMoney(
      [...got.values()].reduce((a, b) => a.plus(b), new Dec(0)),
      '2000.01',
      'Σ persons',
    );
  });

  it('shares 0.3334 / 0.3333 / 0.3333 on defect 6666.80 → 1000.02: raw IM 333.406668, PED 333.306666, SUR 333.306666; floors 333.40 + 333.30 + 333.30 leave 2 cents → IM (largest remainder), then PED (ties SUR, code-point order) → IM 333.41, PED 333.31, SUR 333.30', () => {
    const d = dispute('D1', '2026Q1', '6666.80', 'defect', [
      party('SUR', '0.3333', 'non_bed', 'S1', 'S2'),
      party('IM', '0.3334', 'bed', 'I1', 'I3', { teamLead: 'I2' }),
      party('PED', '0.3333', 'nursing', 'P1', 'P2'),
    ]);
    const got = liabilityByPerson(d, scheme);
    // IM bed 333.41: 216.7165 → 216.72, 83.3525 → 83.35, head 333.41 − 216.72 − 83.35 = 33.34
    // PED nursing 333.31: 283.3135 → 283.31, head 50.00
    // SUR non_bed 333.30: 283.305 → 283.31 (half up), head 49.99
    expect(amounts(got)).toEqual({ I1: '216.72', I2: '83.35', I3: '33.34', P1: '283.31', P2: '50.00', S1: '283.31', S2: '49.99' });
    expectMoney(
      [...got.values()].reduce((a, b) => a.plus(b), new Dec(0)),
      '1000.02',
      'Σ persons',
    );
  });

  it('unavoidable 50,000: nobody bears anything', () => {
    const d = dispute('D4', '2026Q1', '50000.00', 'unavoidable', [party('PED', '1', 'nursing', 'S31', 'S30')]);
    expect(amounts(liabilityByPerson(d, scheme))).toEqual({});
  });

  // ---------------------------------------------------------------- conservation as a property

  /** §2 restated independently: Σ over segments of money(max(0, min(c, upper) − lower) × rate). */
  const REF_SEGMENTS = {
    defect: [
      ['0', '10000', '0.15'],
      ['10000', '20000', '0.10'],
      ['20000', '50000', '0.05'],
      ['50000', '100000', '0.03'],
      ['100000', null, '0.01'],
    ],
    avoidable: [
      ['0', '20000', '0.20'],
      ['20000', '50000', '0.10'],
      ['50000', '100000', '0.05'],
      ['100000', null, '0.01'],
    ],
  } as const;
  const R = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP });
  function referenceBase(compensation: string, classification: DisputeClassification): string {
    const c = new R(compensation);
    if (classification === 'unavoidable') return '0.00';
    if (classification === 'misconduct') return c.toFixed(2);
    const segments = REF_SEGMENTS[classification === 'defect' ? 'defect' : 'avoidable'];
    let total = new R(0);
    for (const [lower, upper, rate] of segments) {
      const top = upper === null ? c : R.min(c, upper);
      const part = R.max(0, top.minus(lower));
      total = total.plus(part.times(rate).toDecimalPlaces(2, DecimalJs.ROUND_HALF_UP));
    }
    return total.toFixed(2);
  }

  const boundaryCents = [0, 1, 2, 3, 4, 5, 1_000_000, 1_000_001, 2_000_000, 2_000_001, 5_000_000, 5_000_001, 10_000_000, 10_000_001, 25_000_000, 50_000_000];
  const compensationArb = fc.oneof(fc.integer({ min: 0, max: 300_000_000 }), fc.constantFrom(...boundaryCents), fc.integer({ min: 0, max: 10_000 })).map((cents) => new Dec(cents).div(100).toFixed(2));
  const staffArb = fc.constantFrom('S1', 'S2', 'S10', 'S20', 'a');
  const partyArb = fc.record({
    departmentType: fc.constantFrom<DepartmentType>('bed', 'non_bed', 'nursing'),
    responsible: staffArb,
    teamLead: fc.option(staffArb, { nil: null }),
    departmentHead: staffArb,
  });
  const disputeArb = fc
    .record({
      compensation: compensationArb,
      classification: fc.constantFrom<DisputeClassification>('defect', 'avoidable', 'unavoidable', 'grade1_accident', 'misconduct'),
      parties: fc.array(partyArb, { minLength: 1, maxLength: 4 }),
      cuts: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 3, maxLength: 3 }),
    })
    .map(({ compensation, classification, parties, cuts }) => {
      // shares of 4 decimals adding up to exactly 1: the gaps between sorted cut points of [0, 10000]
      const points = [0, ...cuts.slice(0, parties.length - 1).sort((a, b) => a - b), 10_000];
      const departments = ['SUR', 'IM', 'PED', 'B'];
      const built = parties.map((p, i) =>
        party(departments[i]!, new Dec(points[i + 1]! - points[i]!).div(10_000).toString(), p.departmentType, p.responsible, p.departmentHead, {
          teamLead: p.departmentType === 'bed' ? (p.teamLead ?? 'S20') : p.teamLead,
        }),
      );
      return dispute('P', '2026Q1', compensation, classification, built);
    });

  it('property (300 runs): Σ person amounts == liabilityBase exactly, the base matches §2 restated, every amount is ≥ 0 and whole cents', () => {
    fc.assert(
      fc.property(disputeArb, (d) => {
        const base = liabilityBase(d, scheme);
        expect(base.toFixed(2), `base of ${d.classification} ${d.compensation.toFixed(2)}`).toBe(referenceBase(d.compensation.toFixed(2), d.classification));
        const byPerson = liabilityByPerson(d, scheme);
        let total = new Dec(0);
        for (const [staffId, amount] of byPerson) {
          expect(amount.isNegative() && !amount.isZero(), `${staffId} bears ${amount.toString()}`).toBe(false);
          expect(amount.decimalPlaces(), `${staffId} bears ${amount.toString()}`).toBeLessThanOrEqual(2);
          total = total.plus(amount);
        }
        expect(total.eq(base), `Σ persons ${total.toString()} ≠ base ${base.toString()}`).toBe(true);
      }),
      { numRuns: 300, seed: 20260214 },
    );
  });
});

// ------------------------------------------------------------------ §4 flags

describe('§4 flags', () => {
  const table: [DisputeClassification, string, DisputeFlag['flag'] | null][] = [
    ['defect', '10000.00', null],
    ['defect', '10000.01', 'no_awards'],
    ['defect', '20000.00', 'no_awards'],
    ['defect', '20000.01', 'no_awards'],
    ['defect', '50000.00', 'no_awards'],
    ['defect', '50000.01', 'grade_basic_pass'],
    ['defect', '100000.00', 'grade_basic_pass'],
    ['defect', '100000.01', 'grade_fail'],
    ['avoidable', '10000.01', null],
    ['avoidable', '20000.00', null],
    ['avoidable', '20000.01', 'no_awards'],
    ['avoidable', '50000.00', 'no_awards'],
    ['avoidable', '50000.01', 'grade_basic_pass'],
    ['avoidable', '100000.00', 'grade_basic_pass'],
    ['avoidable', '100000.01', 'grade_fail'],
    ['grade1_accident', '20000.00', null],
    ['grade1_accident', '20000.01', 'no_awards'],
    ['grade1_accident', '50000.00', 'no_awards'],
    ['grade1_accident', '50000.01', 'grade_basic_pass'],
    ['grade1_accident', '100000.00', 'grade_basic_pass'],
    ['grade1_accident', '100000.01', 'grade_fail'],
    ['unavoidable', '400000.00', null],
    ['misconduct', '400000.00', null],
  ];
  it.each(table)('%s %s → %s for the responsible only (not the head)', (classification, compensation, flag) => {
    const got = flagsOf([dispute('D1', '2026Q1', compensation, classification)]);
    expect(got).toEqual(flag ? [staffFlag('S1', flag, 'D1')] : []);
  });

  it("every party's responsible is flagged; a responsible named in two parties is flagged once", () => {
    const d = dispute('D1', '2026Q1', '120000.00', 'defect', [party('A', '0.5', 'non_bed', 'R1', 'H'), party('B', '0.25', 'nursing', 'R2', 'H'), party('C', '0.25', 'nursing', 'R1', 'H')]);
    expect(flagsOf([d])).toEqual([staffFlag('R1', 'grade_fail', 'D1'), staffFlag('R2', 'grade_fail', 'D1')]);
  });

  describe('suspended: the second avoidable / grade-1 dispute of a year, and only the second', () => {
    it('avoidable Q1, grade1 Q2, avoidable Q3 (2026): suspended by the Q2 one, in 2026Q2 and 2026Q3; not Q1, not Q4 (the third does not suspend)', () => {
      const effects = disputeEffects([dispute('A1', '2026Q1', '1000.00', 'avoidable'), dispute('A2', '2026Q2', '1000.00', 'grade1_accident'), dispute('A3', '2026Q3', '1000.00', 'avoidable')], scheme);
      expect(effects.flags.get(2026)).toEqual([staffFlag('S1', 'suspended', 'A2')]);
      expect([...effects.suspended.keys()].sort()).toEqual(['2026Q2', '2026Q3']);
      expect([...effects.suspended.get('2026Q2')!]).toEqual(['S1']);
      expect([...effects.suspended.get('2026Q3')!]).toEqual(['S1']);
    });

    it('a Q4 second dispute (Q3 then Q4): suspended in 2026Q4 only, not into 2027Q1', () => {
      const effects = disputeEffects([dispute('A1', '2026Q3', '1000.00', 'avoidable'), dispute('A2', '2026Q4', '1000.00', 'avoidable')], scheme);
      expect(effects.flags.get(2026)).toEqual([staffFlag('S1', 'suspended', 'A2')]);
      expect([...effects.suspended.keys()]).toEqual(['2026Q4']);
    });

    it('two in the same quarter: the second by id suspends, for that quarter and the next', () => {
      const effects = disputeEffects([dispute('A1', '2026Q2', '1000.00', 'avoidable'), dispute('A2', '2026Q2', '1000.00', 'avoidable')], scheme);
      expect(effects.flags.get(2026)).toEqual([staffFlag('S1', 'suspended', 'A2')]);
      expect([...effects.suspended.keys()].sort()).toEqual(['2026Q2', '2026Q3']);
    });

    it('not across years: 2026Q4 and 2027Q1 are each the first of their year → nobody suspended', () => {
      const effects = disputeEffects([dispute('A1', '2026Q4', '1000.00', 'avoidable'), dispute('A2', '2027Q1', '1000.00', 'avoidable')], scheme);
      expect(effects.suspended.size).toBe(0);
      expect(effects.flags.get(2026) ?? []).toEqual([]);
      expect(effects.flags.get(2027) ?? []).toEqual([]);
    });

    it('defect, unavoidable and misconduct disputes do not count: defect Q1, unavoidable Q1, misconduct Q1, avoidable Q2 → nobody suspended', () => {
      const effects = disputeEffects(
        [
          dispute('A1', '2026Q1', '1000.00', 'defect'),
          dispute('A2', '2026Q1', '1000.00', 'misconduct'),
          dispute('A3', '2026Q1', '1000.00', 'unavoidable'),
          dispute('A4', '2026Q2', '1000.00', 'avoidable'),
        ],
        scheme,
      );
      expect(effects.suspended.size).toBe(0);
      expect(effects.flags.get(2026) ?? []).toEqual([]);
    });

    it('a dispute counts once per person: S1 responsible in two parties of one avoidable dispute → not yet suspended; a second dispute then suspends', () => {
      const twice = [party('A', '0.5', 'non_bed', 'S1', 'H'), party('B', '0.5', 'nursing', 'S1', 'H')];
      expect(disputeEffects([dispute('A1', '2026Q1', '1000.00', 'avoidable', twice)], scheme).suspended.size).toBe(0);
      const effects = disputeEffects([dispute('A1', '2026Q1', '1000.00', 'avoidable', twice), dispute('A2', '2026Q3', '1000.00', 'avoidable')], scheme);
      expect(effects.flags.get(2026)).toEqual([staffFlag('S1', 'suspended', 'A2')]);
      expect([...effects.suspended.keys()].sort()).toEqual(['2026Q3', '2026Q4']);
    });

    it('only as the responsible person: head in the first, responsible in the second → nobody suspended', () => {
      const effects = disputeEffects([dispute('A1', '2026Q1', '1000.00', 'avoidable', [party('X', '1', 'non_bed', 'S2', 'S1')]), dispute('A2', '2026Q2', '1000.00', 'avoidable')], scheme);
      expect(effects.suspended.size).toBe(0);
    });
  });

  describe("demerit: every party's department head of an avoidable / grade-1 dispute with compensation ≥ 500,000", () => {
    const twoParties = () => [party('IM', '0.5', 'bed', 'R1', 'H1', { teamLead: 'T1' }), party('PED', '0.5', 'nursing', 'R2', 'H2')];

    it('avoidable 500,000.00 → H1 and H2 demerit (and R1, R2 grade_fail)', () => {
      expect(flagsOf([dispute('D1', '2026Q1', '500000.00', 'avoidable', twoParties())])).toEqual([
        staffFlag('H1', 'demerit', 'D1'),
        staffFlag('H2', 'demerit', 'D1'),
        staffFlag('R1', 'grade_fail', 'D1'),
        staffFlag('R2', 'grade_fail', 'D1'),
      ]);
    });

    it('avoidable 499,999.99 → no demerit', () => {
      expect(flagsOf([dispute('D1', '2026Q1', '499999.99', 'avoidable', twoParties())])).toEqual([staffFlag('R1', 'grade_fail', 'D1'), staffFlag('R2', 'grade_fail', 'D1')]);
    });

    it('grade1_accident 500,000.00 → demerit; defect 1,000,000.00 → none', () => {
      expect(flagsOf([dispute('D1', '2026Q1', '500000.00', 'grade1_accident')])).toEqual([staffFlag('H1', 'demerit', 'D1'), staffFlag('S1', 'grade_fail', 'D1')]);
      expect(flagsOf([dispute('D1', '2026Q1', '1000000.00', 'defect')])).toEqual([staffFlag('S1', 'grade_fail', 'D1')]);
    });

    it('the same head of two parties is flagged once', () => {
      const parties = [party('IM', '0.5', 'non_bed', 'R1', 'H'), party('PED', '0.5', 'nursing', 'R2', 'H')];
      expect(flagsOf([dispute('D1', '2026Q1', '600000.00', 'avoidable', parties)]).filter((f) => f.flag === 'demerit')).toEqual([staffFlag('H', 'demerit', 'D1')]);
    });
  });

  describe('focused_monitoring: ≥ 2 avoidable / grade-1 disputes in a year naming the department AND Σ compensation × share ≥ 50,000', () => {
    const departmentFlags = (disputes: Dispute[], year = 2026) => flagsOf(disputes, year).filter((f) => 'department' in f);
    const im = (share = '1') => [party('IM', share, 'non_bed', 'R', 'H')];

    it('X1 100,000 × 0.3 = 30,000 (count 1); X2 19,999.99 → 49,999.99 (count 2, short); X3 grade-1 0.02 → 50,000.01 → flagged at X3, once (not again at X4)', () => {
      const disputes = [
        dispute('X1', '2026Q1', '100000.00', 'avoidable', [party('IM', '0.3', 'non_bed', 'R', 'H'), party('PED', '0.7', 'nursing', 'N', 'HN')]),
        dispute('X2', '2026Q2', '19999.99', 'avoidable', im()),
        dispute('X3', '2026Q3', '0.02', 'grade1_accident', im()),
        dispute('X4', '2026Q4', '100000.00', 'avoidable', im()),
      ];
      expect(departmentFlags(disputes)).toEqual([departmentFlag('IM', 'focused_monitoring', 'X3')]);
    });

    it('exactly 50,000: 30,000 + 20,000 → flagged at the second', () => {
      expect(departmentFlags([dispute('X1', '2026Q1', '30000.00', 'avoidable', im()), dispute('X2', '2026Q1', '20000.00', 'avoidable', im())])).toEqual([
        departmentFlag('IM', 'focused_monitoring', 'X2'),
      ]);
    });

    it('the sum reached first, the count second: 60,000 (count 1, no flag), then 1.00 → flagged at the second', () => {
      expect(departmentFlags([dispute('X1', '2026Q1', '60000.00', 'avoidable', im())])).toEqual([]);
      expect(departmentFlags([dispute('X1', '2026Q1', '60000.00', 'avoidable', im()), dispute('X2', '2026Q2', '1.00', 'grade1_accident', im())])).toEqual([
        departmentFlag('IM', 'focused_monitoring', 'X2'),
      ]);
    });

    it('one dispute per year (2026Q4 200,000, 2027Q1 200,000) → no flag in either year', () => {
      const disputes = [dispute('X1', '2026Q4', '200000.00', 'avoidable', im()), dispute('X2', '2027Q1', '200000.00', 'avoidable', im())];
      expect(departmentFlags(disputes, 2026)).toEqual([]);
      expect(departmentFlags(disputes, 2027)).toEqual([]);
    });

    it('defect disputes do not count: defect 100,000 + avoidable 100,000 → no flag', () => {
      expect(departmentFlags([dispute('X1', '2026Q1', '100000.00', 'defect', im()), dispute('X2', '2026Q2', '100000.00', 'avoidable', im())])).toEqual([]);
    });
  });

  it('sorted by (subject, flag, disputeId) in code-point order: "S10" < "S2" < "b"; demerit < no_awards; D10 < D9', () => {
    const b = (responsible: string, head: string) => [party('b', '1', 'bed', responsible, head, { teamLead: head })];
    const disputes = [
      // processing order (bookedIn, id): D10, D9 (2026Q1), D1, D2 (2026Q2)
      dispute('D10', '2026Q1', '150000.00', 'defect', b('S2', 'S10')), // S2 grade_fail
      dispute('D9', '2026Q1', '600000.00', 'avoidable', b('S2', 'S10')), // S2 grade_fail, S10 demerit; b count 1
      dispute('D1', '2026Q2', '30000.00', 'avoidable', [party('B', '1', 'non_bed', 'S10', 'S2')]), // S10 no_awards (> 20,000 ≤ 50,000)
      dispute('D2', '2026Q2', '1000.00', 'grade1_accident', b('S2', 'S10')), // S2's second → suspended; b: 2 disputes, 601,000 → focused_monitoring
    ];
    expect(flagsOf(disputes)).toEqual([
      staffFlag('S10', 'demerit', 'D9'),
      staffFlag('S10', 'no_awards', 'D1'),
      staffFlag('S2', 'grade_fail', 'D10'),
      staffFlag('S2', 'grade_fail', 'D9'),
      staffFlag('S2', 'suspended', 'D2'),
      departmentFlag('b', 'focused_monitoring', 'D2'),
    ]);
  });

  it('fines by quarter add up per person across disputes; departments named only by compensation > 0', () => {
    const effects = disputeEffects(
      [
        // defect 35,000 → 3250.00, bed: S1 2112.50, S2 812.50, S3 325.00
        dispute('D1', '2026Q1', '35000.00', 'defect', [party('IM', '1', 'bed', 'S1', 'S3', { teamLead: 'S2' })]),
        // misconduct 2000.00: S1 bears it all → S1 2112.50 + 2000.00 = 4112.50
        dispute('D2', '2026Q1', '2000.00', 'misconduct', [party('MA', '1', 'non_bed', 'S1', 'S9')]),
        // avoidable 8000 → 1600.00, nursing: S3 1360.00, S4 240.00
        dispute('D3', '2026Q2', '8000.00', 'avoidable', [party('PED', '1', 'nursing', 'S3', 'S4')]),
        // unavoidable 50,000 names SUR (compensation > 0) though nobody bears anything; compensation 0 names nobody
        dispute('D4', '2026Q2', '50000.00', 'unavoidable', [party('SUR', '1', 'nursing', 'S5', 'S6')]),
        dispute('D5', '2026Q2', '0', 'defect', [party('ER', '1', 'non_bed', 'S7', 'S8')]),
      ],
      scheme,
    );
    expect(amounts(effects.fines.get('2026Q1')!)).toEqual({ S1: '4112.50', S2: '812.50', S3: '325.00' });
    expect(amounts(effects.fines.get('2026Q2')!)).toEqual({ S3: '1360.00', S4: '240.00' });
    expect([...effects.named.get(2026)!].sort()).toEqual(['IM', 'MA', 'PED', 'SUR']);
  });
});

// ------------------------------------------------------------------ §5 risk award

describe('§5 risk award of a department', () => {
  const award = (openBeds: number | null, emergency: boolean, growth: string | null, named = false) =>
    riskAwardOf({ openBeds, emergency, benefitGrowth: growth === null ? null : new Dec(growth) }, named, scheme);

  it('openBeds 9 (not emergency) → 0.00; openBeds 10 → 12000.00 (growth 0.22 ≥ 0.20)', () => {
    expectMoney(award(9, false, '0.22'), '0.00');
    expectMoney(award(10, false, '0.22'), '12000.00');
  });

  it('emergency with 0 beds, or with no openBeds given → 12000.00 (growth 0.22)', () => {
    expectMoney(award(0, true, '0.22'), '12000.00');
    expectMoney(award(null, true, '0.22'), '12000.00');
    expectMoney(award(null, false, '0.22'), '0.00');
  });

  it.each([
    ['-0.10', '0.00'],
    ['0', '0.00'],
    ['0.0499', '0.00'],
    ['0.05', '3000.00'],
    ['0.0999', '3000.00'],
    ['0.10', '6000.00'],
    ['0.1499', '6000.00'],
    ['0.15', '9000.00'],
    ['0.1999', '9000.00'],
    ['0.20', '12000.00'],
    ['0.35', '12000.00'],
  ])('growth %s → %s (30 beds)', (growth, want) => {
    expectMoney(award(30, false, growth), want);
  });

  it('a department named by a dispute gets 0.00 (30 beds, growth 0.35)', () => {
    expectMoney(award(30, true, '0.35', true), '0.00');
  });

  it('benefitGrowth missing → 0.00 (30 beds, emergency)', () => {
    expectMoney(award(30, true, null), '0.00');
  });
});

// ------------------------------------------------------------------ §1 validation

type Doc = Record<string, any>;
const readText = (name: string): string => readFileSync(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)), 'utf8');
const SCENARIO_TEXT = readText('disputes-example.scenario.json');

/** A fresh copy of examples/disputes-example.scenario.json. Its disputes:
 *  [0] D1 2026Q1 defect 35,000: IM bed S12 / teamLead S11 / head S10
 *  [1] D2 2026Q2 avoidable 120,000: IM 0.6 bed S11 / S10 / S10; PED 0.4 nursing S31 / head S30
 *  [2] D3 2026Q2 grade1_accident 8,000: IM bed S11 / S10 / S10
 *  [3] D4 2026Q1 unavoidable 50,000: PED nursing S31 / S30
 *  [4] D5 2026Q2 misconduct 2,000: MA non_bed S02 / S02 */
function mutated(mutate: (doc: Doc) => void): Doc {
  const doc = JSON.parse(SCENARIO_TEXT) as Doc;
  mutate(doc);
  return doc;
}

function caught(fn: () => unknown): EngineError {
  return engineErrorOf(fn, 'expected validation to fail');
}

describe('§1 validation of dispute records', () => {
  const cases: [string, (doc: Doc) => void, EngineErrorCode, string][] = [
    ['a duplicate dispute id', (d) => (d.disputes[3].id = 'D2'), 'duplicate', 'disputes[3].id'],
    ['bookedIn a later quarter not in the scenario', (d) => (d.disputes[2].bookedIn = '2026Q3'), 'unknown_reference', 'disputes[2].bookedIn'],
    ['bookedIn an earlier year', (d) => (d.disputes[0].bookedIn = '2025Q4'), 'unknown_reference', 'disputes[0].bookedIn'],
    ['bookedIn not a quarter at all', (d) => (d.disputes[2].bookedIn = '2026Q5'), 'invalid_type', 'disputes[2].bookedIn'],
    ['an unknown department', (d) => (d.disputes[1].parties[1].department = 'ER'), 'unknown_reference', 'disputes[1].parties[1].department'],
    ['a department twice', (d) => (d.disputes[1].parties[1].department = 'IM'), 'duplicate', 'disputes[1].parties[1].department'],
    ['shares adding up to 0.9', (d) => (d.disputes[1].parties[1].share = '0.3'), 'invalid_value', 'disputes[1].parties'],
    ['shares adding up to 1.1', (d) => (d.disputes[1].parties[1].share = '0.5'), 'invalid_value', 'disputes[1].parties'],
    ['a single party with share 0.99', (d) => (d.disputes[0].parties[0].share = '0.99'), 'invalid_value', 'disputes[0].parties'],
    ['a bed party without teamLead', (d) => delete d.disputes[0].parties[0].teamLead, 'missing_field', 'disputes[0].parties[0].teamLead'],
    ['a bed party with teamLead null', (d) => (d.disputes[0].parties[0].teamLead = null), 'missing_field', 'disputes[0].parties[0].teamLead'],
    ['an unknown responsible', (d) => (d.disputes[1].parties[0].responsible = 'S99'), 'unknown_reference', 'disputes[1].parties[0].responsible'],
    ['an unknown teamLead', (d) => (d.disputes[1].parties[0].teamLead = 'S99'), 'unknown_reference', 'disputes[1].parties[0].teamLead'],
    ['an unknown departmentHead', (d) => (d.disputes[1].parties[0].departmentHead = 'S99'), 'unknown_reference', 'disputes[1].parties[0].departmentHead'],
    ['an unknown teamLead on a nursing party (ignored, but must exist)', (d) => (d.disputes[1].parties[1].teamLead = 'S99'), 'unknown_reference', 'disputes[1].parties[1].teamLead'],
    ['a bad classification', (d) => (d.disputes[0].classification = 'negligence'), 'invalid_enum', 'disputes[0].classification'],
    ['a bad departmentType', (d) => (d.disputes[0].parties[0].departmentType = 'ward'), 'invalid_enum', 'disputes[0].parties[0].departmentType'],
    ['a negative compensation', (d) => (d.disputes[0].compensation = '-1.00'), 'invalid_value', 'disputes[0].compensation'],
    ['a compensation as a JSON number', (d) => (d.disputes[0].compensation = 35000), 'invalid_type', 'disputes[0].compensation'],
  ];
  it.each(cases)('%s → %s at %s', (_what, mutate, code, path) => {
    const error = caught(() => validateScenario(mutated(mutate)));
    expect({ code: error.code, path: error.path }).toEqual({ code, path });
  });

  it('errors of the dispute checks name the dispute in the message', () => {
    expect(caught(() => validateScenario(mutated((d) => (d.disputes[1].parties[1].department = 'ER'))))).toHaveProperty('message', expect.stringContaining('dispute D2'));
    expect(caught(() => validateScenario(mutated((d) => (d.disputes[1].parties[1].share = '0.3'))))).toHaveProperty('message', expect.stringContaining('dispute D2'));
  });

  it('the unmodified example validates; disputes come out in (bookedIn, id) order: D1, D4, D2, D3, D5', () => {
    const v = validateScenario(mutated(() => {}));
    expect(v.disputes.map((d) => d.id)).toEqual(['D1', 'D4', 'D2', 'D3', 'D5']);
  });

  it("a teamLead on a nursing party is accepted but ignored: S12 named as D2's PED team lead bears nothing of D2", () => {
    const v = validateScenario(mutated((d) => (d.disputes[1].parties[1].teamLead = 'S12')));
    const d2 = v.disputes.find((d) => d.id === 'D2')!;
    expect(d2.parties.find((p) => p.department === 'PED')!.teamLead).toBeNull();
    // D2 as above: S11 3783.00, S10 2037.00, S31 3298.00, S30 582.00
    expect(amounts(liabilityByPerson(d2, v.hospital.scheme))).toEqual({ S11: '3783.00', S10: '2037.00', S31: '3298.00', S30: '582.00' });
  });

  it('a department of any kind may be a party (D5 names the admin department MA) and shares "0.60" / "0.40" add up to 1', () => {
    expect(() =>
      validateScenario(
        mutated((d) => {
          d.disputes[1].parties[0].share = '0.60';
          d.disputes[1].parties[1].share = '0.40';
        }),
      ),
    ).not.toThrow();
  });
});

// ------------------------------------------------------------------ the disputes example end to end

describe('disputes example end to end (examples/disputes-example.*.json)', () => {
  const expected = JSON.parse(readText('disputes-example.result.json')) as ResultDocument;
  const actual = simulate(JSON.parse(SCENARIO_TEXT));

  /** Every field the expected record has, compared one by one so a failure names the field. */
  function expectFields(where: string, got: object | undefined, want: object): void {
    expect(got, `${where} is missing`).toBeDefined();
    const gotRecord = got as Record<string, unknown>;
    for (const [field, value] of Object.entries(want)) {
      if (value !== null && typeof value === 'object') expectFields(`${where}.${field}`, gotRecord[field] as object | undefined, value as object);
      else expect(gotRecord[field], `${where}.${field}`).toBe(value);
    }
  }

  describe('equals the expected result field by field', () => {
    it('names the hospital and returns the same periods in the same order', () => {
      expect(actual.hospital).toBe(expected.hospital);
      expect(actual.results.map((r) => [r.period, r.kind])).toEqual(expected.results.map((r) => [r.period, r.kind]));
    });

    for (const [index, want] of expected.results.entries()) {
      const got = () => actual.results[index]!;
      describe(`${want.kind} ${want.period}`, () => {
        it('summary, field by field', () => {
          expectFields(`${want.period} summary`, got().summary, want.summary);
        });
        it('the same departments in the same order, each field by field', () => {
          const gotDepartments = (got() as QuarterlyResult | AnnualResult).departments;
          expect(gotDepartments.map((d) => d.code)).toEqual(want.departments.map((d) => d.code));
          for (const line of want.departments)
            expectFields(
              `${want.period} department ${line.code}`,
              gotDepartments.find((d) => d.code === line.code),
              line,
            );
        });
        it('the same individual lines in the same order, each field by field', () => {
          const gotLines = (got() as QuarterlyResult | AnnualResult).individuals as { staffId: string; department: string }[];
          const wantLines = want.individuals as { staffId: string; department: string }[];
          const key = (i: { staffId: string; department: string }) => `${i.staffId}/${i.department}`;
          expect(gotLines.map(key)).toEqual(wantLines.map(key));
          for (const line of wantLines)
            expectFields(
              `${want.period} individual ${key(line)}`,
              gotLines.find((i) => key(i) === key(line)),
              line,
            );
        });
        it('warnings are the same (order ignored)', () => {
          expect([...got().warnings].sort()).toEqual([...want.warnings].sort());
        });
        if (want.kind === 'annual') {
          it('flags are the same, in the same order', () => {
            expect((got() as AnnualResult).flags).toEqual(want.flags);
          });
        }
      });
    }
  });

  describe('hand-checked against the spec', () => {
    const quarter = (period: string) => actual.results.find((r) => r.period === period) as QuarterlyResult;
    const year = actual.results.find((r) => r.kind === 'annual') as AnnualResult;
    const disputeFinesOf = (period: string) =>
      Object.fromEntries(
        quarter(period)
          .individuals.filter((i) => i.disputeFines !== '0.00')
          .map((i) => [i.staffId, i.disputeFines]),
      );

    it('2026Q1 disputeFines: D1 defect 35,000 → 3250.00 (bed: S12 2112.50, S11 812.50, S10 325.00); D4 unavoidable → nothing', () => {
      expect(disputeFinesOf('2026Q1')).toEqual({ S10: '325.00', S11: '812.50', S12: '2112.50' });
      expect(quarter('2026Q1').individuals.every((i) => i.disputeFines !== undefined)).toBe(true);
    });

    it('2026Q2 disputeFines: D2 (S11 3783.00, S10 2037.00, S31 3298.00, S30 582.00) + D3 grade-1 8000 → 1600.00 (S11 1040.00, S10 400.00 + 160.00) + D5 misconduct (S02 2000.00) → S11 4823.00, S10 2597.00', () => {
      expect(disputeFinesOf('2026Q2')).toEqual({ S02: '2000.00', S10: '2597.00', S11: '4823.00', S30: '582.00', S31: '3298.00' });
    });

    it("finesRetained: 2026Q1 S21's own 500.00 + 325.00 + 812.50 + 2112.50 = 3750.00; 2026Q2 2000.00 + 2597.00 + 582.00 + 3298.00 = 8477.00 (S11, paid nothing, has nothing applied)", () => {
      expect(quarter('2026Q1').summary.finesRetained).toBe('3750.00');
      expect(quarter('2026Q2').summary.finesRetained).toBe('8477.00');
    });

    it('2026Q2: S11 is suspended (D3 is the second avoidable / grade-1 of 2026): rawScore 110.000000 kept (resident 40 + 40 + 10 + 10 + 10), effectiveScore 0.000000, nothing paid so nothing of the 4823.00 applied', () => {
      const s11 = quarter('2026Q2').individuals.find((i) => i.staffId === 'S11')!;
      expect(s11.rawScore).toBe('110.000000');
      expect(s11.effectiveScore).toBe('0.000000');
      expect(s11.tier2Pay).toBe('0.00');
      expect(s11.finesApplied).toBe('0.00');
      expect(s11.total).toBe('0.00');
    });

    it('2026Q1: S11 not yet suspended (D2, D3 are booked in Q2): effectiveScore > 0', () => {
      const s11 = quarter('2026Q1').individuals.find((i) => i.staffId === 'S11')!;
      expect(new Dec(s11.effectiveScore).gt(0)).toBe(true);
    });

    it('2026 flags: IM focused_monitoring at D3 (72,000 + 8,000 over 2 disputes), S11 grade_fail D2 (120,000 > 100,000), S11 suspended D3, S12 no_awards D1 (defect 35,000), S31 grade_fail D2', () => {
      expect(year.flags).toEqual([
        { department: 'IM', flag: 'focused_monitoring', disputeId: 'D3' },
        { staffId: 'S11', flag: 'grade_fail', disputeId: 'D2' },
        { staffId: 'S11', flag: 'suspended', disputeId: 'D3' },
        { staffId: 'S12', flag: 'no_awards', disputeId: 'D1' },
        { staffId: 'S31', flag: 'grade_fail', disputeId: 'D2' },
      ]);
    });

    it('grade_fail joins failedStaff: S11 and S31 (with S13, failed in the document) have no 2026 weight', () => {
      const ids = year.individuals.map((i) => i.staffId);
      for (const id of ['S11', 'S13', 'S31']) expect(ids, id).not.toContain(id);
      expect([...validateScenario(JSON.parse(SCENARIO_TEXT)).annual!.failedStaff].sort()).toEqual(['S11', 'S13', 'S31']);
    });

    it('risk award: SUR (25 beds, growth 0.22, not named) 12000.00 split by weights 256 / 227 / 234 (Σ 717): raw 4284.5188, 3799.1632, 3916.3180 → floors leave 2 cents → S20 4284.52, S21 3799.16, S22 3916.32; IM and PED named by disputes → 0.00', () => {
      const dept = (code: string) => year.departments.find((d) => d.code === code)!;
      expect(dept('SUR').riskAward).toBe('12000.00');
      expect(dept('IM').riskAward).toBe('0.00');
      expect(dept('PED').riskAward).toBe('0.00');
      expect(year.summary.riskAwardTotal).toBe('12000.00');
      const awardOf = (id: string) => year.individuals.find((i) => i.staffId === id)!.riskAward;
      expect([awardOf('S20'), awardOf('S21'), awardOf('S22')]).toEqual(['4284.52', '3799.16', '3916.32']);
    });
  });
});
