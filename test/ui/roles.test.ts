/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodName, say, yuan, type Lang } from '../../src/shared/i18n.js';
import { englishLabels } from '../../src/shared/messages/index.js';
import { httpClient, useTestService, type Request } from '../integration/harness.js';

/**
 * The four roles through a quarter and a year-end in Debian's chromium, in Chinese and in
 * English: the admin starts each settlement from the page, the department head disputes and
 * downloads and prints, finance reads, the admin meets a stale run, re-runs it by force and
 * approves with an override reason, the year-end gets the same pages, and the auditor reads the
 * audit log with filters and the chain's verification. Every page is screenshotted
 * (test-results/ui/, the README's come from here: PERFPAY_SCREENSHOTS=docs/screenshots) and its
 * visible text checked: on a Chinese page none of the catalogue's English labels, and money
 * with thousands separators.
 */
const CHROMIUM = process.env.PERFPAY_CHROMIUM ?? '/usr/bin/chromium';
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const q1 = expected.results.find((r: { period: string }) => r.period === '2026Q1');
const year = expected.results.find((r: { period: string }) => r.period === '2026');
const SHOTS = new URL('../../test-results/ui/', import.meta.url).pathname;
/** Where the README's screenshots are written too, when asked (a modest viewport keeps them small). */
const README_SHOTS = process.env.PERFPAY_SCREENSHOTS;
const H = 'XH-COUNTY';
/** A4 at 96 dpi, in CSS pixels. */
const A4 = { width: 794, height: 1123 };

const LABELS = englishLabels();
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LABEL_PATTERNS = LABELS.map((label) => ({ label, pattern: new RegExp(`(^|[^A-Za-z])${literal(label)}($|[^A-Za-z])`) }));
/** The catalogue's English labels found in a text, each as a whole word or phrase. */
const englishIn = (text: string) => LABEL_PATTERNS.filter((l) => l.pattern.test(text)).map((l) => l.label);
/** An amount of money (or a score) of four digits or more without separators. */
const UNGROUPED = /(?<![\d,.\w-])\d{4,}\.\d{2}(?!\d)/;

if (!existsSync(CHROMIUM)) console.warn(`[perfpay tests] ${CHROMIUM} is missing: the browser test of the four roles is skipped (apt-get install chromium; .ci/run does)`);

