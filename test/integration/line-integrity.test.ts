import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestService, type TestService } from './harness.js';

/**
 * A person's result line must name an existing settlement run, and a run that has lines cannot
 * be removed or renumbered (migration 0007). The database checks this once per statement, as a
 * foreign key would have row by row: a batch with one line of an unknown run is refused whole.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

/** The messages and codes of an error and of every error it was caused by. */
function describeError(e: unknown): string {
  const parts: string[] = [];
  for (let x: any = e; x && typeof x === 'object'; x = x.cause) parts.push(`${x.code ?? ''} ${String(x.message ?? '')}`);
  return parts.join(' | ');
}

describe.each(backends)('result lines and their run (%s)', (backend) => {
  let svc: TestService;
  let runId: string;
  const code = 'INTEGRITY';
  const count = async (where: ReturnType<typeof sql>) =>
    ((await svc.database.db.execute(sql`SELECT count(*)::int AS n FROM individual_lines WHERE ${where}`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
  const refused = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
  /** One line of `run` as an INSERT's row, copied from a settled line with a new staff id. */
  const lineOf = (run: string, staffId: string) => sql`
    (SELECT ${run}::uuid, ${staffId}, name, department, raw_score, attendance_deduction, overtime_addition, pay_ratio, effective_score,
           tier2_pay, leader_bonus, study_leave_pay, fines_applied, total
    FROM individual_lines WHERE run_id = ${runId} LIMIT 1)`;
  const insert = (rows: ReturnType<typeof sql>) =>
    svc.database.db.execute(sql`
      INSERT INTO individual_lines (run_id, staff_id, name, department, raw_score, attendance_deduction, overtime_addition, pay_ratio,
                                    effective_score, tier2_pay, leader_bonus, study_leave_pay, fines_applied, total)
      ${rows}`);

  beforeAll(async () => {
    svc = await startTestService(backend);
    const doc = structuredClone(example);
    doc.hospital.code = code;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    runId = (await svc.waitForRun(trigger.body.id)).id;
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('a settled run has its lines', async () => {
    expect(await count(sql`run_id = ${runId}`)).toBeGreaterThan(0);
  });

  it('a line of a run that does not exist is refused, and a batch with one such line is refused whole', async () => {
    const ghost = randomUUID();
    const one = await refused(insert(lineOf(ghost, 'GHOST-1')));
    expect(one, 'the line was written').not.toBeNull();
    expect(describeError(one)).toMatch(/23503/);
    expect(describeError(one)).toContain(`settlement run ${ghost} does not exist`);

    const mixed = await refused(insert(sql`${lineOf(runId, 'EXTRA-1')} UNION ALL ${lineOf(ghost, 'GHOST-2')}`));
    expect(mixed, 'the batch was written').not.toBeNull();
    expect(describeError(mixed)).toContain(`settlement run ${ghost} does not exist`);
    expect(await count(sql`staff_id IN ('GHOST-1', 'GHOST-2', 'EXTRA-1')`)).toBe(0);
  });

  it('moving a line to a run that does not exist is refused', async () => {
    const ghost = randomUUID();
    const moved = await refused(svc.database.db.execute(sql`UPDATE individual_lines SET run_id = ${ghost} WHERE run_id = ${runId}`));
    expect(describeError(moved)).toContain(`settlement run ${ghost} does not exist`);
    expect(await count(sql`run_id = ${ghost}`)).toBe(0);
  });

  it('a line of an existing run is accepted', async () => {
    await insert(lineOf(runId, 'EXTRA-2'));
    expect(await count(sql`run_id = ${runId} AND staff_id = 'EXTRA-2'`)).toBe(1);
    await svc.database.db.execute(sql`DELETE FROM individual_lines WHERE run_id = ${runId} AND staff_id = 'EXTRA-2'`);
  });

  it('a run with lines cannot be deleted or given another id', async () => {
    const lines = await count(sql`run_id = ${runId}`);
    const del = await refused(svc.database.db.execute(sql`DELETE FROM settlement_runs WHERE id = ${runId}`));
    expect(describeError(del)).toMatch(/23503/);
    const renumber = await refused(svc.database.db.execute(sql`UPDATE settlement_runs SET id = ${randomUUID()} WHERE id = ${runId}`));
    expect(describeError(renumber)).toMatch(/23503/);
    expect(await count(sql`run_id = ${runId}`)).toBe(lines);
    const run = await svc.request('GET', `/v1/settlements/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
  });
});
