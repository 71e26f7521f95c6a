import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backends, useTestService } from '../integration/harness.js';

/**
 * Concurrency: 20 imports of overlapping data at once end in the state of one of them applied
 * whole (some serial order), never a mix; concurrent approvals of one period never give two
 * approved runs, and the database itself refuses a second one.
 */
const base = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

function variant(code: string, i: number) {
  const doc = structuredClone(base);
  doc.hospital.code = code;
  doc.departments[1].name = `内科-${i}`;
  doc.departments[4].riskCoefficient = `1.${String(i).padStart(2, '0')}`;
  doc.staff[4].titleGrade = i % 2 ? 'attending' : 'resident';
  doc.staff[4].name = `内科医师-${i}`;
  doc.periods[0].revenue = `${6_500_000 + i * 1000}.00`;
  doc.periods[0].individuals[0].workloadScore = String(20 + (i % 20));
  doc.periods[1].departments[0].medicalRevenue = `${2_100_000 + i}.00`;
  if (i % 3 === 0) doc.periods[1].individuals.push({ staffId: 'S30', errors: i % 5 });
  return doc;
}

describe.each(backends)('concurrent writes (%s)', (backend) => {
  const svc = useTestService(backend);

  const state = async (code: string) => {
    const [departments, staff, q1, q2] = await Promise.all(
      ['departments', 'staff', 'periods/2026Q1', 'periods/2026Q2'].map(async (p) => (await svc.request('GET', `/v1/hospitals/${code}/${p}`)).body),
    );
    return JSON.stringify({ departments, staff, q1, q2 });
  };

  it('20 concurrent imports of overlapping data end as one of them applied whole', async () => {
    const code = 'CONC-IMPORTS';
    expect((await svc.request('POST', '/v1/imports', variant(code, 99))).status).toBe(200);
    const docs = Array.from({ length: 20 }, (_, i) => variant(code, i));
    const answers = await Promise.all(docs.map((d) => svc.request('POST', '/v1/imports', d)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const final = await state(code);

    // what each document alone gives, on a hospital of its own
    const outcomes: string[] = [];
    for (let i = 0; i < docs.length; i++) {
      const alone = `CONC-ALONE-${i}`;
      expect((await svc.request('POST', '/v1/imports', variant(alone, i))).status).toBe(200);
      outcomes.push((await state(alone)).replaceAll(alone, code));
    }
    const matches = outcomes.map((o, i) => (o === final ? i : -1)).filter((i) => i >= 0);
    expect(matches.length, 'the final state is exactly one document applied whole').toBeGreaterThanOrEqual(1);

    const verify = await svc.request('GET', `/v1/hospitals/${code}/audit/verify`);
    expect(verify.body.valid).toBe(true);
  }, 120_000);

  it('concurrent approvals of two succeeded runs of one period approve exactly one', async () => {
    const code = 'CONC-APPROVE';
    expect((await svc.request('POST', '/v1/imports', variant(code, 1))).status).toBe(200);
    const first = await svc.waitForRun((await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' })).body.id);
    // a second run of unchanged inputs is asked for explicitly (without force the first is returned)
    const second = await svc.waitForRun((await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1', force: true })).body.id);
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect(first.id).not.toBe(second.id);
    const answers = await Promise.all([first, second, first, second].map((r) => svc.request('POST', `/v1/settlements/${r.id}/approve`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(3);
    const runs = (await svc.request('GET', `/v1/hospitals/${code}/settlements?period=2026Q1`)).body.runs as { status: string }[];
    expect(runs.filter((r) => r.status === 'approved')).toHaveLength(1);
  }, 120_000);

  it('the database itself refuses a second approved run of a period', async () => {
    const code = 'CONC-APPROVE';
    const runs = (await svc.request('GET', `/v1/hospitals/${code}/settlements?period=2026Q1`)).body.runs as { id: string; status: string }[];
    const other = runs.find((r) => r.status !== 'approved')!;
    const failure = await svc.database.db.execute(sql`update settlement_runs set status = 'approved' where id = ${other.id}`).then(
      () => null,
      (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`,
    );
    expect(failure).toMatch(/settlement_runs_one_approved/);
  });
});