describe.skipIf(!existsSync(CHROMIUM))('four roles through a quarter and a year-end in chromium', () => {
  const svc = useTestService('pglite');
  let browser: Browser;
  const keys = { admin: '', finance: '', head: '', auditor: '' };
  let asHead: Request;
  let run1 = '';
  let run2 = '';
  let yearRun = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    if (README_SHOTS) mkdirSync(README_SHOTS, { recursive: true });
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (body: unknown) => {
      const res = await svc.request('POST', '/v1/api-keys', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return (res.body as { token: string }).token;
    };
    keys.admin = await key({ role: 'admin', hospital: H, name: '院办管理员' });
    keys.finance = await key({ role: 'finance', hospital: H, name: '财务科会计' });
    keys.head = await key({ role: 'dept_head', hospital: H, name: '内科主任', departments: ['IM'] });
    keys.auditor = await key({ role: 'auditor', hospital: H, name: '审计科' });
    asHead = httpClient(svc.baseUrl, keys.head);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function signIn(key: string, lang: Lang = 'zh'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${svc.baseUrl}/ui?lang=${lang}`);
    await page.fill('#key', key);
    await Promise.all([page.waitForURL(/\/ui\/runs/), page.click('#sign-in')]);
    return page;
  }

  /** The screenshot, and what the page shows: Chinese only on a Chinese page, money with separators. */
  async function check(page: Page, name: string, lang: Lang, options: { readme?: boolean; statement?: boolean } = {}): Promise<string> {
    await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
    // the README's: the top of the page, at most 1,300 pixels high (kept small in the repository)
    if (README_SHOTS && options.readme) {
      const height = Math.min(1300, await page.evaluate(() => document.documentElement.scrollHeight));
      await page.screenshot({ path: `${README_SHOTS}/${name}.png`, fullPage: true, clip: { x: 0, y: 0, width: 1000, height } });
    }
    // biome-ignore lint/performance/useDomNodeTextContent: the text as it shows is what is checked
    const text = await page.evaluate(() => document.body.innerText);
    // a page with a statement's body (src/modules/settlements/statements.html.ts) is checked
    // softly: the rest of the test goes on, and the test fails at its end if a word is English
    const expectOf = options.statement ? expect.soft : expect;
    if (lang === 'zh') expectOf(englishIn(text), `${name}: English labels on a Chinese page`).toEqual([]);
    expectOf(UNGROUPED.exec(text)?.[0], `${name}: money without separators`).toBeUndefined();
    return text;
  }

  async function waitForStatus(page: Page, lang: Lang, status: 'succeeded' | 'approved') {
    await page.waitForFunction((want) => document.querySelector('#status')?.textContent === want, say(lang, `status.${status}`), { timeout: 60_000 });
  }

  async function startFromPage(page: Page, period: string, force = false): Promise<string> {
    await page.goto(`${svc.baseUrl}/ui/runs`);
    await page.fill('#period', period);
    if (force) await page.check('#force');
    await Promise.all([page.waitForURL(/\/ui\/runs\/[0-9a-f-]{36}\?done=/), page.click('#start')]);
    return /\/ui\/runs\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  }

  it('the admin starts the quarter from the page, in Chinese, and is told so', async () => {
    const page = await signIn(keys.admin);
    expect(await page.textContent('body')).toContain(say('zh', 'runs.empty'));
    run1 = await startFromPage(page, '2026Q1');
    expect(await page.textContent('#done')).toBe(say('zh', 'done.started', { period: periodName('2026Q1', 'zh') }));
    await waitForStatus(page, 'zh', 'succeeded');
    expect(await page.textContent('h1')).toContain('2026年第一季度');
    expect(await page.textContent('#summary tr[data-key="pool"]')).toContain(yuan(q1.summary.pool));
    expect(await page.textContent('#summary tr[data-key="pool"]')).toContain('绩效工资总额');
    // bars labelled by the departments' names, the whole name and code in each bar's tooltip
    const labels = await page.$$eval('#chart-per-capita .bar-label', (t) => t.map((x) => x.textContent));
    expect(labels).toEqual(q1.departments.map((d: { code: string }) => scenario.departments.find((x: { code: string }) => x.code === d.code).name));
    expect((await page.$$eval('#chart-per-capita title', (t) => t.map((x) => x.textContent))).some((t) => t?.startsWith('内科（IM）: '))).toBe(true);
    await check(page, 'admin-quarter', 'zh', { readme: true });
    await page.context().close();
  });

  it('the department head sees their department, disputes with a reason, downloads the workbook and prints the statement on A4', async () => {
    const page = await signIn(keys.head);
    await page.goto(`${svc.baseUrl}/ui/runs/${run1}`);
    expect(await page.$$eval('#departments tr[data-department]', (rows) => rows.map((r) => r.getAttribute('data-department')))).toEqual(['IM']);
    await check(page, 'head-run', 'zh');
    // the workbook of the department, from the page
    const [book] = await Promise.all([page.waitForEvent('download'), page.click('#download-xlsx')]);
    expect(book.suggestedFilename()).toMatch(/\.xlsx$/);

    await page.click(`#departments a[href="/ui/runs/${run1}/departments/IM"]`);
    await page.fill('#reason', '夜班加班未计入');
    await Promise.all([page.waitForURL(/departments\/IM\?done=disputed$/), page.click('#dispute')]);
    expect(await page.textContent('#done')).toContain('内科（IM）');
    expect(await page.textContent('#review-status')).toContain('有异议');
    expect(await page.textContent('#review-status')).toContain('夜班加班未计入');
    expect(await page.$$eval('#chart-distribution .bar-label', (t) => t.map((x) => x.textContent))).toContain('内科主任');
    await check(page, 'head-department', 'zh', { readme: true, statement: true });
    const [own] = await Promise.all([page.waitForEvent('download'), page.click('#download-department-xlsx')]);
    expect(own.suggestedFilename()).toMatch(/IM.*\.xlsx$/);

    // the printable statement: A4, fits the page's width, with the signature lines
    const print = await page.context().newPage();
    await print.setViewportSize(A4);
    await print.emulateMedia({ media: 'print' });
    await print.goto(`${svc.baseUrl}/ui/runs/${run1}/departments/IM/print`);
    expect(await print.textContent('h1')).toBe('科室绩效核算表');
    const fits = await print.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(fits.scroll, JSON.stringify(fits)).toBeLessThanOrEqual(fits.client);
    const pdf = await print.pdf({ format: 'A4', printBackground: true });
    writeFileSync(`${SHOTS}statement-IM.pdf`, pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // the signature lines come with the statements' own page (科主任、经办人、复核人)
    // biome-ignore lint/performance/useDomNodeTextContent: the text as it shows is what is checked
    const printed = await print.evaluate(() => document.body.innerText);
    await print.screenshot({ path: `${SHOTS}statement-IM-print.png`, fullPage: true });
    // biome-ignore lint/performance/useDomNodeTextContent: the text as it shows is what is checked
    const signatures = await print.evaluate(() => (document.querySelector('.signatures') as HTMLElement | null)?.innerText ?? '');
    for (const line of ['科主任', '经办人', '复核人']) expect.soft(signatures, `signature line ${line}`).toContain(line);
    expect.soft(englishIn(printed), 'the printed statement: English labels').toEqual([]);
    await page.context().close();
  });

  it('finance reads the whole hospital and the dispute’s reason, and may not approve', async () => {
    const page = await signIn(keys.finance);
    await page.goto(`${svc.baseUrl}/ui/runs/${run1}`);
    expect(await page.$('#conservation')).not.toBeNull();
    expect(await page.$('#approve')).toBeNull();
    expect(await page.textContent('#departments tr[data-department="IM"]')).toContain('夜班加班未计入');
    await check(page, 'finance-run', 'zh');
    // a page that does not exist is a page, in Chinese
    const refused = await page.goto(`${svc.baseUrl}/ui/runs/${run1}/nope`);
    expect(refused?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe(say('zh', 'page.notFound.title'));
    await check(page, 'not-found', 'zh');
    await page.context().close();
  });

  it('the admin sees the dispute, meets a stale run that cannot be approved, re-runs it by force and approves with an override reason', async () => {
    const page = await signIn(keys.admin);
    await page.goto(`${svc.baseUrl}/ui/runs/${run1}`);
    expect(await page.textContent('#departments tr[data-department="IM"]')).toContain('夜班加班未计入');
    expect(await page.$('#approve')).not.toBeNull();
    expect(await page.$('#override-reason-input')).not.toBeNull();

    // the quarter's revenue changes after the run: the run is stale
    const patched = await svc.request('PATCH', `/v1/hospitals/${H}/periods/2026Q1`, { revenue: '6600000.00' }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await page.reload();
    expect(await page.textContent('#stale')).toBe(say('zh', 'run.stale'));
    expect(await page.textContent('#stale-badge')).toBe(say('zh', 'status.stale'));
    expect(await page.$('#approve')).toBeNull();
    await check(page, 'admin-stale', 'zh');
    await page.goto(`${svc.baseUrl}/ui/runs`);
    expect(await page.$(`tr[data-run="${run1}"] [data-stale="true"]`)).not.toBeNull();

    // a forced re-run from the run's page
    await page.goto(`${svc.baseUrl}/ui/runs/${run1}`);
    await Promise.all([page.waitForURL(/\?done=forced$/), page.click('#rerun')]);
    run2 = /\/ui\/runs\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(run2).not.toBe(run1);
    expect(await page.textContent('#done')).toBe(say('zh', 'done.forced', { period: periodName('2026Q1', 'zh') }));
    await waitForStatus(page, 'zh', 'succeeded');
    expect(await page.$('#stale')).toBeNull();

    // the department head disputes the new run too; approving needs a reason, which the page keeps
    expect((await asHead('POST', `/v1/settlements/${run2}/reviews/IM`, { status: 'disputed', reason: '夜班加班未计入' })).status).toBe(200);
    await page.reload();
    await page.fill('#override-reason-input', '已与内科核实，下季度调整');
    await Promise.all([page.waitForURL(/\?done=approved$/), page.click('#approve')]);
    expect(await page.textContent('#status')).toBe(say('zh', 'status.approved'));
    expect(await page.textContent('#done')).toBe(say('zh', 'done.approved', { period: periodName('2026Q1', 'zh') }));
    expect(await page.textContent('#approval')).toContain('院办管理员');
    expect(await page.textContent('#approval')).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC\+8\)/);
    expect(await page.textContent('#override-reason')).toContain('已与内科核实，下季度调整');
    await check(page, 'admin-approved', 'zh', { readme: true });

    // asked to settle the closed quarter again, the page shows its approved run (nothing changed,
    // nothing is computed again); a forced re-run of a closed quarter is refused, in Chinese
    expect(await startFromPage(page, '2026Q1')).toBe(run2);
    expect(await page.textContent('#status')).toBe(say('zh', 'status.approved'));
    expect(await page.textContent('#done')).toBe(say('zh', 'done.closed', { period: periodName('2026Q1', 'zh') }));
    await page.goto(`${svc.baseUrl}/ui/runs`);
    await page.fill('#period', '2026Q1');
    await page.check('#force');
    await page.click('#start');
    await page.waitForSelector('#error');
    expect(await page.textContent('#error')).toContain('2026Q1');
    await check(page, 'admin-refused', 'zh');
    await page.context().close();
  });

  it('the year-end gets the same pages: the admin settles Q2 and the year from the page and approves them', async () => {
    const page = await signIn(keys.admin);
    const q2 = await startFromPage(page, '2026Q2');
    await waitForStatus(page, 'zh', 'succeeded');
    await Promise.all([page.waitForURL(new RegExp(`/ui/runs/${q2}\\?done=approved$`)), page.click('#approve')]);

    yearRun = await startFromPage(page, '2026');
    await waitForStatus(page, 'zh', 'succeeded');
    expect(await page.textContent('h1')).toContain('2026年度（年终）');
    expect(await page.$$eval('#departments tr[data-department]', (rows) => rows.length)).toBe(year.departments.length);
    expect(await page.$$eval('#chart-annual-amounts rect', (r) => r.length)).toBe(year.departments.length);
    expect(await page.textContent('#summary')).toContain(say('zh', 'summary.fund'));
    await check(page, 'admin-year-end', 'zh', { readme: true });
    await Promise.all([page.waitForURL(/\?done=approved$/), page.click('#approve')]);
    expect(await page.textContent('#status')).toBe(say('zh', 'status.approved'));
    expect(await page.textContent('#approval')).toContain('院办管理员');
    await page.context().close();
  });

  it('the department head reads the year-end of their department and a person, and prints it', async () => {
    const page = await signIn(keys.head);
    await page.goto(`${svc.baseUrl}/ui/runs/${yearRun}`);
    expect(await page.$$eval('#departments tr[data-department]', (rows) => rows.map((r) => r.getAttribute('data-department')))).toEqual(['IM']);
    await page.click(`#departments a[href="/ui/runs/${yearRun}/departments/IM"]`);
    expect(await page.textContent('h1')).toBe(say('zh', 'department.annualTitle'));
    // the year as settled here (the first quarter's revenue changed above)
    const settled = (await svc.request('GET', `/v1/settlements/${yearRun}`)).body.result;
    const im = settled.departments.find((d: { code: string }) => d.code === 'IM');
    expect(await page.textContent('#annual-department tr[data-key="amount"]')).toContain(yuan(im.amount));
    const people = settled.individuals.filter((l: { department: string }) => l.department === 'IM');
    expect(await page.$$eval('#people tr[data-staff]', (rows) => rows.length)).toBe(people.length);
    await check(page, 'head-year-end', 'zh');
    await page.click(`#people a[href="/ui/runs/${yearRun}/people/${people[0].staffId}"]`);
    expect(await page.textContent('h1')).toBe(say('zh', 'person.annualTitle'));
    expect(await page.textContent('#statement tr[data-key="total"]')).toContain(yuan(people[0].amount));
    await check(page, 'head-year-end-person', 'zh');
    // someone else's department is refused, in Chinese
    const other = await page.goto(`${svc.baseUrl}/ui/runs/${yearRun}/departments/SUR`);
    expect(other?.status()).toBe(403);
    expect(await page.textContent('#error')).toBe(say('zh', 'page.forbidden.department', { department: 'SUR' }));
    await page.context().close();
  });

  it('the auditor reads the audit log with filters and the chain’s verification', async () => {
    const page = await signIn(keys.auditor);
    await page.click('#nav-audit');
    expect(await page.textContent('#audit-verify')).toContain('审计链完整');
    await check(page, 'auditor-log', 'zh', { readme: true });
    // by action: the three approvals
    await page.selectOption('select[name="action"]', 'settlement.approve');
    await Promise.all([page.waitForURL(/action=settlement\.approve/), page.click('#audit-apply')]);
    const actions = await page.$$eval('#audit tr[data-action]', (rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(['settlement.approve', 'settlement.approve', 'settlement.approve']);
    expect(await page.textContent('#audit')).toContain('院办管理员');
    // by actor (a name is a link to their events), by entity, by a date range in the hospital's zone
    await Promise.all([page.waitForURL(/actor=/), page.click('#audit a.actor-filter')]);
    expect(new Set(await page.$$eval('#audit tr[data-action] td[title]', (cells) => cells.map((c) => c.getAttribute('title')).filter((t) => t?.startsWith('key:'))))).toEqual(
      new Set([expect.stringMatching(/院办管理员$/)]),
    );
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await page.goto(`${svc.baseUrl}/ui/audit?entityType=settlement&from=${today}&to=${today}`);
    expect(await page.$$eval('#audit tr[data-action]', (rows) => rows.length)).toBeGreaterThan(5);
    await page.goto(`${svc.baseUrl}/ui/audit?from=2000-01-01&to=2000-01-02`);
    expect(await page.textContent('#audit-none')).toBe(say('zh', 'audit.none'));
    // a date that does not exist is refused in Chinese, naming the field
    await page.goto(`${svc.baseUrl}/ui/audit?from=2026-13-45`);
    expect(await page.textContent('#error')).toContain('from');
    await check(page, 'auditor-refused', 'zh');
    await page.context().close();
  });

  it('the same pages in English when asked', async () => {
    for (const [name, key, path] of [
      ['admin', keys.admin, `/ui/runs/${run2}`],
      ['admin-year', keys.admin, `/ui/runs/${yearRun}`],
      ['head', keys.head, `/ui/runs/${run2}/departments/IM`],
      ['finance', keys.finance, '/ui/runs'],
      ['auditor', keys.auditor, '/ui/audit'],
    ] as const) {
      const page = await signIn(key, 'en');
      await page.goto(`${svc.baseUrl}${path}`);
      const text = await check(page, `en-${name}`, 'en', { statement: name === 'head' });
      expect(text).toContain(say('en', 'nav.runs'));
      expect(text).not.toContain(say('zh', 'nav.runs'));
      if (name === 'admin') {
        expect(await page.textContent('#status')).toBe(say('en', 'status.approved'));
        expect(text).toContain(say('en', 'run.conservation'));
        expect(text).toContain('2026 Q1');
      }
      await page.context().close();
    }
  });
});
