import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/index.js';
import { compareResult } from '../fixtures/compare.js';
import { backends, useTestService } from './harness.js';

/**
 * disputes-and-awards.md through the service: the disputes example imported and settled
 * quarter by quarter over HTTP gives exactly the CLI's (and the example's) result; disputes are
 * created, corrected as new versions (audited), listed; flags are stored per person and year.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/disputes-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/disputes-example.result.json', import.meta.url), 'utf8'));
const expectedOf = (period: string) => expected.results.find((r: { period: string }) => r.period === period);
const CODE = scenario.hospital.code as string;

describe.each(backends)('disputes and the risk award over HTTP (%s)', (backend) => {
  const svc = useTestService(backend);

  it('the CLI engine and the REST API give the example result', async () => {
    // the CLI's engine on the document
    expect(compareResult(expected, simulate(scenario))).toEqual([]);
    const imported = await svc.request('POST', '/v1/imports', scenario);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.disputes).toEqual({ written: 5, unchanged: 0 });
    for (const period of ['2026Q1', '2026Q2', '2026']) {
      const trigger = await svc.request('POST', `/v1/hospitals/${CODE}/settlements`, { period });
      expect(trigger.status).toBe(202);
      const run = await svc.waitForRun(trigger.body.id);
      expect(run.error, JSON.stringify(run.error)).toBeUndefined();
      expect(compareResult(expectedOf(period), run.result)).toEqual([]);
      if (period === '2026') expect(run.result.flags).toEqual(expectedOf(period).flags);
      const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }
  });

  it("a person's line names each dispute behind their fine, and the fines of a dispute add up to its liability base", async () => {
    const runs = (await svc.request('GET', `/v1/hospitals/${CODE}/settlements?period=2026Q2`)).body.runs;
    const q2 = runs.find((r: { status: string }) => r.status === 'approved');
    const s10 = await svc.request('GET', `/v1/settlements/${q2.id}/individuals/S10`);
    // D2: base 9700.00 (20000×20% + 30000×10% + 50000×5% + 20000×1%); IM 0.6 → 5820.00, S10 team lead 25% 1455.00
    // and department head the rest 582.00; D3: 8000 × 20% = 1600.00, S10 400.00 + 160.00 → 2597.00
    expect(s10.body.disputeFines).toBe('2597.00');
    expect(s10.body.disputes).toEqual([
      { disputeId: 'D2', amount: '2037.00' },
      { disputeId: 'D3', amount: '560.00' },
    ]);
    // conservation per dispute: D2's people (S11 3783.00, S10 2037.00 of IM; S31 3298.00, S30 582.00 of PED) = 9700.00
    const lines = await Promise.all(['S10', 'S11', 'S30', 'S31'].map((id) => svc.request('GET', `/v1/settlements/${q2.id}/individuals/${id}`)));
    const d2 = lines.flatMap((l) => (l.body.disputes as { disputeId: string; amount: string }[]).filter((d) => d.disputeId === 'D2').map((d) => d.amount));
    expect(d2.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2)).toBe('9700.00');
  });

  it('stores the flags per person and year', async () => {
    const all = await svc.request('GET', `/v1/hospitals/${CODE}/flags?year=2026`);
    expect(all.status).toBe(200);
    expect(all.body.flags.map((f: Record<string, unknown>) => ({ ...f, year: undefined }))).toEqual(expectedOf('2026').flags.map((f: Record<string, unknown>) => ({ year: undefined, ...f })));
    const s11 = await svc.request('GET', `/v1/hospitals/${CODE}/flags?staffId=S11`);
    expect(s11.body.flags).toEqual([
      { year: 2026, staffId: 'S11', flag: 'grade_fail', disputeId: 'D2' },
      { year: 2026, staffId: 'S11', flag: 'suspended', disputeId: 'D3' },
    ]);
  });

  it('creates, corrects (a new version, audited) and lists disputes; refuses a closed quarter and a bad record', async () => {
    const closed = await svc.request('POST', `/v1/hospitals/${CODE}/disputes`, { ...scenario.disputes[0], id: 'D9' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('period_closed');

    const record = {
      id: 'D10',
      bookedIn: '2027Q1',
      compensation: '15000.00',
      classification: 'defect',
      parties: [{ department: 'SUR', share: '1', departmentType: 'bed', responsible: 'S21', teamLead: 'S20', departmentHead: 'S20' }],
    };
    const noTeamLead = await svc.request('POST', `/v1/hospitals/${CODE}/disputes`, { ...record, parties: [{ ...record.parties[0], teamLead: undefined }] });
    expect(noTeamLead.status).toBe(400);
    expect(noTeamLead.body.error).toMatchObject({ code: 'missing_field', path: 'parties[0].teamLead' });
    const unknown = await svc.request('POST', `/v1/hospitals/${CODE}/disputes`, { ...record, parties: [{ ...record.parties[0], responsible: 'NOBODY' }] });
    expect(unknown.body.error).toMatchObject({ code: 'unknown_reference', path: 'parties[0].responsible' });

    const created = await svc.request('POST', `/v1/hospitals/${CODE}/disputes`, record);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: 'D10', version: 1 });
    expect((await svc.request('POST', `/v1/hospitals/${CODE}/disputes`, record)).status).toBe(409);
    // defect 15000 > 10000: no_awards for the responsible person
    expect((await svc.request('GET', `/v1/hospitals/${CODE}/flags?year=2027`)).body.flags).toEqual([{ year: 2027, staffId: 'S21', flag: 'no_awards', disputeId: 'D10' }]);

    const { id: _id, ...rest } = record;
    const corrected = await svc.request('PUT', `/v1/hospitals/${CODE}/disputes/D10`, { ...rest, compensation: '9000.00', reason: '赔偿金额经复核更正' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.body).toMatchObject({ id: 'D10', version: 2, reason: '赔偿金额经复核更正' });
    expect((await svc.request('GET', `/v1/hospitals/${CODE}/flags?year=2027`)).body.flags).toEqual([]);
    const history = await svc.request('GET', `/v1/hospitals/${CODE}/disputes/D10`);
    expect(history.body.versions.map((v: { version: number; record: { compensation: string } }) => [v.version, v.record.compensation])).toEqual([
      [1, '15000.00'],
      [2, '9000.00'],
    ]);
    const current = await svc.request('GET', `/v1/hospitals/${CODE}/disputes?year=2027`);
    expect(current.body.disputes.map((d: { id: string; version: number }) => [d.id, d.version])).toEqual([['D10', 2]]);
    const audit = await svc.request('GET', `/v1/hospitals/${CODE}/audit?entityType=dispute&limit=50`);
    const actions = (audit.body.events as { action: string; entityKey: string }[]).filter((e) => e.entityKey === 'D10').map((e) => e.action);
    expect(actions.sort()).toEqual(['dispute.correct', 'dispute.create']);
    expect((await svc.request('PUT', `/v1/hospitals/${CODE}/disputes/NOPE`, { ...rest, reason: 'x' })).status).toBe(404);
  });
});
