/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say, yuan } from '../../src/shared/i18n.js';
import { useTestService } from '../integration/harness.js';

/**
 * The review page in a real browser: Debian's chromium driven by playwright-core. A department
 * head signs in with their key, opens their department, reads a person's statement and
 * acknowledges; an admin sees every department, the conservation check and the charts, and
 * approves. Screenshots go to test-results/ui/ and are checked for what they show.
 */
const CHROMIUM = process.env.PERFPAY_CHROMIUM ?? '/usr/bin/chromium';
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const q1 = expected.results.find((r: { period: string }) => r.period === '2026Q1');
const SHOTS = new URL('../../test-results/ui/', import.meta.url).pathname;
/** A page's text with the thousands separators taken out, to find an engine figure in it. */
const plain = (text: string | null) => (text ?? '').replace(/(\d),(?=\d{3})/g, '$1');

/** Pixels of a PNG close to a colour (each channel within 40). */
function pixelsNear(png: Buffer, [r, g, b]: [number, number, number]): number {
  const image = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (Math.abs(image.data[i]! - r) < 40 && Math.abs(image.data[i + 1]! - g) < 40 && Math.abs(image.data[i + 2]! - b) < 40) n += 1;
  }
  return n;
}

/** The runs of bar-coloured pixels down one column of a chart's screenshot: one per bar. */
function barsInColumn(png: Buffer, x: number): number {
  const image = PNG.sync.read(png);
  let bars = 0;
  let inBar = false;
  for (let y = 0; y < image.height; y++) {
    const i = (y * image.width + x) * 4;
    const blue = Math.abs(image.data[i]! - 0x3b) < 40 && Math.abs(image.data[i + 1]! - 0x7d) < 40 && Math.abs(image.data[i + 2]! - 0xd8) < 40;
    if (blue && !inBar) bars += 1;
    inBar = blue;
  }
  return bars;
}

if (!existsSync(CHROMIUM)) console.warn(`[perfpay tests] ${CHROMIUM} is missing: the browser test of /ui is skipped (apt-get install chromium; .ci/run does)`);

