import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, errorText, useTestService } from './harness.js';

/**
 * A person's result line must name an existing settlement run, and a run that has lines, or has
 * settled, cannot be removed or renumbered (migration 0007). The database checks this once per statement, as a
 * foreign key would have row by row: a batch with one line of an unknown run is refused whole.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

/** The columns a test line copies from a settled line (the rest are nullable). */
const COPIED = 'name, department, raw_score, attendance_deduction, overtime_addition, pay_ratio, effective_score, tier2_pay, leader_bonus, study_leave_pay, fines_applied, total';

describe.each(backends)('result lines and their run (%s)', (backend) => {
  const svc = useTestService(backend);
  let runId: string;
  const code = 'INTEGRITY';
  const count = async (where: ReturnType<typeof sql>) =>
    ((await svc.database.db.execute(sql`SELECT count(*)::int AS n FROM individual_lines WHERE ${where}`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );
  /** One line of `run` as an INSERT's row, copied from a settled line with a new staff id. */
  const lineOf = (run: string, staffId: string) => sql`(SELECT ${run}::uuid, ${staffId}, ${sql.raw(COPIED)} FROM individual_lines WHERE run_id = ${runId} LIMIT 1)`;
  const insert = (rows: ReturnType<typeof sql>) => svc.database.db.execute(sql`INSERT INTO individual_lines (run_id, staff_id, ${sql.raw(COPIED)}) ${rows}`);

  beforeAll(async () => {
    const doc = structuredClone(example);
    doc.hospital.code = code;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    runId = (await svc.waitForRun(trigger.body.id)).id;
  });

  it('a settled run has its lines', async () => {
    expect(await count(sql`run_id = ${runId}`)).toBeGreaterThan(0);
  });

  it('a line of a run that does not exist is refused, and a batch with one such line is refused whole', async () => {
    const ghost = randomUUID();
    const one = await refused(insert(lineOf(ghost, 'GHOST-1')));
    expect(one, 'the line was written').not.toBeNull();
    expect(errorText(one)).toMatch(/23503/);
    expect(errorText(one)).toContain(`settlement run ${ghost} does not exist`);

    const mixed = await refused(insert(sql`${lineOf(runId, 'EXTRA-1')} UNION ALL ${lineOf(ghost, 'GHOST-2')}`));
    expect(mixed, 'the batch was written').not.toBeNull();
    expect(errorText(mixed)).toContain(`settlement run ${ghost} does not exist`);
    expect(await count(sql`staff_id IN ('GHOST-1', 'GHOST-2', 'EXTRA-1')`)).toBe(0);
  });

  it('moving a line to a run that does not exist is refused', async () => {
    const ghost = randomUUID();
    const moved = await refused(svc.database.db.execute(sql`UPDATE individual_lines SET run_id = ${ghost} WHERE run_id = ${runId}`));
    expect(errorText(moved)).toContain(`settlement run ${ghost} does not exist`);
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
    expect(errorText(del)).toMatch(/23503/);
    const renumber = await refused(svc.database.db.execute(sql`UPDATE settlement_runs SET id = ${randomUUID()} WHERE id = ${runId}`));
    expect(errorText(renumber)).toMatch(/23503/);
    expect(await count(sql`run_id = ${runId}`)).toBe(lines);
    const run = await svc.request('GET', `/v1/settlements/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
  });

  it('with two connections: a run not yet committed is not found, and a run whose lines are being written cannot be deleted meanwhile', async (ctx) => {
    if (backend !== 'postgres') return ctx.skip(); // PGlite has one connection
    const a = new pg.Client({ connectionString: svc.databaseUrl });
    const b = new pg.Client({ connectionString: svc.databaseUrl });
    await a.connect();
    await b.connect();
    try {
      const lineSql = `INSERT INTO individual_lines (run_id, staff_id, ${COPIED}) SELECT $1::uuid, $2, ${COPIED} FROM individual_lines WHERE run_id = $3 LIMIT 1`;
      const newRun = (id: string) =>
        `INSERT INTO settlement_runs (id, hospital_id, period, kind, status, requested_by)
         SELECT '${id}'::uuid, hospital_id, '2026Q4', 'quarterly', 'failed', 'test' FROM settlement_runs WHERE id = '${runId}'`;
      // a: a run inserted and not committed; b cannot write lines for it
      const pending = randomUUID();
      await a.query('BEGIN');
      await a.query(newRun(pending));
      const early = await refused(b.query(lineSql, [pending, 'EARLY-1', runId]));
      expect(errorText(early)).toContain(`settlement run ${pending} does not exist`);
      await a.query('COMMIT');

      // b writes lines for the committed run and has not committed: a's delete of the run waits for b
      await b.query('BEGIN');
      await b.query(lineSql, [pending, 'LATE-1', runId]);
      await a.query(`SET lock_timeout = '300ms'`);
      const waited = await refused(a.query(`DELETE FROM settlement_runs WHERE id = $1`, [pending]));
      expect(errorText(waited)).toMatch(/55P03/); // lock_not_available: it waited for b's lock
      await b.query('COMMIT');
      // once b has committed, the delete is refused: the run has lines
      const after = await refused(a.query(`DELETE FROM settlement_runs WHERE id = $1`, [pending]));
      expect(errorText(after)).toContain(`settlement run ${pending} is settled or has individual lines`);
      expect(await count(sql`run_id = ${pending}`)).toBe(1);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('a settled run cannot be deleted even without lines; a failed run without lines can', async () => {
    const insertRun = (id: string, status: string) =>
      svc.database.db.execute(sql`
        INSERT INTO settlement_runs (id, hospital_id, period, kind, status, requested_by)
        SELECT ${id}::uuid, hospital_id, '2026Q3', 'quarterly', ${status}, 'test' FROM settlement_runs WHERE id = ${runId}`);
    const settled = randomUUID();
    await insertRun(settled, 'superseded');
    const del = await refused(svc.database.db.execute(sql`DELETE FROM settlement_runs WHERE id = ${settled}`));
    expect(errorText(del)).toMatch(/23503/);
    expect(errorText(del)).toContain(`settlement run ${settled} is settled or has individual lines`);

    const failed = randomUUID();
    await insertRun(failed, 'failed');
    await svc.database.db.execute(sql`DELETE FROM settlement_runs WHERE id = ${failed}`);
    const left = (await svc.database.db.execute(sql`SELECT count(*)::int AS n FROM settlement_runs WHERE id = ${failed}`)) as unknown as { rows: { n: number }[] };
    expect(left.rows[0]!.n).toBe(0);
  });
});
