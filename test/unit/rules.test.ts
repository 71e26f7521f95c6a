import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dec, simulate, split } from '../../src/core/index.js';
import type { AnnualResult, QuarterlyResult, ResultDocument } from '../../src/core/result.js';
import type { Scenario, TitleGrade } from '../../src/core/schema.js';
import {
  adminDepartment,
  adminInputs,
  annualDepartment,
  annualIndividuals,
  clinicalDepartment,
  clinicalInputs,
  departmentLine,
  indicator,
  individual,
  individualLine,
  quarter,
  quarterly,
  run,
  scenario,
  staffMember,
  yearEnd,
} from '../fixtures/builders.js';

/*
 * One focused test (or a few) per rule of allocation-rules.md. Every expected figure was
 * computed by hand from the spec (decimal arithmetic at 34 digits, half-up), never copied from
 * the engine's output; the figure is in the test name or next to the assertion.
 *
 * Unless a test says otherwise: revenue 1,000,000.00 → distributable 60,000.00; a clinical
 * department scores 100 per member; a staff member's raw score is 110 (see builders.ts).
 */

const moneyOf = (parts: Map<string, Dec>, key: string): string => parts.get(key)!.toFixed(2);
const weights = (...pairs: [string, string | number][]) => pairs.map(([key, w]) => ({ key, weight: new Dec(w) }));

// ------------------------------------------------------------------ §1.3 largest remainder

describe('§1.3 largest-remainder split', () => {
  it('split(1.00, three equal weights): the one leftover cent goes to the smallest key → A 0.34, B 0.33, C 0.33', () => {
    const { parts, unallocated } = split(new Dec('1.00'), weights(['B', 1], ['A', 1], ['C', 1]));
    expect(unallocated).toBe(false);
    expect(moneyOf(parts, 'A')).toBe('0.34');
    expect(moneyOf(parts, 'B')).toBe('0.33');
    expect(moneyOf(parts, 'C')).toBe('0.33');
  });

  it('split(0.05, three equal weights): two leftover cents to the two smallest keys → A 0.02, B 0.02, C 0.01', () => {
    const { parts } = split(new Dec('0.05'), weights(['C', 1], ['B', 1], ['A', 1]));
    expect(moneyOf(parts, 'A')).toBe('0.02');
    expect(moneyOf(parts, 'B')).toBe('0.02');
    expect(moneyOf(parts, 'C')).toBe('0.01');
  });

  it('the largest remainder wins before key order: split(10.00, A 1, B 2) → A 3.33, B 6.67', () => {
    const { parts } = split(new Dec('10.00'), weights(['A', 1], ['B', 2]));
    expect(moneyOf(parts, 'A')).toBe('3.33');
    expect(moneyOf(parts, 'B')).toBe('6.67');
  });

  it('ties use code-point order, not locale or numeric order: "B" before "a", "S10" before "S2"', () => {
    const letters = split(new Dec('0.01'), weights(['a', 1], ['B', 1])).parts;
    expect(moneyOf(letters, 'B')).toBe('0.01');
    expect(moneyOf(letters, 'a')).toBe('0.00');
    const ids = split(new Dec('0.01'), weights(['S2', 1], ['S10', 1])).parts;
    expect(moneyOf(ids, 'S10')).toBe('0.01');
    expect(moneyOf(ids, 'S2')).toBe('0.00');
  });

  it('weights adding up to 0: nothing is split, the whole total is unallocated', () => {
    const { parts, unallocated } = split(new Dec('100.00'), weights(['A', 0], ['B', 0]));
    expect(unallocated).toBe(true);
    expect(moneyOf(parts, 'A')).toBe('0.00');
    expect(moneyOf(parts, 'B')).toBe('0.00');
  });

  it('through tier 1: three equal departments share 60,000.01 → S10 20,000.01 (the cent), S2 20,000.00, ped 20,000.00', () => {
    const doc = scenario({
      departments: [clinicalDepartment('S2'), clinicalDepartment('ped'), clinicalDepartment('S10')],
      staff: [staffMember('a', 'S2'), staffMember('b', 'ped'), staffMember('c', 'S10')],
      periods: [
        quarter('2026Q1', {
          adjustment: '0.01',
          departments: [clinicalInputs('ped'), clinicalInputs('S2'), clinicalInputs('S10')],
        }),
      ],
    });
    const q = quarterly(run(doc), '2026Q1');
    expect(q.summary.tier1Pool).toBe('60000.01');
    expect(departmentLine(q, 'S10').gross).toBe('20000.01');
    expect(departmentLine(q, 'S2').gross).toBe('20000.00');
    expect(departmentLine(q, 'ped').gross).toBe('20000.00');
  });

  it('through tier 2: three equal members share 60,000.01 → S10 20,000.01 (the cent), S2 20,000.00, s1 20,000.00', () => {
    const doc = scenario({
      departments: [clinicalDepartment('IM')],
      staff: [staffMember('s1', 'IM'), staffMember('S2', 'IM'), staffMember('S10', 'IM')],
      periods: [quarter('2026Q1', { adjustment: '0.01', departments: [clinicalInputs('IM')] })],
    });
    const q = quarterly(run(doc), '2026Q1');
    expect(departmentLine(q, 'IM').final).toBe('60000.01');
    expect(individualLine(q, 'S10').tier2Pay).toBe('20000.01');
    expect(individualLine(q, 'S2').tier2Pay).toBe('20000.00');
    expect(individualLine(q, 's1').tier2Pay).toBe('20000.00');
  });
});

// ------------------------------------------------------------------ §3.4 clinical score

