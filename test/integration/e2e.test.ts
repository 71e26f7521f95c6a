import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResult } from '../fixtures/compare.js';
import { backends, useTestService } from './harness.js';

const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const expectedOf = (period: string) => expected.results.find((r: { period: string }) => r.period === period);

describe.each(backends)('the worked example end to end over HTTP (%s)', (backend) => {
  const svc = useTestService(backend);

  it('imports the scenario, and importing it again changes nothing', async () => {
    const first = await svc.request('POST', '/v1/imports', scenario);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ hospital: 'XH-COUNTY', changed: true, staff: { created: 14 }, periods: { changed: ['2026Q1', '2026Q2'] } });
    const again = await svc.request('POST', '/v1/imports', scenario);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, periods: { changed: [], unchanged: ['2026Q1', '2026Q2'] } });
  });

  for (const period of ['2026Q1', '2026Q2', '2026']) {
    it(`settles ${period} to every amount of the example's result, then approves it`, async () => {
      const trigger = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period });
      expect(trigger.status).toBe(202);
      expect(trigger.body).toMatchObject({ status: 'queued', period, hospital: 'XH-COUNTY' });
      const run = await svc.waitForRun(trigger.body.id);
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('succeeded');
      expect(compareResult(expectedOf(period), run.result)).toEqual([]);
      const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');
      const reread = await svc.request('GET', `/v1/settlements/${run.id}`);
      expect(compareResult(expectedOf(period), reread.body.result)).toEqual([]);
    });
  }

  it('keeps a valid audit chain of everything it did', async () => {
    const verify = await svc.request('GET', '/v1/hospitals/XH-COUNTY/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.valid).toBe(true);
    // hospital + scheme + 6 departments + 14 staff + 2 periods + annual; 3 × (trigger, succeed, approve)
    expect(verify.body.events).toBe(1 + 1 + 6 + 14 + 2 + 1 + 9);
  });
});
