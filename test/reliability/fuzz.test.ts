import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestService } from '../integration/harness.js';

/**
 * Bad input: thousands of generated malformed requests across every write endpoint — wrong types,
 * missing and unknown fields, negative and huge numbers, broken JSON, 10 MB bodies, odd unicode
 * and SQL-looking strings — each answered with a 4xx in the error format, never a 5xx, and the
 * database exactly as it was.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const CODE = 'XH-COUNTY';

/** Valid bodies of each write endpoint, which the fuzzer then breaks. */
const targets: { method: string; path: string; body: Record<string, unknown>; required: string[] }[] = [
  { method: 'POST', path: '/v1/imports', body: scenario, required: ['hospital', 'departments', 'staff'] },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/departments/IM`, body: { name: '内科', kind: 'clinical', riskCoefficient: '1.20' }, required: ['name', 'kind', 'riskCoefficient'] },
  {
    method: 'PUT',
    path: `/v1/hospitals/${CODE}/staff/S11`,
    body: { name: '内科医师', department: 'IM', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' },
    required: ['name', 'department', 'titleGrade', 'employment', 'role'],
  },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/periods/2026Q1`, body: { revenue: '6500000.00', workingDays: 60 }, required: ['revenue', 'workingDays'] },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/periods/2026Q1/departments/PED`, body: withoutCode(scenario.periods[0].departments[2]), required: [] },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/periods/2026Q1/individuals/S11`, body: { workloadScore: '36', errors: 1, lateOver5: 2, absentDays: 3 }, required: [] },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/annual/2026`, body: { adjustment: '-10000.00', departments: [{ code: 'SUR', assessmentFactor: '0.9' }], failedStaff: ['S13'] }, required: [] },
  { method: 'PUT', path: `/v1/hospitals/${CODE}/scheme-versions/2026Q1`, body: { parameters: {} }, required: ['parameters'] },
  { method: 'POST', path: `/v1/hospitals/${CODE}/settlements`, body: { period: '2026Q1' }, required: ['period'] },
  { method: 'POST', path: '/v1/api-keys', body: { role: 'finance', hospital: CODE, name: '财务科' }, required: ['role', 'hospital', 'name'] },
];

function withoutCode(record: Record<string, unknown>): Record<string, unknown> {
  const { code: _code, ...rest } = record;
  return rest;
}

const ODD = ['\u0000', '\u202e', '\ud83d\ude00', '\ufeff', "'; drop table staff; --", '" OR 1=1 --', '科室\u0301', ' ', '\t', 'a'.repeat(300)];

/** The money fields of the targets' bodies (allocation-rules' amounts in yuan). */
const MONEY_KEYS = new Set(['revenue', 'adjustment', 'medicalRevenue', 'drugRevenue', 'totalCost', 'inventoryLoss', 'fines', 'compensation', 'floorPerCapita', 'amount']);

/** One way to break a valid body; each result is invalid whatever the rest of the body holds. */
type Breaker = (body: Record<string, unknown>, pick: number, required: string[]) => unknown;
const breakers: Record<string, Breaker> = {
  numberForDecimal: (b, i) => retype(b, i, (v) => (typeof v === 'string' && /^-?[0-9.]+$/.test(v) ? Number(v) : undefined)),
  // studyLeaveMonths and cmeCredits take a whole number or a decimal string, so not those
  stringForInteger: (b, i) => retype(b, i, (v, key) => (typeof v === 'number' && key !== 'studyLeaveMonths' && key !== 'cmeCredits' ? String(v) : undefined)),
  negative: (b, i) => retype(b, i, (v) => (typeof v === 'string' && /^[0-9.]+$/.test(v) && v !== '0' ? `-${v}` : typeof v === 'number' ? -1 - v : undefined)),
  huge: (b, i) => retype(b, i, (v) => (typeof v === 'number' ? 1e308 : typeof v === 'string' && /^[0-9.]+$/.test(v) ? '9'.repeat(5000) : undefined), true),
  // well formed, but more than the store holds (18 digits before the point): refused at the door (#13 item 20)
  hugeAmount: (b, i) => retype(b, i, (v, key) => (typeof v === 'string' && MONEY_KEYS.has(String(key)) ? `${'9'.repeat(18)}.00` : undefined), true),
  unknownField: (b, i) => ({ ...b, [`${ODD[i % ODD.length]!}x`]: 1 }),
  missingField: (b, _i, required) => drop(b, required),
  oddReference: (b, i) => (b.department !== undefined ? { ...b, department: ODD[i % ODD.length] } : { ...b, '\u202eextra': ODD[i % ODD.length] }),
  wrongShape: (_b, i) => [null, [], 'text', 42, true][i % 5],
};

function retype(body: Record<string, unknown>, pick: number, change: (v: unknown, key: string | number) => unknown, force = false): unknown {
  const leaves: { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const [k, v] of node.entries()) {
        if (v && typeof v === 'object') walk(v);
        else leaves.push({ parent: node, key: k, value: v });
      }
    } else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) v && typeof v === 'object' ? walk(v) : leaves.push({ parent: node as Record<string, unknown>, key: k, value: v });
  };
  const copy = structuredClone(body);
  walk(copy);
  const candidates = leaves.filter((l) => change(l.value, l.key) !== undefined && l.key !== 'name' && l.key !== 'indicator');
  if (candidates.length === 0) return force ? { ...copy, unexpected: 1 } : { ...copy, '': null };
  const leaf = candidates[pick % candidates.length]!;
  (leaf.parent as Record<string | number, unknown>)[leaf.key] = change(leaf.value, leaf.key);
  return copy;
}

function drop(body: Record<string, unknown>, required: string[]): unknown {
  // a record with no required field is broken by an unknown one instead
  const key = Object.keys(body).find((k) => required.includes(k));
  if (!key) return { ...body, unexpected: true };
  const { [key]: _gone, ...rest } = body;
  return rest;
}

describe('bad input never reaches the database and never gets a 5xx (PGlite)', () => {
  const svc = useTestService('pglite');
  let before: string;
  const snapshot = async () => {
    const parts = await Promise.all(
      [
        `/v1/hospitals/${CODE}/departments`,
        `/v1/hospitals/${CODE}/staff`,
        `/v1/hospitals/${CODE}/periods/2026Q1`,
        `/v1/hospitals/${CODE}/periods/2026Q2`,
        `/v1/hospitals/${CODE}/annual/2026`,
        `/v1/hospitals/${CODE}/scheme-versions`,
        `/v1/hospitals/${CODE}/settlements`,
        `/v1/hospitals/${CODE}/audit/verify`,
        `/v1/api-keys?hospital=${CODE}`,
        '/v1/hospitals',
      ].map(async (p) => [p, (await svc.request('GET', p)).body]),
    );
    return JSON.stringify(parts);
  };

  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
    before = await snapshot();
  });

  let sent = 0;
  const expectClientError = (res: { status: number; body: any }, what: string) => {
    sent += 1;
    expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(res.status, what).toBeLessThan(500);
    expect(typeof res.body?.error?.code, what).toBe('string');
    expect(typeof res.body?.error?.message, what).toBe('string');
  };

  it('2,000 generated malformed JSON bodies across every write endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.constantFrom(...Object.keys(breakers)), fc.nat(), async (t, breaker, pick) => {
        const target = targets[t]!;
        const body = breakers[breaker]!(target.body, pick, target.required);
        const res = await svc.request(target.method, target.path, body);
        expectClientError(res, `${target.method} ${target.path} ${breaker}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('broken JSON, wrong content types, 10 MB bodies, and odd codes in paths', async () => {
    for (const target of targets) {
      for (const raw of ['{', '{"a":', 'nul', '[1,2', '{"revenue": 1e99999}', '\ud800', '']) {
        expectClientError(await svc.request(target.method, target.path, raw, { 'content-type': 'application/json' }), `${target.path} ${JSON.stringify(raw)}`);
      }
      expectClientError(await svc.request(target.method, target.path, 'revenue=1', { 'content-type': 'application/x-www-form-urlencoded' }), `${target.path} form`);
    }
    const tenMb = JSON.stringify({ ...scenario, padding: 'x'.repeat(10 * 1024 * 1024) });
    expectClientError(await svc.request('POST', '/v1/imports', tenMb), '10 MB import');
    const bigStaff = {
      ...scenario,
      staff: [...scenario.staff, ...Array.from({ length: 40_000 }, (_, i) => ({ id: `X${i}`, name: '职工', department: 'NOPE', titleGrade: 'worker', employment: 'regular', role: 'worker' }))],
    };
    expectClientError(await svc.request('POST', '/v1/imports', bigStaff), 'import of 40,000 staff of an unknown department');
    for (const odd of ODD) {
      const code = encodeURIComponent(odd);
      expectClientError(await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2026Q1/individuals/${code}`, { workloadScore: '36' }), `individual ${JSON.stringify(odd)}`);
      expectClientError(await svc.request('PUT', `/v1/hospitals/${CODE}/periods/${code}`, { revenue: '1.00', workingDays: 60 }), `period ${JSON.stringify(odd)}`);
      expectClientError(await svc.request('POST', `/v1/hospitals/${CODE}/settlements`, { period: odd }), `settle ${JSON.stringify(odd)}`);
      expectClientError(await svc.request('GET', `/v1/settlements/${code}`), `run ${JSON.stringify(odd)}`);
    }
  });

  it('deep nesting, lone surrogates, the NDJSON content type, __proto__ kinds and out-of-range query values', async () => {
    const nest = (depth: number, leaf: unknown, array: boolean): unknown => {
      let v = leaf;
      for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
      return v;
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.integer({ min: 65, max: 12_000 }), fc.boolean(), fc.nat(), async (t, depth, array, pick) => {
        const target = targets[t]!;
        // nested inside the body (a whole-body JSON text, so no JSON.stringify recursion on our side either)
        const inner = array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        const text = JSON.stringify({ ...target.body, [`x${pick % 7}`]: 0 }).replace(`"x${pick % 7}":0`, `"x${pick % 7}":${inner}`);
        expectClientError(await svc.request(target.method, target.path, text), `${target.path} nested ${depth} deep`);
        // and a lone surrogate in some string of the body
        const surrogate = retype(target.body, pick, (v) => (typeof v === 'string' ? `${v.slice(0, 3)}${pick % 2 ? '\ud800' : '\udfff'}` : undefined), true);
        expectClientError(await svc.request(target.method, target.path, JSON.stringify(surrogate)), `${target.path} lone surrogate`);
        // the NDJSON content type belongs to the stream alone
        expectClientError(await svc.request(target.method, target.path, `${JSON.stringify(target.body)}\n`, { 'content-type': 'application/x-ndjson' }), `${target.path} as NDJSON`);
        void nest;
      }),
      { numRuns: 60 },
    );
    const stream = (body: string) => svc.request('POST', `/v1/hospitals/${CODE}/periods/2026Q1/stream`, body, { 'content-type': 'application/x-ndjson' });
    for (const kind of ['__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'toString', 'prototype', '']) {
      expectClientError(await stream(`{"type":${JSON.stringify(kind)},"record":{}}\n`), `stream kind ${kind}`);
      expectClientError(await stream(`{"type":"staff","record":{"__proto__":{"id":"S11"}}}\n`), 'stream __proto__ record');
    }
    expectClientError(await stream(`{"type":"staff","record":${'['.repeat(20_000)}${']'.repeat(20_000)}}\n`), 'stream deep line');
    expectClientError(await stream('{"type":"department","record":{"code":"IM","name":"\\ud800","kind":"clinical","riskCoefficient":"1.00"}}\n'), 'stream surrogate');
    for (const query of [
      'afterSeq=99999999999999999999',
      'afterSeq=-1',
      'afterSeq=1e400',
      'limit=0',
      'limit=100000000000',
      'from=garbage',
      'to=2026-13-45',
      'from=2026-02-30T10:00:00Z',
      'to=9999999-01-01',
    ]) {
      expectClientError(await svc.request('GET', `/v1/hospitals/${CODE}/audit?${query}`), `audit ?${query}`);
    }
  });

  it('left the database exactly as it was', async () => {
    expect(sent).toBeGreaterThanOrEqual(2000);
    expect(await snapshot()).toBe(before);
  });
});
