import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, TOKEN, useTestService } from './harness.js';

/**
 * The assessor's month as a spreadsheet (issue #17): 医务科 (MA in the assessment example)
 * downloads 2026-01's entry template (its monthly leaves F21 and P111, the clinical departments),
 * fills it with exceljs and uploads it; a bad cell is a 400 naming it and writes nothing; another
 * office's column (财务科's F12) is a 403 naming it.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const template = `/v1/hospitals/${H}/assessment/template?month=2026-01`;

describe.each(backends)("an assessor's month as a spreadsheet (%s)", (backend) => {
  const svc = useTestService(backend);
  let maToken: string;

  const download = async (token: string) => {
    const res = await fetch(`${svc.baseUrl}${template}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    return book;
  };
  const upload = async (book: ExcelJS.Workbook) => {
    const res = await fetch(`${svc.baseUrl}${template}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${maToken}`, 'content-type': XLSX },
      body: Buffer.from(await book.xlsx.writeBuffer()),
    });
    return { status: res.status, body: await res.json() };
  };
  const rowsOf = (sheet: ExcelJS.Worksheet) =>
    sheet
      .getSheetValues()
      .slice(1)
      .map((r) => (r as unknown[]).slice(1));
  const stored = async () =>
    Object.fromEntries(
      ((await svc.request('GET', `/v1/hospitals/${H}/assessment/values?period=2026-01`)).body.values as { indicator: string; department: string; value: string }[]).map((v) => [
        `${v.indicator}/${v.department}`,
        v.value,
      ]),
    );

  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = await svc.request('POST', '/v1/api-keys', { role: 'assessor', hospital: H, departments: ['MA'], name: '医务科' });
    expect(key.status).toBe(201);
    maToken = key.body.token;
  });

  it("the assessor's template: sheet 月度考核, a header row, one row per department, one column per monthly leaf MA owns, the stored values filled in", async () => {
    const sheet = (await download(maToken)).getWorksheet('月度考核')!;
    expect(sheet).toBeDefined();
    expect(rowsOf(sheet)).toEqual([
      ['科室编码', '科室名称', '门诊药品比例（F21）', '甲级病历率（P111）'],
      ['IM', '内科', '31.50', '92'],
      ['PED', '儿科', '33.00', '86'],
      ['SUR', '外科', '36.00', '80'],
    ]);
  });

  it('filled and uploaded: the values are stored, audited, and read back', async () => {
    const book = await download(maToken);
    const sheet = book.getWorksheet('月度考核')!;
    sheet.getCell('C2').value = 32.5;
    sheet.getCell('D3').value = '88';
    const res = await upload(book);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ written: 2, unchanged: 4 });
    const values = await stored();
    expect(values['F21/IM']).toBe('32.5');
    expect(values['P111/PED']).toBe('88');
    expect(values['F12/IM']).toBe('24.00');
    const audit = await svc.request('GET', `/v1/hospitals/${H}/audit?entityType=indicator_values`);
    expect(JSON.stringify(audit.body)).toContain('indicator_values.set');
  });

  it('one bad cell: a 400 naming it, and nothing is written', async () => {
    const book = await download(maToken);
    const sheet = book.getWorksheet('月度考核')!;
    sheet.getCell('C4').value = 40;
    sheet.getCell('D3').value = 'abc';
    const before = await stored();
    const res = await upload(book);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('月度考核!D3: 甲级病历率 must be a decimal such as 0.35');
    expect(res.body.error.path).toBe('月度考核!D3');
    expect(await stored()).toEqual(before);
  });

  it("another office's column: a 403 naming it, and nothing is written", async () => {
    const book = await download(maToken);
    const sheet = book.getWorksheet('月度考核')!;
    sheet.getCell('C4').value = 40;
    sheet.getCell('E1').value = '百元收入耗材率（F12）';
    sheet.getCell('E2').value = 20;
    const before = await stored();
    const res = await upload(book);
    expect(res.status).toBe(403);
    expect(res.body.error.path).toBe('月度考核!E1');
    expect(res.body.error.message).toContain('月度考核!E1');
    expect(res.body.error.message).toContain('F12');
    expect(res.body.error.message).toContain('FIN');
    expect(await stored()).toEqual(before);
  });

  it("an admin's template has every monthly leaf", async () => {
    const res = await fetch(`${svc.baseUrl}${template}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const header = rowsOf(book.getWorksheet('月度考核')!)[0];
    expect(header).toEqual(['科室编码', '科室名称', '百元收入耗材率（F12）', '门诊药品比例（F21）', '甲级病历率（P111）', '办文时效（S2）']);
  });

  it('a closed quarter: a change is a 409 naming the cell, and nothing is written; the template as it is writes nothing', async () => {
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    const run = await svc.waitForRun(trigger.body.id);
    const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const unchanged = await upload(await download(maToken));
    expect(unchanged.status, JSON.stringify(unchanged.body)).toBe(200);
    expect(unchanged.body).toEqual({ written: 0, unchanged: 6 });
    const book = await download(maToken);
    book.getWorksheet('月度考核')!.getCell('C3').value = 30;
    const before = await stored();
    const res = await upload(book);
    expect(res.status).toBe(409);
    expect(res.body.error.path).toBe('月度考核!C3');
    expect(res.body.error.message).toMatch(/^月度考核!C3: /);
    expect(await stored()).toEqual(before);
  });
});
