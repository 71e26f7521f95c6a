import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { visibleText } from '../fixtures/pages.js';
import { columnLabel } from '../../src/modules/settlements/columns.js';
import { say } from '../../src/shared/i18n.js';
import { englishLabels, type MessageKey } from '../../src/shared/messages/index.js';
import { TOKEN, backends, useTestService } from './harness.js';

/**
 * Statements (个人绩效工资明细, 科室绩效核算表), the XLSX workbook, the payroll file and the
 * comparison of two runs, checked against the worked example's expected result
 * (examples/worked-example.result.json) and against figures computed here by hand from the
 * scenario and allocation-rules.md — never against this service's own output.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const CODE = 'XH-COUNTY';
const disputesScenario = JSON.parse(readFileSync(new URL('../../examples/disputes-example.scenario.json', import.meta.url), 'utf8'));
const disputesQ2 = JSON.parse(readFileSync(new URL('../../examples/disputes-example.result.json', import.meta.url), 'utf8')).results.find((r: { period: string }) => r.period === '2026Q2');

/** The spec's decimal: 34 significant digits, half-up (allocation-rules §1.1). */
const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });
type D = InstanceType<typeof D>;
const six = (x: D) => x.toFixed(6, Decimal.ROUND_HALF_UP);
const two = (x: D) => x.toFixed(2, Decimal.ROUND_HALF_UP);

type ExpLine = { [field: string]: any; staffId: string; department: string };
type ExpDept = Record<string, any> & { code: string; kind: 'clinical' | 'admin' };
const resultOf = (period: string) => expected.results.find((r: { period: string }) => r.period === period);
const Q1 = resultOf('2026Q1');
const Q2 = resultOf('2026Q2');
const lineOf = (r: any, staffId: string): ExpLine => r.individuals.find((l: ExpLine) => l.staffId === staffId);
const deptOf = (r: any, code: string): ExpDept => r.departments.find((d: ExpDept) => d.code === code);
const staffName = (id: string): string => scenario.staff.find((s: { id: string }) => s.id === id).name;
const deptName = (code: string): string => scenario.departments.find((d: { code: string }) => d.code === code).name;
const q1Inputs = scenario.periods.find((p: { period: string }) => p.period === '2026Q1');
const q2Inputs = scenario.periods.find((p: { period: string }) => p.period === '2026Q2');

const LINE_SCORE_FIELDS = ['rawScore', 'attendanceDeduction', 'overtimeAddition', 'payRatio', 'effectiveScore'] as const;
const LINE_MONEY_FIELDS = ['tier2Pay', 'leaderBonus', 'studyLeavePay', 'finesApplied', 'total'] as const;
const LINE_FIELDS = [...LINE_SCORE_FIELDS, ...LINE_MONEY_FIELDS];
const DEPT_MONEY_FIELDS = ['gross', 'penaltyTotal', 'net', 'cap', 'bankDeposit', 'bankDraw', 'floorSubsidy', 'final', 'bankBalanceAfter'] as const;
const CLINICAL_FIELDS = ['workloadScore', 'qualityScore', 'ethicsScore', 'costCoefficient'] as const;
const PENALTIES = ['costQuota', 'outpatientFee', 'inpatientFee', 'drugRatio', 'inventoryLoss'] as const;

/** An expected line as the service reports it: with the person's name from the scenario. */
const withName = (l: ExpLine) => ({ ...l, name: staffName(l.staffId) });

/**
 * §3.9 score components computed by hand from the scenario's Q1 records and the spec's tables
 * (title: chief 55, associate_chief 50, attending 45, resident 40, assistant 35, worker 25;
 * position points: hospital_leader 5, key_director 4, clinical_director 3, functional_director 2;
 * quality 10 − 2 × errors, 0 after an accident; ethics 10 − deduction; discipline
 * 10 − lateOver5 − 2 × lateOver30 − 5 × absentHalfDays, 0 after a full day absent; deductions:
 * 10 for an unlicensed physician or nurse).
 */
const COMPONENTS: Record<string, Record<string, string>> = {
  // resident 40, no position, workload 36, errors 1 → 8, ethics 10, lateOver5 2 → 8
  S11: { titlePoints: '40', positionPoints: '0', workloadPoints: '36', qualityPoints: '8', ethicsPoints: '10', disciplinePoints: '8', deductions: '0' },
  // associate_chief 50, clinical_director 3, no record: full marks (workload 40)
  S10: { titlePoints: '50', positionPoints: '3', workloadPoints: '40', qualityPoints: '10', ethicsPoints: '10', disciplinePoints: '10', deductions: '0' },
  // assistant 35, workload 40, unlicensed nurse −10
  S12: { titlePoints: '35', positionPoints: '0', workloadPoints: '40', qualityPoints: '10', ethicsPoints: '10', disciplinePoints: '10', deductions: '10' },
  // attending 45, ethics 10 − 3
  S21: { titlePoints: '45', positionPoints: '0', workloadPoints: '40', qualityPoints: '10', ethicsPoints: '7', disciplinePoints: '10', deductions: '0' },
  // attending 45, accident → quality 0, a full day absent → discipline 0
  S30: { titlePoints: '45', positionPoints: '0', workloadPoints: '40', qualityPoints: '0', ethicsPoints: '10', disciplinePoints: '0', deductions: '0' },
  // chief 55, hospital_leader 5, full marks
  S01: { titlePoints: '55', positionPoints: '5', workloadPoints: '40', qualityPoints: '10', ethicsPoints: '10', disciplinePoints: '10', deductions: '0' },
};

/**
 * A member's effective score at full precision, by hand from §3.9:
 * (raw − raw ÷ requiredDays × absentDays + raw ÷ requiredDays × overtimeDays × 1) × payRatio,
 * raw and payRatio being exact in the expected lines (whole numbers and 2-decimal ratios).
 */
function effectiveByHand(period: any, inputs: any, staffId: string): D {
  const line = lineOf(period, staffId);
  const record = inputs.individuals.find((r: { staffId: string }) => r.staffId === staffId) ?? {};
  const raw = new D(line.rawScore);
  const required = new D(record.requiredDays ?? inputs.workingDays);
  const attendance = raw.div(required).times(record.absentDays ?? 0);
  const overtime = raw
    .div(required)
    .times(record.overtimeDays ?? 0)
    .times(1);
  const effective = raw.minus(attendance).plus(overtime);
  return (effective.isNegative() ? new D(0) : effective).times(line.payRatio);
}

/** The department's tier-2 point value by hand: final ÷ Σ members' effective scores, 6 decimals. */
function tier2PointValueByHand(period: any, inputs: any, code: string): string {
  const members = period.individuals.filter((l: ExpLine) => l.department === code && new D(l.studyLeavePay).isZero());
  let total = new D(0);
  for (const m of [...members].sort((a: ExpLine, b: ExpLine) => (a.staffId < b.staffId ? -1 : 1))) total = total.plus(effectiveByHand(period, inputs, m.staffId));
  return six(new D(deptOf(period, code).final).div(total));
}

/** §3.4 workload ratio by hand: Σ w × actual ÷ base, w = 1 ÷ count when no weights are given. */
function workloadRatioByHand(inputs: any, code: string): D {
  const workload = inputs.departments.find((d: { code: string }) => d.code === code).workload as { actual: string; base: string; weight?: string }[];
  const equal = new D(1).div(workload.length);
  let ratio = new D(0);
  for (const w of workload) ratio = ratio.plus((w.weight ? new D(w.weight) : equal).times(new D(w.actual).div(w.base)));
  return ratio;
}

