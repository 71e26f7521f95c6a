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

/** No English label of the catalogue on a Chinese page, each as a whole word or phrase. */
function noEnglish(page: string) {
  const text = visibleText(page);
  for (const label of englishLabels()) expect(text, `"${label}" on a Chinese page`).not.toMatch(new RegExp(`(^|[^A-Za-z])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`));
}

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
    expect(item![0]).toMatch(/<td data-department="IM"><a [^>]*>内科 <span class="meta">IM<\/span><\/a><\/td>/);
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

/**
 * The scorecard and the people on a department head's page (issue #17): every figure is the
 * engine's. Before a run the page previews what a run would settle; after one, the page's
 * attainments, scores, grades, deductions and people's scores equal the run's `assessment`
 * block; a defect booked afterwards lowers the preview (and the page says the run is behind);
 * a quarter whose values are still missing says so and still scores the people.
 */
describe.each(backends)('the department head’s scorecard: the engine’s figures, equal to a settled run’s (%s)', (backend) => {
  const svc = useTestService(backend);
  const keys = { head: '', other: '', assessor: '' };
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    const key = async (body: Record<string, unknown>) => {
      const res = await svc.request('POST', '/v1/api-keys', { hospital: H, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.token as string;
    };
    keys.head = await key({ role: 'dept_head', departments: ['IM'], name: '内科主任' });
    keys.other = await key({ role: 'dept_head', departments: ['SUR'], name: '外科主任' });
    keys.assessor = await key({ role: 'assessor', departments: ['MA'], name: '医务科' });
  });

  async function signedIn(key: string) {
    const go = cookieBrowser(svc.baseUrl);
    const form = await go('GET', '/ui');
    const signed = await go('POST', '/ui/sign-in', { key, csrf: hidden(form.text, 'csrf')! });
    expect(signed.status, signed.text).toBe(303);
    return go;
  }

  /** A table's rows by an attribute, each with its data-* attributes. */
  function rows(page: string, table: string, key: string): Map<string, Record<string, string>> {
    const body = new RegExp(`<table id="${table}"[\\s\\S]*?</table>`).exec(page)?.[0] ?? '';
    const out = new Map<string, Record<string, string>>();
    for (const tr of body.matchAll(/<tr ([^>]*)>/g)) {
      const attrs = Object.fromEntries([...tr[1]!.matchAll(/data-([a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      if (attrs[key] !== undefined) out.set(attrs[key]!, attrs);
    }
    return out;
  }
  const attr = (page: string, id: string, name: string) => new RegExp(`id="${id}"[^>]*data-${name}="([^"]*)"`).exec(page)?.[1];

  it('previews IM’s quarter by name before the run, then shows exactly the run’s assessment block; a defect booked after lowers the preview', async () => {
    const head = await signedIn(keys.head);
    const before = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(before.status, before.text).toBe(200);
    const text = visibleText(before.text);
    expect(text).toContain('按当前数据计算，尚未结算');
    expect(text).toContain('本季度尚未结算');
    expect(before.text).toMatch(/<tr data-indicator="F21"[^>]*><td[^>]*>门诊药品比例 <span class="meta">F21<\/span>/);
    expect(text).toContain('业务科室平衡计分卡');
    expect(text).toContain('加减分法：目标 30，每高 1 扣 5%');
    // the values table and the personal defects by name, the codes kept in attributes
    expect(before.text).toMatch(/<table id="values">[\s\S]*<tr data-indicator="F21"><td>门诊药品比例 <span class="meta">F21<\/span>/);
    expect(before.text).toMatch(/<tr data-defect="PD01"[^>]*><td>PD01<\/td><td>2026-02<\/td><td data-staff="S11" title="S11">内科医师<\/td>/);
    const previewScores = rows(before.text, 'scorecard', 'indicator');
    const previewPeople = rows(before.text, 'people', 'staff');

    const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const line = run.result.assessment.departments.find((d: { code: string }) => d.code === 'IM');
    expect(line.score).toMatch(/^\d+\.\d{6}$/);

    const after = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    const scored = rows(after.text, 'scorecard', 'indicator');
    // every node the run assessed, with the run's score and (a leaf's) attainment, and no other
    const assessed = [...scored.values()].filter((r) => r.score !== undefined).map((r) => ({ code: r.indicator, score: r.score, ...(r.attainment ? { attainment: r.attainment } : {}) }));
    expect(assessed).toEqual(line.indicators);
    expect(previewScores).toEqual(scored);
    for (const yearly of ['F3', 'L1', 'L2']) expect(scored.get(yearly)?.score, yearly).toBeUndefined();
    expect(attr(after.text, 'department-score', 'score')).toBe(line.score);
    expect(attr(after.text, 'department-grade', 'grade')).toBe(line.grade);
    expect(attr(after.text, 'director-grade', 'grade')).toBe(line.directorGrade);
    for (const [category, points] of Object.entries(line.deductions)) expect(after.text, category).toContain(`data-category="${category}" data-points="${points}"`);
    // IM's eligible people, each with the run's score and grade, by name
    const staff = new Set(scenario.staff.filter((s: { department: string }) => s.department === 'IM').map((s: { id: string }) => s.id));
    const people = rows(after.text, 'people', 'staff');
    const runPeople = run.result.assessment.individuals.filter((i: { staffId: string }) => staff.has(i.staffId));
    expect([...people.keys()]).toEqual(runPeople.map((i: { staffId: string }) => i.staffId));
    for (const i of runPeople) expect({ staffId: i.staffId, score: people.get(i.staffId)?.score, grade: people.get(i.staffId)?.grade }).toEqual({ staffId: i.staffId, score: i.score, grade: i.grade });
    expect(previewPeople).toEqual(people);
    expect(after.text).toMatch(
      /<tr data-staff="S11" data-score="84.000000" data-grade="basic_pass"><td title="S11">内科医师<\/td><td class="num">84.00<\/td><td>基本合格<\/td><td class="num">1<\/td>/,
    );
    expect(attr(after.text, 'latest-run', 'run')).toBe(run.id);
    expect(after.text).toContain('data-same="true"');
    expect(visibleText(after.text)).toContain('与按当前数据计算的结果一致');
    noEnglish(after.text);

    // a complaint booked against IM's C2 (5 points, monthly) in February: C2's attainment that month is 3/5
    const booked = await svc.request('POST', `/v1/hospitals/${H}/assessment/department-defects`, {
      id: 'DD90',
      month: '2026-02',
      owner: 'MA',
      department: 'IM',
      indicator: 'C2',
      points: '2',
      note: '有效投诉',
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const lowered = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    const c2 = rows(lowered.text, 'scorecard', 'indicator').get('C2')!;
    expect(c2.attainment).toBe('0.866667');
    expect(Number(attr(lowered.text, 'department-score', 'score'))).toBeLessThan(Number(line.score));
    expect(lowered.text).toContain('data-same="false"');
    expect(visibleText(lowered.text)).toContain('须重新结算');
    expect(rows(lowered.text, 'scorecard', 'indicator').get('C2')).toBeDefined();
    expect(lowered.text).toMatch(/<tr data-indicator="C2"[\s\S]*?DD90[\s\S]*?<\/tr>/);

    // settled again, the run agrees with the page once more
    const again = await svc.waitForRun((await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' })).body.id);
    const settled = await head('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(attr(settled.text, 'department-score', 'score')).toBe(again.result.assessment.departments.find((d: { code: string }) => d.code === 'IM').score);
    expect(settled.text).toContain('data-same="true"');

    // the printed 考核表 has the same scorecard, score and grade
    const sheet = await head('GET', '/ui/assessment/IM/print?quarter=2026Q1');
    expect(rows(sheet.text, 'scorecard', 'indicator')).toEqual(rows(settled.text, 'scorecard', 'indicator'));
    expect(attr(sheet.text, 'department-grade', 'grade')).toBe(attr(settled.text, 'department-grade', 'grade'));
    expect(sheet.text).toContain('<table id="people">');
    noEnglish(sheet.text);
  });

  it('a quarter with values still missing: the page says which are missing and why there is no score, and still scores the people', async () => {
    const head = await signedIn(keys.head);
    const page = await head('GET', '/ui/assessment/IM?quarter=2026Q3');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('id="scorecard-refused" data-code="missing_assessment_value"');
    expect(visibleText(page.text)).toContain('按当前数据暂不能计算科室得分');
    expect(page.text).toMatch(/<tr data-indicator="F12"[\s\S]*?未录入[\s\S]*?<\/tr>/);
    expect(page.text).not.toContain('id="department-score"');
    expect(rows(page.text, 'people', 'staff').get('S11')).toMatchObject({ score: '100.000000', grade: 'pass' });
    noEnglish(page.text);
  });

  it('another department’s head and an assessor do not see IM’s scorecard', async () => {
    const other = await signedIn(keys.other);
    const refused = await other('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('id="scorecard"');
    expect((await other('GET', '/ui/assessment/IM/print?quarter=2026Q1')).status).toBe(404);
    expect((await other('GET', '/ui/assessment/SUR?quarter=2026Q1')).status).toBe(200);
    const assessor = await signedIn(keys.assessor);
    const page = await assessor('GET', '/ui/assessment/IM?quarter=2026Q1');
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('id="people"');
  });
});