describe('§3.4 quality deductions are capped per category', () => {
  // n = 2 in both: caps medical 0.5×30×2 = 30, nursing 0.3×30×2 = 18, infection control 0.2×30×2 = 12.
  // IM: Q = 60 − (min(100, 30) + min(5, 18) + min(50, 12)) = 60 − 47 = 13; S = (100 + 13 + 40) × 1 × 1 = 153.
  // SUR: Q = 60 − min(25, 18) = 42; S = 100 + 42 + 40 = 182.
  const doc = scenario({
    departments: [clinicalDepartment('IM'), clinicalDepartment('SUR')],
    staff: [staffMember('a', 'IM'), staffMember('b', 'IM'), staffMember('c', 'SUR'), staffMember('d', 'SUR')],
    periods: [
      quarter('2026Q1', {
        departments: [clinicalInputs('IM', { qualityDeductions: { medical: '100', nursing: '5', infectionControl: '50' } }), clinicalInputs('SUR', { qualityDeductions: { nursing: '25' } })],
      }),
    ],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('medical 100 → 30, nursing 5 → 5, infection control 50 → 12: quality score 13, department score 153', () => {
    const im = departmentLine(q, 'IM');
    expect(im.workloadScore).toBe('100.000000');
    expect(im.qualityScore).toBe('13.000000');
    expect(im.ethicsScore).toBe('40.000000');
    expect(im.score).toBe('153.000000');
  });

  it('nursing 25 → 18: quality score 42, department score 182', () => {
    const sur = departmentLine(q, 'SUR');
    expect(sur.qualityScore).toBe('42.000000');
    expect(sur.score).toBe('182.000000');
  });
});

// ------------------------------------------------------------------ §3.8 cap, bank, floor

describe('§3.8 cap, carry-over bank and year-end expiry', () => {
  // ICU (1 member) and GEN (3 members). Q1: ICU ratio 1000/100 = 10 → S = 500 + 30 + 20 = 550,
  // GEN S = 300. gross = split(60,000.00; 550, 300) → ICU 38,823.53, GEN 21,176.47.
  // average net per capita 60,000 / 4 = 15,000; ICU cap money(2 × 15,000 × 1) = 30,000.00,
  // deposit 8,823.53. Q2: ICU ratio 20/100 = 0.2 → S = 10 + 30 + 20 = 60; gross ICU 10,000.00,
  // GEN 50,000.00; ICU target 15,000.00, draw min(8,823.53, 5,000.00) = 5,000.00, bank after
  // 3,823.53, which expires at the year-end. Year-end fund 30,000 + 30,000 = 60,000.00 split on
  // annual scores GEN 600, ICU 610 → GEN 29,752.07, ICU 30,247.93.
  const staff = [staffMember('G1', 'GEN'), staffMember('G2', 'GEN'), staffMember('G3', 'GEN'), staffMember('I1', 'ICU')];
  const q1 = quarter('2026Q1', { departments: [clinicalInputs('GEN'), clinicalInputs('ICU', { workload: [indicator('1000')] })] });
  const q2 = quarter('2026Q2', { departments: [clinicalInputs('GEN'), clinicalInputs('ICU', { workload: [indicator('20')] })] });
  const build = (periods: Scenario['periods']) =>
    scenario({
      departments: [clinicalDepartment('GEN'), clinicalDepartment('ICU')],
      staff,
      periods: periods ?? [],
      annual: { year: 2026 },
    });
  const result = run(build([q1, q2]));

  it('Q1: ICU gross 38,823.53 is capped at 30,000.00 and 8,823.53 is banked', () => {
    const q = quarterly(result, '2026Q1');
    const icu = departmentLine(q, 'ICU');
    expect(q.summary.averageNetPerCapita).toBe('15000.000000');
    expect(icu.gross).toBe('38823.53');
    expect(icu.cap).toBe('30000.00');
    expect(icu.bankDeposit).toBe('8823.53');
    expect(icu.final).toBe('30000.00');
    expect(icu.bankBalanceAfter).toBe('8823.53');
    expect(individualLine(q, 'I1').tier2Pay).toBe('30000.00');
    const gen = departmentLine(q, 'GEN');
    expect(gen.gross).toBe('21176.47'); // below its target 45,000.00, but GEN has no bank to draw on
    expect(gen.bankDraw).toBe('0.00');
    expect(gen.final).toBe('21176.47');
    expect(q.summary.bankDeposits).toBe('8823.53');
  });

  it('Q2: ICU gross 10,000.00 draws 5,000.00 up to its target 15,000.00; 3,823.53 stays in the bank', () => {
    const q = quarterly(result, '2026Q2');
    const icu = departmentLine(q, 'ICU');
    expect(icu.gross).toBe('10000.00');
    expect(icu.bankDeposit).toBe('0.00');
    expect(icu.bankDraw).toBe('5000.00');
    expect(icu.final).toBe('15000.00');
    expect(icu.bankBalanceAfter).toBe('3823.53');
    expect(departmentLine(q, 'GEN').final).toBe('50000.00');
    expect(q.summary.bankDraws).toBe('5000.00');
  });

  it('year-end: ICU bank 3,823.53 is reported as bankExpired, not paid; fund 60,000.00 fully paid', () => {
    const y = yearEnd(result, 2026);
    expect(y.summary.fund).toBe('60000.00');
    expect(y.summary.bankExpired).toBe('3823.53');
    expect(y.summary.paidTotal).toBe('60000.00');
    expect(y.summary.unallocated).toBe('0.00');
    expect(annualDepartment(y, 'ICU').bankExpired).toBe('3823.53');
    expect(annualDepartment(y, 'GEN').bankExpired).toBe('0.00');
    expect(annualDepartment(y, 'ICU').amount).toBe('30247.93');
    expect(annualDepartment(y, 'GEN').amount).toBe('29752.07');
    expect(annualIndividuals(y, 'I1').map((i) => i.amount)).toEqual(['30247.93']);
    // GEN's 29,752.07 over three equal weights 220: 9,917.36, 9,917.36, 9,917.35 (the cent by id).
    expect(['G1', 'G2', 'G3'].map((id) => annualIndividuals(y, id)[0]?.amount)).toEqual(['9917.36', '9917.36', '9917.35']);
  });

  it('quarters are settled in chronological order whatever their order in the document', () => {
    expect(run(build([q2, q1]))).toEqual(result);
  });
});

describe('§3.8 floor subsidy after a penalty wipes a department out', () => {
  // IM (1 member, S 100) and PED (2 members, S 200, inventory loss 100,000.00 → penalty 200,000.00).
  // gross IM 20,000.00, PED 40,000.00; PED penaltyTotal = min(200,000.00, 40,000.00) = 40,000.00,
  // net 0.00. average net 20,000 / 3 = 6,666.666667: IM cap 13,333.33, deposit 6,666.67;
  // PED floor money(600 × 2) = 1,200.00, all of it a subsidy; each PED member gets 600.00.
  const doc = scenario({
    departments: [clinicalDepartment('IM'), clinicalDepartment('PED')],
    staff: [staffMember('i1', 'IM'), staffMember('p1', 'PED'), staffMember('p2', 'PED')],
    periods: [quarter('2026Q1', { departments: [clinicalInputs('IM'), clinicalInputs('PED', { inventoryLoss: '100000.00' })] })],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('PED: penalty capped at gross 40,000.00, net 0.00, floor subsidy 1,200.00, final 1,200.00', () => {
    const ped = departmentLine(q, 'PED');
    expect(ped.gross).toBe('40000.00');
    expect(ped.penalties.inventoryLoss).toBe('200000.00');
    expect(ped.penaltyTotal).toBe('40000.00');
    expect(ped.net).toBe('0.00');
    expect(ped.bankDraw).toBe('0.00');
    expect(ped.floorSubsidy).toBe('1200.00');
    expect(ped.final).toBe('1200.00');
    expect(individualLine(q, 'p1').tier2Pay).toBe('600.00');
    expect(individualLine(q, 'p2').tier2Pay).toBe('600.00');
  });

  it('IM: cap 13,333.33, deposit 6,666.67; summary floorSubsidies 1,200.00, paidTotal 14,533.33', () => {
    const im = departmentLine(q, 'IM');
    expect(q.summary.averageNetPerCapita).toBe('6666.666667');
    expect(im.cap).toBe('13333.33');
    expect(im.bankDeposit).toBe('6666.67');
    expect(im.final).toBe('13333.33');
    expect(q.summary.floorSubsidies).toBe('1200.00');
    expect(q.summary.penaltiesRetained).toBe('40000.00');
    expect(q.summary.paidTotal).toBe('14533.33');
  });
});

// ------------------------------------------------------------------ §3.2 / §3.9 study leave

describe('§3.9 study leave bands', () => {
  // IM members: M1, M2 and L01 (resident, raw 110; L01's 1 month keeps them a member) and M3
  // (attending, raw 115). split(60,000.00; 110, 110, 110, 115) → 14,831.46 ×3 and 15,505.62.
  // Mean resident tier2Pay 14,831.46; mean of all members 15,000.00 (used for the chief, who
  // has no chief among the members).
  const leave = (id: string, months: number | string, titleGrade: 'resident' | 'chief' = 'resident') => ({
    staff: staffMember(id, 'IM', { titleGrade }),
    record: individual(id, { studyLeaveMonths: months }),
  });
  const onLeave = [leave('L01', 1), leave('L15', '1.5'), leave('L3', 3), leave('L4', 4), leave('L12', 12), leave('L13', 13), leave('LC4', 4, 'chief')];
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: [...onLeave.map((l) => l.staff), staffMember('M1', 'IM'), staffMember('M2', 'IM'), staffMember('M3', 'IM', { titleGrade: 'attending' })],
    periods: [quarter('2026Q1', { departments: [clinicalInputs('IM')], individuals: onLeave.map((l) => l.record) })],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('1 month stays a member: headcount 4 (M1, M2, M3, L01), L01 paid 14,831.46 by the department', () => {
    expect(q.summary.headcount).toBe(4);
    expect(departmentLine(q, 'IM').headcount).toBe(4);
    const l01 = individualLine(q, 'L01');
    expect(l01.rawScore).toBe('110.000000');
    expect(l01.tier2Pay).toBe('14831.46');
    expect(l01.studyLeavePay).toBe('0.00');
    expect(individualLine(q, 'M3').tier2Pay).toBe('15505.62');
  });

  it.each([
    ['L15', '1.5 months → 0.60 × 14,831.46', '8898.88'],
    ['L3', '3 months → 0.60 × 14,831.46', '8898.88'],
    ['L4', '4 months → 0.50 × 14,831.46', '7415.73'],
    ['L12', '12 months → 0.30 × 14,831.46', '4449.44'],
    ['L13', '13 months → 0', '0.00'],
    ['LC4', 'chief, 4 months, no chief member → 0.50 × mean of all 15,000.00', '7500.00'],
  ])('%s: %s = %s, paid by the hospital', (id, _band, pay) => {
    const line = individualLine(q, id);
    expect(line.studyLeavePay).toBe(pay);
    expect(line.total).toBe(pay);
    expect(line.tier2Pay).toBe('0.00');
    expect(line.department).toBe('IM');
    for (const score of [line.rawScore, line.attendanceDeduction, line.overtimeAddition, line.payRatio, line.effectiveScore]) {
      expect(score).toBe('0.000000');
    }
  });

  it('summary studyLeavePay 37,162.93 and paidTotal 60,000.00 + 37,162.93 = 97,162.93', () => {
    expect(q.summary.studyLeavePay).toBe('37162.93');
    expect(q.summary.paidTotal).toBe('97162.93');
  });
});

// ------------------------------------------------------------------ §3.9 pay ratio

describe('§3.9 pay ratio by employment and title grade', () => {
  // raw = title score + 70 (workload 40, quality 10, ethics 10, discipline 10).
  const cases: [id: string, employment: 'regular' | 'temporary' | 'contract', grade: TitleGrade, ratio: string, effective: string, override?: string][] = [
    ['R-chief', 'regular', 'chief', '1.000000', '125.000000'],
    ['T-worker', 'temporary', 'worker', '0.150000', '14.250000'], // 95 × 0.15
    ['T-technician', 'temporary', 'technician', '0.200000', '20.000000'], // 100 × 0.20
    ['T-assistant', 'temporary', 'assistant', '0.250000', '26.250000'], // 105 × 0.25
    ['T-resident', 'temporary', 'resident', '0.300000', '33.000000'], // 110 × 0.30
    ['T-attending', 'temporary', 'attending', '0.300000', '34.500000'], // 115 × 0.30
    ['T-associate', 'temporary', 'associate_chief', '0.300000', '36.000000'], // 120 × 0.30
    ['T-chief', 'temporary', 'chief', '0.300000', '37.500000'], // 125 × 0.30
    ['C-worker', 'contract', 'worker', '0.500000', '47.500000'], // 95 × 0.50
    ['C-technician', 'contract', 'technician', '0.500000', '50.000000'], // 100 × 0.50
    ['C-assistant', 'contract', 'assistant', '0.500000', '52.500000'], // 105 × 0.50
    ['C-resident', 'contract', 'resident', '0.600000', '66.000000'], // 110 × 0.60
    ['C-attending', 'contract', 'attending', '1.000000', '115.000000'],
    ['C-associate', 'contract', 'associate_chief', '1.000000', '120.000000'],
    ['C-chief', 'contract', 'chief', '1.000000', '125.000000'],
    ['O-temporary', 'temporary', 'worker', '0.800000', '76.000000', '0.80'], // 95 × override 0.80
    ['O-regular', 'regular', 'attending', '0.500000', '57.500000', '0.5'], // 115 × override 0.5
  ];
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: [
      ...cases.map(([id, employment, grade, , , override]) =>
        staffMember(id, 'IM', {
          employment,
          titleGrade: grade,
          role: 'worker',
          ...(override ? { payRatioOverride: override } : {}),
        }),
      ),
      staffMember('X-probation', 'IM', { employment: 'probation' }),
      staffMember('X-lump', 'IM', { employment: 'lump_sum', role: 'worker' }),
    ],
    periods: [quarter('2026Q1', { departments: [clinicalInputs('IM')] })],
  });
  const q = quarterly(run(doc), '2026Q1');

  it.each(cases.map(([id, employment, grade, ratio, effective]) => [id, employment, grade, ratio, effective]))(
    '%s (%s %s): pay ratio %s, effective score %s',
    (id, _employment, _grade, ratio, effective) => {
      const line = individualLine(q, id);
      expect(line.payRatio).toBe(ratio);
      expect(line.effectiveScore).toBe(effective);
    },
  );

  it('probation and lump-sum staff get no line and count in no headcount: headcount 17', () => {
    expect(q.individuals.map((i) => i.staffId)).not.toContain('X-probation');
    expect(q.individuals.map((i) => i.staffId)).not.toContain('X-lump');
    expect(q.summary.headcount).toBe(17);
    expect(departmentLine(q, 'IM').headcount).toBe(17);
  });
});

// ------------------------------------------------------------------ §3.9 individual points

describe('§3.9 CME penalty only in Q4 and only for medical roles', () => {
  // All residents (raw 110 without penalty); the CME penalty is 10 when cmeCredits < 20 in Q4.
  const people: [id: string, role: 'physician' | 'nurse' | 'technician' | 'pharmacist' | 'admin' | 'worker', credits: number | string | undefined, q4Raw: string][] = [
    ['P-physician', 'physician', 10, '100.000000'],
    ['P-nurse', 'nurse', '19.5', '100.000000'],
    ['P-pharmacist', 'pharmacist', 0, '100.000000'],
    ['P-technician', 'technician', 20, '110.000000'], // exactly 20: not below the minimum
    ['P-admin', 'admin', 0, '110.000000'], // not a medical role
    ['P-worker', 'worker', 5, '110.000000'], // not a medical role
    ['P-nocredits', 'physician', undefined, '110.000000'], // cmeCredits not given
  ];
  const records = people.map(([id, , credits]) => individual(id, credits === undefined ? {} : { cmeCredits: credits }));
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: people.map(([id, role]) => staffMember(id, 'IM', { role })),
    periods: [quarter('2026Q3', { departments: [clinicalInputs('IM')], individuals: records }), quarter('2026Q4', { departments: [clinicalInputs('IM')], individuals: records })],
  });
  const result = run(doc);

  it.each(people.map(([id, role, credits, q4Raw]) => [id, role, String(credits), q4Raw]))('%s (%s, %s credits): Q4 raw %s, Q3 raw 110', (id, _role, _credits, q4Raw) => {
    expect(individualLine(quarterly(result, '2026Q4'), id).rawScore).toBe(q4Raw);
    expect(individualLine(quarterly(result, '2026Q3'), id).rawScore).toBe('110.000000');
  });
});

