import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useTestService } from './harness.js';

/** Many people's individual inputs in one request: all or nothing, every invalid row named. */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const CODE = 'XH-COUNTY';
const PATH = `/v1/hospitals/${CODE}/periods/2026Q1/individuals`;

describe.each(backends)('PUT …/periods/{period}/individuals in bulk (%s)', (backend) => {
  const svc = useTestService(backend);
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
  });
  const period = async () => (await svc.request('GET', `/v1/hospitals/${CODE}/periods/2026Q1`)).body;
  const events = async () => (await svc.request('GET', `/v1/hospitals/${CODE}/audit/verify`)).body.events as number;

  it('writes the records that changed, leaves the others, and audits the batch once', async () => {
    const before = await events();
    const stored = (await period()).individuals as { staffId: string }[];
    const records = [...stored.filter((r) => r.staffId !== 'S11'), { staffId: 'S11', workloadScore: '38', errors: 0 }, { staffId: 'S31', workloadScore: '39.5', overtimeDays: 2 }];
    const res = await svc.request('PUT', PATH, { records });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ records: records.length, written: 2, unchanged: records.length - 2 });
    const after = (await period()).individuals as { staffId: string }[];
    expect(after.find((r) => r.staffId === 'S11')).toEqual({ staffId: 'S11', workloadScore: '38', errors: 0 });
    expect(after.find((r) => r.staffId === 'S31')).toEqual({ staffId: 'S31', workloadScore: '39.5', overtimeDays: 2 });
    expect(await events()).toBe(before + 1);
    const again = await svc.request('PUT', PATH, { records });
    expect(again.body).toEqual({ records: records.length, written: 0, unchanged: records.length });
    expect(await events()).toBe(before + 1);
  });

  it('a 400 names every invalid row, and nothing of the batch is written', async () => {
    const before = JSON.stringify(await period());
    const res = await svc.request('PUT', PATH, {
      records: [
        { staffId: 'S10', workloadScore: '30' },
        { staffId: 'S11', workloadScore: '41' },
        { staffId: 'NOBODY', workloadScore: '30' },
        { staffId: 'S12', absentDays: 70 },
        { staffId: 'S10', workloadScore: '31' },
        { staffId: 'S13', department: 'NOWHERE' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.path).toBe('records[1].workloadScore');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'records[1].workloadScore',
      'records[2].staffId',
      'records[3].absentDays',
      'records[4].staffId',
      'records[5].department',
    ]);
    expect(res.body.error.details.map((d: { code: string }) => d.code)).toEqual(['invalid_value', 'unknown_reference', 'invalid_value', 'duplicate', 'unknown_reference']);
    expect(JSON.stringify(await period())).toBe(before);
  });

  it('a department head may send only their own people, and a closed period refuses the batch', async () => {
    const key = await svc.request('POST', '/v1/api-keys', { role: 'dept_head', hospital: CODE, departments: ['IM'], name: '内科主任' });
    const head = { authorization: `Bearer ${key.body.token}` };
    expect((await svc.request('PUT', PATH, { records: [{ staffId: 'S11', workloadScore: '37' }] }, head)).status).toBe(200);
    // another department's person is answered exactly as an unknown id: neither they nor their department leak
    const outside = await svc.request(
      'PUT',
      PATH,
      {
        records: [
          { staffId: 'S11', workloadScore: '36' },
          { staffId: 'S21', workloadScore: '36' },
        ],
      },
      head,
    );
    const unknown = await svc.request(
      'PUT',
      PATH,
      {
        records: [
          { staffId: 'S11', workloadScore: '36' },
          { staffId: 'NO-SUCH', workloadScore: '36' },
        ],
      },
      head,
    );
    expect(outside.status).toBe(400);
    expect(outside.body.error.path).toBe('records[1].staffId');
    expect(outside.body.error.code).toBe(unknown.body.error.code);
    expect(outside.body.error.message).toBe(unknown.body.error.message.replaceAll('NO-SUCH', 'S21'));
    expect(outside.body.error.message).not.toContain('SUR');
    // a department the head names for their own person is theirs to be refused: 403
    const moved = await svc.request('PUT', PATH, { records: [{ staffId: 'S11', workloadScore: '36', department: 'SUR' }] }, head);
    expect(moved.status).toBe(403);
    expect(moved.body.error.path).toBe('records[0].staffId');

    const run = await svc.waitForRun((await svc.request('POST', `/v1/hospitals/${CODE}/settlements`, { period: '2026Q1' })).body.id);
    expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`)).status).toBe(200);
    const closed = await svc.request('PUT', PATH, { records: [{ staffId: 'S11', workloadScore: '35' }] });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('period_closed');
  });
});
