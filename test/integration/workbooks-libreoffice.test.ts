import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupDigits } from '../../src/shared/i18n.js';
import { TOKEN, useTestService } from './harness.js';

/**
 * The workbooks as a finance office opens them: the worked example settled for a quarter and the
 * year-end, every workbook downloaded and opened with LibreOffice (printed to PDF, saved as CSV),
 * and checked there: each department's sheet prints on one A4 page with the hospital and the
 * period in its page header, the people's 合计 row shows the run's paidTotal, and the payroll
 * file's total is the paidTotal. Skipped only where LibreOffice or poppler is not installed
 * (`.ci/run` installs both).
 */
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const ready = has('libreoffice') && has('pdfinfo') && has('pdftotext');
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const CODE = 'XH-LIBRE';
const HOSPITAL = example.hospital.name as string;

const dir = mkdtempSync(join(tmpdir(), 'perfpay-libreoffice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** LibreOffice headless, with a profile of its own (another soffice running does not take the job). */
function soffice(args: string[]): void {
  execFileSync('libreoffice', [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--norestore', ...args], { stdio: 'ignore', timeout: 120_000 });
}

const pageCount = (pdf: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
const pageText = (pdf: string, page: number) => execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', pdf, '-'], { encoding: 'utf8' });

/** Every sheet saved as CSV, the cells as shown (money with separators): sheet name → rows. */
function sheetsAsCsv(xlsx: string, out: string): Map<string, string[][]> {
  soffice(['--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1', '--outdir', out, xlsx]);
  const base = xlsx.replace(/^.*\//, '').replace(/\.xlsx$/, '');
  const sheets = new Map<string, string[][]>();
  for (const file of readdirSync(out)) {
    if (!file.startsWith(`${base}-`) || !file.endsWith('.csv')) continue;
    const text = readFileSync(join(out, file), 'utf8').replace(/^\uFEFF/, '');
    // the worked example's names and figures have no quotes inside; a quoted field is "…" as a whole
    const rows = text
      .split(/\r?\n/)
      .filter(Boolean)
      .map((line) => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].filter((m) => m[0] !== '').map((m) => m[2] ?? m[1]!));
    sheets.set(file.slice(base.length + 1, -4), rows);
  }
  return sheets;
}

describe.skipIf(!ready)('workbooks opened with LibreOffice', () => {
  const svc = useTestService('pglite');
  const download = async (id: string, query: string) => {
    const res = await fetch(`${svc.baseUrl}/v1/settlements/${id}/export?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status, query).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const settleApproved = async (period: string) => {
    const trigger = await svc.request('POST', `/v1/hospitals/${CODE}/settlements`, { period });
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`, {})).status).toBe(200);
    return run;
  };

  it('a quarter and the year-end: each department sheet prints on one A4 page, and every total is the run’s paidTotal', { timeout: 300_000 }, async () => {
    const doc = structuredClone(example);
    doc.hospital.code = CODE;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const runs = [await settleApproved('2026Q1'), await settleApproved('2026Q2'), await settleApproved('2026')];
    for (const run of [runs[0], runs[2]]) {
      const paid: string = run.result.summary.paidTotal;
      const shown = groupDigits(paid);
      const period = run.kind === 'quarterly' ? '2026年第一季度' : '2026年度（年终）';
      for (const lang of ['zh', 'en'] as const) {
        const name = `${run.period}-${lang}`;
        const xlsx = join(dir, `${name}.xlsx`);
        writeFileSync(xlsx, await download(run.id, `format=xlsx&lang=${lang}`));
        soffice(['--convert-to', 'pdf', '--outdir', dir, xlsx]);
        const pdf = join(dir, `${name}.pdf`);
        const pages = pageCount(pdf);
        const texts = Array.from({ length: pages }, (_, i) => pageText(pdf, i + 1));
        // summary, departments (a quarter: and their scores), individuals, then one sheet per department
        const sheets = (run.kind === 'quarterly' ? 4 : 3) + run.result.departments.length;
        expect(pages, `${name}: one page a sheet`).toBe(sheets);
        for (const [i, text] of texts.entries()) {
          expect(text, `${name} page ${i + 1}`).toContain(HOSPITAL);
          expect(text, `${name} page ${i + 1}`).toContain(lang === 'zh' ? period : run.kind === 'quarterly' ? '2026 Q1' : '2026 year-end');
          expect(text, `${name} page ${i + 1}`).toContain(lang === 'zh' ? `第 ${i + 1} 页，共 ${pages} 页` : `Page ${i + 1} of ${pages}`);
        }
        // a department's sheet: its own page, headed by its name and code, with its people and 合计
        const im = run.result.departments.find((d: { code: string }) => d.code === 'IM');
        const heading = lang === 'zh' ? `${im.name}（IM） 个人绩效工资明细` : `${im.name} (IM): performance pay by person`;
        const imPages = texts.filter((t) => t.includes(heading));
        expect(imPages, `${name}: the IM sheet`).toHaveLength(1);
        for (const l of run.result.individuals.filter((p: { department: string }) => p.department === 'IM')) expect(imPages[0], `${name} ${l.staffId}`).toContain(l.name);
        expect(imPages[0]).toContain(lang === 'zh' ? '合计' : 'Total');
        // the people's sheet: the 合计 row shows the paidTotal (a quarter: in 实发合计; the year-end: 年终奖励)
        const people = texts.filter((t) => t.includes(lang === 'zh' ? '个人绩效工资明细表' : 'Performance pay by person') && !t.includes(heading));
        expect(
          people.some((t) => t.includes(shown)),
          `${name}: ${shown} on the people's page`,
        ).toBe(true);
      }

      // the cells as LibreOffice reads them: the 个人 sheet's 合计 row is the paidTotal, shown with separators
      const sheets = sheetsAsCsv(join(dir, `${run.period}-zh.xlsx`), join(dir, `csv-${run.period}`));
      const people = sheets.get('个人')!;
      expect(people, [...sheets.keys()].join(' ')).toBeDefined();
      const column = people[0]!.indexOf(run.kind === 'quarterly' ? '实发合计' : '年终奖励');
      expect(column).toBeGreaterThan(0);
      expect(people.at(-1)![0]).toBe('合计');
      expect(people.at(-1)![column]).toBe(shown);
      expect(people).toHaveLength(run.result.individuals.length + 2);
      const summary = new Map(sheets.get('汇总')!.map((r) => [r[0], r[1]]));
      expect(summary.get('实发总额')).toBe(shown);
      expect(summary.get('医院')).toBe(`${HOSPITAL}（${CODE}）`);
      expect(summary.get('状态')).toBe('已审批');
      const departments = sheets.get('科室')!;
      expect(departments.at(-1)![0]).toBe('合计');
      const im = sheets.get(run.result.departments.find((d: { code: string }) => d.code === 'IM').name)!;
      expect(im.at(-1)![0]).toBe('合计');

      // the payroll file as LibreOffice opens it: its 合计 is the paidTotal
      const payroll = join(dir, `payroll-${run.period}.csv`);
      writeFileSync(payroll, await download(run.id, 'format=payroll'));
      soffice(['--infilter=CSV:44,34,76,1', '--convert-to', 'pdf', '--outdir', dir, payroll]);
      const payrollText = Array.from({ length: pageCount(payroll.replace(/csv$/, 'pdf')) }, (_, i) => pageText(payroll.replace(/csv$/, 'pdf'), i + 1)).join('\n');
      // (LibreOffice reads the CSV's figures as numbers: 395000.00 shows as 395000)
      const totalLine = payrollText.split('\n').find((l) => l.trim().startsWith('合计'));
      expect(Number(totalLine?.trim().split(/\s+/).at(-1)?.replace(/,/g, '')), totalLine).toBe(Number(paid));
    }
  });
});