describe('§3.9 individual points: quality, ethics, discipline, workload, training, licence', () => {
  const cases: [id: string, what: string, raw: string, record: Parameters<typeof individual>[1], staff?: Parameters<typeof staffMember>[2]][] = [
    ['A-errors2', '2 errors → quality 10 − 4 = 6', '106.000000', { errors: 2 }],
    ['A-errors6', '6 errors → quality max(0, 10 − 12) = 0', '100.000000', { errors: 6 }],
    ['A-accident', 'accident → quality 0', '100.000000', { accident: true }],
    ['B-ethics', 'ethicsDeduction 3.5 → ethics 6.5', '106.500000', { ethicsDeduction: '3.5' }],
    ['B-ethicsZero', 'ethicsZero → ethics 0', '100.000000', { ethicsZero: true }],
    ['C-late', 'late 2×>5 min, 1×>30 min, 1 half day → discipline 10 − 2 − 2 − 5 = 1', '101.000000', { lateOver5: 2, lateOver30: 1, absentHalfDays: 1 }],
    ['C-fullday', 'one full day absent → discipline 0', '100.000000', { absentFullDays: 1, lateOver5: 0 }],
    ['D-workload', 'workloadScore 32.5', '102.500000', { workloadScore: '32.5' }],
    ['E-refused', 'refused training → −10', '100.000000', { refusedTraining: true }],
    ['F-unlicensed-nurse', 'unlicensed nurse → −10', '100.000000', {}, { role: 'nurse', licensed: false }],
    ['F-unlicensed-pharmacist', 'unlicensed pharmacist → no penalty (physicians and nurses only)', '110.000000', {}, { role: 'pharmacist', licensed: false }],
    ['G-director', 'clinical director +3 points', '113.000000', {}, { position: 'clinical_director' }],
  ];
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: cases.map(([id, , , , fields]) => staffMember(id, 'IM', fields ?? {})),
    periods: [quarter('2026Q1', { departments: [clinicalInputs('IM')], individuals: cases.map(([id, , , record]) => individual(id, record)) })],
  });
  const q = quarterly(run(doc), '2026Q1');

  it.each(cases.map(([id, what, raw]) => [id, what, raw]))('%s: %s → raw %s', (id, _what, raw) => {
    expect(individualLine(q, id).rawScore).toBe(raw);
  });
});