describe.skipIf(!existsSync(CHROMIUM))('the /ui review page in chromium', () => {
  const svc = useTestService('pglite');
  let browser: Browser;
  let runId: string;
  let headKey: string;
  let adminKey: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (body: unknown) => {
      const res = await svc.request('POST', '/v1/api-keys', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return (res.body as { token: string }).token;
    };
    headKey = await key({ role: 'dept_head', hospital: 'XH-COUNTY', name: '内科主任', departments: ['IM'] });
    adminKey = await key({ role: 'admin', hospital: 'XH-COUNTY', name: '院办管理员' });
    const run = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1' });
    runId = (run.body as { id: string }).id;
    await svc.waitForRun(runId);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function signIn(key: string, lang?: 'en'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${svc.baseUrl}/ui${lang ? `?lang=${lang}` : ''}`);
    await page.fill('#key', key);
    await Promise.all([page.waitForURL(/\/ui\/runs/), page.click('#sign-in')]);
    return page;
  }

  it('refuses a wrong key on the sign-in page', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${svc.baseUrl}/ui`);
    expect(await page.textContent('h1')).toBe('医院绩效工资核算');
    await page.fill('#key', 'ppk_not-a-key');
    await page.click('#sign-in');
    expect(await page.textContent('#error')).toContain('密钥无效');
    await page.context().close();
  });

  it('a department head sees their department only, reads a statement, and acknowledges', async () => {
    const page = await signIn(headKey);
    await page.click(`a[href="/ui/runs/${runId}"]`);
    expect(await page.textContent('#status')).toBe('已完成待审批');
    // only IM in the departments table, with the engine's final amount
    const codes = await page.$$eval('#departments tr[data-department]', (rows) => rows.map((r) => r.getAttribute('data-department')));
    expect(codes).toEqual(['IM']);
    const im = q1.departments.find((d: { code: string }) => d.code === 'IM');
    expect(await page.textContent('#departments tr[data-department="IM"]')).toContain(yuan(im.final));
    expect(await page.$('#conservation')).toBeNull();

    await page.click(`#departments a[href="/ui/runs/${runId}/departments/IM"]`);
    expect(await page.textContent('h1')).toBe('科室绩效核算表');
    expect(plain(await page.textContent('tr[data-key="final"]'))).toContain(im.final);
    const people = q1.individuals.filter((l: { department: string }) => l.department === 'IM');
    for (const p of people) expect(plain(await page.textContent(`tr[data-staff="${p.staffId}"]`))).toContain(p.total);
    expect(await page.$('#chart-distribution rect')).not.toBeNull();
    expect(await page.$$eval('#chart-distribution rect', (r) => r.length)).toBe(people.length);
    await page.screenshot({ path: `${SHOTS}department-head-IM.png`, fullPage: true });
    // what the screenshot shows: Chinese in a real CJK font (not boxes), one bar per person
    expect(await page.evaluate(() => document.fonts.check('16px "WenQuanYi Zen Hei"') || document.fonts.check('16px "Noto Sans CJK SC"'))).toBe(true);
    const chart = await (await page.$('#chart-distribution'))!.screenshot();
    expect(barsInColumn(chart, 142)).toBe(people.length);

    // a person's statement, then back
    const first = people[0];
    await page.click(`a[href="/ui/runs/${runId}/people/${first.staffId}"]`);
    expect(await page.textContent('h1')).toBe('个人绩效工资明细');
    expect(plain(await page.textContent('tr[data-key="total"]'))).toContain(first.total);
    expect(plain(await page.textContent('tr[data-key="effectiveScore"]'))).toContain(first.effectiveScore);
    await page.screenshot({ path: `${SHOTS}statement-${first.staffId}.png`, fullPage: true });
    await page.goBack();

    expect(await page.textContent('#review-status')).toContain('待确认');
    await Promise.all([page.waitForURL(/departments\/IM$/), page.click('#acknowledge')]);
    expect(await page.textContent('#review-status')).toContain('已确认');
    const reviews = await svc.request('GET', `/v1/settlements/${runId}/reviews`);
    expect((reviews.body as { reviews: { department: string; status: string }[] }).reviews.find((r) => r.department === 'IM')?.status).toBe('acknowledged');

    // another department is not theirs
    const other = await page.goto(`${svc.baseUrl}/ui/runs/${runId}/departments/SUR`);
    expect(other?.status()).toBe(403);
    await page.context().close();
  });

  it('an admin sees every department, the conservation check and the charts, and approves', async () => {
    const page = await signIn(adminKey);
    await page.goto(`${svc.baseUrl}/ui/runs/${runId}`);
    const codes = await page.$$eval('#departments tr[data-department]', (rows) => rows.map((r) => r.getAttribute('data-department')));
    expect(codes).toEqual(q1.departments.map((d: { code: string }) => d.code));
    const conservation = await page.textContent('#conservation');
    expect(conservation).toContain(yuan(q1.summary.pool));
    expect(conservation).toContain(yuan(q1.summary.paidTotal));
    expect(conservation).toContain('✓');
    expect(await page.$$eval('#chart-point-values rect', (r) => r.length)).toBe(q1.departments.length);
    expect(await page.$$eval('#chart-per-capita rect', (r) => r.length)).toBe(q1.departments.length);
    expect(await page.textContent('#departments tr[data-department="IM"]')).toContain('已确认');
    await page.screenshot({ path: `${SHOTS}admin-run.png`, fullPage: true });
    // the conservation line is drawn in the "holds" green; each chart has a bar per department
    expect(pixelsNear(await (await page.$('#conservation'))!.screenshot(), [0x13, 0x73, 0x33])).toBeGreaterThan(200);
    expect(barsInColumn(await (await page.$('#chart-per-capita'))!.screenshot(), 142)).toBe(q1.departments.length);
    expect(barsInColumn(await (await page.$('#chart-point-values'))!.screenshot(), 142)).toBe(q1.departments.length);

    await Promise.all([page.waitForURL(new RegExp(`/ui/runs/${runId}$`)), page.click('#approve')]);
    expect(await page.textContent('#status')).toBe('已审批');
    expect(await page.$('#approve')).toBeNull();
    await page.screenshot({ path: `${SHOTS}admin-approved.png`, fullPage: true });
    const run = await svc.request('GET', `/v1/settlements/${runId}`);
    expect((run.body as { status: string }).status).toBe('approved');
    await page.context().close();
  });

  it('shows progress while a run is queued or running, in English when asked', async () => {
    const page = await signIn(adminKey, 'en');
    const trigger = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q2' });
    const id = (trigger.body as { id: string }).id;
    await page.goto(`${svc.baseUrl}/ui/runs/${id}`);
    const status = await page.textContent('#status');
    if (status === 'queued' || status === 'running') {
      expect(await page.textContent('#progress')).toContain('refreshes every 2 seconds');
      expect(await page.$('meta[http-equiv="refresh"]')).not.toBeNull();
    }
    // the page refreshes itself until the run has finished
    await page.waitForFunction((done) => document.querySelector('#status')?.textContent === done, say('en', 'status.succeeded'), { timeout: 30_000 });
    expect(await page.textContent('h2')).toBeTruthy();
    expect(await page.textContent('body')).toContain('Conservation check');
    await page.context().close();
  });
});
