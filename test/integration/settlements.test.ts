import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backends, useTestService } from './harness.js';

/**
 * Settlement runs over HTTP (contract.md §4): one run per period however many triggers race,
 * closed periods refuse every write, approval rules (twice, failed, stale, superseded), and data
 * errors that fail a run without retrying it. Each test works on its own hospital: the worked
 * example imported under another hospital code.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

/** The worked example as the scenario of another hospital (a deep copy, free to change). */
function scenarioFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

describe.each(backends)('settlement runs (%s)', (backend) => {
  const svc = useTestService(backend);

  const importScenario = async (doc: unknown) => {
    const res = await svc.request('POST', '/v1/imports', doc);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const trigger = (code: string, period: string) => svc.request('POST', `/v1/hospitals/${code}/settlements`, { period });
  const settle = async (code: string, period: string) => {
    const res = await trigger(code, period);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return svc.waitForRun(res.body.id);
  };
  const approve = (id: string) => svc.request('POST', `/v1/settlements/${id}/approve`);
  const auditCount = async (code: string) => {
    const res = await svc.request('GET', `/v1/hospitals/${code}/audit/verify`);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    return res.body.events as number;
  };
  const auditEvents = async (code: string, query = '') => {
    const res = await svc.request('GET', `/v1/hospitals/${code}/audit?limit=1000${query}`);
    expect(res.status).toBe(200);
    return res.body.events as any[];
  };

  it('two concurrent triggers for the same period give one run: one 202, one 200, the same id', async () => {
    const code = 'SET-CONCURRENT';
    await importScenario(scenarioFor(code));
    const [a, b] = await Promise.all([trigger(code, '2026Q1'), trigger(code, '2026Q1')]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    expect(a.body.id).toBe(b.body.id);
    for (const res of [a, b]) expect(res.body).toMatchObject({ hospital: code, period: '2026Q1' });
    const created = a.status === 202 ? a : b;
    expect(created.body.status).toBe('queued');

    const listed = await svc.request('GET', `/v1/hospitals/${code}/settlements`);
    expect(listed.status).toBe(200);
    expect(listed.body.runs.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
    expect((await auditEvents(code, '&action=settlement.trigger')).length).toBe(1);

    const run = await svc.waitForRun(a.body.id);
    expect(run.status).toBe('succeeded');
    expect((await svc.request('GET', `/v1/hospitals/${code}/settlements?period=2026Q1`)).body.runs).toHaveLength(1);
  });

  it('a closed (approved) period refuses every write with 409 and nothing changes', async () => {
    const code = 'SET-CLOSED';
    await importScenario(scenarioFor(code));
    const run = await settle(code, '2026Q1');
    expect(run.status).toBe('succeeded');
    const approved = await approve(run.id);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');

    const periodBefore = await svc.request('GET', `/v1/hospitals/${code}/periods/2026Q1`);
    expect(periodBefore.status).toBe(200);
    const staffBefore = await svc.request('GET', `/v1/hospitals/${code}/staff`);
    const eventsBefore = await auditCount(code);

    // re-import with 2026Q1 changed (and a staff member renamed, which alone would be allowed): rejected whole
    const modified = scenarioFor(code);
    modified.periods[0].revenue = '6600000.00';
    modified.periods[0].individuals[0].workloadScore = '30';
    modified.staff.find((s: { id: string }) => s.id === 'S31').name = '儿科护士（改名）';
    const reimport = await svc.request('POST', '/v1/imports', modified);
    expect(reimport.status).toBe(409);
    expect(reimport.body.error.code).toBe('period_closed');
    expect(typeof reimport.body.error.message).toBe('string');

    // the granular writes to the closed quarter
    const putIndividual = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '30', errors: 1 });
    expect(putIndividual.status).toBe(409);
    expect(putIndividual.body.error.code).toBe('period_closed');
    const putFigures = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1`, { revenue: '6600000.00', workingDays: 60 });
    expect(putFigures.status).toBe(409);
    const putDepartmentInput = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/departments/MA`, { adminDeductions: '1' });
    expect(putDepartmentInput.status).toBe(409);
    const deleteIndividual = await svc.request('DELETE', `/v1/hospitals/${code}/periods/2026Q1/individuals/S12`);
    expect(deleteIndividual.status).toBe(409);

    // settling the closed period again: a new run is refused; asked without force, the approved run is the answer
    const retrigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1', force: true });
    expect(retrigger.status).toBe(409);
    expect(retrigger.body.error.code).toBe('period_closed');
    const unforced = await trigger(code, '2026Q1');
    expect(unforced.status).toBe(200);
    expect(unforced.body).toMatchObject({ id: run.id, status: 'approved' });

    // approving the same run twice
    const again = await approve(run.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });

    // nothing changed: the period's inputs, the staff, the runs, the audit trail
    expect((await svc.request('GET', `/v1/hospitals/${code}/periods/2026Q1`)).body).toEqual(periodBefore.body);
    expect((await svc.request('GET', `/v1/hospitals/${code}/staff`)).body).toEqual(staffBefore.body);
    expect(await auditCount(code)).toBe(eventsBefore);
    const runs = (await svc.request('GET', `/v1/hospitals/${code}/settlements`)).body.runs;
    expect(runs.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[run.id, 'approved']]);

    // the same document again is still accepted: it changes nothing
    const same = await svc.request('POST', '/v1/imports', scenarioFor(code));
    expect(same.status).toBe(200);
    expect(same.body.changed).toBe(false);
    expect(await auditCount(code)).toBe(eventsBefore);
  });

  it('settling 2026Q2 before 2026Q1 is approved fails the run with previous_quarter_not_settled, once, and a failed run cannot be approved', async () => {
    const code = 'SET-ORDER';
    await importScenario(scenarioFor(code));
    const triggered = await trigger(code, '2026Q2');
    expect(triggered.status).toBe(202);
    const run = await svc.waitForRun(triggered.body.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'previous_quarter_not_settled', message: expect.any(String) });
    expect(run.error.message).toContain('2026Q1');
    expect(run.result).toBeUndefined();

    // a data error is not retried: one attempt, one failure event, no "attempt failed" in the log
    const rows = (await svc.database.db.execute(sql`select attempts, status from settlement_runs where id = ${run.id}`)) as unknown as { rows: { attempts: number; status: string }[] };
    expect(rows.rows).toEqual([{ attempts: 1, status: 'failed' }]);
    const failEvents = (await auditEvents(code, '&action=settlement.fail')).filter((e) => e.entityKey === run.id);
    expect(failEvents).toHaveLength(1);
    const runLog = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.runId === run.id);
    expect(runLog.filter((l) => /settlement failed on its data/.test(l.msg))).toHaveLength(1);
    expect(runLog.filter((l) => /attempt failed/.test(l.msg))).toHaveLength(0);

    const approveFailed = await approve(run.id);
    expect(approveFailed.status).toBe(409);
    expect(approveFailed.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect((await svc.request('GET', `/v1/settlements/${run.id}`)).body.status).toBe('failed');

    // once 2026Q1 is approved, 2026Q2 settles
    const q1 = await settle(code, '2026Q1');
    expect(q1.status).toBe('succeeded');
    expect((await approve(q1.id)).status).toBe(200);
    const q2 = await settle(code, '2026Q2');
    expect(q2.error).toBeUndefined();
    expect(q2.status).toBe('succeeded');
    expect(q2.id).not.toBe(run.id);
  });

  it('a run whose inputs changed after it ran cannot be approved (run_stale); the re-run is approved and supersedes it', async () => {
    const code = 'SET-STALE';
    await importScenario(scenarioFor(code));
    const first = await settle(code, '2026Q1');
    expect(first.status).toBe('succeeded');

    const changed = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '30', errors: 1, lateOver5: 2, absentDays: 3 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const stale = await approve(first.id);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('run_stale');
    expect((await svc.request('GET', `/v1/settlements/${first.id}`)).body.status).toBe('succeeded');

    const second = await settle(code, '2026Q1');
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('succeeded');
    expect(second.inputHash).not.toBe(first.inputHash);
    // the fingerprint is sha256 of JSON.stringify({ doc, openingBank }) of what the run stored (the first quarter opens with no bank)
    const stored = (
      (await svc.database.db.execute(sql`SELECT inputs::text AS inputs, opening_bank FROM settlement_runs WHERE id = ${second.id}`)) as unknown as {
        rows: { inputs: string; opening_bank: Record<string, string> }[];
      }
    ).rows[0]!;
    expect(stored.opening_bank).toEqual({});
    expect(second.inputHash).toBe(
      createHash('sha256')
        .update(JSON.stringify({ doc: JSON.parse(stored.inputs), openingBank: {} }))
        .digest('hex'),
    );
    const approved = await approve(second.id);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');

    const old = await svc.request('GET', `/v1/settlements/${first.id}`);
    expect(old.body.status).toBe('superseded');
    expect(old.body.supersededBy).toBe(second.id);
    const runs = (await svc.request('GET', `/v1/hospitals/${code}/settlements?period=2026Q1`)).body.runs;
    expect(Object.fromEntries(runs.map((r: { id: string; status: string }) => [r.id, r.status]))).toEqual({ [first.id]: 'superseded', [second.id]: 'approved' });

    // the superseded run can no longer be approved either
    expect((await approve(first.id)).status).toBe(409);
  });

  it('a scenario that breaks a run-time rule (a clinical department with staff but no inputs) gives a failed run with code and message', async () => {
    const code = 'SET-RUNTIME';
    const doc = scenarioFor(code);
    doc.periods[0].departments = doc.periods[0].departments.filter((d: { code: string }) => d.code !== 'PED');
    await importScenario(doc);
    const run = await settle(code, '2026Q1');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'missing_inputs', message: expect.any(String) });
    expect(run.error.message).toContain('PED');
    expect(run.result).toBeUndefined();
    expect((await approve(run.id)).status).toBe(409);

    // the run is over, so triggering again makes a new run (which fails the same way)
    const again = await trigger(code, '2026Q1');
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(run.id);
    expect((await svc.waitForRun(again.body.id)).error.code).toBe('missing_inputs');
  });

  it('unknown runs are 404 and a malformed run id is 400', async () => {
    const missing = await svc.request('GET', '/v1/settlements/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await approve('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const malformed = await svc.request('GET', '/v1/settlements/not-a-uuid');
    expect(malformed.status).toBe(400);
  });
});