describe('§3.9 attendance deduction and overtime addition', () => {
  // workingDays 60. A: 110/60 × 6 = 11 → 99. B: 110/60 × 3 = 5.5 → 115.5. C: requiredDays 50,
  // 110/50 × 5 = 11 and 110/50 × 2 = 4.4 → 103.4. D: 110/60 × 7 = 12.833333…, 110/60 × 2 =
  // 3.666666… → 100.833333…. T (temporary worker, raw 95): 95/60 × 12 = 19, (95 − 19) × 0.15 = 11.4.
  // One department, final 60,000.00 split on 99, 115.5, 103.4, 100.833333…, 11.4
  // → A 13,809.67, B 16,111.28, C 14,423.44, D 14,065.41, T 1,590.20.
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: [staffMember('A', 'IM'), staffMember('B', 'IM'), staffMember('C', 'IM'), staffMember('D', 'IM'), staffMember('T', 'IM', { employment: 'temporary', titleGrade: 'worker', role: 'worker' })],
    periods: [
      quarter('2026Q1', {
        departments: [clinicalInputs('IM')],
        individuals: [
          individual('A', { absentDays: 6 }),
          individual('B', { overtimeDays: 3 }),
          individual('C', { requiredDays: 50, absentDays: 5, overtimeDays: 2 }),
          individual('D', { absentDays: 7, overtimeDays: 2 }),
          individual('T', { absentDays: 12 }),
        ],
      }),
    ],
  });
  const q = quarterly(run(doc), '2026Q1');

  it.each([
    ['A', '11.000000', '0.000000', '99.000000', '13809.67'],
    ['B', '0.000000', '5.500000', '115.500000', '16111.28'],
    ['C', '11.000000', '4.400000', '103.400000', '14423.44'],
    ['D', '12.833333', '3.666667', '100.833333', '14065.41'],
    ['T', '19.000000', '0.000000', '11.400000', '1590.20'],
  ])('%s: attendance %s, overtime %s, effective %s, tier-2 pay %s', (id, attendance, overtime, effective, pay) => {
    const line = individualLine(q, id);
    expect(line.attendanceDeduction).toBe(attendance);
    expect(line.overtimeAddition).toBe(overtime);
    expect(line.effectiveScore).toBe(effective);
    expect(line.tier2Pay).toBe(pay);
  });
});

