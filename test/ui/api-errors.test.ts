import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpClient, useTestService } from '../integration/harness.js';

/**
 * The API's errors in Chinese when the request asks for it (Accept-Language: zh), with the same
 * code, status and path; English, exactly as before, otherwise. Validation names the field.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };
const EN = { 'accept-language': 'en-US,en;q=0.9' };

describe('API errors in the language asked for', () => {
  const svc = useTestService('pglite');
  beforeAll(async () => {
    expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
  });

  /** The same request in English (no header, and Accept-Language: en) and in Chinese. */
  async function both(method: string, path: string, body?: unknown) {
    const plain = await svc.request(method, path, body);
    const en = await svc.request(method, path, body, EN);
    const zh = await svc.request(method, path, body, ZH);
    expect(en.status).toBe(plain.status);
    expect(zh.status).toBe(plain.status);
    expect(en.body).toEqual(plain.body);
    expect(zh.body.error.code).toBe(plain.body.error.code);
    expect(zh.body.error.path).toBe(plain.body.error.path);
    expect(zh.body.error.message).not.toBe(plain.body.error.message);
    return { en: plain.body.error, zh: zh.body.error };
  }

  it('validation names the field and says what it must be, for each generic shape', async () => {
    const period = await both('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: 'x' });
    expect(period.en.message).toBe(`period: Expected string to match '^[0-9]{4}(Q[1-4])?$', got the string "x"`);
    expect(period.zh.message).toBe('body.period: 必须是 2026Q1 形式的季度或 2026 形式的年度，收到 字符串 "x"');
    expect((await both('POST', '/v1/hospitals/XH-COUNTY/settlements', {})).zh.message).toBe('body.period: 为必填项');
    expect((await both('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1', bogus: 1 })).zh.message).toBe('body.bogus: 不是该记录的字段');
    expect((await both('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1', force: 'yes' })).zh.message).toBe('body.force: 必须是 true 或 false，收到 字符串 "yes"');
    expect((await both('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: 2026 })).zh.message).toMatch(/^body\.period: 必须是字符串，收到 数字 2026$/);
    expect((await both('POST', '/v1/api-keys', { role: 'boss', hospital: 'XH-COUNTY', name: 'x' })).zh.message).toBe(
      'body.role: 必须是 admin, finance, dept_head, auditor, assessor 之一，收到 字符串 "boss"',
    );
    expect((await both('GET', '/v1/hospitals/XH-COUNTY/audit?limit=0')).zh.message).toBe('querystring.limit: 必须不小于 1，收到 数字 0');
    expect((await both('GET', '/v1/hospitals/XH-COUNTY/audit?limit=5000')).zh.message).toBe('querystring.limit: 必须不大于 1000，收到 数字 5000');
    expect((await both('GET', '/v1/hospitals/XH-COUNTY/audit?limit=abc')).zh.message).toBe('querystring.limit: 必须是整数（JSON 整数），收到 字符串 "abc"');
    expect((await both('GET', '/v1/hospitals/XH-COUNTY/audit?from=2026-13-01')).zh.message).toBe(
      'querystring.from: 必须是 ISO 8601 日期或时间（如 2026-11-01 或 2026-11-01T08:00:00Z），收到 "2026-13-01"',
    );
    expect((await both('GET', '/v1/settlements/abc')).zh.message).toBe('params.id: 必须是 UUID 形式的编号，收到 字符串 "abc"');
  });

  it('domain errors by their shape: not found, no inputs, a closed period, a stale run, no token', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    expect((await both('GET', `/v1/settlements/${id}`)).zh.message).toBe(`未找到核算批次 ${id}`);
    expect((await both('GET', '/v1/nope')).zh.message).toBe('没有这个接口：GET /v1/nope');
    expect((await both('GET', '/v1/hospitals/NOPE/settlements')).zh.message).toBe('未找到医院 NOPE');
    expect((await both('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2027Q1' })).zh.message).toBe('医院 XH-COUNTY 没有 2027Q1 的核算数据');

    const run = await svc.request('POST', '/v1/hospitals/XH-COUNTY/settlements', { period: '2026Q1' });
    await svc.waitForRun(run.body.id);
    const patched = await svc.request('PATCH', '/v1/hospitals/XH-COUNTY/periods/2026Q1', { revenue: '6600000.00' }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    const stale = await both('POST', `/v1/settlements/${run.body.id}/approve`);
    expect(stale.en.code).toBe('run_stale');
    expect(stale.zh.message).toBe(`2026Q1 的数据在核算批次 ${run.body.id} 之后已变更；请重新核算并审批新的批次`);

    const anonymous = httpClient(svc.baseUrl, null);
    const en = await anonymous('GET', '/v1/hospitals/XH-COUNTY/settlements');
    const zh = await anonymous('GET', '/v1/hospitals/XH-COUNTY/settlements', undefined, ZH);
    expect(zh.status).toBe(401);
    expect(en.body.error.message).toBe('a valid API token is required (Authorization: Bearer <token>)');
    expect(zh.body.error.message).toBe('需要有效的 API 令牌（Authorization: Bearer <令牌>）');
  });
});