/** Every number written in a rule's text (ASCII minus only: the rules write the operator as −). */
const numbersIn = (text: string) => (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map((n) => new D(n));
const mentions = (text: string, value: D | string) => numbersIn(text).some((n) => n.eq(value));

/** Thousands separators, by hand: 18727.39 → 18,727.39 (the digits untouched). */
const groupDigits = (v: string) => v.replace(/^(-?)(\d+)/, (_all, sign: string, whole: string) => sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
/** A rule as a page prints it: its decimal figures of four or more whole digits with separators. */
const separated = (rule: string) => rule.replace(/(?<![\d.,])\d{4,}\.\d+/g, groupDigits);
const operandsOf = (i: { operands: { key: string; value: string }[] }) => Object.fromEntries(i.operands.map((o) => [o.key, o.value]));

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function scenarioFor(code: string): any {
  const doc = structuredClone(scenario);
  doc.hospital.code = code;
  return doc;
}

describe.each(backends)('statements, workbook, payroll and run comparison of the worked example (%s)', (backend) => {
  const svc = useTestService(backend);
  let q1Id: string;

  beforeAll(async () => {
    const imported = await svc.request('POST', '/v1/imports', scenario);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const run = await settle(CODE, '2026Q1');
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    q1Id = run.id;
  });

  async function settle(code: string, period: string) {
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(202);
    return svc.waitForRun(trigger.body.id);
  }
  const get = (path: string, token = TOKEN) => svc.request('GET', path, undefined, { authorization: `Bearer ${token}` });
  const raw = async (path: string, token = TOKEN) => {
    const res = await fetch(`${svc.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const keyFor = async (departments: string[] | 'finance', hospital = CODE) => {
    const body =
      departments === 'finance' ? { role: 'finance', hospital, name: `财务 ${hospital}` } : { role: 'dept_head', hospital, departments, name: `科主任 ${departments.join(',')} ${hospital}` };
    const res = await svc.request('POST', '/v1/api-keys', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.token as string;
  };
  const personUrl = (id: string, staffId: string, query = '') => `/v1/settlements/${id}/individuals/${staffId}/statement${query}`;
  const deptUrl = (id: string, code: string, query = '') => `/v1/settlements/${id}/departments/${code}/statement${query}`;

  // ------------------------------------------------------------------ 1. person statement JSON

  it.each(['S11', 'S10', 'S12', 'S21', 'S30', 'S01'])(
    'person statement of %s (2026Q1): every figure is the expected line, the components add up, the point value is final ÷ Σ effective',
    async (staffId) => {
      const res = await get(personUrl(q1Id, staffId));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const s = res.body;
      const line = lineOf(Q1, staffId);
      expect(s).toMatchObject({ kind: 'person', period: '2026Q1', staffId, name: staffName(staffId), onStudyLeave: false });
      expect(s.department).toEqual({ code: line.department, name: deptName(line.department) });
      expect(s.total).toBe(line.total);

      const items = new Map<string, any>(s.items.map((i: any) => [i.key, i]));
      expect(items.size).toBe(s.items.length);
      for (const field of LINE_FIELDS) {
        expect(items.get(field)?.value, `${staffId} ${field}`).toBe(line[field]);
      }
      // the components, by hand from the spec
      const components = COMPONENTS[staffId]!;
      for (const [key, value] of Object.entries(components)) expect(items.get(key)?.value, `${staffId} ${key}`).toBe(six(new D(value)));
      // title + position + workload + quality + ethics + discipline − deductions = rawScore
      const added = ['titlePoints', 'positionPoints', 'workloadPoints', 'qualityPoints', 'ethicsPoints', 'disciplinePoints']
        .reduce((acc, k) => acc.plus(items.get(k).value), new D(0))
        .minus(items.get('deductions').value);
      expect(six(D.max(added, 0)), `${staffId} components`).toBe(line.rawScore);
      // effective = (raw − attendance + overtime) × payRatio (to the 6 decimals reported)
      expect(six(effectiveByHand(Q1, q1Inputs, staffId))).toBe(line.effectiveScore);

      expect(items.get('departmentPointValue')?.value).toBe(tier2PointValueByHand(Q1, q1Inputs, line.department));
      // the tier-2 pay is that point value's share, to within the largest-remainder cent
      const share = effectiveByHand(Q1, q1Inputs, staffId).times(items.get('departmentPointValue').value);
      expect(new D(line.tier2Pay).minus(share).abs().lte('0.02'), `${staffId} tier2Pay ${line.tier2Pay} ≉ ${share}`).toBe(true);

      // labels: Chinese and English on every item, and the rule
      for (const i of s.items) {
        expect(i.zh, i.key).toMatch(/[\u4e00-\u9fff]/);
        expect(i.en, i.key).toMatch(/^[A-Za-z]/);
        expect(typeof i.rule).toBe('string');
        expect(i.rule.length, i.key).toBeGreaterThan(0);
      }
      expect(items.get('rawScore').zh).toBe('原始得分');
      expect(items.get('effectiveScore').zh).toBe('实得分');
      expect(items.get('total').zh).toBe('实发合计');
      expect(items.get('titlePoints').zh).toBe('职称分');
    },
  );

  it('person statement of S14 (on study leave): the pay items are the expected line, paid by the hospital', async () => {
    const line = lineOf(Q1, 'S14');
    expect(new D(line.studyLeavePay).gt(0)).toBe(true); // the example has one
    const res = await get(personUrl(q1Id, 'S14'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'person', staffId: 'S14', name: staffName('S14'), onStudyLeave: true, total: line.total, department: { code: 'IM', name: '内科' } });
    const items = new Map<string, any>(res.body.items.map((i: any) => [i.key, i.value]));
    for (const field of LINE_MONEY_FIELDS) expect(items.get(field), field).toBe(line[field]);
    for (const [key, value] of items) if (key in line) expect(value, key).toBe(line[key]);
    // §3.9: rate 0.50 for 4 months × the mean tier-2 pay of the hospital's members of the same grade (resident: S11, S31)
    const residents = scenario.staff.filter((x: any) => x.titleGrade === 'resident' && x.id !== 'S14' && Q1.individuals.some((l: ExpLine) => l.staffId === x.id));
    expect(residents.map((x: any) => x.id)).toEqual(['S11', 'S31']);
    const mean = residents.reduce((acc: D, x: any) => acc.plus(lineOf(Q1, x.id).tier2Pay), new D(0)).div(residents.length);
    expect(line.studyLeavePay).toBe(two(new D('0.50').times(mean)));
  });

  it('a person with no line in the run (probation, unknown) is 404', async () => {
    for (const staffId of ['S15', 'NOBODY']) {
      const res = await get(personUrl(q1Id, staffId));
      expect(res.status, staffId).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  // ------------------------------------------------------------------ 2. person statement HTML

  it('person statement HTML: a printable page with the title, the name and every value; lang=en in English', async () => {
    const json = (await get(personUrl(q1Id, 'S11'))).body;
    const res = await get(personUrl(q1Id, 'S11', '?format=html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page: string = res.body;
    expect(typeof page).toBe('string');
    expect(page).toContain('个人绩效工资明细');
    expect(page).toContain('内科医师');
    expect(page).toContain('S11');
    expect(page).toContain('内科');
    for (const i of json.items) {
      // shown with thousands separators, the exact value kept beside it
      expect(page, i.key).toContain(`>${groupDigits(i.value)}<`);
      expect(page, i.key).toContain(`data-value="${i.value}"`);
      expect(page, i.key).toContain(i.zh);
      expect(page, i.key).toContain(escapeHtml(separated(i.ruleZh)));
    }
    for (const field of LINE_FIELDS) expect(page, field).toContain(lineOf(Q1, 'S11')[field]);

    const en = await get(personUrl(q1Id, 'S11', '?format=html&lang=en'));
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toMatch(/^text\/html/);
    expect(en.body).toContain('Personal performance-pay statement');
    expect(en.body).not.toContain('个人绩效工资明细');
    for (const i of json.items) {
      expect(en.body, i.key).toContain(escapeHtml(i.en));
      expect(en.body, i.key).toContain(`>${groupDigits(i.value)}<`);
      expect(en.body, i.key).not.toContain(`>${i.zh}<`);
      expect(en.body, i.key).toContain(escapeHtml(separated(i.rule)));
    }
    for (const label of ['Raw score', 'Effective score', 'Total']) expect(en.body).toContain(label);

    // lang=en of JSON is still JSON; an unknown format or lang is 400
    expect((await get(personUrl(q1Id, 'S11', '?lang=en'))).body.items).toEqual(json.items);
    expect((await get(personUrl(q1Id, 'S11', '?format=pdf'))).status).toBe(400);
    expect((await get(personUrl(q1Id, 'S11', '?lang=fr'))).status).toBe(400);
  });

  it('statement HTML escapes names', async () => {
    const code = 'XH-HTML';
    const doc = scenarioFor(code);
    const nasty = '<script>alert("x")</script>&李';
    doc.staff.find((s: { id: string }) => s.id === 'S11').name = nasty;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const run = await settle(code, '2026Q1');
    expect(run.status).toBe('succeeded');
    const json = await get(personUrl(run.id, 'S11'));
    expect(json.body.name).toBe(nasty);
    for (const path of [personUrl(run.id, 'S11', '?format=html'), deptUrl(run.id, 'IM', '?format=html')]) {
      const page = (await get(path)).body as string;
      expect(page, path).not.toContain('<script>');
      expect(page, path).toContain('&lt;script&gt;alert(');
      expect(page, path).toContain('&amp;李');
    }
  });

  // ------------------------------------------------------------------ 3. department statement JSON

  it.each(['IM', 'SUR', 'PED', 'LEAD', 'FIN', 'MA'])('department statement of %s (2026Q1): tier 1, penalties and people are the expected lines', async (code) => {
    const res = await get(deptUrl(q1Id, code));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body;
    const d = deptOf(Q1, code);
    expect(s).toMatchObject({ kind: 'department', period: '2026Q1', final: d.final, pointValue: Q1.summary.pointValue });
    expect(s.department).toEqual({ code, name: deptName(code), kind: d.kind, headcount: d.headcount });

    const tier1 = new Map<string, any>(s.tier1.map((i: any) => [i.key, i]));
    const fields = [...(d.kind === 'clinical' ? ['workloadRatio', ...CLINICAL_FIELDS] : ['basePerCapita']), 'riskCoefficient', 'score', 'pointValue', ...DEPT_MONEY_FIELDS];
    expect([...tier1.keys()].sort()).toEqual([...fields].sort());
    for (const field of fields) {
      if (field === 'workloadRatio' || field === 'pointValue') continue;
      expect(tier1.get(field).value, `${code} ${field}`).toBe(d[field]);
    }
    expect(tier1.get('pointValue').value).toBe(Q1.summary.pointValue);
    if (d.kind === 'clinical') {
      const ratio = workloadRatioByHand(q1Inputs, code);
      expect(tier1.get('workloadRatio').value).toBe(six(ratio));
      // W = 50 × n × ratio (§3.4): the hand ratio agrees with the expected W
      expect(six(new D(50).times(d.headcount).times(ratio))).toBe(d.workloadScore);
    }
    for (const i of [...s.tier1, ...s.penalties]) {
      expect(i.zh, i.key).toMatch(/[\u4e00-\u9fff]/);
      expect(i.en.length, i.key).toBeGreaterThan(0);
      expect(i.rule.length, i.key).toBeGreaterThan(0);
    }

    expect(s.penalties.map((p: any) => p.key)).toEqual([...PENALTIES]);
    for (const p of s.penalties) expect(p.value, `${code} ${p.key}`).toBe(d.penalties[p.key]);

    expect(s.people).toEqual(Q1.individuals.filter((l: ExpLine) => l.department === code).map(withName));
    expect(s.tier2PointValue).toBe(tier2PointValueByHand(Q1, q1Inputs, code));
  });

  it("each penalty's rule states the figures it was computed from", async () => {
    const rules = async (code: string) => {
      const s = (await get(deptUrl(q1Id, code))).body;
      return Object.fromEntries(s.penalties.map((p: any) => [p.key, p])) as Record<string, { value: string; rule: string }>;
    };
    const im = await rules('IM');
    const imIn = q1Inputs.departments.find((d: { code: string }) => d.code === 'IM');
    const imGross = new D(deptOf(Q1, 'IM').gross);
    // outpatient fee: (204.00 − 200.00) ÷ 200.00 × 100 = 2 points; 72041.38 × 0.05 × 2 = 7204.14
    const opPoints = new D(imIn.outpatientFee.actual).minus(imIn.outpatientFee.target).div(imIn.outpatientFee.target).times(100);
    for (const v of [imIn.outpatientFee.actual, imIn.outpatientFee.target, opPoints, '0.05']) expect(mentions(im.outpatientFee!.rule, v), `${im.outpatientFee!.rule} ∌ ${v}`).toBe(true);
    expect(im.outpatientFee!.value).toBe(two(imGross.times('0.05').times(opPoints)));
    expect(im.outpatientFee!.value).toBe(deptOf(Q1, 'IM').penalties.outpatientFee);
    // inpatient fee below target: negative points, no penalty
    const ipPoints = new D(imIn.inpatientFee.actual).minus(imIn.inpatientFee.target).div(imIn.inpatientFee.target).times(100);
    for (const v of [imIn.inpatientFee.actual, imIn.inpatientFee.target, six(ipPoints)]) expect(mentions(im.inpatientFee!.rule, v), `${im.inpatientFee!.rule} ∌ ${v}`).toBe(true);
    expect(im.inpatientFee!.value).toBe('0.00');
    // cost quota: 900000 − 0.50 × 2000000 = −100000, no penalty
    const overrun = new D(imIn.variableCost).minus(new D(imIn.costQuotaRatio).times(imIn.medicalRevenue));
    for (const v of [imIn.variableCost, imIn.costQuotaRatio, imIn.medicalRevenue, overrun]) expect(mentions(im.costQuota!.rule, v), `${im.costQuota!.rule} ∌ ${v}`).toBe(true);
    // drug ratio: 1000000 ÷ 3000000 against 0.35
    const imRatio = new D(imIn.drugRevenue).div(new D(imIn.medicalRevenue).plus(imIn.drugRevenue));
    for (const v of [imIn.drugRevenue, imIn.medicalRevenue, six(imRatio), imIn.drugRatioTarget]) expect(mentions(im.drugRatio!.rule, v), `${im.drugRatio!.rule} ∌ ${v}`).toBe(true);

    const sur = await rules('SUR');
    const surIn = q1Inputs.departments.find((d: { code: string }) => d.code === 'SUR');
    const surOverrun = new D(surIn.variableCost).minus(new D(surIn.costQuotaRatio).times(surIn.medicalRevenue));
    for (const v of [surIn.variableCost, surIn.costQuotaRatio, surIn.medicalRevenue, surOverrun]) expect(mentions(sur.costQuota!.rule, v), `${sur.costQuota!.rule} ∌ ${v}`).toBe(true);
    expect(sur.costQuota!.value).toBe(two(surOverrun));
    const surRatio = new D(surIn.drugRevenue).div(new D(surIn.medicalRevenue).plus(surIn.drugRevenue));
    const surPoints = surRatio.minus(surIn.drugRatioTarget).times(100);
    for (const v of [surIn.drugRevenue, surIn.medicalRevenue, six(surRatio), surIn.drugRatioTarget, six(surPoints)])
      expect(mentions(sur.drugRatio!.rule, v), `${sur.drugRatio!.rule} ∌ ${v}`).toBe(true);
    expect(sur.drugRatio!.value).toBe(two(new D(deptOf(Q1, 'SUR').gross).times('0.05').times(surPoints)));

    const ped = await rules('PED');
    const pedIn = q1Inputs.departments.find((d: { code: string }) => d.code === 'PED');
    for (const v of [pedIn.inventoryLoss, '2']) expect(mentions(ped.inventoryLoss!.rule, v), `${ped.inventoryLoss!.rule} ∌ ${v}`).toBe(true);
    expect(ped.inventoryLoss!.value).toBe(two(new D(pedIn.inventoryLoss).times(2)));
  });

  // ------------------------------------------------------------------ 4. department statement HTML

  it('department statement HTML: the title, every person, every tier-1 value; lang=en', async () => {
    const json = (await get(deptUrl(q1Id, 'IM'))).body;
    const res = await get(deptUrl(q1Id, 'IM', '?format=html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page: string = res.body;
    expect(page).toContain('科室绩效核算表');
    expect(page).toContain('内科');
    const people = Q1.individuals.filter((l: ExpLine) => l.department === 'IM');
    expect(people.length).toBe(5);
    for (const p of people) {
      expect(page, p.staffId).toContain(`>${p.staffId}<`);
      expect(page, p.staffId).toContain(staffName(p.staffId));
      expect(page, p.staffId).toContain(`>${groupDigits(p.total)}<`);
    }
    for (const i of [...json.tier1, ...json.penalties]) expect(page, i.key).toContain(`>${groupDigits(i.value)}<`);
    expect(page).toContain(json.tier2PointValue);

    const en = await get(deptUrl(q1Id, 'IM', '?format=html&lang=en'));
    expect(en.status).toBe(200);
    expect(en.body).not.toContain('科室绩效核算表');
    for (const i of json.tier1) expect(en.body, i.key).toContain(escapeHtml(i.en));
  });

  // ------------------------------------------------------------------ 4b. what a clerk checks by hand

  it('person statement: each figure shows its operands (days, the department total and Σ effective scores, the study-leave rate, months and mean), with the rule in Chinese', async () => {
    const s = (await get(personUrl(q1Id, 'S11'))).body;
    const items = new Map<string, any>(s.items.map((i: any) => [i.key, i]));
    for (const i of s.items) {
      expect(i.ruleZh, i.key).toMatch(/[\u4e00-\u9fff]/);
      expect(i.ruleZh, i.key).not.toMatch(/\b(?:rawScore|requiredDays|the|of|and)\b/);
      expect(Array.isArray(i.operands), i.key).toBe(true);
    }
    // S11: 3 days absent of the quarter's 60 working days (no requiredDays of their own)
    const record = q1Inputs.individuals.find((r: { staffId: string }) => r.staffId === 'S11');
    expect(operandsOf(items.get('attendanceDeduction'))).toEqual({ rawScore: lineOf(Q1, 'S11').rawScore, requiredDays: String(q1Inputs.workingDays), absentDays: String(record.absentDays) });
    expect(items.get('attendanceDeduction').ruleZh).toContain(`应出勤天数 ${q1Inputs.workingDays}`);
    expect(items.get('attendanceDeduction').ruleZh).toContain(`缺勤天数 ${record.absentDays}`);
    // the tier-2 share: the department's final amount and the sum of its members' effective scores
    const members = Q1.individuals.filter((l: ExpLine) => l.department === 'IM' && new D(l.studyLeavePay).isZero());
    const effectiveSum = members.reduce((acc: D, m: ExpLine) => acc.plus(effectiveByHand(Q1, q1Inputs, m.staffId)), new D(0));
    const final = deptOf(Q1, 'IM').final;
    expect(operandsOf(items.get('tier2Pay'))).toEqual({ departmentFinal: final, effectiveScore: lineOf(Q1, 'S11').effectiveScore, departmentEffectiveTotal: six(effectiveSum) });
    expect(operandsOf(items.get('departmentPointValue'))).toEqual({ departmentFinal: final, departmentEffectiveTotal: six(effectiveSum) });
    expect(items.get('tier2Pay').ruleZh).toContain(`科室实发 ${groupDigits(final)}`);
    expect(items.get('tier2Pay').ruleZh).toContain(groupDigits(six(effectiveSum)));
    // total = tier-2 + bonus + study leave − fines, each named
    expect(operandsOf(items.get('total'))).toEqual({ tier2Pay: lineOf(Q1, 'S11').tier2Pay, leaderBonus: '0.00', studyLeavePay: '0.00', finesApplied: lineOf(Q1, 'S11').finesApplied });
    expect(s.reasons.map((r: any) => r.code)).toEqual(expect.arrayContaining(['absent']));
    const absent = s.reasons.find((r: any) => r.code === 'absent');
    expect(absent.zh).toBe(`缺勤 ${record.absentDays} 天（应出勤 ${q1Inputs.workingDays} 天）：实得分扣减 ${lineOf(Q1, 'S11').attendanceDeduction}。`);
    expect(absent.en).toMatch(/^Absent 3 of 60 required days/);

    // S14 on study leave: rate 0.50 for 4 months × the mean tier-2 pay of the 2 residents
    const leave = (await get(personUrl(q1Id, 'S14'))).body;
    const study = leave.items.find((i: any) => i.key === 'studyLeavePay');
    const mean = ['S11', 'S31'].reduce((acc, id) => acc.plus(lineOf(Q1, id).tier2Pay), new D(0)).div(2);
    expect(operandsOf(study)).toEqual({ months: '4', rate: '0.5', mean: six(mean), members: '2', titleGrade: 'resident' });
    expect(study.ruleZh).toContain('外出 4 个月的系数 0.5');
    expect(study.ruleZh).toContain(groupDigits(six(mean)));
    expect(leave.reasons.map((r: any) => r.code)).toContain('studyLeave');
    expect(leave.reasons.find((r: any) => r.code === 'studyLeave').zh).toContain('外出学习进修 4 个月');
  });

  it('department statement: the cost coefficient shows revenue and cost, the points value its pool and total score; the people table has a 合计 row', async () => {
    const s = (await get(deptUrl(q1Id, 'IM'))).body;
    const tier1 = new Map<string, any>(s.tier1.map((i: any) => [i.key, i]));
    const imIn = q1Inputs.departments.find((d: { code: string }) => d.code === 'IM');
    expect(operandsOf(tier1.get('costCoefficient'))).toEqual({ medicalRevenue: imIn.medicalRevenue, totalCost: imIn.totalCost });
    expect(tier1.get('costCoefficient').ruleZh).toContain(`医疗收入 ${groupDigits(imIn.medicalRevenue)} ÷ 总成本 ${groupDigits(imIn.totalCost)}`);
    expect(six(new D(imIn.medicalRevenue).div(imIn.totalCost))).toBe(deptOf(Q1, 'IM').costCoefficient);
    expect(operandsOf(tier1.get('pointValue'))).toEqual({ tier1Pool: Q1.summary.tier1Pool, totalScore: Q1.summary.totalScore });
    expect(operandsOf(tier1.get('workloadScore')).headcount).toBe(String(deptOf(Q1, 'IM').headcount));
    for (const i of [...s.tier1, ...s.penalties]) expect(i.ruleZh, i.key).toMatch(/[\u4e00-\u9fff]/);
    // the penalties' Chinese rules name their basis too
    const op = s.penalties.find((p: any) => p.key === 'outpatientFee');
    expect(op.ruleZh).toContain(`实际 ${imIn.outpatientFee.actual}`);
    expect(op.ruleZh).toContain(`目标 ${imIn.outpatientFee.target}`);

    // 合计: the people's lines added by hand
    const people = Q1.individuals.filter((l: ExpLine) => l.department === 'IM');
    const added = (field: string) => two(people.reduce((acc: D, l: ExpLine) => acc.plus(l[field]), new D(0)));
    expect(s.totals).toMatchObject({
      headcount: people.length,
      tier2Pay: added('tier2Pay'),
      leaderBonus: added('leaderBonus'),
      studyLeavePay: added('studyLeavePay'),
      finesApplied: added('finesApplied'),
      total: added('total'),
    });
    const members = people.filter((l: ExpLine) => new D(l.studyLeavePay).isZero());
    expect(s.totals.effectiveScore).toBe(six(members.reduce((acc: D, m: ExpLine) => acc.plus(effectiveByHand(Q1, q1Inputs, m.staffId)), new D(0))));

    const page = (await get(deptUrl(q1Id, 'IM', '?format=html'))).body as string;
    const totalRow = page.match(/<tr class="total" data-key="total">[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(totalRow).toContain('合计');
    for (const field of ['tier2Pay', 'leaderBonus', 'studyLeavePay', 'finesApplied', 'total']) expect(totalRow, field).toContain(`>${groupDigits(added(field))}<`);
    // the penalties table closes with its own 合计
    expect(page).toMatch(/<tr class="total" data-key="penaltyTotal"><td>合计<\/td>/);
  });

  it('printed statements: the hospital by name, the period and status in words, who approved and when (hospital time), signature lines; no English label on a Chinese page', async () => {
    const code = 'XH-PRINT';
    expect((await svc.request('POST', '/v1/imports', scenarioFor(code))).status).toBe(200);
    const run = await settle(code, '2026Q1');
    const before = (await get(personUrl(run.id, 'S11', '?format=html'))).body as string;
    expect(before).toContain(scenario.hospital.name);
    expect(before).toContain('2026年第一季度');
    expect(before).toContain('已完成待审批');
    expect(before).toContain('尚未审批');
    const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`, {});
    expect(approved.status).toBe(200);
    const approvedAt = new Date(approved.body.approvedAt);
    // the hospital's time: Asia/Shanghai, UTC+8, by hand
    const local = new Date(approvedAt.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    const labels = englishLabels();
    for (const path of [personUrl(run.id, 'S11', '?format=html'), deptUrl(run.id, 'IM', '?format=html'), personUrl(run.id, 'S14', '?format=html')]) {
      const page = (await get(path)).body as string;
      expect(page, path).toContain('@page');
      expect(page, path).toMatch(/<div class="statement-hospital">兴和县医院<\/div>/);
      expect(page, path).toContain('已审批');
      expect(page, path).toContain(`${local} (UTC+8)`);
      // who approved, as people read it: the bootstrap token's approval is the 初始管理员's, not an id
      expect(approved.body.approvedBy).toBe('bootstrap-admin');
      expect(page, path).toContain('data-field="approvedBy">初始管理员<');
      const signatures = page.match(/<div class="signatures">[\s\S]*?<\/div><\/article>/)?.[0] ?? '';
      for (const role of ['科主任', '经办人', '复核人']) expect(signatures, `${path} ${role}`).toContain(`${role}：`);
      const text = visibleText(page);
      for (const label of labels) expect(text, `${path}: "${label}" on a Chinese page`).not.toMatch(new RegExp(`(^|[^A-Za-z])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`));
    }
    const en = (await get(personUrl(run.id, 'S11', '?format=html&lang=en'))).body as string;
    expect(en).toContain('2026 Q1');
    expect(en).toContain('Approved');
    for (const role of ['Department head', 'Prepared by', 'Checked by']) expect(en).toContain(role);
    expect(en).not.toContain('科主任：');
  });

  it('the disputes example: a suspended person (D3, 2026Q2) says why in words, with the dispute liabilities and fines side by side and how they were applied', async () => {
    const code = 'XH-DISPUTES';
    const doc = structuredClone(disputesScenario);
    doc.hospital.code = code;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const q1 = await settle(code, '2026Q1');
    expect((await svc.request('POST', `/v1/settlements/${q1.id}/approve`, {})).status).toBe(200);
    const q2 = await settle(code, '2026Q2');
    expect(q2.status, JSON.stringify(q2.error)).toBe('succeeded');
    const line = disputesQ2.individuals.find((l: ExpLine) => l.staffId === 'S11');
    const s = (await get(personUrl(q2.id, 'S11'))).body;
    const items = new Map<string, any>(s.items.map((i: any) => [i.key, i]));
    expect(items.get('effectiveScore').value).toBe('0.000000');
    expect(items.get('rawScore').value).toBe(line.rawScore);
    expect(items.get('effectiveScore').ruleZh).toContain('暂停执业（医疗纠纷 D3，2026年第二季度登记）');
    const suspended = s.reasons.find((r: any) => r.code === 'suspended');
    expect(operandsOf({ operands: suspended.params })).toEqual({ disputeId: 'D3', bookedIn: '2026Q2', period: '2026Q2' });
    expect(suspended.zh).toContain('因医疗纠纷 D3（2026年第二季度登记');
    expect(suspended.en).toContain('dispute D3 (booked in 2026 Q2');
    // D2: 20000×20% + 30000×10% + 50000×5% + 20000×1% = 9700.00 × 0.6 (IM) = 5820.00, S11 responsible 65% = 3783.00;
    // D3: 8000 × 20% = 1600.00, S11 responsible 65% = 1040.00 (disputes-and-awards §2–§3, bed department)
    expect(s.fines.disputes).toEqual([
      { disputeId: 'D2', amount: '3783.00' },
      { disputeId: 'D3', amount: '1040.00' },
    ]);
    expect(line.disputeFines).toBe('4823.00');
    expect(s.fines).toMatchObject({ own: '0.00', due: '4823.00', gross: two(new D(line.tier2Pay).plus(line.leaderBonus).plus(line.studyLeavePay)), applied: line.finesApplied });
    expect(s.fines.notTaken).toBe(two(new D('4823.00').minus(line.finesApplied)));
    expect(s.reasons.filter((r: any) => r.code === 'disputeLiability').map((r: any) => r.zh)).toEqual([
      '医疗纠纷 D2 责任分担 3,783.00，并入本季度罚款。',
      '医疗纠纷 D3 责任分担 1,040.00，并入本季度罚款。',
    ]);
    expect(s.reasons.find((r: any) => r.code === 'finesCapped').zh).toBe(
      `罚款以应发为限：应扣 4,823.00，应发 ${groupDigits(s.fines.gross)}，实扣 ${groupDigits(line.finesApplied)}，超出的 ${groupDigits(s.fines.notTaken)} 不扣。`,
    );

    const page = (await get(personUrl(q2.id, 'S11', '?format=html'))).body as string;
    const fines = page.match(/<table id="fines"[\s\S]*?<\/table>/)?.[0] ?? '';
    for (const [label, value] of [
      ['医疗纠纷 D2 责任分担', '3,783.00'],
      ['医疗纠纷 D3 责任分担', '1,040.00'],
      ['应扣合计', '4,823.00'],
    ])
      expect(fines, label).toMatch(new RegExp(`<td>${label}</td><td class="num" data-value="[0-9.]+">${value}</td>`));
    expect(visibleText(page)).toContain('暂停执业：因医疗纠纷 D3');
    // the department statement lists the person's reasons under their name
    const dept = (await get(deptUrl(q2.id, 'IM', '?format=html'))).body as string;
    expect(dept).toMatch(/<li data-code="suspended" data-item="effectiveScore" data-staff="S11"><b>[^<]+（S11）<\/b>：暂停执业/);
  });

  // ------------------------------------------------------------------ 6. XLSX

  const loadBook = async (bytes: Buffer) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as any);
    return book;
  };
  /** The sheet's header texts → column number (1-based). */
  const headerColumns = (sheet: ExcelJS.Worksheet) => {
    const out = new Map<string, number>();
    sheet.getRow(1).eachCell((cell, col) => out.set(String(cell.value), col));
    return out;
  };
  /** The column whose header is the Chinese words for the field `key` (or one of the Chinese labels given). */
  const columnOf = (sheet: ExcelJS.Worksheet, key: string, zh?: string) => {
    const found = [...headerColumns(sheet)].filter(([h]) => h === columnLabel(key, 'zh') || (zh !== undefined && h.includes(zh)));
    expect(found.length, `${sheet.name}: one column for ${key}: ${JSON.stringify([...headerColumns(sheet).keys()])}`).toBe(1);
    return found[0]![1];
  };
  const rowsBy = (sheet: ExcelJS.Worksheet, col: number) => {
    const out = new Map<string, ExcelJS.Row>();
    for (let r = 2; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const key = row.getCell(col).value;
      // the 合计 row is checked on its own
      if (key !== null && key !== undefined && key !== '' && key !== '合计') out.set(String(key), row);
    }
    return out;
  };
  const checkHeaderRow = (sheet: ExcelJS.Worksheet) => {
    expect(sheet.views[0]?.state, sheet.name).toBe('frozen');
    expect((sheet.views[0] as any)?.ySplit, sheet.name).toBe(1);
    const header = sheet.getRow(1);
    expect(header.cellCount).toBeGreaterThan(0);
    header.eachCell((cell) => expect(cell.font?.bold, `${sheet.name} ${String(cell.value)}`).toBe(true));
  };

  it('export xlsx: summary, departments and individuals sheets with the expected figures as formatted numbers', async () => {
    const res = await raw(`/v1/settlements/${q1Id}/export?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.xlsx"$/);
    const book = await loadBook(res.bytes);
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', '科室', '科室得分与扣罚', '个人', ...Q1.departments.map((d: ExpDept) => deptName(d.code))]);
    for (const sheet of book.worksheets) checkHeaderRow(sheet);

    // individuals: one row per expected line, numbers with their formats, names intact, then 合计
    const people = book.getWorksheet('个人')!;
    const byId = rowsBy(people, columnOf(people, 'staffId'));
    expect([...byId.keys()].sort()).toEqual(Q1.individuals.map((l: ExpLine) => l.staffId).sort());
    expect(people.actualRowCount).toBe(Q1.individuals.length + 2);
    const peopleTotal = people.getRow(Q1.individuals.length + 2);
    expect(peopleTotal.getCell(1).value).toBe('合计');
    expect(peopleTotal.getCell(columnOf(people, 'total')).value).toBe(Number(Q1.summary.paidTotal));
    expect(peopleTotal.getCell(columnOf(people, 'tier2Pay')).value).toBe(Number(Q1.summary.tier2Total));
    const zh: Record<string, string> = { attendanceDeduction: '缺勤扣减', overtimeAddition: '加班增加' };
    for (const l of Q1.individuals as ExpLine[]) {
      const row = byId.get(l.staffId)!;
      expect(row.getCell(columnOf(people, 'name')).value, l.staffId).toBe(staffName(l.staffId));
      expect(row.getCell(columnOf(people, 'department')).value, l.staffId).toBe(l.department);
      expect(row.getCell(columnOf(people, 'departmentName')).value, l.staffId).toBe(deptName(l.department));
      for (const field of LINE_FIELDS) {
        const cell = row.getCell(columnOf(people, field, zh[field]));
        expect(cell.value, `${l.staffId} ${field}`).toBe(Number(l[field]));
        expect(cell.numFmt, `${l.staffId} ${field}`).toBe((LINE_MONEY_FIELDS as readonly string[]).includes(field) ? '#,##0.00' : '0.000000');
      }
    }

    // departments: the expected finals (and the rest of tier 1)
    const depts = book.getWorksheet('科室')!;
    const byCode = rowsBy(depts, columnOf(depts, 'code'));
    expect([...byCode.keys()].sort()).toEqual(Q1.departments.map((d: ExpDept) => d.code).sort());
    const deptTotal = depts.getRow(Q1.departments.length + 2);
    expect(deptTotal.getCell(1).value).toBe('合计');
    expect(deptTotal.getCell(columnOf(depts, 'final')).value).toBe(Number(Q1.summary.departmentsFinal));
    expect(deptTotal.getCell(columnOf(depts, 'headcount')).value).toBe(Q1.summary.headcount);
    for (const d of Q1.departments as ExpDept[]) {
      const row = byCode.get(d.code)!;
      expect(row.getCell(columnOf(depts, 'departmentName')).value).toBe(deptName(d.code));
      expect(row.getCell(columnOf(depts, 'headcount')).value).toBe(d.headcount);
      for (const field of DEPT_MONEY_FIELDS) {
        const cell = row.getCell(columnOf(depts, field));
        expect(cell.value, `${d.code} ${field}`).toBe(Number(d[field]));
        expect(cell.numFmt, `${d.code} ${field}`).toBe('#,##0.00');
      }
      for (const field of ['score', 'riskCoefficient']) {
        const cell = row.getCell(columnOf(depts, field));
        expect(cell.value, `${d.code} ${field}`).toBe(Number(d[field]));
        expect(cell.numFmt, `${d.code} ${field}`).toBe('0.000000');
      }
    }

    // summary: item, value rows with every expected summary figure, each named in Chinese
    const summary = book.getWorksheet('汇总')!;
    const item = (k: string) => say('zh', `summary.${k}` as MessageKey);
    const fields = rowsBy(summary, 1);
    expect(fields.get('医院')?.getCell(2).value).toBe(`${scenario.hospital.name}（${CODE}）`);
    expect(fields.get('期间')?.getCell(2).value).toBe('2026年第一季度');
    expect(fields.get('状态')?.getCell(2).value).toBe('已完成待审批');
    for (const [k, v] of Object.entries(Q1.summary)) {
      const cell = fields.get(item(k))?.getCell(2);
      expect(cell?.value, k).toBe(Number(v));
    }
    expect(fields.get(item('distributable'))!.getCell(2).value).toBe(390000);
    expect(fields.get(item('distributable'))!.getCell(2).numFmt).toBe('#,##0.00');
    expect(fields.get(item('paidTotal'))!.getCell(2).value).toBe(Number(Q1.summary.paidTotal));
    expect(fields.get(item('paidTotal'))!.getCell(2).numFmt).toBe('#,##0.00');
    expect(fields.get(item('pointValue'))!.getCell(2).numFmt).toBe('0.000000');
    expect(JSON.stringify(summary.getSheetValues())).not.toMatch(/paidTotal|tier1Pool|pointValue/);

    // a department head's workbook: IM only, no hospital figures
    const head = await keyFor(['IM']);
    const mine = await raw(`/v1/settlements/${q1Id}/export?format=xlsx`, head);
    expect(mine.status).toBe(200);
    const imBook = await loadBook(mine.bytes);
    const imPeople = imBook.getWorksheet('个人')!;
    expect([...rowsBy(imPeople, columnOf(imPeople, 'staffId')).keys()].sort()).toEqual(
      Q1.individuals
        .filter((l: ExpLine) => l.department === 'IM')
        .map((l: ExpLine) => l.staffId)
        .sort(),
    );
    const imDepts = imBook.getWorksheet('科室')!;
    expect([...rowsBy(imDepts, columnOf(imDepts, 'code')).keys()]).toEqual(['IM']);
    expect(imBook.worksheets.map((w) => w.name)).toEqual(['汇总', '科室', '科室得分与扣罚', '个人', deptName('IM')]);
    const imSummary = [...rowsBy(imBook.getWorksheet('汇总')!, 1).keys()];
    for (const k of Object.keys(Q1.summary)) expect(imSummary, k).not.toContain(item(k));
    const values = JSON.stringify(imBook.getWorksheet('汇总')!.getSheetValues());
    for (const v of [Q1.summary.paidTotal, Q1.summary.distributable, Q1.summary.pointValue]) expect(values).not.toContain(String(Number(v)));
  });

  // ------------------------------------------------------------------ 7. payroll

  it('payroll: 409 before approval; after it, a BOM, CRLF rows of every person whose amounts add up to paidTotal', async () => {
    const before = await get(`/v1/settlements/${q1Id}/export?format=payroll`);
    expect(before.status).toBe(409);
    expect(before.body.error.code).toBe('not_approved');

    const approved = await svc.request('POST', `/v1/settlements/${q1Id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');

    const res = await raw(`/v1/settlements/${q1Id}/export?format=payroll&headers=en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(res.bytes.subarray(3));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const [header, ...rows] = text.slice(0, -2).split('\r\n');
    expect(header).toBe('staffId,name,department,amount');
    expect(rows).toHaveLength(Q1.individuals.length);
    expect([...rows].sort()).toEqual(Q1.individuals.map((l: ExpLine) => `${l.staffId},${staffName(l.staffId)},${l.department},${l.total}`).sort());
    const total = rows.reduce((acc, r) => acc.plus(r.split(',')[3]!), new D(0));
    expect(two(total)).toBe(Q1.summary.paidTotal);

    // a department head's payroll: IM only
    const head = await keyFor(['IM']);
    const mine = await raw(`/v1/settlements/${q1Id}/export?format=payroll&headers=en`, head);
    expect(mine.status).toBe(200);
    const imRows = new TextDecoder().decode(mine.bytes).split('\r\n').slice(1).filter(Boolean);
    expect(imRows.sort()).toEqual(
      Q1.individuals
        .filter((l: ExpLine) => l.department === 'IM')
        .map((l: ExpLine) => `${l.staffId},${staffName(l.staffId)},${l.department},${l.total}`)
        .sort(),
    );

    // the finance office's payroll (the default): 期间, 科室编码, 科室, 工号, 姓名, 实发金额, grouped by
    // department, and a 合计 row equal to paidTotal
    const office = await raw(`/v1/settlements/${q1Id}/export?format=payroll`);
    expect(office.status).toBe(200);
    expect([...office.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [zhHeader, ...zhRows] = new TextDecoder('utf-8', { ignoreBOM: true }).decode(office.bytes.subarray(3)).slice(0, -2).split('\r\n');
    expect(zhHeader).toBe('期间,科室编码,科室,工号,姓名,实发金额');
    const zhTotal = zhRows.pop()!;
    expect(zhTotal).toBe(`合计,,,,,${Q1.summary.paidTotal}`);
    expect([...zhRows].sort()).toEqual(Q1.individuals.map((l: ExpLine) => `2026年第一季度,${l.department},${deptName(l.department)},${l.staffId},${staffName(l.staffId)},${l.total}`).sort());
    const grouped = zhRows.map((r) => r.split(',')[1]);
    expect(grouped).toEqual([...grouped].sort((a, b) => Q1.departments.findIndex((d: ExpDept) => d.code === a) - Q1.departments.findIndex((d: ExpDept) => d.code === b)));
    expect(two(zhRows.reduce((acc, r) => acc.plus(r.split(',')[5]!), new D(0)))).toBe(Q1.summary.paidTotal);
    const imOffice = new TextDecoder()
      .decode((await raw(`/v1/settlements/${q1Id}/export?format=payroll`, head)).bytes)
      .split('\r\n')
      .filter(Boolean);
    const imTotal = Q1.individuals.filter((l: ExpLine) => l.department === 'IM').reduce((acc: Decimal, l: ExpLine) => acc.plus(l.total), new D(0));
    expect(imOffice.at(-1)).toBe(`合计,,,,,${two(imTotal)}`);
    expect(imOffice).toHaveLength(2 + Q1.individuals.filter((l: ExpLine) => l.department === 'IM').length);

    // an approved run still has its statements
    const s11 = await get(personUrl(q1Id, 'S11'));
    expect(s11.status).toBe(200);
    expect(s11.body.total).toBe(lineOf(Q1, 'S11').total);
  });

  // the querystring's `department` filters every format: a payroll file meant for one department
  // pays only that department, and a department head of IM asking for SUR gets 403
  it('export xlsx and payroll honour the department filter as csv does', async () => {
    const imIds = Q1.individuals
      .filter((l: ExpLine) => l.department === 'IM')
      .map((l: ExpLine) => l.staffId)
      .sort();
    const payroll = await get(`/v1/settlements/${q1Id}/export?format=payroll&department=IM&headers=en`);
    if (payroll.status !== 400) {
      expect(payroll.status).toBe(200);
      const ids = (payroll.body as string)
        .split('\r\n')
        .slice(1)
        .filter(Boolean)
        .map((r) => r.split(',')[0])
        .sort();
      expect(ids).toEqual(imIds);
    }
    const book = await raw(`/v1/settlements/${q1Id}/export?format=xlsx&department=IM`);
    if (book.status !== 400) {
      const people = (await loadBook(book.bytes)).getWorksheet('个人')!;
      expect([...rowsBy(people, columnOf(people, 'staffId')).keys()].sort()).toEqual(imIds);
    }
    const head = await keyFor(['IM']);
    for (const format of ['payroll', 'xlsx']) {
      const res = await raw(`/v1/settlements/${q1Id}/export?format=${format}&department=SUR`, head);
      expect([400, 403], format).toContain(res.status);
    }
  });

  // ------------------------------------------------------------------ 5. access and kinds

  it("a department head reads their own department's statements, and is refused another department's (403) and its people's (404, as an unknown id)", async () => {
    const head = await keyFor(['IM']);
    expect((await get(deptUrl(q1Id, 'IM'), head)).status).toBe(200);
    const own = await get(personUrl(q1Id, 'S11'), head);
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(lineOf(Q1, 'S11').total);
    for (const path of [deptUrl(q1Id, 'SUR'), deptUrl(q1Id, 'LEAD', '?format=html')]) {
      const res = await get(path, head);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('forbidden');
    }
    for (const path of [personUrl(q1Id, 'S21'), personUrl(q1Id, 'S01', '?format=html'), personUrl(q1Id, 'NO-SUCH-PERSON')]) {
      const res = await get(path, head);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe('not_found');
      expect(res.body.error.message, path).not.toMatch(/SUR|LEAD/);
    }
  });

  it('2026Q2 (explicit weights) has its own statements; so has the year-end (weights by quarter, the failed person excluded, the fund split by scores)', async () => {
    const q2 = await settle(CODE, '2026Q2');
    expect(q2.status, JSON.stringify(q2.error)).toBe('succeeded');
    const im = (await get(deptUrl(q2.id, 'IM'))).body;
    const d = deptOf(Q2, 'IM');
    const tier1 = Object.fromEntries(im.tier1.map((i: any) => [i.key, i.value]));
    // 0.6 × 5000/5000 + 0.4 × 330/320 = 1.0125
    expect(tier1.workloadRatio).toBe(six(workloadRatioByHand(q2Inputs, 'IM')));
    expect(tier1.workloadRatio).toBe('1.012500');
    for (const field of [...CLINICAL_FIELDS, ...DEPT_MONEY_FIELDS, 'score']) expect(tier1[field], field).toBe(d[field]);
    expect(im.pointValue).toBe(Q2.summary.pointValue);
    expect(im.people).toEqual(Q2.individuals.filter((l: ExpLine) => l.department === 'IM').map(withName));
    // PED draws on the bank of Q1 this quarter
    const ped = (await get(deptUrl(q2.id, 'PED'))).body;
    expect(Object.fromEntries(ped.tier1.map((i: any) => [i.key, i.value])).bankDraw).toBe(deptOf(Q2, 'PED').bankDraw);
    expect((await svc.request('POST', `/v1/settlements/${q2.id}/approve`, {})).status).toBe(200);

    const year = await settle(CODE, '2026');
    expect(year.status, JSON.stringify(year.error)).toBe('succeeded');
    // the year-end has its own statements (个人年终绩效工资明细, 科室年终绩效核算表): allocation-rules §4, by hand
    const Y0 = resultOf('2026');
    const s11 = (await get(personUrl(year.id, 'S11'))).body;
    expect(s11).toMatchObject({ kind: 'annualPerson', period: '2026', staffId: 'S11', name: staffName('S11') });
    const s11Lines = Y0.individuals.filter((l: ExpLine) => l.staffId === 'S11');
    expect(s11.lines.map((l: any) => ({ department: l.department.code, weight: l.weight, amount: l.amount }))).toEqual(
      s11Lines.map((l: ExpLine) => ({ department: l.department, weight: l.weight, amount: l.amount })),
    );
    expect(s11.total).toBe(two(s11Lines.reduce((acc: D, l: ExpLine) => acc.plus(l.amount), new D(0))));
    // the weight is the quarters' effective scores in the department, each shown
    expect(s11.lines[0].quarters.map((q: any) => q.period)).toEqual(['2026Q1', '2026Q2']);
    expect(s11.lines[0].quarters[0].effectiveScore).toBe(lineOf(Q1, 'S11').effectiveScore);
    expect(s11.lines[0].quarters[1].effectiveScore).toBe(lineOf(Q2, 'S11').effectiveScore);
    expect(s11.lines[0].departmentAmount).toBe(deptOf(Y0, 'IM').amount);
    const weightItem = s11.items.find((i: any) => i.key === 'weight:IM');
    expect(weightItem.ruleZh).toContain('2026年第一季度');
    // S13 failed the annual assessment (年度考核不合格): a statement that says so, nothing paid
    const s13 = (await get(personUrl(year.id, 'S13'))).body;
    expect(s13.total).toBe('0.00');
    expect(s13.reasons.map((r: any) => r.code)).toEqual(['failedAnnual']);
    expect(s13.reasons[0].zh).toBe('年度考核不合格：不参加年终绩效分配。');
    // SUR: (Σ the quarters' scores) × 0.9, the fund split by scores, the bank expired
    const sur = (await get(deptUrl(year.id, 'SUR'))).body;
    expect(sur.kind).toBe('annualDepartment');
    const surItems = Object.fromEntries(sur.items.map((i: any) => [i.key, i]));
    expect(surItems.score.value).toBe(deptOf(Y0, 'SUR').score);
    expect(operandsOf(surItems.score)).toEqual({ quarterlyScores: six(new D(deptOf(Q1, 'SUR').score).plus(deptOf(Q2, 'SUR').score)), assessmentFactor: '0.900000' });
    expect(six(new D(deptOf(Q1, 'SUR').score).plus(deptOf(Q2, 'SUR').score).times('0.9'))).toBe(deptOf(Y0, 'SUR').score);
    expect(surItems.amount.value).toBe(deptOf(Y0, 'SUR').amount);
    expect(operandsOf(surItems.amount).fund).toBe(Y0.summary.fund);
    expect(surItems.bankExpired.value).toBe(deptOf(Y0, 'SUR').bankExpired);
    const surPeople = Y0.individuals.filter((l: ExpLine) => l.department === 'SUR');
    expect(sur.people.map((p: any) => [p.staffId, p.weight, p.amount])).toEqual(surPeople.map((l: ExpLine) => [l.staffId, l.weight, l.amount]));
    expect(sur.totals.amount).toBe(two(surPeople.reduce((acc: D, l: ExpLine) => acc.plus(l.amount), new D(0))));
    const imYear = (await get(deptUrl(year.id, 'IM'))).body;
    expect(imYear.excluded.map((p: any) => p.staffId)).toEqual(['S13']);
    expect(imYear.reasons.map((r: any) => [r.code, r.staffId])).toEqual([['failedAnnual', 'S13']]);
    const yearPage = (await get(personUrl(year.id, 'S11', '?format=html'))).body as string;
    for (const text of ['个人年终绩效工资明细', '2026年度（年终）', '科主任：', '经办人：', '复核人：', groupDigits(s11.total)]) expect(yearPage, text).toContain(text);
    const surPage = (await get(deptUrl(year.id, 'SUR', '?format=html&lang=en'))).body as string;
    expect(surPage).toContain('Department year-end statement');
    expect(surPage).toMatch(/<tr class="total" data-key="total"><td colspan="2">Total \(3\)</);
    expect(surPage).toContain(`>${groupDigits(sur.totals.amount)}<`);
    // a quarter is not compared with a year-end
    const kinds = await get(`/v1/settlements/${q1Id}/diff/${year.id}`);
    expect(kinds.status).toBe(400);
    expect(kinds.body.error.code).toBe('different_kinds');

    // the year-end's workbook and payroll hold the year-end's amounts
    const Y = resultOf('2026');
    const book = await loadBook((await raw(`/v1/settlements/${year.id}/export?format=xlsx`)).bytes);
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', '科室', '个人', ...Y.departments.map((d: ExpDept) => deptName(d.code))]);
    const people = book.getWorksheet('个人')!;
    const byId = rowsBy(people, columnOf(people, 'staffId'));
    expect([...byId.keys()].sort()).toEqual(Y.individuals.map((l: ExpLine) => l.staffId).sort());
    for (const l of Y.individuals as ExpLine[]) {
      const amount = byId.get(l.staffId)!.getCell(columnOf(people, 'amount'));
      expect(amount.value, l.staffId).toBe(Number(l.amount));
      expect(amount.numFmt).toBe('#,##0.00');
      const weight = byId.get(l.staffId)!.getCell(columnOf(people, 'weight'));
      expect(weight.value, l.staffId).toBe(Number(l.weight));
      expect(weight.numFmt).toBe('0.000000');
    }
    const yearTotal = people.getRow(Y.individuals.length + 2);
    expect(yearTotal.getCell(1).value).toBe('合计');
    expect(yearTotal.getCell(columnOf(people, 'amount')).value).toBe(Number(Y.summary.paidTotal));
    const depts = book.getWorksheet('科室')!;
    const byCode = rowsBy(depts, columnOf(depts, 'code'));
    for (const d of Y.departments as ExpDept[]) {
      expect(byCode.get(d.code)!.getCell(columnOf(depts, 'amount')).value, d.code).toBe(Number(d.amount));
      expect(byCode.get(d.code)!.getCell(columnOf(depts, 'bankExpired')).value, d.code).toBe(Number(d.bankExpired));
    }
    const notYet = await get(`/v1/settlements/${year.id}/export?format=payroll`);
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.code).toBe('not_approved');
    expect((await svc.request('POST', `/v1/settlements/${year.id}/approve`, {})).status).toBe(200);
    const payroll = await raw(`/v1/settlements/${year.id}/export?format=payroll&headers=en`);
    expect(payroll.status).toBe(200);
    expect([...payroll.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = new TextDecoder('utf-8', { ignoreBOM: true }).decode(payroll.bytes.subarray(3)).slice(0, -2).split('\r\n');
    expect(header).toBe('staffId,name,department,amount');
    expect([...rows].sort()).toEqual(Y.individuals.map((l: ExpLine) => `${l.staffId},${staffName(l.staffId)},${l.department},${l.amount}`).sort());
    expect(two(rows.reduce((acc, r) => acc.plus(r.split(',')[3]!), new D(0)))).toBe(Y.summary.paidTotal);
    const office = new TextDecoder('utf-8', { ignoreBOM: true })
      .decode((await raw(`/v1/settlements/${year.id}/export?format=payroll`)).bytes.subarray(3))
      .slice(0, -2)
      .split('\r\n');
    expect(office[0]).toBe('期间,科室编码,科室,工号,姓名,实发金额');
    expect(office.at(-1)).toBe(`合计,,,,,${Y.summary.paidTotal}`);
    expect(office.slice(1, -1).sort()).toEqual(Y.individuals.map((l: ExpLine) => `2026年度（年终）,${l.department},${deptName(l.department)},${l.staffId},${staffName(l.staffId)},${l.amount}`).sort());
  });

  // ------------------------------------------------------------------ 8. diff

  it('diff: the inputs and the amounts that changed between two runs, only those, each a real difference', async () => {
    const code = 'XH-DIFF';
    expect((await svc.request('POST', '/v1/imports', scenarioFor(code))).status).toBe(200);
    const a = await settle(code, '2026Q1');
    expect(a.status).toBe('succeeded');
    // S11 (IM): workload 36 → 30, errors 1 → 0; S21 (SUR): ethics deduction 3 → 5
    const s11 = { workloadScore: '30', errors: 0, lateOver5: 2, absentDays: 3 };
    const s21 = { ethicsDeduction: '5', fines: '500.00' };
    for (const [staffId, record] of [
      ['S11', s11],
      ['S21', s21],
    ] as const) {
      const put = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/${staffId}`, record);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    const b = await settle(code, '2026Q1');
    expect(b.status).toBe('succeeded');
    const A = (await get(`/v1/settlements/${a.id}`)).body;
    const B = (await get(`/v1/settlements/${b.id}`)).body;

    // run A is the worked example; run B's S11 by hand: raw 40 + 30 + 10 + 10 + 8 = 98, attendance 98 ÷ 60 × 3 = 4.9
    const aS11 = A.result.individuals.find((l: ExpLine) => l.staffId === 'S11');
    expect(aS11).toEqual(withName(lineOf(Q1, 'S11')));
    const bS11 = B.result.individuals.find((l: ExpLine) => l.staffId === 'S11');
    expect(bS11).toMatchObject({ rawScore: '98.000000', attendanceDeduction: '4.900000', effectiveScore: '93.100000' });
    expect(B.result.individuals.find((l: ExpLine) => l.staffId === 'S21')).toMatchObject({ rawScore: '110.000000', effectiveScore: '110.000000' });

    const res = await get(`/v1/settlements/${a.id}/diff/${b.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const diff = res.body;
    expect(diff.a).toMatchObject({ id: a.id, period: '2026Q1' });
    expect(diff.b).toMatchObject({ id: b.id, period: '2026Q1' });

    // the inputs: S11's and S21's records, nothing else
    expect(diff.inputs.individuals).toEqual([
      {
        staffId: 'S11',
        change: 'changed',
        fields: [
          { field: 'errors', from: 1, to: 0 },
          { field: 'workloadScore', from: '36', to: '30' },
        ],
      },
      { staffId: 'S21', change: 'changed', fields: [{ field: 'ethicsDeduction', from: '3', to: '5' }] },
    ]);
    for (const k of ['scheme', 'departments', 'staff', 'quarter', 'departmentInputs', 'openingBank', 'annual']) expect(diff.inputs[k], k).toEqual([]);

    // the amounts: exactly the lines and fields that differ between the two results
    const personOf = (e: any) => String(e.staffId ?? e.line).split('|')[0]!;
    const changedFields = (x: Record<string, unknown>, y: Record<string, unknown>) =>
      [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).sort();
    const expectedPeople = new Map<string, string[]>();
    for (const x of A.result.individuals) {
      const y = B.result.individuals.find((l: ExpLine) => l.staffId === x.staffId && l.department === x.department);
      const fields = changedFields(x, y);
      if (fields.length) expectedPeople.set(x.staffId, fields);
    }
    expect(expectedPeople.has('S11')).toBe(true);
    expect(expectedPeople.has('S21')).toBe(true);
    expect(expectedPeople.has('S31')).toBe(false); // PED is untouched
    expect(diff.amounts.individuals.map(personOf).sort()).toEqual([...expectedPeople.keys()].sort());
    for (const e of diff.amounts.individuals) {
      const id = personOf(e);
      const x = A.result.individuals.find((l: ExpLine) => l.staffId === id);
      const y = B.result.individuals.find((l: ExpLine) => l.staffId === id);
      expect(e.change, id).toBe('changed');
      expect(e.fields.map((f: any) => f.field).sort(), id).toEqual(expectedPeople.get(id));
      for (const f of e.fields) {
        expect(f.from, `${id} ${f.field}`).toEqual(x[f.field]);
        expect(f.to, `${id} ${f.field}`).toEqual(y[f.field]);
        expect(f.from).not.toEqual(f.to);
      }
    }
    const s11Change = diff.amounts.individuals.find((e: any) => personOf(e) === 'S11');
    const s11Fields = Object.fromEntries(s11Change.fields.map((f: any) => [f.field, f]));
    expect(s11Fields.rawScore).toEqual({ field: 'rawScore', from: '102.000000', to: '98.000000' });
    expect(s11Fields.effectiveScore).toEqual({ field: 'effectiveScore', from: '96.900000', to: '93.100000' });
    expect(s11Fields.tier2Pay.from).toBe(lineOf(Q1, 'S11').tier2Pay);
    expect(s11Fields.total.from).toBe(lineOf(Q1, 'S11').total);

    const expectedDepts = A.result.departments.filter(
      (x: any) =>
        changedFields(
          x,
          B.result.departments.find((y: any) => y.code === x.code),
        ).length > 0,
    );
    expect(diff.amounts.departments.map((d: any) => d.code)).toEqual(expectedDepts.map((d: any) => d.code));

    const summaryFields = changedFields(A.result.summary, B.result.summary);
    expect(diff.amounts.summary.map((f: any) => f.field).sort()).toEqual(summaryFields);
    for (const f of diff.amounts.summary) {
      expect(f.from, f.field).toEqual(A.result.summary[f.field]);
      expect(f.to, f.field).toEqual(B.result.summary[f.field]);
    }
    expect(diff.amounts.summary.some((f: any) => f.field === 'paidTotal')).toBe(A.result.summary.paidTotal !== B.result.summary.paidTotal);

    // a run against itself: nothing
    const self = await get(`/v1/settlements/${a.id}/diff/${a.id}`);
    expect(self.status).toBe(200);
    for (const k of ['summary', 'departments', 'individuals']) expect(self.body.amounts[k], k).toEqual([]);
    for (const [k, v] of Object.entries(self.body.inputs)) expect(v, k).toEqual([]);

    // a department head of IM: IM's people and inputs only, no hospital figures
    const head = await keyFor(['IM'], code);
    const mine = await get(`/v1/settlements/${a.id}/diff/${b.id}`, head);
    expect(mine.status).toBe(200);
    const imPeople = [...expectedPeople.keys()].filter((id) => A.result.individuals.find((l: ExpLine) => l.staffId === id).department === 'IM');
    expect(imPeople).toContain('S11');
    expect(mine.body.amounts.individuals.map(personOf).sort()).toEqual(imPeople.sort());
    for (const d of mine.body.amounts.departments) expect(d.code).toBe('IM');
    expect(mine.body.amounts.summary).toEqual([]);
    expect(mine.body.inputs.individuals.map((r: any) => r.staffId)).toEqual(['S11']);
    expect(JSON.stringify(mine.body)).not.toContain('S21');
    expect(JSON.stringify(mine.body)).not.toContain('S20');

    // finance: the amounts, but no individual inputs
    const finance = await get(`/v1/settlements/${a.id}/diff/${b.id}`, await keyFor('finance', code));
    expect(finance.status).toBe(200);
    expect(finance.body.inputs.individuals).toEqual([]);
    expect(finance.body.amounts.individuals.map(personOf).sort()).toEqual([...expectedPeople.keys()].sort());

    // a run without a result is not compared (409): 2026Q2 fails while 2026Q1 is not approved
    const failed = await settle(code, '2026Q2');
    expect(failed.status).toBe('failed');
    const noResult = await get(`/v1/settlements/${a.id}/diff/${failed.id}`);
    expect(noResult.status).toBe(409);
    expect(noResult.body.error.code).toBe('no_result');

    // runs of two hospitals are not compared (404 either way)
    for (const [x, y] of [
      [q1Id, a.id],
      [b.id, q1Id],
    ]) {
      const other = await get(`/v1/settlements/${x}/diff/${y}`);
      expect(other.status, `${x} ${y}`).toBe(404);
      expect(other.body.error.code).toBe('not_found');
    }
  });
});