describe('§3.9 fines larger than pay', () => {
  // P1 (resident clinical director, raw 113) and P2 (raw 110). H = 2, average bonus 30,000,
  // P1 leader bonus money(0.25 × 30,000) = 7,500.00, tier1Pool 52,500.00 → P1 26,603.14,
  // P2 25,896.86. P1 gross 26,603.14 + 7,500.00 = 34,103.14 < fines 100,000.00.
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: [staffMember('P1', 'IM', { position: 'clinical_director' }), staffMember('P2', 'IM')],
    periods: [
      quarter('2026Q1', {
        departments: [clinicalInputs('IM')],
        individuals: [individual('P1', { fines: '100000.00' }), individual('P2', { fines: '100.00' })],
      }),
    ],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('P1: finesApplied = gross 34,103.14 (tier-2 26,603.14 + bonus 7,500.00), total 0.00', () => {
    const p1 = individualLine(q, 'P1');
    expect(p1.tier2Pay).toBe('26603.14');
    expect(p1.leaderBonus).toBe('7500.00');
    expect(p1.finesApplied).toBe('34103.14');
    expect(p1.total).toBe('0.00');
  });

  it('P2: fine 100.00 below pay 25,896.86 → total 25,796.86; finesRetained 34,203.14', () => {
    const p2 = individualLine(q, 'P2');
    expect(p2.finesApplied).toBe('100.00');
    expect(p2.total).toBe('25796.86');
    expect(q.summary.finesRetained).toBe('34203.14');
    expect(q.summary.paidTotal).toBe('25796.86');
  });
});

describe('§3.9 a department with money and nobody to pay', () => {
  // IM: I1 (raw 110) and I2 (pay ratio override 0); PED: p1 absent all 60 days (110 − 110 = 0).
  // S: IM 200, PED 100 → gross IM 40,000.00, PED 20,000.00; no cap or floor binds (average 20,000).
  // PED's final 20,000.00 is unallocated. Year-end fund 30,000.00 → IM 20,000.00, PED 10,000.00;
  // PED's weights add up to 0, so 10,000.00 is unallocated and p1 is not listed; I2 (weight 0 in
  // a department that pays) is listed with 0.00.
  const doc = scenario({
    departments: [clinicalDepartment('IM'), clinicalDepartment('PED')],
    staff: [staffMember('I1', 'IM'), staffMember('I2', 'IM', { payRatioOverride: '0' }), staffMember('p1', 'PED')],
    periods: [
      quarter('2026Q1', {
        departments: [clinicalInputs('IM'), clinicalInputs('PED')],
        individuals: [individual('I1'), individual('I2'), individual('p1', { absentDays: 60 })],
      }),
    ],
    annual: { year: 2026 },
  });
  const result = run(doc);
  const q = quarterly(result, '2026Q1');

  it('PED final 20,000.00 is unallocated with a warning; paidTotal 40,000.00', () => {
    expect(departmentLine(q, 'PED').final).toBe('20000.00');
    expect(individualLine(q, 'p1').effectiveScore).toBe('0.000000');
    expect(individualLine(q, 'p1').tier2Pay).toBe('0.00');
    expect(q.summary.unallocated).toBe('20000.00');
    expect(q.summary.paidTotal).toBe('40000.00');
    expect(q.warnings.some((w) => w.includes('PED') && w.includes('unallocated'))).toBe(true);
  });

  it('IM: I1 gets the whole 40,000.00, I2 (effective 0) 0.00', () => {
    expect(individualLine(q, 'I1').tier2Pay).toBe('40000.00');
    expect(individualLine(q, 'I2').tier2Pay).toBe('0.00');
  });

  it('year-end: PED 10,000.00 unallocated, p1 not listed, I2 listed with 0.00, paid 20,000.00', () => {
    const y = yearEnd(result, 2026);
    expect(y.summary.fund).toBe('30000.00');
    expect(annualDepartment(y, 'PED').amount).toBe('10000.00');
    expect(y.summary.unallocated).toBe('10000.00');
    expect(y.summary.paidTotal).toBe('20000.00');
    expect(annualIndividuals(y, 'p1')).toEqual([]);
    expect(annualIndividuals(y, 'I1').map((i) => [i.department, i.weight, i.amount])).toEqual([['IM', '110.000000', '20000.00']]);
    expect(annualIndividuals(y, 'I2').map((i) => [i.department, i.weight, i.amount])).toEqual([['IM', '0.000000', '0.00']]);
  });
});

// ------------------------------------------------------------------ §3.2 / §4 department override

describe('§3.2 a staff member moved to another department for one quarter', () => {
  // S1 (home IM, resident) works in SUR in Q2 with workloadScore 30 (raw 100). S2 (IM, resident),
  // S3 (SUR, attending, raw 115). Q2: SUR S 200 → gross 40,000.00, split on S1 100 and S3 115 →
  // S1 18,604.65, S3 21,395.35. Year-end fund 60,000.00, annual scores IM 300, SUR 300 → 30,000.00
  // each; IM over S1 110 and S2 220 → 10,000.00 and 20,000.00; SUR over S1 100 and S3 230 →
  // 9,090.91 and 20,909.09.
  const doc = scenario({
    departments: [clinicalDepartment('IM'), clinicalDepartment('SUR')],
    staff: [staffMember('S1', 'IM'), staffMember('S2', 'IM'), staffMember('S3', 'SUR', { titleGrade: 'attending' })],
    periods: [
      quarter('2026Q1', { departments: [clinicalInputs('IM'), clinicalInputs('SUR')] }),
      quarter('2026Q2', {
        departments: [clinicalInputs('IM'), clinicalInputs('SUR')],
        individuals: [individual('S1', { department: 'SUR', workloadScore: '30' })],
      }),
    ],
    annual: { year: 2026 },
  });
  const result = run(doc);

  it('Q1 headcounts IM 2, SUR 1; Q2 headcounts IM 1, SUR 2', () => {
    const q1 = quarterly(result, '2026Q1');
    const q2 = quarterly(result, '2026Q2');
    expect([departmentLine(q1, 'IM').headcount, departmentLine(q1, 'SUR').headcount]).toEqual([2, 1]);
    expect([departmentLine(q2, 'IM').headcount, departmentLine(q2, 'SUR').headcount]).toEqual([1, 2]);
    expect(individualLine(q1, 'S1').department).toBe('IM');
    expect(individualLine(q2, 'S1').department).toBe('SUR');
  });

  it('Q2: SUR gross 40,000.00 split S1 18,604.65, S3 21,395.35; IM gross 20,000.00', () => {
    const q2 = quarterly(result, '2026Q2');
    expect(departmentLine(q2, 'SUR').gross).toBe('40000.00');
    expect(departmentLine(q2, 'IM').gross).toBe('20000.00');
    expect(individualLine(q2, 'S1').tier2Pay).toBe('18604.65');
    expect(individualLine(q2, 'S3').tier2Pay).toBe('21395.35');
  });

  it('year-end: one line per (staff, department): S1/IM 110 → 10,000.00, S1/SUR 100 → 9,090.91', () => {
    const y = yearEnd(result, 2026);
    expect(y.individuals.map((i) => [i.staffId, i.department, i.weight, i.amount])).toEqual([
      ['S1', 'IM', '110.000000', '10000.00'],
      ['S1', 'SUR', '100.000000', '9090.91'],
      ['S2', 'IM', '220.000000', '20000.00'],
      ['S3', 'SUR', '230.000000', '20909.09'],
    ]);
  });
});

