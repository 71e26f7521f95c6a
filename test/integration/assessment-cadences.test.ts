import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cookieBrowser, hidden, visibleText } from '../fixtures/pages.js';
import { backends, TOKEN, useTestService } from './harness.js';

/**
 * The assessor's quarter and year (issue #17) on the assessment example, as the template and as the
 * grid page: 医务科 (MA) downloads 2026Q2's template (sheet 季度考核: its quarterly leaves F22, C1,
 * P112, P12, P2) and 2026's (sheet 年度考核: L1, L2), fills them with exceljs and uploads them, and
 * reads the values back through the API; a bad cell is a 400 naming it (`季度考核!C3: …`) and
 * writes nothing; 财务科 (FIN) sees only its own columns (F11 of the quarter, F3 of the year); the
 * grid page offers 月度/季度/年度 and saves a quarter and a year whole; a closed quarter refuses.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const template = (query: string) => `/v1/hospitals/${H}/assessment/template?${query}`;

describe.each(backends)("an assessor's quarter and year, as a spreadsheet and as the grid (%s)", (backend) => {
  const svc = useTestService(backend);
  let maToken: string;
  let finToken: string;

  const download = async (token: string, query: string) => {
    const res = await fetch(`${svc.baseUrl}${template(query)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, query).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    return book;
  };
  const upload = async (token: string, query: string, book: ExcelJS.Workbook) => {
    const res = await fetch(`${svc.baseUrl}${template(query)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': XLSX },
      body: Buffer.from(await book.xlsx.writeBuffer()),
    });
    return { status: res.status, body: await res.json() };
  };
  const rowsOf = (sheet: ExcelJS.Worksheet) =>
    sheet
      .getSheetValues()
      .slice(1)
      .map((r) => (r as unknown[]).slice(1));
  /** The values stored for exactly this period (the API's quarter filter also returns its months). */
  const stored = async (period: string) =>
    Object.fromEntries(
      ((await svc.request('GET', `/v1/hospitals/${H}/assessment/values?period=${period}`)).body.values as { indicator: string; department: string; period: string; value: string }[])
        .filter((v) => v.period === period)
        .map((v) => [`${v.indicator}/${v.department}`, v.value]),
    );

  async function signedIn(token: string) {
    const go = cookieBrowser(svc.baseUrl);
    const form = await go('GET', '/ui');
    const signed = await go('POST', '/ui/sign-in', { key: token, csrf: hidden(form.text, 'csrf')! });
    expect(signed.status, signed.text).toBe(303);
    return go;
  }
  const gridColumns = (page: string) => [...page.matchAll(/<th scope="col" data-indicator="([^"]+)">([^<]*)<\/th>/g)].map((m) => `${m[2]}（${m[1]}）`);

  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (departments: string[], name: string) => {
      const res = await svc.request('POST', '/v1/api-keys', { role: 'assessor', hospital: H, departments, name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.token as string;
    };
    maToken = await key(['MA'], '医务科');
    finToken = await key(['FIN'], '财务科');
  });

  it("a quarter's template: sheet 季度考核, MA's quarterly leaves (not the defects leaf P13), the stored values filled in", async () => {
    const book = await download(maToken, 'period=2026Q2');
    expect(book.worksheets.map((w) => w.name)).toEqual(['季度考核']);
    expect(rowsOf(book.getWorksheet('季度考核')!)).toEqual([
      ['科室编码', '科室名称', '住院药品比例（F22）', '病人满意度（C1）', '病历书写及时率（P112）', '出院病人平均住院日（P12）', '院感管理（P2）'],
      ['IM', '内科', '41.00', '92', '100', '8.8', '5.5'],
      ['PED', '儿科', '52.00', '78', '93', '13', '3'],
      ['SUR', '外科', '43.00', '94', '99', '9.5', '5'],
    ]);
  });

  it('a quarter filled and uploaded: the values stored and read back through the API, the months untouched', async () => {
    const months = await stored('2026-04');
    const book = await download(maToken, 'period=2026Q2');
    const sheet = book.getWorksheet('季度考核')!;
    sheet.getCell('C2').value = 40.5; // F22 of IM
    sheet.getCell('G4').value = '4.5'; // P2 of SUR
    const res = await upload(maToken, 'period=2026Q2', book);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ written: 2, unchanged: 13 });
    const values = await stored('2026Q2');
    expect(values['F22/IM']).toBe('40.5');
    expect(values['P2/SUR']).toBe('4.5');
    expect(values['C1/PED']).toBe('78');
    expect(values['F11/IM']).toBe('14.40'); // FIN's, not in MA's template
    expect(await stored('2026-04')).toEqual(months);
  });

  it('a bad cell of a quarter: a 400 naming 季度考核!C3, every bad cell listed, and nothing is written', async () => {
    const book = await download(maToken, 'period=2026Q2');
    const sheet = book.getWorksheet('季度考核')!;
    sheet.getCell('D2').value = 90; // a good change, not written either
    sheet.getCell('C3').value = 'abc';
    sheet.getCell('F4').value = '-2';
    const before = await stored('2026Q2');
    const res = await upload(maToken, 'period=2026Q2', book);
    expect(res.status).toBe(400);
    expect(res.body.error.path).toBe('季度考核!C3');
    expect(res.body.error.message).toMatch(/^季度考核!C3: 住院药品比例 must be a decimal such as 0\.35/);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['季度考核!C3', '季度考核!F4']);
    expect(await stored('2026Q2')).toEqual(before);
  });

  it("a value the write refuses (P2 is scored directly: more than its points) names its cell; a month's workbook is not a quarter's", async () => {
    const book = await download(maToken, 'period=2026Q2');
    book.getWorksheet('季度考核')!.getCell('G3').value = 999;
    const before = await stored('2026Q2');
    const res = await upload(maToken, 'period=2026Q2', book);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.path).toBe('季度考核!G3');
    expect(res.body.error.message).toMatch(/^季度考核!G3: /);
    expect(await stored('2026Q2')).toEqual(before);
    const month = await upload(maToken, 'period=2026Q2', await download(maToken, 'month=2026-04'));
    expect(month.status).toBe(400);
    expect(month.body.error.message).toContain('季度考核');
  });

  it("a year's template: sheet 年度考核 with L1 and L2; filled, uploaded and read back; a bad cell named 年度考核!D3", async () => {
    const book = await download(maToken, 'period=2026');
    expect(book.worksheets.map((w) => w.name)).toEqual(['年度考核']);
    const sheet = book.getWorksheet('年度考核')!;
    expect(rowsOf(sheet)).toEqual([
      ['科室编码', '科室名称', '开展新项目（L1）', '继续医学教育（L2）'],
      ['IM', '内科', '2', '26'],
      ['PED', '儿科', '0', '18'],
      ['SUR', '外科', '2.5', '30'],
    ]);
    sheet.getCell('D3').value = '二十';
    const before = await stored('2026');
    const bad = await upload(maToken, 'period=2026', book);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('年度考核!D3: 继续医学教育 must be a decimal such as 0.35');
    expect(await stored('2026')).toEqual(before);
    sheet.getCell('D3').value = 20;
    const good = await upload(maToken, 'period=2026', book);
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body).toEqual({ written: 1, unchanged: 5 });
    expect((await stored('2026'))['L2/PED']).toBe('20');
    expect((await stored('2026'))['F3/PED']).toBe('5'); // FIN's
  });

  it("another office sees only its own columns: FIN's quarter is F11, its year F3; MA's column in FIN's upload is a 403", async () => {
    const quarter = await download(finToken, 'period=2026Q2');
    expect(rowsOf(quarter.getWorksheet('季度考核')!)[0]).toEqual(['科室编码', '科室名称', '业务收支结余率（F11）']);
    const year = await download(finToken, 'period=2026');
    expect(rowsOf(year.getWorksheet('年度考核')!)[0]).toEqual(['科室编码', '科室名称', '人均业务收入增长（F3）']);
    const sheet = quarter.getWorksheet('季度考核')!;
    sheet.getCell('D1').value = '住院药品比例（F22）';
    sheet.getCell('D2').value = 1;
    const before = await stored('2026Q2');
    const res = await upload(finToken, 'period=2026Q2', quarter);
    expect(res.status).toBe(403);
    expect(res.body.error.path).toBe('季度考核!D1');
    expect(await stored('2026Q2')).toEqual(before);
    // the admin's quarter has every office's quarterly leaves, LEAD's on the functional scorecard too
    const admin = await download(TOKEN, 'period=2026Q2');
    expect(rowsOf(admin.getWorksheet('季度考核')!)[0]).toEqual([
      '科室编码',
      '科室名称',
      '业务收支结余率（F11）',
      '住院药品比例（F22）',
      '病人满意度（C1）',
      '病历书写及时率（P112）',
      '出院病人平均住院日（P12）',
      '院感管理（P2）',
      '工作任务完成率（W1）',
      '临床科室满意度（S1）',
    ]);
  });

  it('month= as before, period= a month the same; a period in no cadence’s form, or two that disagree, is a 400', async () => {
    const byMonth = await download(maToken, 'month=2026-04');
    const byPeriod = await download(maToken, 'period=2026-04');
    expect(rowsOf(byPeriod.getWorksheet('月度考核')!)).toEqual(rowsOf(byMonth.getWorksheet('月度考核')!));
    expect(rowsOf(byMonth.getWorksheet('月度考核')!)[0]).toEqual(['科室编码', '科室名称', '门诊药品比例（F21）', '甲级病历率（P111）']);
    for (const query of ['period=2026Q5', 'period=2026-4', 'month=2026Q2', 'period=2026Q2&month=2026-04', '']) {
      const res = await svc.request('GET', template(query));
      expect(res.status, query).toBe(400);
    }
  });

  it('the grid page: 月度/季度/年度 to choose from, a quarter by names, saved whole and read back; a bad cell names it and writes nothing', async () => {
    const ma = await signedIn(maToken);
    const month = await ma('GET', '/ui/assessment/grid?month=2026-04');
    expect(month.status, month.text).toBe(200);
    const tabs = /<p class="tabs noprint" id="grid-cadence">([\s\S]*?)<\/p>/.exec(month.text)![1]!;
    expect(visibleText(tabs).split(/\s+/).filter(Boolean)).toEqual(['月度', '季度', '年度']);
    expect(tabs).toContain('href="/ui/assessment/grid?period=2026-04" data-cadence="monthly" aria-current="page"');
    expect(tabs).toContain('href="/ui/assessment/grid?period=2026Q2" data-cadence="quarterly"');
    expect(tabs).toContain('href="/ui/assessment/grid?period=2026" data-cadence="yearly"');

    const page = await ma('GET', '/ui/assessment/grid?period=2026Q2');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('2026年第二季度考核数据录入');
    expect(page.text).toContain('data-cadence="quarterly" aria-current="page"');
    expect(gridColumns(page.text)).toEqual(['住院药品比例（F22）', '病人满意度（C1）', '病历书写及时率（P112）', '出院病人平均住院日（P12）', '院感管理（P2）']);
    expect(page.text).toContain('<tr data-department="PED"><th scope="row">儿科</th>');
    expect(page.text).toContain('name="v.PED.C1" value="78"');
    expect(page.text).toContain('保存本季度数据');
    const csrf = hidden(page.text, 'csrf')!;
    const quarter = { csrf, period: '2026Q2', 'v.PED.C1': '80', 'v.SUR.P12': '9.0', 'v.IM.F11': '1.00' };

    const before = await stored('2026Q2');
    const bad = await ma('POST', '/ui/assessment/grid', { ...quarter, 'v.SUR.P2': '五' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('外科（SUR） 的“院感管理”（P2）有误');
    const refused = await ma('POST', '/ui/assessment/grid', { ...quarter, 'v.SUR.P2': '999' });
    expect(refused.status).toBe(400);
    expect(visibleText(refused.text)).toContain('外科（SUR） 的“院感管理”（P2）有误：');
    expect(await stored('2026Q2')).toEqual(before);

    const saved = await ma('POST', '/ui/assessment/grid', quarter);
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toMatch(/^\/ui\/assessment\/grid\?period=2026Q2&done=graded&written=2&unchanged=0$/);
    const done = await ma('GET', saved.location);
    expect(done.text).toContain('已保存 2026年第二季度 的考核数据');
    expect(done.text).toContain('name="v.PED.C1" value="80"');
    const after = await stored('2026Q2');
    expect(after['C1/PED']).toBe('80');
    expect(after['P12/SUR']).toBe('9.0');
    expect(after['F11/IM']).toBe(before['F11/IM']); // FIN's cell is not MA's to write: not read from the form
  });

  it('the grid of a year: the yearly leaves, saved whole; FIN sees only its own columns; a defect booked from a quarter goes back to it', async () => {
    const ma = await signedIn(maToken);
    const page = await ma('GET', '/ui/assessment/grid?period=2026');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('2026年度（年终）考核数据录入');
    expect(gridColumns(page.text)).toEqual(['开展新项目（L1）', '继续医学教育（L2）']);
    const csrf = hidden(page.text, 'csrf')!;
    // L1 is scored directly out of 2.5 points: 3 is refused by the write, naming the cell
    const over = await ma('POST', '/ui/assessment/grid', { csrf, period: '2026', 'v.SUR.L1': '3' });
    expect(over.status).toBe(400);
    expect(visibleText(over.text)).toContain('外科（SUR） 的“开展新项目”（L1）有误');
    expect((await stored('2026'))['L1/SUR']).toBe('2.5');
    const saved = await ma('POST', '/ui/assessment/grid', { csrf, period: '2026', 'v.SUR.L1': '2' });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toMatch(/^\/ui\/assessment\/grid\?period=2026&done=graded&written=1&unchanged=0$/);
    expect((await stored('2026'))['L1/SUR']).toBe('2');

    const fin = await signedIn(finToken);
    expect(gridColumns((await fin('GET', '/ui/assessment/grid?period=2026Q2')).text)).toEqual(['业务收支结余率（F11）']);
    expect(gridColumns((await fin('GET', '/ui/assessment/grid?period=2026')).text)).toEqual(['人均业务收入增长（F3）']);
    expect(gridColumns((await fin('GET', '/ui/assessment/grid?period=2026-04')).text)).toEqual(['百元收入耗材率（F12）']);

    const quarter = await ma('GET', '/ui/assessment/grid?period=2026Q2');
    const booked = await ma('POST', '/ui/assessment/grid/defects', {
      csrf: hidden(quarter.text, 'csrf')!,
      period: '2026Q2',
      kind: 'department',
      target: 'IM',
      month: '2026-05',
      category: 'medical',
      points: '1',
      owner: 'MA',
    });
    expect(booked.status, booked.text).toBe(303);
    expect(booked.location).toMatch(/^\/ui\/assessment\/grid\?period=2026Q2&done=booked&defect=/);

    const wrong = await ma('GET', '/ui/assessment/grid?period=2026Q5');
    expect(wrong.status).toBe(400);
    expect(visibleText(wrong.text)).toContain('期间 2026Q5 格式不对');
  });

  it('a closed quarter: its quarterly values refuse a change from the template (409 naming the cell) and from the grid; nothing is written (last: it closes 2026Q1)', async () => {
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    const run = await svc.waitForRun(trigger.body.id);
    expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`, { overrideReason: '测试结账' })).status).toBe(200);
    const book = await download(maToken, 'period=2026Q1');
    const unchanged = await upload(maToken, 'period=2026Q1', book);
    expect(unchanged.status, JSON.stringify(unchanged.body)).toBe(200);
    expect(unchanged.body.written).toBe(0);
    book.getWorksheet('季度考核')!.getCell('D3').value = 70; // C1 of PED
    const before = await stored('2026Q1');
    const res = await upload(maToken, 'period=2026Q1', book);
    expect(res.status).toBe(409);
    expect(res.body.error.path).toBe('季度考核!D3');
    expect(res.body.error.message).toMatch(/^季度考核!D3: /);
    const ma = await signedIn(maToken);
    const page = await ma('GET', '/ui/assessment/grid?period=2026Q1');
    const closed = await ma('POST', '/ui/assessment/grid', { csrf: hidden(page.text, 'csrf')!, period: '2026Q1', 'v.PED.C1': '70' });
    expect(closed.status).toBe(409);
    expect(visibleText(closed.text)).toContain('儿科（PED） 的“病人满意度”（C1）有误：');
    expect(await stored('2026Q1')).toEqual(before);
  });
});
