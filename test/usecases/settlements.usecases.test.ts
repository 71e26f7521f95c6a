import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettlementJob } from '../../src/modules/settlements/settlements.queue.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { importScenario } from '../../src/modules/imports/imports.usecases.js';
import { setQuarter } from '../../src/modules/inputs/inputs.usecases.js';
import { review } from '../../src/modules/settlements/reviews.usecases.js';
import { approveSettlement, personLine, readSettlement, requestSettlement, settleRun } from '../../src/modules/settlements/settlements.usecases.js';
import type { Caller, Principal } from '../../src/shared/principal.js';
import { compareResult } from '../fixtures/compare.js';
import { asTestAdmin } from '../integration/harness.js';

/**
 * The settlement use cases called as the routes and the worker call them, on PGlite in memory,
 * without HTTP or a queue: the use case takes { db, clock, log, caller } and plain inputs.
 */

const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const expected = JSON.parse(readFileSync(new URL('../../examples/worked-example.result.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;

/** A queue that keeps the jobs it is given (the worker's part is played by settleRun here). */
function keptQueue() {
  const jobs: SettlementJob[] = [];
  return { kind: 'in-process' as const, jobs, enqueue: async (job: SettlementJob) => void jobs.push(job), ping: async () => {}, close: async () => {} };
}

const as = (principal: Partial<Principal> & Pick<Principal, 'role'>): Caller => ({
  principal: { keyId: null, name: principal.role, hospital: H, departments: [], ...principal },
  actor: `test:${principal.role}`,
  requestId: null,
});

describe('settlement use cases (PGlite in memory, no HTTP)', () => {
  let database: Database;
  let deps: ReturnType<typeof asTestAdmin>;
  const queue = keptQueue();
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    deps = asTestAdmin(database.db);
    await importScenario(deps, scenario);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('requestSettlement stores a queued run and enqueues it once; asked again, it is the same run', async () => {
    const first = await requestSettlement({ ...deps, queue }, H, '2026Q1');
    expect(first.created).toBe(true);
    expect(first.run).toMatchObject({ status: 'queued', period: '2026Q1', kind: 'quarterly', hospital: H });
    const again = await requestSettlement({ ...deps, queue }, H, '2026Q1');
    expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
    expect(queue.jobs.map((j) => j.runId)).toEqual([first.run.id, first.run.id]);
  });

  it('settleRun settles the run to the example’s result; a second call finds nothing to do', async () => {
    const runId = queue.jobs[0]!.runId;
    expect(await settleRun(deps, runId, { final: true })).toBe('succeeded');
    expect(await settleRun(deps, runId, { final: true })).toBe('skipped');
    const view = await readSettlement(deps, runId);
    expect(view.status).toBe('succeeded');
    expect(view.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      compareResult(
        expected.results.find((r: { period: string }) => r.period === '2026Q1'),
        view.result,
      ),
    ).toEqual([]);
  });

  it('unchanged inputs: the succeeded run is returned, not a new one; force asks for a new one', async () => {
    const runId = queue.jobs[0]!.runId;
    const unchanged = await requestSettlement({ ...deps, queue }, H, '2026Q1');
    expect(unchanged).toMatchObject({ created: false, run: { id: runId, status: 'succeeded' } });
    const forced = await requestSettlement({ ...deps, queue }, H, '2026Q1', { force: true });
    expect(forced.created).toBe(true);
    expect(await settleRun(deps, forced.run.id, { final: true })).toBe('succeeded');
  });

  it('who reads what: a department head gets no whole result and another department’s person is not found; finance gets no tier-2 inputs', async () => {
    const runId = queue.jobs[0]!.runId;
    const head = { ...deps, caller: as({ role: 'dept_head', departments: ['IM'] }) };
    expect((await readSettlement(head, runId)).result).toBeUndefined();
    const mine = (await personLine(head, runId, 'S11')) as { line: { department: string }; inputs?: unknown };
    expect(mine.line.department).toBe('IM');
    expect(mine.inputs).toBeDefined();
    const other = scenario.staff.find((s: { department: string }) => s.department !== 'IM').id as string;
    await expect(personLine(head, runId, other)).rejects.toMatchObject({ status: 404 });
    const finance = { ...deps, caller: as({ role: 'finance' }) };
    expect(((await personLine(finance, runId, 'S11')) as { inputs?: unknown }).inputs).toBeUndefined();
  });

  it('approval checks staleness by the stored fingerprint: a changed input makes the run stale (409), with no engine run', async () => {
    const runId = queue.jobs[0]!.runId;
    const before = scenario.periods[0];
    await setQuarter(deps, H, '2026Q1', { kind: 'merge', patch: { workingDays: before.workingDays + 1 } });
    await expect(approveSettlement(deps, runId)).rejects.toMatchObject({ status: 409, code: 'run_stale' });
    await setQuarter(deps, H, '2026Q1', { kind: 'merge', patch: { workingDays: before.workingDays } });
    const head = { ...deps, caller: as({ role: 'dept_head', departments: ['IM'] }) };
    await review(head, runId, 'IM', { status: 'disputed', reason: '门诊量有误' });
    await expect(approveSettlement(deps, runId)).rejects.toMatchObject({ status: 409, code: 'open_disputes' });
    const approved = await approveSettlement(deps, runId, '已与科室核实');
    expect(approved).toMatchObject({ status: 'approved', approvalOverrideReason: '已与科室核实' });
  });

  it('a closed period: asked again, the approved run is returned and nothing is queued; force is refused (409 period_closed)', async () => {
    const runId = queue.jobs[0]!.runId;
    const queued = queue.jobs.length;
    const again = await requestSettlement({ ...deps, queue }, H, '2026Q1');
    expect(again).toMatchObject({ created: false, run: { id: runId, status: 'approved' } });
    await expect(requestSettlement({ ...deps, queue }, H, '2026Q1', { force: true })).rejects.toMatchObject({ status: 409, code: 'period_closed' });
    expect(queue.jobs).toHaveLength(queued);
  });
});