// ------------------------------------------------------------------ scheme overrides

describe('scheme overrides: workloadRatioCap, costCoefficientBounds, capMultiple', () => {
  // A: ratio 200/100 = 2, C = 300,000 / 100,000 = 3. B: ratio 20/100 = 0.2, C = 50,000 / 100,000 = 0.5.
  const departments = [clinicalInputs('A', { workload: [indicator('200')], medicalRevenue: '300000.00' }), clinicalInputs('B', { workload: [indicator('20')], medicalRevenue: '50000.00' })];
  const build = (scheme?: Scenario['scheme']) =>
    scenario({
      departments: [clinicalDepartment('A'), clinicalDepartment('B')],
      staff: [staffMember('a1', 'A'), staffMember('b1', 'B')],
      periods: [quarter('2026Q1', { departments })],
      ...(scheme ? { scheme } : {}),
    });

  it('defaults: A workload 100, C 3, S 450; B C 0.5, S 30; A gross 56,250.00 under cap 60,000.00', () => {
    const q = quarterly(run(build()), '2026Q1');
    const a = departmentLine(q, 'A');
    expect(a.workloadScore).toBe('100.000000');
    expect(a.costCoefficient).toBe('3.000000');
    expect(a.score).toBe('450.000000');
    expect(departmentLine(q, 'B').costCoefficient).toBe('0.500000');
    expect(departmentLine(q, 'B').score).toBe('30.000000');
    expect(a.gross).toBe('56250.00');
    expect(a.cap).toBe('60000.00');
    expect(a.bankDeposit).toBe('0.00');
  });

  it('overridden: A workload 50 × 1.2 = 60, C clamped to 1.5, S 165; B C raised to 0.8, S 48', () => {
    const q = quarterly(run(build({ workloadRatioCap: '1.2', costCoefficientBounds: { min: '0.8', max: '1.5' }, capMultiple: '1.5' })), '2026Q1');
    const a = departmentLine(q, 'A');
    const b = departmentLine(q, 'B');
    expect(a.workloadScore).toBe('60.000000');
    expect(a.costCoefficient).toBe('1.500000');
    expect(a.score).toBe('165.000000');
    expect(b.workloadScore).toBe('10.000000'); // 0.2 is under the cap
    expect(b.costCoefficient).toBe('0.800000');
    expect(b.score).toBe('48.000000');
    // gross = split(60,000.00; 165, 48) → A 46,478.87, B 13,521.13; average 30,000;
    // A cap money(1.5 × 30,000 × 1) = 45,000.00, deposit 1,478.87.
    expect(a.gross).toBe('46478.87');
    expect(b.gross).toBe('13521.13');
    expect(a.cap).toBe('45000.00');
    expect(a.bankDeposit).toBe('1478.87');
    expect(a.final).toBe('45000.00');
    expect(b.final).toBe('13521.13');
  });
});

// ------------------------------------------------------------------ §3.3 leader bonus

