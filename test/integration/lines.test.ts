import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, backends, useTestService } from './harness.js';

/**
 * A settled quarter's people's lines read a page at a time (keyset paging, opaque cursor) and
 * downloaded whole as CSV or NDJSON, streamed; a department head sees only their departments;
 * names with CSV and COPY special characters survive both the COPY that stores the lines and
 * the CSV that exports them.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const CODE = 'XH-COUNTY';
const COLUMNS = [
  'staffId',
  'name',
  'department',
  'rawScore',
  'attendanceDeduction',
  'overtimeAddition',
  'payRatio',
  'effectiveScore',
  'tier2Pay',
  'leaderBonus',
  'studyLeavePay',
  'finesApplied',
  'total',
] as const;
const BOM = [0xef, 0xbb, 0xbf];
/** The Chinese header row a person's CSV has by default, column for column with COLUMNS. */
const ZH_COLUMNS = ['工号', '姓名', '科室编码', '原始得分', '缺勤扣减', '加班增加', '发放系数', '实得分', '二次分配', '职务奖励', '进修工资', '个人罚款', '实发合计'];

type Line = Record<(typeof COLUMNS)[number], string>;

function scenarioFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

describe.each(backends)("a settled quarter's lines: paging and export (%s)", (backend) => {
  const svc = useTestService(backend);
  let runId: string;
  let all: Line[];
  let im: Line[];

  beforeAll(async () => {
    const imported = await svc.request('POST', '/v1/imports', example);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const trigger = await svc.request('POST', `/v1/hospitals/${CODE}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status).toBe('succeeded');
    runId = run.id;
    all = run.result.individuals;
    im = all.filter((l) => l.department === 'IM');
    // the example is what these tests assume: several pages of 3, several IM people, people outside IM
    expect(all.length).toBeGreaterThan(9);
    expect(im.length).toBeGreaterThan(3);
    expect(im.length).toBeLessThan(all.length);
  });

  const keyFor = async (role: string, name: string, departments?: string[], hospital = CODE) => {
    const res = await svc.request('POST', '/v1/api-keys', { role, hospital, name, ...(departments ? { departments } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.token as string;
  };
  const get = (path: string, token = TOKEN) => svc.request('GET', path, undefined, { authorization: `Bearer ${token}` });
  /** Every page of …/lines from the first, asserting the page size; returns the pages. */
  const walk = async (query: string, limit: number, token = TOKEN) => {
    const pages: { lines: Line[]; next: string | null }[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const res = await get(`/v1/settlements/${runId}/lines?limit=${limit}${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ period: '2026Q1', kind: 'quarterly', status: 'succeeded' });
      expect(res.body.lines.length).toBeLessThanOrEqual(limit);
      pages.push({ lines: res.body.lines, next: res.body.next });
      if (res.body.next === null) return pages;
      expect(typeof res.body.next).toBe('string');
      after = res.body.next;
    }
    throw new Error('the cursor never ended');
  };
  /** GET …/export as raw bytes. */
  const download = async (query: string, id = runId, token = TOKEN) => {
    const res = await fetch(`${svc.baseUrl}/v1/settlements/${id}/export${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  /** A CSV row of plain values (none of the worked example's needs quoting). */
  const plainRow = (l: Line) => `${COLUMNS.map((c) => l[c]).join(',')}\r\n`;

  it('paging by 3 walks every line once in staff-id order, equal to the result; department=IM gives the IM lines', async () => {
    const pages = await walk('', 3);
    expect(pages).toHaveLength(Math.ceil(all.length / 3));
    for (const page of pages.slice(0, -1)) expect(page.lines).toHaveLength(3);
    expect(pages.at(-1)!.lines.length).toBe(all.length - 3 * (pages.length - 1));
    expect(pages.at(-1)!.next).toBeNull();
    const walked = pages.flatMap((p) => p.lines);
    expect(walked).toEqual(all);
    const ids = walked.map((l) => l.staffId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    // one page holding everything has no next
    const whole = await get(`/v1/settlements/${runId}/lines?limit=${all.length}`);
    expect(whole.body.lines).toEqual(all);
    expect(whole.body.next).toBeNull();
    // the default limit (1000) too
    const byDefault = await get(`/v1/settlements/${runId}/lines`);
    expect(byDefault.body.lines).toEqual(all);
    expect(byDefault.body.next).toBeNull();

    const imPages = await walk('&department=IM', 2);
    expect(imPages).toHaveLength(Math.ceil(im.length / 2));
    expect(imPages.flatMap((p) => p.lines)).toEqual(im);
    const sur = await get(`/v1/settlements/${runId}/lines?department=SUR`);
    expect(sur.body.lines).toEqual(all.filter((l) => l.department === 'SUR'));
    const nowhere = await get(`/v1/settlements/${runId}/lines?department=NOWHERE`);
    expect(nowhere.status).toBe(200);
    expect(nowhere.body).toMatchObject({ lines: [], next: null });
  });

  it('a cursor that this service did not give is 400 on `after`; a limit out of 1..10000 is 400', async () => {
    for (const bad of ['not-a-cursor!', Buffer.from('{"staffId":"S10"}').toString('base64url'), Buffer.from('[1]').toString('base64url'), Buffer.from('["S10",2]').toString('base64url')]) {
      const res = await get(`/v1/settlements/${runId}/lines?after=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_value', path: 'after' });
    }
    const tooMany = await get(`/v1/settlements/${runId}/lines?limit=10001`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.path).toBe('querystring.limit');
    const none = await get(`/v1/settlements/${runId}/lines?limit=0`);
    expect(none.status).toBe(400);
    expect(none.body.error.path).toBe('querystring.limit');
    const most = await get(`/v1/settlements/${runId}/lines?limit=10000`);
    expect(most.status).toBe(200);
    expect(most.body.lines).toEqual(all);
  });

  it("a department head reads only their departments' lines, and is refused another department's (403) and its people (404)", async () => {
    const head = await keyFor('dept_head', '内科主任 (lines)', ['IM']);
    const pages = await walk('', 2, head);
    expect(pages.flatMap((p) => p.lines)).toEqual(im);
    const own = await get(`/v1/settlements/${runId}/lines?department=IM`, head);
    expect(own.body.lines).toEqual(im);
    for (const other of ['SUR', 'PED', 'NOWHERE']) {
      const res = await get(`/v1/settlements/${runId}/lines?department=${other}`, head);
      expect(res.status, other).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    // the export too
    const exported = await download('?format=ndjson', runId, head);
    expect(exported.status).toBe(200);
    expect(
      utf8(exported.bytes)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual(im);
    expect((await download('?format=csv&department=SUR', runId, head)).status).toBe(403);
    // and a person outside IM: not found, as an unknown id (neither the person nor their department leaks)
    const outsider = all.find((l) => l.department !== 'IM')!;
    expect((await get(`/v1/settlements/${runId}/individuals/${outsider.staffId}`, head)).status).toBe(404);
  });

  it('export csv: a UTF-8 BOM, the header, CRLF lines, one row per person equal to the result, as an attachment', async () => {
    const res = await download('?format=csv&headers=en');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${CODE}-2026Q1-${runId.slice(0, 8)}.csv"`);
    expect([...res.bytes.slice(0, 3)]).toEqual(BOM);
    const text = utf8(res.bytes.slice(3));
    expect(text).toBe(`${COLUMNS.join(',')}\r\n${all.map(plainRow).join('')}`);
    // no bare LF anywhere: every line ends with CRLF
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.split('\r\n')).toHaveLength(all.length + 2);
    expect(text).toContain('内科主任');

    // csv is the default format
    const byDefault = await download('?headers=en');
    expect(byDefault.status).toBe(200);
    expect([...byDefault.bytes]).toEqual([...res.bytes]);

    const imCsv = await download('?format=csv&department=IM&headers=en');
    expect(imCsv.status).toBe(200);
    expect(imCsv.headers.get('content-disposition')).toBe(`attachment; filename="${CODE}-2026Q1-IM-${runId.slice(0, 8)}.csv"`);
    expect(utf8(imCsv.bytes)).toBe(`\uFEFF${COLUMNS.join(',')}\r\n${im.map(plainRow).join('')}`);
  });

  it('export csv for people (the default): the same rows under a Chinese header row, BOM and CRLF as for machines', async () => {
    expect(ZH_COLUMNS).toHaveLength(COLUMNS.length);
    const res = await download('?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...res.bytes.slice(0, 3)]).toEqual(BOM);
    expect(utf8(res.bytes.slice(3))).toBe(`${ZH_COLUMNS.join(',')}\r\n${all.map(plainRow).join('')}`);
    const explicit = await download('?format=csv&headers=zh');
    expect([...explicit.bytes]).toEqual([...res.bytes]);
    expect([...(await download('')).bytes]).toEqual([...res.bytes]);
    const imCsv = await download('?format=csv&department=IM');
    expect(utf8(imCsv.bytes)).toBe(`\uFEFF${ZH_COLUMNS.join(',')}\r\n${im.map(plainRow).join('')}`);
    expect((await download('?format=csv&headers=fr')).status).toBe(400);
  });

  it('export ndjson: one JSON object a line, equal to the result, department filter too', async () => {
    const res = await download('?format=ndjson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${CODE}-2026Q1-${runId.slice(0, 8)}.ndjson"`);
    const text = utf8(res.bytes);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(all.length);
    expect(lines.map((l) => JSON.parse(l))).toEqual(all);
    expect(text).toBe(all.map((l) => `${JSON.stringify(l)}\n`).join(''));

    const ped = await download('?format=ndjson&department=PED');
    expect(utf8(ped.bytes)).toBe(
      all
        .filter((l) => l.department === 'PED')
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    expect((await download('?format=pdf')).status).toBe(400);
  });

  it("names with CSV and COPY special characters: quoted per RFC 4180, a formula prefixed with ', stored exactly", async () => {
    // Name() in src/core/schema.ts is any string of at most 200 characters (only U+0000 is
    // refused, by the request validation), so tab, CR, LF and backslash are all allowed.
    const code = 'CSV-SAFE';
    const tricky = '张,"三"\t四\\N五\\'; // comma, quotes, a tab, a backslash before N (COPY's null), a trailing backslash
    const formula = '=HYPERLINK(1)';
    const minus = '-李四';
    const broken = '王\r\n五\n六\r';
    const names: Record<string, string> = { S11: tricky, S12: formula, S13: minus, S20: broken };
    const doc = scenarioFor(code);
    for (const s of doc.staff) if (names[s.id]) s.name = names[s.id];
    const imported = await svc.request('POST', '/v1/imports', doc);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status).toBe('succeeded');
    const lines: Line[] = run.result.individuals;
    const settledNames = Object.fromEntries(lines.map((l) => [l.staffId, l.name]));
    for (const [id, name] of Object.entries(names)) if (id in settledNames) expect(settledNames[id], id).toBe(name);
    // the same amounts as the worked example: only names changed
    expect(lines.map((l) => ({ ...l, name: '' }))).toEqual(all.map((l) => ({ ...l, name: '' })));

    // each person's line, read back from the table COPY filled, has the exact name
    for (const [id, name] of Object.entries(names)) {
      if (!(id in settledNames)) continue;
      const person = await get(`/v1/settlements/${run.id}/individuals/${id}`);
      expect(person.status).toBe(200);
      expect(person.body.line.name, id).toBe(name);
      expect(person.body.line).toEqual(lines.find((l) => l.staffId === id));
    }
    const paged = await get(`/v1/settlements/${run.id}/lines?limit=10000`);
    expect(paged.body.lines).toEqual(lines);

    const csv = await download('?format=csv&headers=en', run.id);
    expect(csv.status).toBe(200);
    const quoted: Record<string, string> = {
      S11: '"张,""三""\t四\\N五\\"', // quoted for the comma and quotes; tab and backslashes as they are
      S12: "'=HYPERLINK(1)", // prefixed, and needs no quotes
      S13: "'-李四",
      S20: '"王\r\n五\n六\r"', // quoted for the line breaks
    };
    const expected = lines.map((l) => `${COLUMNS.map((c) => (c === 'name' && quoted[l.staffId] ? quoted[l.staffId] : l[c])).join(',')}\r\n`).join('');
    expect(utf8(csv.bytes)).toBe(`\uFEFF${COLUMNS.join(',')}\r\n${expected}`);
    for (const id of Object.keys(quoted)) expect(id in settledNames, `${id} has a line`).toBe(true);

    const ndjson = await download('?format=ndjson', run.id);
    expect(
      utf8(ndjson.bytes)
        .slice(0, -1)
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(lines);
  });

  it('a run that has not settled (failed, queued, running) or does not exist has no lines and no export (404)', async () => {
    const code = 'LINES-UNSETTLED';
    expect((await svc.request('POST', '/v1/imports', scenarioFor(code))).status).toBe(200);
    // 2026Q2 before 2026Q1 is approved: the run fails
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q2' });
    const failed = await svc.waitForRun(trigger.body.id);
    expect(failed.status).toBe('failed');
    const notSettled = async (id: string) => {
      for (const path of [`/v1/settlements/${id}/lines`, `/v1/settlements/${id}/lines?department=IM`, `/v1/settlements/${id}/export?format=csv`, `/v1/settlements/${id}/export?format=ndjson`]) {
        const res = await get(path);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code, path).toBe('not_found');
      }
    };
    await notSettled(failed.id);
    await notSettled(randomUUID());

    // a queued run, then a running one, written directly (the in-process runner would settle a real one at once)
    const queuedId = randomUUID();
    await svc.database.db.execute(
      sql`insert into settlement_runs (id, hospital_id, period, kind, status, requested_by) select ${queuedId}, id, '2026Q1', 'quarterly', 'queued', 'test' from hospitals where code = ${code}`,
    );
    expect((await get(`/v1/settlements/${queuedId}`)).body.status).toBe('queued');
    await notSettled(queuedId);
    await svc.database.db.execute(sql`update settlement_runs set status = 'running', started_at = now() where id = ${queuedId}`);
    await notSettled(queuedId);
    // out of the way of the runner's sweep of queued runs
    await svc.database.db.execute(sql`update settlement_runs set status = 'failed', finished_at = now() where id = ${queuedId}`);
  });
});
