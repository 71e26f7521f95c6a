import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends, httpClient, useTestService } from './harness.js';

/**
 * The assessment in the NDJSON stream (issue #17): indicator values and department and personal
 * defects as line types of POST …/periods/{quarter}/stream, written with the stream's other lines
 * in one transaction, each error naming its line; an admin's lines only.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const base = `/v1/hospitals/${H}/assessment`;
const ndjson = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
const PD03 = scenario.assessment.personalDefects.find((d: { id: string }) => d.id === 'PD03');
const imQ2 = scenario.periods[1].departments.find((d: { code: string }) => d.code === 'IM');

describe.each(backends)('indicator values and defects in the NDJSON stream (%s)', (backend) => {
  const svc = useTestService(backend);
  const stream = (lines: unknown[], token?: string) =>
    (token ? httpClient(svc.baseUrl, token) : svc.request)('POST', `/v1/hospitals/${H}/periods/2026Q2/stream`, ndjson(lines), { 'content-type': 'application/x-ndjson' });
  const f12 = async () => (await svc.request('GET', `${base}/values?period=2026-04&department=IM`)).body.values.find((v: { indicator: string }) => v.indicator === 'F12')?.value;

  it('imports the example', async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
  });

  it('writes values that differ, books new defects, leaves equal ones; with the stream’s other lines, audited', async () => {
    const res = await stream([
      { type: 'departmentInput', record: imQ2 },
      { type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-04', value: '30.00' } },
      { type: 'indicatorValue', record: { indicator: 'F11', department: 'IM', period: '2026Q2', value: '14.40' } },
      { type: 'departmentDefect', record: { id: 'DS1', month: '2026-05', owner: 'MA', department: 'IM', category: 'nursing', points: '1.5', note: '流式登记' } },
      { type: 'personalDefect', record: PD03 },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      lines: 5,
      departmentInputs: { records: 1, written: 0, unchanged: 1 },
      indicatorValues: { records: 2, written: 1, unchanged: 1 },
      defects: { records: 2, written: 1, unchanged: 1 },
    });
    expect(await f12()).toBe('30.00');
    const ds1 = await svc.request('GET', `${base}/department-defects/DS1`);
    expect(ds1.body.versions).toMatchObject([{ status: 'booked', record: { points: '1.5' } }]);
    const audit = await svc.request('GET', `/v1/hospitals/${H}/audit?action=defect.book`);
    expect(audit.body.events.at(-1)).toMatchObject({ entityKey: 'DS1' });

    // a defect that differs is corrected, with the stream as its reason
    const corrected = await stream([{ type: 'departmentDefect', record: { id: 'DS1', month: '2026-05', owner: 'MA', department: 'IM', category: 'nursing', points: '2' } }]);
    expect(corrected.body.defects).toEqual({ records: 1, written: 1, unchanged: 0 });
    expect((await svc.request('GET', `${base}/department-defects/DS1`)).body.versions.at(-1)).toMatchObject({ status: 'corrected', reason: 'stream' });
  });

  it('refuses the whole stream when a line breaks a rule, naming the line and field; nothing is written', async () => {
    const cases: [unknown[], string][] = [
      [
        [
          { type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-05', value: '31.00' } },
          { type: 'indicatorValue', record: { indicator: 'C2', department: 'IM', period: '2026-05', value: '1' } },
        ],
        'lines[2].record.indicator',
      ],
      [
        [
          { type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-05', value: '31.00' } },
          { type: 'departmentDefect', record: { id: 'DS2', month: '2026-01', owner: 'MA', department: 'IM', category: 'medical', points: '1' } },
        ],
        'lines[2].record.month',
      ],
      [
        [
          { type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-05', value: '31.00' } },
          { type: 'personalDefect', record: { id: 'PS1', month: '2026-05', owner: 'MA', staffId: 'NOBODY', category: 'error', points: '1' } },
        ],
        'lines[2].record.staffId',
      ],
      [[{ type: 'indicatorValue', mode: 'merge', record: { value: '1' } }], 'lines[1].mode'],
      [[{ type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-05' } }], 'lines[1].record.value'],
    ];
    const before = (await svc.request('GET', `${base}/values?period=2026-05&department=IM`)).body.values.find((v: { indicator: string }) => v.indicator === 'F12')?.value;
    for (const [lines, path] of cases) {
      const res = await stream(lines);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.path).toBe(path);
    }
    expect((await svc.request('GET', `${base}/values?period=2026-05&department=IM`)).body.values.find((v: { indicator: string }) => v.indicator === 'F12')?.value).toBe(before);
    expect((await svc.request('GET', `${base}/department-defects/DS2`)).status).toBe(404);
  });

  it('assessment lines are an admin’s: a finance key gets 403 naming the line', async () => {
    const finance = await svc.request('POST', '/v1/api-keys', { role: 'finance', hospital: H, name: '财务' });
    const res = await stream(
      [
        { type: 'departmentInput', record: imQ2 },
        { type: 'indicatorValue', record: { indicator: 'F12', department: 'IM', period: '2026-04', value: '1' } },
      ],
      finance.body.token,
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', path: 'lines[2].type' });
    expect(await f12()).toBe('30.00');
  });
});
