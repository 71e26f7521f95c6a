import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cookieBrowser, hidden, visibleText } from '../fixtures/pages.js';
import { englishLabels } from '../../src/shared/messages/index.js';
import { backends, useTestService } from './harness.js';

/**
 * The assessor's pages (issue #17) on the assessment example: 医务科's key (MA) reads the month
 * grid of 2026-01 with MA's monthly indicators only, posts the month whole (the values read back
 * through the API), a bad cell is the page's error naming its department and indicator and writes
 * nothing; it books a defect from the same page; the admin's grid has every office's columns; the
 * printed 考核表 of IM has its values, its defects and the three signature lines.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const base = `/v1/hospitals/${H}/assessment`;

describe.each(backends)('the assessor’s month grid, its defect form and the printed 考核表 (%s)', (backend) => {
  const svc = useTestService(backend);
  let maKey: string;
  let adminKey: string;
  let headKey: string;
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (body: Record<string, unknown>) => {
      const res = await svc.request('POST', '/v1/api-keys', { hospital: H, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.token as string;
    };
    maKey = await key({ role: 'assessor', departments: ['MA'], name: '医务科' });
    adminKey = await key({ role: 'admin', name: '院办管理员' });
    headKey = await key({ role: 'dept_head', departments: ['IM'], name: '内科主任' });
  });

  const browser = () => cookieBrowser(svc.baseUrl);
  async function signedIn(key: string) {
    const go = browser();
    const form = await go('GET', '/ui');
    const signed = await go('POST', '/ui/sign-in', { key, csrf: hidden(form.text, 'csrf')! });
    expect(signed.status, signed.text).toBe(303);
    // an assessor sees no runs: it lands on its month grid
    expect(signed.location).toBe(key === maKey ? '/ui/assessment/grid' : '/ui/runs');
    return go;
  }
  function noEnglish(page: string) {
    const text = visibleText(page);
    for (const label of englishLabels()) expect(text, `"${label}" on a Chinese page`).not.toMatch(new RegExp(`(^|[^A-Za-z])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`));
  }
  const stored = async (department: string) => {
    const res = await svc.request('GET', `${base}/values?period=2026-01&department=${department}`);
    return new Map((res.body.values as { indicator: string; value: string }[]).map((v) => [v.indicator, v.value]));
  };

  it('the assessor enters a month whole; a bad cell names its department and indicator and writes nothing', async () => {
    const ma = await signedIn(maKey);
    const page = await ma('GET', '/ui/assessment/grid?month=2026-01');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('id="nav-grid"');
    expect(page.text).toContain('2026-01考核数据录入');
    // MA's monthly leaves by their Chinese names (the codes only in data-* attributes); not FIN's
    expect(page.text).toMatch(/<th scope="col" data-indicator="F21">门诊药品比例<\/th>/);
    expect(page.text).toMatch(/<tr data-department="IM"><th scope="row">内科<\/th>/);
    const table = visibleText(/<table id="grid"[\s\S]*<\/table>/.exec(page.text)![0]);
    for (const code of ['F21', 'P111', 'IM', 'PED', 'SUR']) expect(table).not.toMatch(new RegExp(`(^|[^A-Za-z0-9.])${code}([^A-Za-z0-9]|$)`));
    expect(page.text).toContain('data-indicator="P111"');
    expect(page.text).not.toContain('data-indicator="F12"');
    // the defect form offers the departments and MA's leaves by name (its defect-register C2 too; FIN's F12 not)
    expect(page.text).toMatch(/<datalist id="defect-departments">[\s\S]*?<option value="IM">内科<\/option>/);
    const offered = /<datalist id="defect-indicators">([\s\S]*?)<\/datalist>/.exec(page.text)![1]!;
    expect(offered).toContain('<option value="F21">门诊药品比例</option>');
    expect(offered).toContain('value="C2"');
    expect(offered).not.toContain('value="F12"');
    expect(page.text).toContain('name="v.IM.F21" value="31.50"');
    expect(page.text).toContain('data-department="SUR"');
    noEnglish(page.text);
    const csrf = hidden(page.text, 'csrf')!;
    const month = { csrf, month: '2026-01', 'v.IM.F21': '30.00', 'v.PED.F21': '33.00', 'v.SUR.P111': '85', 'v.IM.F12': '99.00' };

    // a bad cell: the page's error names 外科 and 甲级病历率, and nothing is written
    const bad = await ma('POST', '/ui/assessment/grid', { ...month, 'v.SUR.P111': '八十' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="error"');
    expect(visibleText(bad.text)).toContain('外科（SUR） 的“甲级病历率”（P111）有误');
    noEnglish(bad.text);
    expect((await stored('IM')).get('F21')).toBe('31.50');
    // a negative figure, which the API's body refuses, is refused the same way
    const negative = await ma('POST', '/ui/assessment/grid', { ...month, 'v.PED.F21': '-5' });
    expect(negative.status).toBe(400);
    expect(visibleText(negative.text)).toContain('儿科（PED） 的“门诊药品比例”（F21）有误：应为不小于 0 的数字');
    expect((await stored('PED')).get('F21')).toBe('33.00');
    expect((await stored('IM')).get('F21')).toBe('31.50');
    // without the page's token, refused
    expect((await ma('POST', '/ui/assessment/grid', { ...month, csrf: 'x'.repeat(32) })).status).toBe(403);

    const saved = await ma('POST', '/ui/assessment/grid', month);
    expect(saved.status, saved.text).toBe(303);
    const done = await ma('GET', saved.location);
    expect(done.text).toContain('已保存 2026-01 的考核数据');
    expect(done.text).toContain('name="v.IM.F21" value="30.00"');
    noEnglish(done.text);
    const im = await stored('IM');
    expect(im.get('F21')).toBe('30.00');
    expect(im.get('F12')).toBe('24.00'); // FIN's cell is not MA's to write: not read from the form
    expect((await stored('SUR')).get('P111')).toBe('85');
  });

  it('the assessor books a defect from the grid’s page; another office as owner is refused', async () => {
    const ma = await signedIn(maKey);
    const page = await ma('GET', '/ui/assessment/grid?month=2026-01');
    const csrf = hidden(page.text, 'csrf')!;
    const defect = { csrf, kind: 'department', target: 'IM', month: '2026-01', indicator: '', category: 'medical', points: '1.5', note: '交接班记录不全', owner: 'MA' };
    const booked = await ma('POST', '/ui/assessment/grid/defects', defect);
    expect(booked.status, booked.text).toBe(303);
    const done = await ma('GET', booked.location);
    const id = /已登记扣分 ([^。<]+)。/.exec(done.text)?.[1];
    expect(id, done.text).toBeTruthy();
    noEnglish(done.text);
    const api = await svc.request('GET', `${base}/department-defects/${id}`);
    expect(api.status).toBe(200);
    expect(api.body.versions[0].record).toMatchObject({ department: 'IM', owner: 'MA', points: '1.5', note: '交接班记录不全' });
    const foreign = await ma('POST', '/ui/assessment/grid/defects', { ...defect, owner: 'FIN' });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain('“考核科室”有误');
    noEnglish(foreign.text);
    // a field the API's body refuses, or a department that is not there: the page's error in Chinese, nothing booked
    const before = (await svc.request('GET', `${base}/department-defects`)).body.defects.length;
    for (const [bad, field] of [
      [{ points: 'abc' }, '“扣分”有误'],
      [{ kind: 'personal', target: 'S11', category: '' }, '“扣分类别”有误'],
      [{ month: '2026-13' }, '“月份”有误'],
      [{ target: 'NOPE' }, '“科室代码或工号”有误'],
    ] as const) {
      const refused = await ma('POST', '/ui/assessment/grid/defects', { ...defect, ...bad });
      expect(refused.status, field).toBe(400);
      expect(/id="error">([^<]*)/.exec(refused.text)?.[1]).toContain(field);
      noEnglish(refused.text);
    }
    expect((await svc.request('GET', `${base}/department-defects`)).body.defects.length).toBe(before);
    const person = await ma('POST', '/ui/assessment/grid/defects', { ...defect, kind: 'personal', target: 'S11', category: 'error', points: '1' });
    expect(person.status, person.text).toBe(303);
  });

  it('the admin’s grid has every office’s columns; a department head has none', async () => {
    const admin = await signedIn(adminKey);
    const page = await admin('GET', '/ui/assessment/grid?month=2026-01');
    expect(page.status, page.text).toBe(200);
    for (const c of ['F12', 'F21', 'P111']) expect(page.text).toContain(`data-indicator="${c}"`);
    const en = await admin('GET', '/ui/assessment/grid?month=2026-01&lang=en');
    expect(en.text).toContain('Assessment values of 2026-01');
    expect(en.text).toContain('Book a defect');
    const head = await signedIn(headKey);
    expect((await head('GET', '/ui/assessment/grid?month=2026-01')).status).toBe(403);
  });

  it('the printed 考核表 of IM has its indicators with values, its defects and the signature lines', async () => {
    const head = await signedIn(headKey);
    const page = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(page.text).toContain('href="/ui/assessment/IM/print?quarter=2026Q1"');
    const sheet = await head('GET', '/ui/assessment/IM/print?quarter=2026Q1');
    expect(sheet.status, sheet.text).toBe(200);
    expect(sheet.text).toContain('内科 2026年第一季度考核表');
    expect(sheet.text).toContain('门诊药品比例');
    expect(sheet.text).toContain('data-defect="DD01"');
    expect(sheet.text).toContain('class="signatures"');
    for (const line of ['被考核科室负责人：', '考核科室：', '考核小组：']) expect(sheet.text).toContain(line);
    noEnglish(sheet.text);
    expect((await head('GET', '/ui/assessment/SUR/print?quarter=2026Q1')).status).toBe(404);
    const en = await head('GET', '/ui/assessment/IM/print?quarter=2026Q1&lang=en');
    expect(en.text).toContain('Head of the assessed department：');
  });

  it('a month of an approved quarter: the write refuses the grid, in the page’s words naming the cell (last: it closes 2026Q1)', async () => {
    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    const run = await svc.waitForRun(trigger.body.id);
    expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`, { overrideReason: '测试结账' })).status).toBe(200);
    const ma = await signedIn(maKey);
    const page = await ma('GET', '/ui/assessment/grid?month=2026-02');
    const closed = await ma('POST', '/ui/assessment/grid', { csrf: hidden(page.text, 'csrf')!, month: '2026-02', 'v.SUR.F21': '35.25' });
    expect(closed.status).toBe(409);
    expect(visibleText(closed.text)).toContain('外科（SUR） 的“门诊药品比例”（F21）有误：');
    noEnglish(closed.text);
  });
});
