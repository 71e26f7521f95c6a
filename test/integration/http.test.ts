import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, backends, useTestService } from './harness.js';

/**
 * The HTTP surface (contract.md §4): authentication and the error format, /health and the
 * OpenAPI document, validation errors naming the field, broken JSON, unknown hospitals, the
 * granular input endpoints, and the log: no token ever, the request id on every request line.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const WRONG_TOKEN = 'wrong-token-but-long-enough-0123456789';

function scenarioFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

/** A request without the harness's Authorization header (or with the given one). */
async function raw(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const expectErrorFormat = (body: any, code?: string) => {
  expect(body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect(Object.keys(body.error).every((k) => ['code', 'message', 'path', 'details'].includes(k))).toBe(true);
  if (code) expect(body.error.code).toBe(code);
};

describe.each(backends)('the HTTP API (%s)', (backend) => {
  const svc = useTestService(backend);
  const code = 'HTTP-MAIN';
  beforeAll(async () => {
    const imported = await svc.request('POST', '/v1/imports', scenarioFor(code));
    expect(imported.status).toBe(200);
  });

  it('no token → 401 in the error format; a wrong token → 401; /health → 200 without a token', async () => {
    const none = await raw(svc.baseUrl, 'GET', `/v1/hospitals/${code}`);
    expect(none.status).toBe(401);
    expectErrorFormat(none.body, 'unauthorized');

    const wrong = await raw(svc.baseUrl, 'GET', `/v1/hospitals/${code}`, { authorization: `Bearer ${WRONG_TOKEN}` });
    expect(wrong.status).toBe(401);
    expectErrorFormat(wrong.body, 'unauthorized');

    const notBearer = await raw(svc.baseUrl, 'GET', `/v1/hospitals/${code}`, { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` });
    expect(notBearer.status).toBe(401);
    expectErrorFormat(notBearer.body, 'unauthorized');

    // a write without a token changes nothing
    const importWithout = await raw(svc.baseUrl, 'POST', '/v1/imports', { 'content-type': 'application/json' }, JSON.stringify(scenarioFor('HTTP-NO-TOKEN')));
    expect(importWithout.status).toBe(401);
    expect((await svc.request('GET', '/v1/hospitals/HTTP-NO-TOKEN')).status).toBe(404);

    const health = await raw(svc.baseUrl, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');

    const ok = await svc.request('GET', `/v1/hospitals/${code}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ code, name: example.hospital.name });
  });

  it("GET /openapi.json is an OpenAPI 3 document listing the contract's paths", async () => {
    const res = await raw(svc.baseUrl, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(String(res.body.openapi)).toMatch(/^3\.\d+\.\d+$/);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['/health', 'get'],
      ['/v1/imports', 'post'],
      ['/v1/hospitals/{code}/settlements', 'post'],
      ['/v1/settlements/{id}', 'get'],
      ['/v1/settlements/{id}/approve', 'post'],
      ['/v1/hospitals/{code}/audit/verify', 'get'],
      // the granular endpoints are documented too
      ['/v1/hospitals/{code}/departments/{department}', 'put'],
      ['/v1/hospitals/{code}/staff/{staffId}', 'put'],
      ['/v1/hospitals/{code}/periods/{period}', 'put'],
      ['/v1/hospitals/{code}/periods/{period}/departments/{department}', 'put'],
      ['/v1/hospitals/{code}/periods/{period}/individuals/{staffId}', 'put'],
      ['/v1/hospitals/{code}/periods/{period}/individuals/{staffId}', 'delete'],
    ];
    for (const [path, method] of expected) {
      expect(paths[path], `${path} is not in the document`).toBeDefined();
      expect(paths[path]![method], `${method.toUpperCase()} ${path} is not in the document`).toBeDefined();
    }
  });

  it('a bad body is a 400 naming the field', async () => {
    const doc = scenarioFor('HTTP-BAD-BODY');
    doc.periods[0].revenue = 6500000;
    const badImport = await svc.request('POST', '/v1/imports', doc);
    expect(badImport.status).toBe(400);
    expectErrorFormat(badImport.body);
    expect(badImport.body.error.path).toBe('periods[0].revenue');
    expect(badImport.body.error.message).toMatch(/revenue/);
    // all or nothing: the hospital was not created
    expect((await svc.request('GET', '/v1/hospitals/HTTP-BAD-BODY')).status).toBe(404);

    const badIndividual = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { errors: '1' });
    expect(badIndividual.status).toBe(400);
    expectErrorFormat(badIndividual.body);
    expect(badIndividual.body.error.path).toMatch(/(^|\.)errors$/);

    const unknownField = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '30', adjustmnet: '1' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.path).toMatch(/adjustmnet$/);

    const badKind = await svc.request('PUT', `/v1/hospitals/${code}/departments/NEW`, { name: '新科室', kind: 'surgical', riskCoefficient: '1.00' });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.path).toMatch(/(^|\.)kind$/);

    const badPeriod = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q5' });
    expect(badPeriod.status).toBe(400);
    expectErrorFormat(badPeriod.body);

    // the bad writes left the stored inputs as they were
    const period = await svc.request('GET', `/v1/hospitals/${code}/periods/2026Q1`);
    expect(period.body.individuals.find((r: { staffId: string }) => r.staffId === 'S11')).toEqual(example.periods[0].individuals.find((r: { staffId: string }) => r.staffId === 'S11'));
    expect((await svc.request('GET', `/v1/hospitals/${code}/departments`)).body.departments.map((d: { code: string }) => d.code)).not.toContain('NEW');
  });

  it('broken JSON is a 400 invalid_json', async () => {
    const res = await svc.request('POST', '/v1/imports', '{"hospital": {"code": "X"');
    expect(res.status).toBe(400);
    expectErrorFormat(res.body, 'invalid_json');
    const trailing = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, '{"errors": 1,}');
    expect(trailing.status).toBe(400);
    expectErrorFormat(trailing.body, 'invalid_json');
  });

  it('an unknown hospital is a 404', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/hospitals/NO-SUCH-HOSPITAL', undefined],
      ['GET', '/v1/hospitals/NO-SUCH-HOSPITAL/periods/2026Q1', undefined],
      ['GET', '/v1/hospitals/NO-SUCH-HOSPITAL/staff', undefined],
      ['GET', '/v1/hospitals/NO-SUCH-HOSPITAL/settlements', undefined],
      ['POST', '/v1/hospitals/NO-SUCH-HOSPITAL/settlements', { period: '2026Q1' }],
      ['PUT', '/v1/hospitals/NO-SUCH-HOSPITAL/periods/2026Q1', { revenue: '1000.00', workingDays: 60 }],
      ['GET', '/v1/hospitals/NO-SUCH-HOSPITAL/audit/verify', undefined],
    ] as const) {
      const res = await svc.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expectErrorFormat(res.body, 'not_found');
    }
  });

  it('the granular endpoints write a hospital record by record, and the period reads back as written', async () => {
    const h = 'HTTP-GRANULAR';
    const im = example.departments.find((d: { code: string }) => d.code === 'IM');
    const ma = example.departments.find((d: { code: string }) => d.code === 'MA');
    const s10 = example.staff.find((s: { id: string }) => s.id === 'S10');
    const s11 = example.staff.find((s: { id: string }) => s.id === 'S11');
    const s02 = example.staff.find((s: { id: string }) => s.id === 'S02');
    const q1 = example.periods[0];
    const imInput = q1.departments.find((d: { code: string }) => d.code === 'IM');
    const maInput = q1.departments.find((d: { code: string }) => d.code === 'MA');
    const s11Input = q1.individuals.find((r: { staffId: string }) => r.staffId === 'S11');
    const without = <T extends Record<string, unknown>>(o: T, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

    const hospital = await svc.request('PUT', `/v1/hospitals/${h}`, { name: '颗粒医院' });
    expect(hospital.status, JSON.stringify(hospital.body)).toBe(200);
    for (const d of [im, ma]) {
      const res = await svc.request('PUT', `/v1/hospitals/${h}/departments/${d.code}`, without(d, 'code'));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    for (const s of [s10, s11, s02]) {
      const res = await svc.request('PUT', `/v1/hospitals/${h}/staff/${s.id}`, without(s, 'id'));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const figures = await svc.request('PUT', `/v1/hospitals/${h}/periods/2026Q1`, { revenue: q1.revenue, workingDays: q1.workingDays });
    expect(figures.status, JSON.stringify(figures.body)).toBe(200);
    for (const d of [imInput, maInput]) {
      const res = await svc.request('PUT', `/v1/hospitals/${h}/periods/2026Q1/departments/${d.code}`, without(d, 'code'));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const individual = await svc.request('PUT', `/v1/hospitals/${h}/periods/2026Q1/individuals/S11`, without(s11Input, 'staffId'));
    expect(individual.status, JSON.stringify(individual.body)).toBe(200);

    const departments = await svc.request('GET', `/v1/hospitals/${h}/departments`);
    expect(departments.body.departments).toEqual([im, ma]);
    const staff = await svc.request('GET', `/v1/hospitals/${h}/staff`);
    expect(staff.body.staff).toEqual([s02, s10, s11]);
    const period = await svc.request('GET', `/v1/hospitals/${h}/periods/2026Q1`);
    expect(period.status).toBe(200);
    expect(period.body).toEqual({ period: '2026Q1', revenue: q1.revenue, workingDays: q1.workingDays, departments: [imInput, maInput], individuals: [s11Input] });

    // a record PUT again replaces the whole record
    const replaced = await svc.request('PUT', `/v1/hospitals/${h}/periods/2026Q1/individuals/S11`, { workloadScore: '30' });
    expect(replaced.status).toBe(200);
    expect((await svc.request('GET', `/v1/hospitals/${h}/periods/2026Q1`)).body.individuals).toEqual([{ staffId: 'S11', workloadScore: '30' }]);

    const removed = await svc.request('DELETE', `/v1/hospitals/${h}/periods/2026Q1/individuals/S11`);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    expect((await svc.request('GET', `/v1/hospitals/${h}/periods/2026Q1`)).body.individuals).toEqual([]);
    const again = await svc.request('DELETE', `/v1/hospitals/${h}/periods/2026Q1/individuals/S11`);
    expect(again.status).toBe(404);
    expectErrorFormat(again.body, 'not_found');

    // what was written granularly settles
    const trigger = await svc.request('POST', `/v1/hospitals/${h}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(run.result.individuals.map((l: { staffId: string }) => l.staffId)).toEqual(['S02', 'S10', 'S11']);
  });

  it("the log never holds the token; every line of a request carries the server's request id, and a client's x-request-id beside it, never in its place", async () => {
    const ids = ['http-log-ok', 'http-log-401', 'http-log-404', 'http-log-400'];
    const answers = [
      await svc.request('GET', `/v1/hospitals/${code}/periods/2026Q1`, undefined, { 'x-request-id': ids[0]! }),
      await raw(svc.baseUrl, 'GET', `/v1/hospitals/${code}`, { authorization: `Bearer ${WRONG_TOKEN}`, 'x-request-id': ids[1]! }),
      await svc.request('GET', '/v1/hospitals/NO-SUCH-HOSPITAL', undefined, { 'x-request-id': ids[2]! }),
      await svc.request('POST', '/v1/imports', '{broken', { 'x-request-id': ids[3]! }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 400]);
    // the server's own id, whatever the client sent
    const serverIds = answers.map((a) => a.headers.get('x-request-id')!);
    for (const [i, id] of serverIds.entries()) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(id).not.toBe(ids[i]);
    }
    const generated = await svc.request('GET', '/health');
    const generatedId = generated.headers.get('x-request-id');
    expect(generatedId).toMatch(/^[\w.-]{8,64}$/);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect([200, 202]).toContain(trigger.status);
    await svc.waitForRun(trigger.body.id);

    const text = svc.logs.join('');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(WRONG_TOKEN);

    const lines = svc.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    // every line names its request, but the server's own start and the settlement jobs' lines (which name their run)
    const requestLines = lines.filter((l) => l.runId === undefined && !/^Server listening/.test(l.msg ?? ''));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const l of requestLines) expect(l.reqId, JSON.stringify(l)).toEqual(expect.any(String));
    expect(lines.filter((l) => l.runId === trigger.body.id).length).toBeGreaterThan(0);
    // no line takes the client's id as the request id
    for (const id of ids) expect(lines.filter((l) => l.reqId === id)).toEqual([]);
    for (const [i, id] of [...serverIds, generatedId!].entries()) {
      const mine = lines.filter((l) => l.reqId === id);
      expect(
        mine.map((l) => l.msg),
        `the lines of request ${id}`,
      ).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
      expect(mine.filter((l) => l.req !== undefined)).toHaveLength(1);
      expect(mine.filter((l) => l.res !== undefined)).toHaveLength(1);
      // the client's own id, where it sent one, is on every line of its request, labelled as the client's
      if (i < ids.length) for (const l of mine) expect(l.clientRequestId, JSON.stringify(l)).toBe(ids[i]);
    }
  });
});
