import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, httpClient, useTestService, type Request } from './harness.js';

/**
 * The assessor (issue #17): a functional office's key (医务科 MA in the assessment example) writes
 * the values of the leaves MA owns and books, corrects and withdraws defects with MA as owner;
 * another office's (财务科 FIN) are refused with 403 naming the field and nothing is written; it
 * reads the scorecards and its own office's entries only; it sees no money, over the API or on
 * the review pages.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const base = `/v1/hospitals/${H}/assessment`;

describe.each(backends)('an assessor speaks for its offices and sees no money (%s)', (backend) => {
  const svc = useTestService(backend);
  let ma: Request;
  let maToken: string;
  let runId: string;

  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = await svc.request('POST', '/v1/api-keys', { role: 'assessor', hospital: H, departments: ['MA'], name: '医务科' });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    expect(key.body).toMatchObject({ role: 'assessor', departments: ['MA'], name: '医务科' });
    maToken = key.body.token;
    ma = httpClient(svc.baseUrl, maToken);
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    runId = (await svc.waitForRun(trigger.body.id)).id;
  });

  it('an assessor key names the offices it speaks for: none, or an unknown one, is a 400', async () => {
    const none = await svc.request('POST', '/v1/api-keys', { role: 'assessor', hospital: H, name: '无科室' });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'missing_field', path: 'departments' });
    const unknown = await svc.request('POST', '/v1/api-keys', { role: 'assessor', hospital: H, departments: ['NOPE'], name: '未知科室' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_reference', path: 'departments' });
  });

  it("writes the values of MA's leaves; a FIN leaf is a 403 naming the field, and a bulk write with one writes nothing", async () => {
    const own = await ma('PUT', `${base}/values/F21/IM/2026-04`, { value: '31.00' });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body).toEqual({ written: 1, unchanged: 0 });
    const fin = await ma('PUT', `${base}/values/F12/IM/2026-04`, { value: '20.00' });
    expect(fin.status).toBe(403);
    expect(fin.body.error).toMatchObject({ code: 'forbidden', path: 'indicator' });
    expect(fin.body.error.message).toContain('FIN');
    const bulk = await ma('PUT', `${base}/values`, {
      values: [
        { indicator: 'F21', department: 'SUR', period: '2026-04', value: '29.00' },
        { indicator: 'F12', department: 'SUR', period: '2026-04', value: '20.00' },
      ],
    });
    expect(bulk.status).toBe(403);
    expect(bulk.body.error).toMatchObject({ code: 'forbidden', path: 'values[1].indicator' });
    const stored = await svc.request('GET', `${base}/values?period=2026-04&department=SUR`);
    expect(stored.body.values.find((v: { indicator: string }) => v.indicator === 'F21')?.value).not.toBe('29.00');
  });

  it("books, corrects and withdraws defects with MA as owner; FIN's are refused (403) and stay as they are", async () => {
    const booked = await ma('POST', `${base}/department-defects`, { id: 'DMA1', month: '2026-04', owner: 'MA', department: 'IM', category: 'medical', points: '1' });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.by).toContain('医务科');
    const corrected = await ma('POST', `${base}/department-defects/DMA1/correct`, { month: '2026-04', owner: 'MA', department: 'IM', category: 'medical', points: '2', reason: '复核' });
    expect(corrected.status).toBe(200);
    const handedOver = await ma('POST', `${base}/department-defects/DMA1/correct`, { month: '2026-04', owner: 'FIN', department: 'IM', category: 'medical', points: '2', reason: '转财务科' });
    expect(handedOver.status).toBe(403);
    expect(handedOver.body.error).toMatchObject({ code: 'forbidden', path: 'owner' });
    const personal = await ma('POST', `${base}/personal-defects`, { id: 'PMA1', month: '2026-04', owner: 'MA', staffId: 'S11', category: 'error', points: '1' });
    expect(personal.status, JSON.stringify(personal.body)).toBe(201);
    expect((await ma('POST', `${base}/personal-defects/PMA1/withdraw`, { reason: '误登' })).status).toBe(200);

    const foreign = await ma('POST', `${base}/department-defects`, { id: 'DFIN1', month: '2026-04', owner: 'FIN', department: 'IM', category: 'medical', points: '1' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: 'forbidden', path: 'owner' });
    expect((await svc.request('GET', `${base}/department-defects/DFIN1`)).status).toBe(404);
    const fin = await svc.request('POST', `${base}/department-defects`, { id: 'DFIN2', month: '2026-04', owner: 'FIN', department: 'IM', category: 'medical', points: '1' });
    expect(fin.status, JSON.stringify(fin.body)).toBe(201);
    expect((await ma('POST', `${base}/department-defects/DFIN2/correct`, { month: '2026-04', owner: 'MA', department: 'IM', category: 'medical', points: '9', reason: '改' })).status).toBe(403);
    expect((await ma('POST', `${base}/department-defects/DFIN2/withdraw`, { reason: '撤' })).status).toBe(403);
    const history = await svc.request('GET', `${base}/department-defects/DFIN2`);
    expect(history.body.versions).toHaveLength(1);
  });

  it("reads the scorecards and its own office's values and defects only", async () => {
    expect((await ma('GET', `${base}/scorecards`)).status).toBe(200);
    const values = await ma('GET', `${base}/values?period=2026Q1`);
    expect(values.status).toBe(200);
    const indicators = new Set(values.body.values.map((v: { indicator: string }) => v.indicator));
    expect(indicators.has('F21')).toBe(true);
    for (const finLeaf of ['F11', 'F12']) expect(indicators.has(finLeaf)).toBe(false);
    const all = await svc.request('GET', `${base}/values?period=2026Q1`);
    expect(all.body.values.length).toBeGreaterThan(values.body.values.length);

    const defects = await ma('GET', `${base}/department-defects`);
    expect(defects.status).toBe(200);
    expect(new Set(defects.body.defects.map((d: { record: { owner: string } }) => d.record.owner))).toEqual(new Set(['MA']));
    expect((await svc.request('GET', `${base}/department-defects`)).body.defects.some((d: { id: string }) => d.id === 'DFIN2')).toBe(true);
    expect((await ma('GET', `${base}/department-defects/DFIN2`)).status).toBe(404);
    expect((await ma('GET', `${base}/department-defects/DMA1`)).status).toBe(200);
    // the registers it books against
    expect((await ma('GET', `/v1/hospitals/${H}/departments`)).status).toBe(200);
    expect((await ma('GET', `/v1/hospitals/${H}/staff`)).status).toBe(200);
  });

  it('sees no money: every run, line, statement, export, diff, lineage and the audit log are 403', async () => {
    const money = [
      `/v1/hospitals/${H}/settlements`,
      `/v1/settlements/${runId}`,
      `/v1/settlements/${runId}/lines`,
      `/v1/settlements/${runId}/departments/IM`,
      `/v1/settlements/${runId}/individuals/S11`,
      `/v1/settlements/${runId}/individuals/S11/statement`,
      `/v1/settlements/${runId}/departments/IM/statement`,
      `/v1/settlements/${runId}/export`,
      `/v1/settlements/${runId}/diff/${runId}`,
      `/v1/settlements/${runId}/assessment/departments/IM`,
      `/v1/settlements/${runId}/assessment/staff/S11`,
      `/v1/hospitals/${H}/periods/2026Q1`,
      `/v1/hospitals/${H}/audit`,
    ];
    for (const path of money) {
      const res = await ma('GET', path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('forbidden');
    }
    expect((await ma('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' })).status).toBe(403);
  });

  it('the review pages refuse it too', async () => {
    const cookies = new Map<string, string>();
    const go = async (method: string, path: string, form?: Record<string, string>) => {
      const res = await fetch(`${svc.baseUrl}${path}`, {
        method,
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      for (const c of res.headers.getSetCookie()) {
        const [k, ...v] = c.split(';')[0]!.split('=');
        cookies.set(k!.trim(), v.join('='));
      }
      return { status: res.status, text: await res.text() };
    };
    const form = await go('GET', '/ui');
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)![1]!;
    expect((await go('POST', '/ui/sign-in', { key: maToken, csrf })).status).toBe(303);
    const runs = await go('GET', '/ui/runs');
    expect(runs.status).toBe(403);
    expect(runs.text).not.toContain('2026Q1');
    const run = await go('GET', `/ui/runs/${runId}`);
    expect(run.status).toBe(403);
    expect((await go('GET', `/ui/runs/${runId}/export.xlsx`)).status).toBe(403);
  });
});
