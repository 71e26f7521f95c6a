import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cookieBrowser, hidden, visibleText } from '../fixtures/pages.js';
import { englishLabels } from '../../src/shared/messages/index.js';
import { backends, useTestService } from './harness.js';

/**
 * The assessment's pages over HTTP (issue #17) on the assessment example, as a browser holds
 * them: IM's head reads IM's page of 2026Q1 in Chinese (values, the defects against IM and its
 * people), not SUR's, and appeals DD01 from it; the admin finds the appeal in the queue and
 * overturns it with a reason; IM's page then shows DD01 overturned, with no appeal form.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;

describe.each(backends)('the assessment pages: a department head appeals, the admin decides (%s)', (backend) => {
  const svc = useTestService(backend);
  let headKey: string;
  let adminKey: string;
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (body: Record<string, unknown>) => {
      const res = await svc.request('POST', '/v1/api-keys', { hospital: H, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.token as string;
    };
    headKey = await key({ role: 'dept_head', departments: ['IM'], name: '内科主任' });
    adminKey = await key({ role: 'admin', name: '院办管理员' });
  });

  const browser = () => cookieBrowser(svc.baseUrl);

  async function signedIn(key: string) {
    const go = browser();
    const form = await go('GET', '/ui');
    const signed = await go('POST', '/ui/sign-in', { key, csrf: hidden(form.text, 'csrf')! });
    expect(signed.status, signed.text).toBe(303);
    return go;
  }

  const row = (page: string, defect: string) => new RegExp(`<tr data-defect="${defect}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
  /** No English label of the catalogue on a Chinese page, each as a whole word or phrase. */
  function noEnglish(page: string) {
    const text = visibleText(page);
    for (const label of englishLabels()) expect(text, `"${label}" on a Chinese page`).not.toMatch(new RegExp(`(^|[^A-Za-z])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`));
  }

  it('the head reads their department’s page in Chinese, not another’s, and appeals a defect; the admin overturns it from the queue', async () => {
    const head = await signedIn(headKey);
    const runs = await head('GET', '/ui/runs');
    expect(runs.text).toContain('href="/ui/assessment/IM"');
    const page = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('2026年第一季度考核');
    expect(page.text).toContain('data-indicator="F11"');
    for (const id of ['DD01', 'DD02', 'DD03', 'DD04', 'PD01']) expect(row(page.text, id), id).toContain('class="inline appeal-form"');
    expect(row(page.text, 'DD01')).toContain('病历书写缺陷');
    expect(row(page.text, 'DD01')).toContain('已登记');
    noEnglish(page.text);
    // another department's page is not found
    const other = await head('GET', '/ui/assessment/SUR?quarter=2026Q1');
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('DD05');
    // a form without the page's token is refused; with it, the appeal is filed and confirmed
    const csrf = hidden(page.text, 'csrf')!;
    const appeal = { kind: 'department', defectId: 'DD01', quarter: '2026Q1', reason: '病历已按时补全，缺陷不成立' };
    expect((await head('POST', '/ui/assessment/IM/appeals', { ...appeal, csrf: 'x'.repeat(32) })).status).toBe(403);
    const filed = await head('POST', '/ui/assessment/IM/appeals', { ...appeal, csrf });
    expect(filed.status, filed.text).toBe(303);
    const after = await head('GET', filed.location);
    expect(after.text).toContain('已对扣分 DD01 提出申诉');
    expect(row(after.text, 'DD01')).toContain('申诉处理中');
    expect(row(after.text, 'DD01')).not.toContain('appeal-form');
    noEnglish(after.text);
    const api = await svc.request('GET', `/v1/hospitals/${H}/assessment/appeals?status=open`);
    expect(api.body.appeals.map((a: { defectId: string }) => a.defectId)).toEqual(['DD01']);
    // an empty reason is a page's error, nothing filed
    const empty = await head('POST', '/ui/assessment/IM/appeals', { kind: 'personal', defectId: 'PD01', quarter: '2026Q1', reason: ' ', csrf });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="error"');
    // a department head has no queue
    expect((await head('GET', '/ui/appeals')).status).toBe(403);

    const admin = await signedIn(adminKey);
    const queue = await admin('GET', '/ui/appeals');
    expect(queue.status, queue.text).toBe(200);
    expect(queue.text).toContain('id="nav-appeals"');
    const item = /<tr data-appeal="([^"]+)" data-defect="DD01"[\s\S]*?<\/tr>/.exec(queue.text);
    expect(item, queue.text).not.toBeNull();
    expect(item![0]).toContain('病历已按时补全，缺陷不成立');
    expect(item![0]).toContain('内科主任');
    expect(item![0]).toContain('>IM<');
    noEnglish(queue.text);
    const decided = await admin('POST', `/ui/appeals/${item![1]}/decision`, { decision: 'overturned', reason: '经核查病历按时完成', csrf: hidden(queue.text, 'csrf')! });
    expect(decided.status, decided.text).toBe(303);
    const done = await admin('GET', decided.location);
    expect(done.text).toContain('已撤销扣分 DD01');
    expect(done.text).toContain('id="appeals-none"');
    noEnglish(done.text);

    // the admin sees IM's page too (without appeal forms); the head sees DD01 overturned
    const adminView = await admin('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(adminView.status).toBe(200);
    expect(adminView.text).not.toContain('appeal-form');
    const final = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(row(final.text, 'DD01')).toContain('data-status="overturned"');
    expect(row(final.text, 'DD01')).toContain('申诉撤销');
    expect(row(final.text, 'DD01')).not.toContain('appeal-form');
    expect(row(final.text, 'DD02')).toContain('appeal-form');
    noEnglish(final.text);
    // the same page in English when asked
    const en = await head('GET', '/ui/assessment/IM?quarter=2026Q1&lang=en');
    expect(en.text).toContain('<h1 data-department="IM">Assessment of 内科, 2026 Q1</h1>');
    expect(row(en.text, 'DD01')).toContain('overturned on appeal');
  });
});
