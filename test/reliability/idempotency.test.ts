import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backends, useTestService } from '../integration/harness.js';

const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

describe.each(backends)('Idempotency-Key on POST (%s)', (backend) => {
  const svc = useTestService(backend);
  const events = async (code: string) => (await svc.request('GET', `/v1/hospitals/${code}/audit/verify`)).body.events as number;
  const runsOf = async (code: string) => (await svc.request('GET', `/v1/hospitals/${code}/settlements`)).body.runs as { id: string }[];

  it('a retried trigger with the same key and body returns the first answer and creates nothing new', async () => {
    const doc = { ...scenario, hospital: { code: 'IDEM-1', name: '幂等医院' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const first = await svc.request('POST', '/v1/hospitals/IDEM-1/settlements', { period: '2026Q1' }, { 'idempotency-key': 'trigger-2026Q1-a' });
    expect(first.status).toBe(202);
    await svc.waitForRun(first.body.id);
    const before = await events('IDEM-1');
    // the first run has finished: without the key a trigger would make a second run
    const retry = await svc.request('POST', '/v1/hospitals/IDEM-1/settlements', { period: '2026Q1' }, { 'idempotency-key': 'trigger-2026Q1-a' });
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await runsOf('IDEM-1')).toHaveLength(1);
    expect(await events('IDEM-1')).toBe(before);
  });

  it('the same key with another body is a 422 and writes nothing', async () => {
    const before = await events('IDEM-1');
    const other = await svc.request('POST', '/v1/hospitals/IDEM-1/settlements', { period: '2026Q2' }, { 'idempotency-key': 'trigger-2026Q1-a' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await runsOf('IDEM-1')).toHaveLength(1);
    expect(await events('IDEM-1')).toBe(before);
  });

  it('a retried approval replays the first 200 instead of a 409, and an import retry replays its counts', async () => {
    const [run] = await runsOf('IDEM-1');
    const first = await svc.request('POST', `/v1/settlements/${run!.id}/approve`, undefined, { 'idempotency-key': 'approve-1' });
    expect(first.status).toBe(200);
    const retry = await svc.request('POST', `/v1/settlements/${run!.id}/approve`, undefined, { 'idempotency-key': 'approve-1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const withoutKey = await svc.request('POST', `/v1/settlements/${run!.id}/approve`);
    expect(withoutKey.status).toBe(409);

    const doc = { ...scenario, hospital: { code: 'IDEM-2', name: '幂等医院二' } };
    const imported = await svc.request('POST', '/v1/imports', doc, { 'idempotency-key': 'import-idem-2' });
    const again = await svc.request('POST', '/v1/imports', doc, { 'idempotency-key': 'import-idem-2' });
    expect(again.body).toEqual(imported.body);
    expect(again.body.changed).toBe(true);
  });

  it('an empty key is a 400 naming the header', async () => {
    const bad = await svc.request('POST', '/v1/hospitals/IDEM-1/settlements', { period: '2026Q2' }, { 'idempotency-key': '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toBe('headers.idempotency-key');
  });
});
