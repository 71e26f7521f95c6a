import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/index.js';
import { compareResult } from '../fixtures/compare.js';
import { backends, httpClient, useTestService, type Request } from './harness.js';

/**
 * Appeals (申诉, issue #17) over HTTP on the assessment example: IM's head appeals DD01 (医务科's
 * 3-point medical defect against IM) and PD01 (a defect of S11, one of IM's people); while they
 * are open, the quarter's run warns of them and approving it needs an audited overrideReason; the
 * admin overturns DD01 (a new version that no longer counts) and upholds PD01; the run after the
 * decision differs from the run before by exactly DD01: it is the example settled without it.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/assessment-example.result.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const base = `/v1/hospitals/${H}/assessment`;
const Q1 = (doc: { results: { period: string }[] }) => doc.results.find((r) => r.period === '2026Q1')!;

describe.each(backends)('appeals of assessment defects (%s)', (backend) => {
  const svc = useTestService(backend);
  let imHead: Request;
  let surHead: Request;
  const appeals: Record<string, string> = {};
  let before: any;
  let during: any;
  let after: any;

  async function settle(): Promise<any> {
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1', force: true });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    return run;
  }

  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (departments: string[], name: string) => {
      const res = await svc.request('POST', '/v1/api-keys', { role: 'dept_head', hospital: H, departments, name });
      expect(res.status).toBe(201);
      return httpClient(svc.baseUrl, res.body.token);
    };
    imHead = await key(['IM'], '内科主任');
    surHead = await key(['SUR'], '外科主任');
    before = await settle();
    expect(compareResult(Q1(expected), before.result)).toEqual([]);
  });

  it("a department head reads their department's register of the quarter (values, defects against it and its people), not another's", async () => {
    const register = await imHead('GET', `${base}/departments/IM?quarter=2026Q1`);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body.departmentDefects.map((d: { id: string }) => d.id)).toEqual(['DD01', 'DD02', 'DD03', 'DD04']);
    expect(register.body.personalDefects.map((d: { id: string }) => d.id)).toContain('PD01');
    for (const d of register.body.personalDefects) expect(['S10', 'S11', 'S12', 'S13', 'S14', 'S15']).toContain(d.record.staffId);
    expect(new Set(register.body.values.map((v: { department: string }) => v.department))).toEqual(new Set(['IM']));
    expect(register.body.appeals).toEqual([]);
    expect((await imHead('GET', `${base}/departments/SUR?quarter=2026Q1`)).status).toBe(403);
  });

  it('a department head appeals a defect against their department or people, with a reason; another department’s is a 404', async () => {
    const dd01 = await imHead('POST', `${base}/department-defects/DD01/appeals`, { reason: '病历已按时补全，缺陷不成立' });
    expect(dd01.status, JSON.stringify(dd01.body)).toBe(201);
    expect(dd01.body).toMatchObject({
      kind: 'department',
      defectId: 'DD01',
      defectVersion: 1,
      month: '2026-01',
      department: 'IM',
      status: 'open',
      decision: null,
      defect: { id: 'DD01', points: '3' },
    });
    expect(dd01.body.appellant).toContain('内科主任');
    appeals.DD01 = dd01.body.id;
    const pd01 = await imHead('POST', `${base}/personal-defects/PD01/appeals`, { reason: '处方经药师复核无误' });
    expect(pd01.status, JSON.stringify(pd01.body)).toBe(201);
    expect(pd01.body).toMatchObject({ kind: 'personal', defectId: 'PD01', department: 'IM', status: 'open' });
    appeals.PD01 = pd01.body.id;

    // SUR's head knows nothing of IM's defects, IM's head nothing of SUR's (DD05)
    expect((await surHead('POST', `${base}/department-defects/DD01/appeals`, { reason: '不是本科室' })).status).toBe(404);
    expect((await imHead('POST', `${base}/department-defects/DD05/appeals`, { reason: '不是本科室' })).status).toBe(404);
    expect((await surHead('GET', `${base}/appeals/${appeals.DD01}`)).status).toBe(404);
    expect((await surHead('GET', `${base}/appeals`)).body.appeals).toEqual([]);
    // one open appeal a defect; a department head does not decide
    const again = await imHead('POST', `${base}/department-defects/DD01/appeals`, { reason: '再次申诉' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('appeal_open');
    expect((await imHead('POST', `${base}/appeals/${appeals.DD01}/decision`, { decision: 'overturned', reason: '自己裁决' })).status).toBe(403);
    // the admin's queue
    const queue = await svc.request('GET', `${base}/appeals?status=open`);
    expect(queue.body.appeals.map((a: { defectId: string }) => a.defectId)).toEqual(['DD01', 'PD01']);
  });

  it('while appeals are open the run warns of them and approving it needs an overrideReason (409 open_appeals)', async () => {
    during = await settle();
    const warnings = during.result.warnings as string[];
    expect(warnings.filter((w) => w.includes('undecided'))).toHaveLength(2);
    expect(warnings.some((w) => w.includes('DD01') && w.includes(appeals.DD01!))).toBe(true);
    // nothing else about the run changed: the appeals are not decided yet
    expect(compareResult({ ...Q1(expected), warnings }, during.result)).toEqual([]);
    const refused = await svc.request('POST', `/v1/settlements/${during.id}/approve`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('open_appeals');
    expect(refused.body.error.message).toContain('DD01');
    expect((await svc.request('GET', `/v1/settlements/${during.id}`)).body.status).toBe('succeeded');
  });

  it('the admin overturns DD01 (a new version that no longer counts) and upholds PD01, each with a reason, audited', async () => {
    const overturned = await svc.request('POST', `${base}/appeals/${appeals.DD01}/decision`, { decision: 'overturned', reason: '经核查病历按时完成' });
    expect(overturned.status, JSON.stringify(overturned.body)).toBe(200);
    expect(overturned.body).toMatchObject({ status: 'overturned', decision: { reason: '经核查病历按时完成' } });
    const upheld = await svc.request('POST', `${base}/appeals/${appeals.PD01}/decision`, { decision: 'upheld', reason: '处方差错属实' });
    expect(upheld.status).toBe(200);
    expect(upheld.body.status).toBe('upheld');
    const twice = await svc.request('POST', `${base}/appeals/${appeals.PD01}/decision`, { decision: 'overturned', reason: '改判' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_decided');

    const dd01 = await svc.request('GET', `${base}/department-defects/DD01`);
    expect(dd01.body.versions.map((v: { status: string }) => v.status)).toEqual(['booked', 'overturned']);
    expect(dd01.body.versions[1].reason).toContain(appeals.DD01);
    expect((await svc.request('GET', `${base}/personal-defects/PD01`)).body.versions).toHaveLength(1);
    // an overturned defect is not corrected, withdrawn or appealed again
    expect((await svc.request('POST', `${base}/department-defects/DD01/withdraw`, { reason: '撤回' })).body.error.code).toBe('overturned');
    expect((await imHead('POST', `${base}/department-defects/DD01/appeals`, { reason: '再次' })).body.error.code).toBe('not_counting');
    // IM's head reads their appeals and the decisions
    const mine = await imHead('GET', `${base}/appeals`);
    expect(mine.body.appeals.map((a: { status: string }) => a.status)).toEqual(['overturned', 'upheld']);
    const register = await imHead('GET', `${base}/departments/IM?quarter=2026Q1`);
    expect(register.body.departmentDefects.find((d: { id: string }) => d.id === 'DD01')).toMatchObject({ status: 'overturned', version: 2 });
    expect(register.body.appeals.map((a: { defectId: string; status: string }) => `${a.defectId} ${a.status}`)).toEqual(['DD01 overturned', 'PD01 upheld']);

    const audit = await svc.request('GET', `/v1/hospitals/${H}/audit?action=appeal.decide`);
    expect(audit.body.events.map((e: { entityKey: string }) => e.entityKey)).toEqual([appeals.DD01, appeals.PD01]);
    const overturn = await svc.request('GET', `/v1/hospitals/${H}/audit?action=defect.overturn`);
    expect(overturn.body.events).toHaveLength(1);
    expect(overturn.body.events[0]).toMatchObject({ entityType: 'department_defect', entityKey: 'DD01', after: { version: 2, status: 'overturned' } });
  });

  it('an import does not make the overturned DD01 count again: the same document changes nothing, a changed DD01 is refused (409 overturned)', async () => {
    const same = await svc.request('POST', '/v1/imports', scenario);
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.assessment.defects.written).toBe(0);
    const changed = structuredClone(scenario);
    const dd01 = changed.assessment.departmentDefects.find((d: { id: string }) => d.id === 'DD01');
    dd01.note = `${dd01.note ?? ''}（重新导入）`;
    const refused = await svc.request('POST', '/v1/imports', changed);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('overturned');
    const dd01Now = await svc.request('GET', `${base}/department-defects/DD01`);
    expect(dd01Now.body.versions.map((v: { status: string }) => v.status)).toEqual(['booked', 'overturned']);
  });

  it('the run after the decision differs from the run before by exactly DD01: it is the example settled without DD01', async () => {
    after = await settle();
    expect(after.result.warnings.some((w: string) => w.includes('undecided'))).toBe(false);
    const withoutDD01 = structuredClone(scenario);
    withoutDD01.assessment.departmentDefects = withoutDD01.assessment.departmentDefects.filter((d: { id: string }) => d.id !== 'DD01');
    expect(compareResult(Q1(simulate(withoutDD01) as any), after.result)).toEqual([]);

    // the assessment: IM's medical deduction is 3 points (DD01's) less, nothing else moved
    const imBefore = before.result.assessment.departments.find((d: { code: string }) => d.code === 'IM');
    const imAfter = after.result.assessment.departments.find((d: { code: string }) => d.code === 'IM');
    expect(Number(imBefore.deductions.medical) - Number(imAfter.deductions.medical)).toBe(3);
    expect({ ...imAfter, deductions: { ...imAfter.deductions, medical: imBefore.deductions.medical } }).toEqual(imBefore);
    expect(after.result.assessment.departments.filter((d: { code: string }) => d.code !== 'IM')).toEqual(before.result.assessment.departments.filter((d: { code: string }) => d.code !== 'IM'));
    expect(after.result.assessment.individuals).toEqual(before.result.assessment.individuals);

    // the money: IM's quality score is 3 points higher, and the comparison shows its amounts move
    const diff = await svc.request('GET', `/v1/settlements/${before.id}/diff/${after.id}`);
    expect(diff.status).toBe(200);
    const im = diff.body.amounts.departments.find((d: { code: string }) => d.code === 'IM');
    const field = (name: string) => im.fields.find((f: { field: string }) => f.field === name);
    expect(Number(field('qualityScore').to) - Number(field('qualityScore').from)).toBe(3);
    expect(Number(field('final').to)).toBeGreaterThan(Number(field('final').from));
    expect(diff.body.amounts.summary.find((c: { field: string }) => c.field === 'pool')).toBeUndefined();
  });

  it('a later appeal holds up approval until an audited overrideReason; once approved the quarter takes no appeals or overturns', async () => {
    const pd02 = await imHead('POST', `${base}/personal-defects/PD02/appeals`, { reason: '脱岗系外出会诊' });
    expect(pd02.status).toBe(201);
    expect((await svc.request('POST', `/v1/settlements/${after.id}/approve`, {})).body.error.code).toBe('open_appeals');
    const reason = '申诉待考核小组下月复议，先行发放';
    const approved = await svc.request('POST', `/v1/settlements/${after.id}/approve`, { overrideReason: reason });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const audit = await svc.request('GET', `/v1/hospitals/${H}/audit?action=settlement.approve`);
    const event = audit.body.events.find((e: { entityKey: string }) => e.entityKey === after.id);
    expect(event.after).toMatchObject({ status: 'approved', overrideReason: reason, overriddenAppeals: [expect.stringContaining('PD02')] });

    const closed = await imHead('POST', `${base}/department-defects/DD02/appeals`, { reason: '已结算' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('period_closed');
    const overturn = await svc.request('POST', `${base}/appeals/${pd02.body.id}/decision`, { decision: 'overturned', reason: '改判' });
    expect(overturn.status).toBe(409);
    expect(overturn.body.error.code).toBe('period_closed');
    expect((await svc.request('POST', `${base}/appeals/${pd02.body.id}/decision`, { decision: 'upheld', reason: '维持' })).status).toBe(200);
    const verify = await svc.request('GET', `/v1/hospitals/${H}/audit/verify`);
    expect(verify.body.valid).toBe(true);
  });
});