describe('§3.3 leader bonus with managerAssessmentPassed false', () => {
  // P1 clinical director (failed the assessment), P2 key director. H 2, average bonus 30,000.000000;
  // only P2: money(0.30 × 30,000) = 9,000.00; tier1Pool 51,000.00. Both keep their position points:
  // P1 raw 113, P2 raw 114 → split(51,000.00; 113, 114) → P1 25,387.67, P2 25,612.33.
  const doc = scenario({
    departments: [clinicalDepartment('IM')],
    staff: [staffMember('P1', 'IM', { position: 'clinical_director' }), staffMember('P2', 'IM', { position: 'key_director' })],
    periods: [quarter('2026Q1', { departments: [clinicalInputs('IM')], individuals: [individual('P1', { managerAssessmentPassed: false })] })],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('P1 leader bonus 0.00, P2 9,000.00; leaderBonusTotal 9,000.00, tier1Pool 51,000.00', () => {
    expect(q.summary.averageBonus).toBe('30000.000000');
    expect(individualLine(q, 'P1').leaderBonus).toBe('0.00');
    expect(individualLine(q, 'P2').leaderBonus).toBe('9000.00');
    expect(q.summary.leaderBonusTotal).toBe('9000.00');
    expect(q.summary.tier1Pool).toBe('51000.00');
  });

  it('P1 keeps the position points: raw 113, tier-2 pay 25,387.67, total 25,387.67; P2 total 34,612.33', () => {
    const p1 = individualLine(q, 'P1');
    expect(p1.rawScore).toBe('113.000000');
    expect(p1.tier2Pay).toBe('25387.67');
    expect(p1.total).toBe('25387.67');
    expect(individualLine(q, 'P2').rawScore).toBe('114.000000');
    expect(individualLine(q, 'P2').total).toBe('34612.33'); // 25,612.33 + 9,000.00
  });
});

// ------------------------------------------------------------------ §3.5 admin score

describe('§3.5 admin base per capita by admin class', () => {
  // Clinical per capita: CB 150 (ratio 2), CC 240/2 = 120 (2 members, risk 1.2), CA 100, CD 75
  // (ratio 0.5); CE has no staff. leadership = 150; core_admin = (150 + 120 + 100) / 3 = 123.333333;
  // general_admin = (100 + 150 + 240 + 75) / 5 = 113.
  // LEAD (1, risk 1.05): 150 × 1.05 = 157.5. MA (2, risk 0.90, deductions 5 + 3):
  // 123.33… × 2 × 0.9 − 8 = 214. FIN (1, risk 0.80): 113 × 0.8 = 90.4. XEMPTY has no staff.
  const doc = scenario({
    departments: [
      clinicalDepartment('CA'),
      clinicalDepartment('CB'),
      clinicalDepartment('CC', '1.20'),
      clinicalDepartment('CD'),
      clinicalDepartment('CE'),
      adminDepartment('LEAD', 'leadership', '1.05'),
      adminDepartment('MA', 'core_admin', '0.90'),
      adminDepartment('FIN', 'general_admin', '0.80'),
      adminDepartment('XEMPTY', 'general_admin', '0.60'),
    ],
    staff: [
      staffMember('a1', 'CA'),
      staffMember('b1', 'CB'),
      staffMember('c1', 'CC'),
      staffMember('c2', 'CC'),
      staffMember('d1', 'CD'),
      staffMember('l1', 'LEAD', { role: 'admin' }),
      staffMember('m1', 'MA', { role: 'admin' }),
      staffMember('m2', 'MA', { role: 'admin' }),
      staffMember('f1', 'FIN', { role: 'admin' }),
    ],
    periods: [
      quarter('2026Q1', {
        departments: [
          clinicalInputs('CA'),
          clinicalInputs('CB', { workload: [indicator('200')] }),
          clinicalInputs('CC'),
          clinicalInputs('CD', { workload: [indicator('50')] }),
          adminInputs('MA', { adminDeductions: '5', ethicsDeductions: '3' }),
        ],
      }),
    ],
  });
  const q = quarterly(run(doc), '2026Q1');

  it.each([
    ['LEAD', 'leadership: top 1', '150.000000', '157.500000'],
    ['MA', 'core_admin: mean of top 3', '123.333333', '214.000000'],
    ['FIN', 'general_admin: Σ S / Σ hc', '113.000000', '90.400000'],
    ['XEMPTY', 'no staff', '0.000000', '0.000000'],
  ])('%s (%s): base per capita %s, score %s', (code, _rule, base, score) => {
    const line = departmentLine(q, code);
    expect(line.basePerCapita).toBe(base);
    expect(line.score).toBe(score);
  });

  it('clinical scores CA 100, CB 150, CC 240, CD 75; CE without staff scores 0 with a warning', () => {
    expect(['CA', 'CB', 'CC', 'CD'].map((c) => departmentLine(q, c).score)).toEqual(['100.000000', '150.000000', '240.000000', '75.000000']);
    const ce = departmentLine(q, 'CE');
    expect(ce.score).toBe('0.000000');
    expect(ce.headcount).toBe(0);
    expect(ce.costCoefficient).toBeNull();
    expect(ce.cap).toBeNull();
    expect(departmentLine(q, 'XEMPTY').cap).toBeNull();
    expect(q.warnings.some((w) => w.includes('CE'))).toBe(true);
  });

  it('totalScore 100 + 150 + 240 + 75 + 157.5 + 214 + 90.4 = 1,026.9', () => {
    expect(q.summary.totalScore).toBe('1026.900000');
  });

  it('core_admin with only two clinical departments takes the mean of those two: (150 + 100) / 2 = 125 → score 112.5', () => {
    const small = scenario({
      departments: [clinicalDepartment('CA'), clinicalDepartment('CB'), adminDepartment('MA', 'core_admin', '0.90')],
      staff: [staffMember('a1', 'CA'), staffMember('b1', 'CB'), staffMember('m1', 'MA', { role: 'admin' })],
      periods: [quarter('2026Q1', { departments: [clinicalInputs('CA'), clinicalInputs('CB', { workload: [indicator('200')] })] })],
    });
    const ma = departmentLine(quarterly(run(small), '2026Q1'), 'MA');
    expect(ma.basePerCapita).toBe('125.000000');
    expect(ma.score).toBe('112.500000');
  });
});

// ------------------------------------------------------------------ §3.7 penalties

describe('§3.7 the three controls and inventory loss', () => {
  // D1 and D2 score 100 each, FIN (general_admin, risk 0.8) 100 × 0.8 = 80 → gross
  // split(60,000.00; 100, 100, 80) → D1 21,428.57, D2 21,428.57, FIN 17,142.86.
  // D1: cost quota 52,000 − 0.50 × 100,000 = 2,000.00; outpatient pp (201 − 200)/200 × 100 = 0.5
  // → money(21,428.57 × 0.05 × 0.5) = 535.71; inpatient below target → 0.00; drug ratio
  // 25,000/125,000 = 0.20, pp (0.20 − 0.19) × 100 = 1 → money(21,428.57 × 0.05 × 1) = 1,071.43;
  // inventory 100.25 × 2 = 200.50; total 3,807.64, net 17,620.93.
  // D2: inventory 50,000.00 × 2 = 100,000.00, capped at gross 21,428.57 → net 0.00, floor 600.00.
  // FIN (admin): inventory 12.34 × 2 = 24.68 → net 17,118.18.
  const doc = scenario({
    departments: [clinicalDepartment('D1'), clinicalDepartment('D2'), adminDepartment('FIN', 'general_admin', '0.80')],
    staff: [staffMember('d1', 'D1'), staffMember('d2', 'D2'), staffMember('f1', 'FIN', { role: 'admin' })],
    periods: [
      quarter('2026Q1', {
        departments: [
          clinicalInputs('D1', {
            drugRevenue: '25000.00',
            variableCost: '52000.00',
            costQuotaRatio: '0.50',
            outpatientFee: { actual: '201.00', target: '200.00' },
            inpatientFee: { actual: '9000.00', target: '9500.00' },
            drugRatioTarget: '0.19',
            inventoryLoss: '100.25',
          }),
          clinicalInputs('D2', { inventoryLoss: '50000.00' }),
          adminInputs('FIN', { inventoryLoss: '12.34' }),
        ],
      }),
    ],
  });
  const q = quarterly(run(doc), '2026Q1');

  it('D1: cost quota 2,000.00, outpatient 535.71, inpatient 0.00, drug 1,071.43, inventory 200.50 → total 3,807.64, net 17,620.93', () => {
    const d1 = departmentLine(q, 'D1');
    expect(d1.gross).toBe('21428.57');
    expect(d1.penalties).toEqual({ costQuota: '2000.00', outpatientFee: '535.71', inpatientFee: '0.00', drugRatio: '1071.43', inventoryLoss: '200.50' });
    expect(d1.penaltyTotal).toBe('3807.64');
    expect(d1.net).toBe('17620.93');
    expect(d1.final).toBe('17620.93');
  });

  it('D2: inventory loss ×2 = 100,000.00, penaltyTotal capped at gross 21,428.57, net 0.00, floor subsidy 600.00', () => {
    const d2 = departmentLine(q, 'D2');
    expect(d2.penalties.inventoryLoss).toBe('100000.00');
    expect(d2.penaltyTotal).toBe('21428.57');
    expect(d2.net).toBe('0.00');
    expect(d2.floorSubsidy).toBe('600.00');
    expect(d2.final).toBe('600.00');
  });

  it('FIN (admin): inventory loss only, 12.34 × 2 = 24.68, net 17,118.18', () => {
    const fin = departmentLine(q, 'FIN');
    expect(fin.gross).toBe('17142.86');
    expect(fin.penalties).toEqual({ costQuota: '0.00', outpatientFee: '0.00', inpatientFee: '0.00', drugRatio: '0.00', inventoryLoss: '24.68' });
    expect(fin.net).toBe('17118.18');
  });

  it('penaltiesRetained 3,807.64 + 21,428.57 + 24.68 = 25,260.89; averageNetPerCapita 11,579.703333', () => {
    expect(q.summary.penaltiesRetained).toBe('25260.89');
    expect(q.summary.averageNetPerCapita).toBe('11579.703333');
  });
});

// ------------------------------------------------------------------ §3.10 invariants

const dec = (s: string) => new Dec(s);
const total = (values: string[]) => values.reduce((acc, v) => acc.plus(v), new Dec(0)).toFixed(2);

function expectQuarterInvariants(q: QuarterlyResult): void {
  const s = q.summary;
  expect(total(q.departments.map((d) => d.gross)), `${q.period}: Σ gross = tier1Pool`).toBe(s.tier1Pool);
  expect(dec(s.distributable).minus(s.leaderBonusTotal).toFixed(2), `${q.period}: tier1Pool = distributable − leader bonuses`).toBe(s.tier1Pool);
  expect(total(q.individuals.map((i) => i.leaderBonus)), `${q.period}: Σ leaderBonus`).toBe(s.leaderBonusTotal);
  let unallocated = new Dec(0);
  for (const d of q.departments) {
    const tier2 = total(q.individuals.filter((i) => i.department === d.code).map((i) => i.tier2Pay));
    if (tier2 === d.final) continue;
    expect(tier2, `${q.period}, ${d.code}: Σ tier2Pay ≠ final, so the department must be unallocated`).toBe('0.00');
    unallocated = unallocated.plus(d.final);
  }
  expect(unallocated.toFixed(2), `${q.period}: unallocated = Σ final of departments paying nobody`).toBe(s.unallocated);
  expect(total(q.departments.map((d) => d.penaltyTotal))).toBe(s.penaltiesRetained);
  expect(total(q.departments.map((d) => d.floorSubsidy))).toBe(s.floorSubsidies);
  expect(total(q.departments.map((d) => d.bankDraw))).toBe(s.bankDraws);
  expect(total(q.departments.map((d) => d.bankDeposit))).toBe(s.bankDeposits);
  expect(total(q.individuals.map((i) => i.studyLeavePay))).toBe(s.studyLeavePay);
  expect(total(q.individuals.map((i) => i.finesApplied))).toBe(s.finesRetained);
  expect(total(q.individuals.map((i) => i.total))).toBe(s.paidTotal);
  const sources = total([s.distributable, s.floorSubsidies, s.bankDraws, s.studyLeavePay]);
  const uses = total([s.paidTotal, s.penaltiesRetained, s.bankDeposits, s.unallocated, s.finesRetained]);
  expect(uses, `${q.period}: money is conserved`).toBe(sources);
  for (const d of q.departments) {
    expect(dec(d.gross).minus(d.penaltyTotal).toFixed(2), `${q.period}, ${d.code}: net = gross − penaltyTotal`).toBe(d.net);
    expect(dec(d.penaltyTotal).lte(d.gross), `${q.period}, ${d.code}: penaltyTotal ≤ gross`).toBe(true);
  }
  for (const i of q.individuals) {
    const gross = total([i.tier2Pay, i.leaderBonus, i.studyLeavePay]);
    expect(dec(gross).minus(i.finesApplied).toFixed(2), `${q.period}, ${i.staffId}: total = gross − fines`).toBe(i.total);
  }
}

function expectAnnualInvariants(y: AnnualResult): void {
  expect(total(y.departments.map((d) => d.amount)), `${y.period}: Σ department amounts = fund`).toBe(y.summary.fund);
  expect(total(y.individuals.map((i) => i.amount))).toBe(y.summary.paidTotal);
  expect(total([y.summary.paidTotal, y.summary.unallocated]), `${y.period}: paid + unallocated = fund`).toBe(y.summary.fund);
  expect(total(y.departments.map((d) => d.bankExpired))).toBe(y.summary.bankExpired);
}

describe('§3.10 invariants hold on every result', () => {
  const workedExample = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8')) as unknown;
  const everyFlow = scenario({
    departments: [clinicalDepartment('IM'), adminDepartment('LEAD', 'leadership', '1.05'), adminDepartment('FIN', 'general_admin', '0.80')],
    staff: [
      staffMember('L1', 'LEAD', { position: 'hospital_leader', role: 'admin' }),
      staffMember('I1', 'IM', { position: 'clinical_director' }),
      staffMember('I2', 'IM', { employment: 'temporary', titleGrade: 'worker', role: 'worker' }),
      staffMember('I3', 'IM'),
      staffMember('F1', 'FIN', { role: 'admin' }),
    ],
    periods: [
      quarter('2026Q1', {
        revenue: '1234567.89',
        adjustment: '-1000.05',
        departments: [clinicalInputs('IM', { inventoryLoss: '333.33', outpatientFee: { actual: '207.00', target: '200.00' } }), adminInputs('FIN', { inventoryLoss: '1.01' })],
        individuals: [individual('I3', { studyLeaveMonths: 2, fines: '9999999.00' }), individual('I1', { fines: '123.45', overtimeDays: 7 })],
      }),
      quarter('2026Q2', { revenue: '987654.32', departments: [clinicalInputs('IM', { workload: [indicator('37', '41')] })] }),
    ],
    annual: { year: 2026, adjustment: '17.17', failedStaff: ['I2'] },
  });
  const documents: [string, unknown][] = [
    ['the worked example', workedExample],
    ['an odd-cent scenario with every money flow', everyFlow],
  ];

  it.each(documents)('%s', (_name, doc) => {
    const result: ResultDocument = simulate(doc);
    for (const r of result.results) {
      if (r.kind === 'quarterly') expectQuarterInvariants(r);
      else expectAnnualInvariants(r);
    }
  });
});
