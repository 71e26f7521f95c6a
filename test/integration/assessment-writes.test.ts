import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResult } from '../fixtures/compare.js';
import { exportHospital } from '../../src/modules/backup/backup.usecases.js';
import { backends, useTestService } from './harness.js';

/**
 * The assessment's granular writes over HTTP (values one at a time and in bulk; defects booked,
 * corrected with a reason, withdrawn), each audited and refused with 409 once its quarter is
 * closed; and the lineage of a run's figures: from a department's deductions and a person's
 * derived fields back to the defects, and from a leaf's score back to the values.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/assessment-example.result.json', import.meta.url), 'utf8'));
const expectedOf = (period: string) => expected.results.find((r: { period: string }) => r.period === period);
const H = scenario.hospital.code as string;
const base = `/v1/hospitals/${H}/assessment`;
const DD99 = { id: 'DD99', month: '2026-04', owner: 'MA', department: 'IM', category: 'medical', points: '1', note: '测试缺陷' };

describe.each(backends)('assessment writes, closed periods and lineage over HTTP (%s)', (backend) => {
  const svc = useTestService(backend);
  const runs = new Map<string, string>();

  async function settle(period: string) {
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.error).toBeUndefined();
    return run;
  }

  it('imports the example', async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
  });

  it('PUT one value: written with who and when, audited; the same again changes nothing', async () => {
    const path = `${base}/values/F12/IM/2026-04`;
    const first = await svc.request('PUT', path, { value: '30.00' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ written: 1, unchanged: 0 });
    expect((await svc.request('PUT', path, { value: '30.00' })).body).toEqual({ written: 0, unchanged: 1 });
    const listed = await svc.request('GET', `${base}/values?period=2026-04&department=IM`);
    expect(listed.body.values.find((v: { indicator: string }) => v.indicator === 'F12')).toMatchObject({ value: '30.00', by: expect.any(String), at: expect.any(String) });
    const audit = await svc.request('GET', `/v1/hospitals/${H}/audit?action=indicator_values.set`);
    expect(audit.body.events.at(-1)).toMatchObject({ entityKey: '2026-04', before: [{ value: '23.80' }], after: [{ value: '30.00' }] });
  });

  it('refuses a value the engine refuses, naming the field: a defects leaf, an unknown indicator, a month for a quarterly leaf', async () => {
    const defectsLeaf = await svc.request('PUT', `${base}/values/C2/IM/2026-04`, { value: '1' });
    expect(defectsLeaf.status).toBe(400);
    expect(defectsLeaf.body.error).toMatchObject({ code: 'not_applicable', path: 'indicator' });
    const unknown = await svc.request('PUT', `${base}/values/NOPE/IM/2026-04`, { value: '1' });
    expect(unknown.body.error).toMatchObject({ code: 'unknown_reference', path: 'indicator' });
    const form = await svc.request('PUT', `${base}/values/F11/IM/2026-04`, { value: '1' });
    expect(form.body.error).toMatchObject({ code: 'invalid_value', path: 'period' });
  });

  it('PUT values in bulk: all or nothing, an error names the record', async () => {
    const bad = await svc.request('PUT', `${base}/values`, {
      values: [
        { indicator: 'F12', department: 'IM', period: '2026-04', value: '23.80' },
        { indicator: 'F21', department: 'IM', period: '2026-04', value: '28.00' },
        { indicator: 'P2', department: 'IM', period: '2026Q2', value: '999' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toBe('values[2].value');
    const listed = await svc.request('GET', `${base}/values?period=2026-04&department=IM`);
    expect(listed.body.values.find((v: { indicator: string }) => v.indicator === 'F12').value).toBe('30.00');
    const good = await svc.request('PUT', `${base}/values`, {
      values: [
        { indicator: 'F12', department: 'IM', period: '2026-04', value: '23.80' },
        { indicator: 'F21', department: 'IM', period: '2026-04', value: '29.00' },
      ],
    });
    expect(good.body).toEqual({ written: 1, unchanged: 1 });
  });

  it('books a defect, refuses the same id again, corrects it with a reason (a new version), refuses a wrong category', async () => {
    const booked = await svc.request('POST', `${base}/department-defects`, DD99);
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ id: 'DD99', kind: 'department', version: 1, status: 'booked', record: DD99, reason: null });
    expect((await svc.request('POST', `${base}/department-defects`, DD99)).status).toBe(409);
    const { id: _id, ...rest } = DD99;
    const corrected = await svc.request('POST', `${base}/department-defects/DD99/correct`, { ...rest, points: '2', reason: '复核后加重' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ version: 2, status: 'corrected', record: { points: '2' }, reason: '复核后加重' });
    const wrong = await svc.request('POST', `${base}/department-defects/DD99/correct`, { ...rest, category: 'admin', reason: 'x' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'not_applicable', path: 'category' });
    const personal = await svc.request('POST', `${base}/personal-defects`, { id: 'PD99', month: '2026-04', owner: 'MA', staffId: 'S11', category: 'error', points: '1', veto: true });
    expect(personal.status).toBe(400);
    expect(personal.body.error).toMatchObject({ code: 'not_applicable', path: 'veto' });
  });

  it('a quarter settled with the defect counts it; withdrawn, the run is stale and the next run is the example again', async () => {
    expect((await settle('2026Q1')).status).toBe('succeeded');
    const q1 = await svc.request('GET', `/v1/hospitals/${H}/settlements?period=2026Q1`);
    const q1Run = q1.body.runs[0].id;
    expect((await svc.request('POST', `/v1/settlements/${q1Run}/approve`)).status).toBe(200);
    runs.set('2026Q1', q1Run);

    const withDefect = await settle('2026Q2');
    const im = withDefect.result.assessment.departments.find((d: { code: string }) => d.code === 'IM');
    const imExpected = expectedOf('2026Q2').assessment.departments.find((d: { code: string }) => d.code === 'IM');
    expect(Number(im.deductions.medical) - Number(imExpected.deductions.medical)).toBe(2);

    const withdrawn = await svc.request('POST', `${base}/department-defects/DD99/withdraw`, { reason: '申诉成立' });
    expect(withdrawn.body).toMatchObject({ version: 3, status: 'withdrawn', reason: '申诉成立' });
    expect((await svc.request('POST', `${base}/department-defects/DD99/withdraw`, { reason: 'again' })).status).toBe(409);
    const history = await svc.request('GET', `${base}/department-defects/DD99`);
    expect(history.body.versions.map((v: { status: string }) => v.status)).toEqual(['booked', 'corrected', 'withdrawn']);
    const stale = await svc.request('POST', `/v1/settlements/${withDefect.id}/approve`);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('run_stale');

    const again = await settle('2026Q2');
    expect(compareResult(expectedOf('2026Q2'), again.result)).toEqual([]);
    expect(again.result.assessment).toEqual(expectedOf('2026Q2').assessment);
    expect((await svc.request('POST', `/v1/settlements/${again.id}/approve`)).status).toBe(200);
    runs.set('2026Q2', again.id);
  });

  it('a closed quarter refuses changes to its values and defects with 409', async () => {
    const value = await svc.request('PUT', `${base}/values/F12/IM/2026-01`, { value: '1' });
    expect(value.status).toBe(409);
    expect(value.body.error.code).toBe('period_closed');
    const book = await svc.request('POST', `${base}/personal-defects`, { id: 'PD98', month: '2026-02', owner: 'MA', staffId: 'S11', category: 'error', points: '1' });
    expect(book.status).toBe(409);
    expect((await svc.request('POST', `${base}/department-defects/DD01/withdraw`, { reason: 'late' })).status).toBe(409);
    const { id: _id, ...rest } = scenario.assessment.departmentDefects[0];
    expect((await svc.request('POST', `${base}/department-defects/DD01/correct`, { ...rest, points: '1', reason: 'late' })).status).toBe(409);
    // moving an open quarter's defect into a closed quarter is refused too
    const { id: _id2, ...dd08 } = scenario.assessment.departmentDefects[7];
    expect((await svc.request('POST', `${base}/department-defects/DD08/correct`, { ...dd08, month: '2026-03', reason: 'moved' })).status).toBe(409);
  });

  it('lineage: a department’s deductions come from its defects, its leaves’ scores from their values', async () => {
    const res = await svc.request('GET', `/v1/settlements/${runs.get('2026Q1')}/assessment/departments/IM`);
    expect(res.status).toBe(200);
    expect(res.body.deductions.medical.points).toBe('5.000000');
    expect(res.body.deductions.medical.defects.map((d: { id: string }) => d.id)).toEqual(['DD01', 'DD02']);
    expect(res.body.deductions.ethics.defects.map((d: { id: string }) => d.id)).toEqual(['DD04']);
    const f12 = res.body.indicators.find((i: { code: string }) => i.code === 'F12');
    expect(f12.values.map((v: { period: string }) => v.period)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(f12.attainment).toBe('0.981132');
    const ped = await svc.request('GET', `/v1/settlements/${runs.get('2026Q1')}/assessment/departments/PED`);
    expect(ped.body.indicators.find((i: { code: string }) => i.code === 'C2').defects.map((d: { id: string }) => d.id)).toEqual(['DD07']);
  });

  it('lineage: a person’s errors, accident and ethics points come from their defects', async () => {
    const s11 = await svc.request('GET', `/v1/settlements/${runs.get('2026Q1')}/assessment/staff/S11`);
    expect(s11.status).toBe(200);
    expect(s11.body.errors.map((d: { id: string }) => d.id)).toEqual(['PD01']);
    expect(s11.body.defects.map((d: { id: string }) => d.id)).toEqual(['PD01', 'PD02']);
    const s21 = await svc.request('GET', `/v1/settlements/${runs.get('2026Q1')}/assessment/staff/S21`);
    expect(s21.body.ethics).toEqual([scenario.assessment.personalDefects[4]]);
    expect(s21.body.assessment).toMatchObject({ staffId: 'S21', ethicsDeduction: '3.000000' });
    expect((await svc.request('GET', `/v1/settlements/${runs.get('2026Q1')}/assessment/staff/NOBODY`)).status).toBe(404);
  });

  it('the year-end settles to the example and its lineage shows the values behind the assessment factor', async () => {
    const year = await settle('2026');
    expect(compareResult(expectedOf('2026'), year.result)).toEqual([]);
    expect(year.result.assessment).toEqual(expectedOf('2026').assessment);
    const im = await svc.request('GET', `/v1/settlements/${year.id}/assessment/departments/IM`);
    expect(im.status).toBe(200);
    expect(im.body.assessmentFactor).toBe(expectedOf('2026').assessment.departments.find((d: { code: string }) => d.code === 'IM').assessmentFactor);
    expect(im.body.indicators.find((i: { code: string }) => i.code === 'L2').values).toEqual([expect.objectContaining({ indicator: 'L2', period: '2026' })]);
  });

  it('the hospital’s export holds its scorecards, values and every defect version; the audit chain is valid', async () => {
    const doc = await exportHospital(svc.database.db, H);
    expect(doc.tables.scorecard_versions).toHaveLength(1);
    expect(doc.tables.indicator_values!.length).toBe(scenario.assessment.values.length);
    expect(doc.tables.assessment_defects!.filter((r) => r.defect_id === 'DD99')).toHaveLength(3);
    const verify = await svc.request('GET', `/v1/hospitals/${H}/audit/verify`);
    expect(verify.body.valid).toBe(true);
  });
});
