import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { say } from '../../src/shared/i18n.js';
import { useTestService } from './harness.js';

/**
 * The review pages' routes are typed by TypeBox schemas like the API's, but what goes wrong on a
 * page stays a page: a value a page's schema refuses (a field sent twice, a NUL character), a
 * value its use case refuses (a period in the wrong form, a run that is not there) and a refusal
 * of the role are each a page in the person's language with the error's status — never the API's
 * JSON — and a stranger's bad link still meets the sign-in form.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

describe('/ui: a bad value on a page is a page', () => {
  const svc = useTestService('pglite');
  let adminKey: string;
  let headKey: string;
  let runId: string;
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    adminKey = (await svc.request('POST', '/v1/api-keys', { role: 'admin', hospital: 'XH-COUNTY', name: '院办管理员' })).body.token;
    headKey = (await svc.request('POST', '/v1/api-keys', { role: 'dept_head', hospital: 'XH-COUNTY', name: '内科主任', departments: ['IM'] })).body.token;
    const run = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1' });
    runId = run.body.id;
    await svc.waitForRun(runId);
  });

  /** A browser with its cookies; `body` is a form, sent as is (a field may be repeated). */
  function browser() {
    const cookies = new Map<string, string>();
    return async (method: string, path: string, body?: string) => {
      const res = await fetch(`${svc.baseUrl}${path}`, {
        method,
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
      });
      for (const c of res.headers.getSetCookie()) {
        const [k, ...v] = c.split(';')[0]!.split('=');
        cookies.set(k!.trim(), v.join('='));
      }
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), location: res.headers.get('location') };
    };
  }
  const token = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

  async function signedIn(key: string) {
    const go = browser();
    const form = await go('GET', '/ui');
    expect((await go('POST', '/ui/sign-in', new URLSearchParams({ key, csrf: token(form.text) }).toString())).status).toBe(303);
    const runs = await go('GET', '/ui/runs');
    return { go, csrf: token(runs.text) };
  }

  /** An error page of the pages: HTML, the error in its place, the navigation, the way back. */
  function expectErrorPage(res: { status: number; type: string; text: string }, status: number) {
    expect(res.status, res.text).toBe(status);
    expect(res.type).toContain('text/html');
    expect(res.text).toContain('id="error"');
    expect(res.text).toContain('id="nav-runs"');
    expect(res.text).not.toContain('{"error"');
  }

  it('a value the schema refuses is an error page in the page’s language, not JSON; to a stranger it is the sign-in form', async () => {
    const { go } = await signedIn(adminKey);
    const twice = await go('GET', '/ui/runs?hospital=XH-COUNTY&hospital=OTHER');
    expectErrorPage(twice, 400);
    expect(twice.text).toContain(say('zh', 'page.error'));
    const english = await go('GET', `/ui/runs/${runId}?done=a&done=b&lang=en`);
    expectErrorPage(english, 400);
    expect(english.text).toContain(say('en', 'page.error'));
    expectErrorPage(await go('GET', '/ui/runs/%00'), 400);
    expectErrorPage(await go('GET', `/ui/audit?actor=%00`), 400);

    const stranger = browser();
    const signIn = await stranger('GET', '/ui/runs?hospital=XH-COUNTY&hospital=OTHER');
    expect(signIn.status).toBe(200);
    expect(signIn.text).toContain('id="sign-in"');
  });

  it('a value the use case refuses, and a run that is not there, are pages with the API’s status and words in Chinese', async () => {
    const { go, csrf } = await signedIn(adminKey);
    const period = await go('POST', '/ui/runs', new URLSearchParams({ csrf, hospital: 'XH-COUNTY', period: 'x' }).toString());
    expectErrorPage(period, 400);
    expect(period.text).toContain('2026Q1');
    expect(period.text).not.toContain('Expected string');
    const repeated = await go('POST', '/ui/runs', `csrf=${csrf}&period=2026Q1&period=2026Q2`);
    expectErrorPage(repeated, 400);
    const missing = await go('GET', '/ui/runs/not-a-run');
    expectErrorPage(missing, 404);
    expect(missing.text).toContain('未找到核算批次 not-a-run');
    // a `?done=` the page does not know is not shown (and is not an error)
    const unknown = await go('GET', `/ui/runs/${runId}?done=toString`);
    expect(unknown.status).toBe(200);
    expect(unknown.text).not.toContain('id="done"');
  });

  it('a refusal is worded by the page; a form without its token is the expired-form page, whatever else it holds', async () => {
    const { go, csrf } = await signedIn(headKey);
    const refused = await go('POST', '/ui/runs', new URLSearchParams({ csrf, hospital: 'XH-COUNTY', period: '2026Q1' }).toString());
    expectErrorPage(refused, 403);
    expect(refused.text).toContain(say('zh', 'page.forbidden.settle'));
    const noToken = await go('POST', `/ui/runs/${runId}/departments/IM/review`, 'status=acknowledged&status=disputed');
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain(say('zh', 'page.formExpired'));
    const stranger = await browser()('POST', `/ui/runs/${runId}/approve`, 'csrf=x&csrf=y');
    expect(stranger.status).toBe(303);
    expect(stranger.location).toBe('/ui');
  });

  it('the sign-in form: its token checked first, then a key that is not one text is not a key', async () => {
    const go = browser();
    const csrf = token((await go('GET', '/ui')).text);
    const forged = await go('POST', '/ui/sign-in', `csrf=${csrf}&csrf=${csrf}&key=${headKey}`);
    expect(forged.status).toBe(403);
    expect(forged.text).toContain(say('zh', 'page.signIn.expired'));
    const fresh = token(forged.text);
    const twice = await go('POST', '/ui/sign-in', `csrf=${fresh}&key=${headKey}&key=${headKey}`);
    expect(twice.status).toBe(401);
    expect(twice.text).toContain(say('zh', 'page.signIn.invalid'));
  });
});
