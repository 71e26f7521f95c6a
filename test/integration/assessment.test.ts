import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResult } from '../fixtures/compare.js';
import { backends, useTestService } from './harness.js';

/**
 * The assessment example (assessment.md, its worked example) over REST: imported with its
 * `assessment` key, every quarter and the year-end settled and approved, each run's result equal
 * to the example's, with its `assessment` block.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/assessment-example.result.json', import.meta.url), 'utf8'));
const expectedOf = (period: string) => expected.results.find((r: { period: string }) => r.period === period);
const H = scenario.hospital.code as string;

describe.each(backends)('the assessment example end to end over HTTP (%s)', (backend) => {
  const svc = useTestService(backend);

  it('imports the scenario with its assessment, and importing it again changes nothing', async () => {
    const first = await svc.request('POST', '/v1/imports', scenario);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      hospital: H,
      changed: true,
      assessment: {
        scorecards: 'created',
        values: { written: scenario.assessment.values.length, unchanged: 0 },
        defects: { written: scenario.assessment.departmentDefects.length + scenario.assessment.personalDefects.length, unchanged: 0 },
      },
    });
    const again = await svc.request('POST', '/v1/imports', scenario);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, assessment: { scorecards: 'unchanged', values: { written: 0 }, defects: { written: 0 } } });
  });

  it('refuses a document whose assessment breaks a rule, naming the field, and stores none of it', async () => {
    const broken = structuredClone(scenario);
    broken.assessment.personalDefects[0].veto = true;
    broken.assessment.values[0].value = '99';
    const res = await svc.request('POST', '/v1/imports', broken);
    expect(res.status).toBe(400);
    expect(res.body.error.path).toMatch(/^assessment\.personalDefects\[0\]\.veto$/);
    const values = await svc.request('GET', `/v1/hospitals/${H}/assessment/values?period=2026Q1&department=IM`);
    expect(
      values.body.values.find((v: { indicator: string; period: string }) => v.indicator === scenario.assessment.values[0].indicator && v.period === scenario.assessment.values[0].period).value,
    ).toBe(scenario.assessment.values[0].value);
  });

  for (const period of ['2026Q1', '2026Q2', '2026']) {
    it(`settles ${period} to the example's result, its assessment block included, then approves it`, async () => {
      const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period });
      expect(trigger.status).toBe(202);
      const run = await svc.waitForRun(trigger.body.id);
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('succeeded');
      expect(run.result.assessment).toBeDefined();
      expect(compareResult(expectedOf(period), run.result)).toEqual([]);
      expect(run.result.assessment).toEqual(expectedOf(period).assessment);
      const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`);
      expect(approved.status).toBe(200);
      const reread = await svc.request('GET', `/v1/settlements/${run.id}`);
      expect(compareResult(expectedOf(period), reread.body.result)).toEqual([]);
    });
  }

  it('a closed quarter refuses an import that changes its assessment (409), and nothing is written', async () => {
    const changed = structuredClone(scenario);
    changed.assessment.departmentDefects[0].points = '4';
    const res = await svc.request('POST', '/v1/imports', changed);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('period_closed');
  });

  it('keeps a valid audit chain', async () => {
    const verify = await svc.request('GET', `/v1/hospitals/${H}/audit/verify`);
    expect(verify.status).toBe(200);
    expect(verify.body.valid).toBe(true);
  });
});
