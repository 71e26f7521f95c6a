import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useTestService } from './harness.js';

/**
 * The review pages' session over plain HTTP, as a browser would hold it: sign-in needs the form's
 * own token; the cookie holds a random session id, never the key; signing out ends the session
 * on the server; behind a trusted HTTPS proxy the cookie is Secure; the pages' downloads work
 * with the session; a review posted from the page is checked as the API's.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

interface Browser {
  cookies: Map<string, string>;
  go(method: string, path: string, form?: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers; bytes: Buffer }>;
}

describe.each(backends)('/ui sessions, CSRF and downloads over HTTP (%s)', (backend) => {
  // the service's clock, moved forward by a test (and back) to see a session expire
  let clockOffsetMs = 0;
  const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
  const SESSION_HOURS = 3;
  const svc = useTestService(backend, { PERFPAY_TRUST_PROXY: 'true', PERFPAY_UI_SESSION_HOURS: SESSION_HOURS }, { clock });
  let headKey: string;
  let runId: string;
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    headKey = (await svc.request('POST', '/v1/api-keys', { role: 'dept_head', hospital: 'XH-COUNTY', name: '内科主任', departments: ['IM'] })).body.token;
    const run = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1' });
    runId = run.body.id;
    await svc.waitForRun(runId);
  });

  function browser(extra: Record<string, string> = {}): Browser {
    const cookies = new Map<string, string>();
    return {
      cookies,
      async go(method, path, form, headers = {}) {
        const res = await fetch(`${svc.baseUrl}${path}`, {
          method,
          redirect: 'manual',
          headers: {
            ...extra,
            ...headers,
            cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: form ? new URLSearchParams(form).toString() : undefined,
        });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, ...v] = pair!.split('=');
          if (/Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(c) || v.join('=') === '') cookies.delete(k!.trim());
          else cookies.set(k!.trim(), v.join('='));
        }
        const bytes = Buffer.from(await res.arrayBuffer());
        return { status: res.status, text: bytes.toString('utf8'), headers: res.headers, bytes };
      },
    };
  }
  const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

  async function signIn(b: Browser, key: string) {
    const form = await b.go('GET', '/ui');
    const csrf = hidden(form.text, 'csrf')!;
    expect(csrf).toMatch(/^[0-9a-f]{32}$/);
    const signed = await b.go('POST', '/ui/sign-in', { key, csrf });
    expect(signed.status, signed.text).toBe(303);
    return signed;
  }

  it('sign-in needs the form’s own token; the cookie holds a session id, not the key; sign-out ends the session on the server', async () => {
    const b = browser();
    await b.go('GET', '/ui');
    const forged = await b.go('POST', '/ui/sign-in', { key: headKey, csrf: 'f'.repeat(32) });
    expect(forged.status).toBe(403);
    const noToken = await browser().go('POST', '/ui/sign-in', { key: headKey });
    expect(noToken.status).toBe(403);

    const signed = await signIn(b, headKey);
    const cookie = signed.headers.getSetCookie().find((c) => c.startsWith('perfpay_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
    const session = b.cookies.get('perfpay_session')!;
    expect(session).not.toContain(headKey);
    expect(JSON.stringify([...b.cookies.values()])).not.toContain(headKey.slice(4, 20));
    const stored = (await svc.database.db.execute(sql`select id_hash from ui_sessions`)) as unknown as { rows: { id_hash: string }[] };
    expect(stored.rows.map((r) => r.id_hash)).not.toContain(session);

    const runs = await b.go('GET', '/ui/runs');
    expect(runs.status).toBe(200);
    expect(runs.text).toContain(runId);
    // sign-out needs the page's token, then the old cookie no longer works anywhere
    const stolen = new Map(b.cookies);
    expect((await b.go('POST', '/ui/sign-out', { csrf: 'x'.repeat(32) })).status).toBe(403);
    const csrf = hidden(runs.text, 'csrf')!;
    expect((await b.go('POST', '/ui/sign-out', { csrf })).status).toBe(303);
    const replay = browser();
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    const after = await replay.go('GET', '/ui/runs');
    expect(after.text).toContain('id="sign-in"');
    expect(after.text).not.toContain(runId);
  });

  it('a session ends PERFPAY_UI_SESSION_HOURS after sign-in: the cookie says so, and the server refuses it once the hours have passed', async () => {
    const b = browser();
    const signed = await signIn(b, headKey);
    const cookie = signed.headers.getSetCookie().find((c) => c.startsWith('perfpay_session='))!;
    expect(cookie).toMatch(new RegExp(`Max-Age=${SESSION_HOURS * 3600}(;|$)`, 'i'));
    try {
      clockOffsetMs = SESSION_HOURS * 3_600_000 - 60_000; // a minute before the end: still signed in
      const before = await b.go('GET', '/ui/runs');
      expect(before.status).toBe(200);
      expect(before.text).toContain(runId);
      expect(before.text).not.toContain('id="sign-in"');
      clockOffsetMs = SESSION_HOURS * 3_600_000 + 1_000; // a second after: the same cookie signs in no more
      const after = await b.go('GET', '/ui/runs');
      expect(after.text).toContain('id="sign-in"');
      expect(after.text).not.toContain(runId);
      const download = await b.go('GET', `/ui/runs/${runId}/export.xlsx`);
      expect(download.headers.get('content-type')).not.toContain('spreadsheetml');
      expect(download.text).toContain('id="sign-in"');
      // signing in again starts a new session
      await signIn(b, headKey);
      expect((await b.go('GET', '/ui/runs')).text).toContain(runId);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('behind a trusted HTTPS proxy the session cookie is Secure', async () => {
    const b = browser({ 'x-forwarded-proto': 'https' });
    const signed = await signIn(b, headKey);
    expect(signed.headers.getSetCookie().find((c) => c.startsWith('perfpay_session='))).toMatch(/Secure/i);
  });

  it('the page’s XLSX link downloads under the session; the /v1 export still needs a Bearer token', async () => {
    const b = browser();
    await signIn(b, headKey);
    const page = await b.go('GET', `/ui/runs/${runId}`);
    const link = /id="download-xlsx" href="([^"]+)"/.exec(page.text)?.[1];
    expect(link).toBe(`/ui/runs/${runId}/export.xlsx`);
    const file = await b.go('GET', link!);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.bytes as never);
    const people = book.getWorksheet('个人')!;
    const departments = new Set<string>();
    // every row but the 合计 row at the end
    for (let r = 2; r < people.rowCount; r++) departments.add(String(people.getRow(r).getCell(3).value));
    expect(people.getRow(people.rowCount).getCell(1).value).toBe('合计');
    expect([...departments]).toEqual(['IM']);
    expect((await b.go('GET', `/v1/settlements/${runId}/export?format=xlsx`)).status).toBe(401);
  });

  it('a review from the page is checked as the API checks it: an unknown status or an over-long reason is refused and nothing is stored', async () => {
    const b = browser();
    await signIn(b, headKey);
    const page = await b.go('GET', `/ui/runs/${runId}/departments/IM`);
    const csrf = hidden(page.text, 'csrf')!;
    const bogus = await b.go('POST', `/ui/runs/${runId}/departments/IM/review`, { csrf, status: 'bogus' });
    expect(bogus.status).toBe(400);
    const long = await b.go('POST', `/ui/runs/${runId}/departments/IM/review`, { csrf, status: 'disputed', reason: 'x'.repeat(300_000) });
    expect(long.status).toBe(400);
    const reviews = await svc.request('GET', `/v1/settlements/${runId}/reviews`);
    expect(reviews.body.reviews.find((r: { department: string }) => r.department === 'IM').status).toBe('pending');
    const ok = await b.go('POST', `/ui/runs/${runId}/departments/IM/review`, { csrf, status: 'disputed', reason: '加班未计入' });
    expect(ok.status).toBe(303);
    expect((await svc.request('GET', `/v1/settlements/${runId}/reviews`)).body.reviews.find((r: { department: string }) => r.department === 'IM')).toMatchObject({
      status: 'disputed',
      reason: '加班未计入',
    });
  });
});
