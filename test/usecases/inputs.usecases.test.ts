import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { auditPage, verifyHospitalAudit } from '../../src/modules/audit/audit.usecases.js';
import { importScenario } from '../../src/modules/imports/imports.usecases.js';
import { periodOf, setDepartmentInput, setIndividualInput, setQuarter } from '../../src/modules/inputs/inputs.usecases.js';
import type { Caller } from '../../src/shared/principal.js';
import { asTestAdmin, validChain } from '../integration/harness.js';

/**
 * The input use cases without HTTP, on PGlite in memory: each write validated (the error names the
 * field), applied in one transaction with its audit event, and read back as the caller may see it.
 */

const scenario = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;

describe('input use cases (PGlite in memory, no HTTP)', () => {
  let database: Database;
  let deps: ReturnType<typeof asTestAdmin>;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    deps = asTestAdmin(database.db);
    await importScenario(deps, scenario);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('a merge changes only the fields it names, and is audited with the record before and after', async () => {
    const before = scenario.periods[0];
    const after = await setQuarter(deps, H, '2026Q1', { kind: 'merge', patch: { workingDays: before.workingDays - 1 } });
    expect(after).toMatchObject({ period: '2026Q1', revenue: before.revenue, workingDays: before.workingDays - 1 });
    const { events } = await auditPage(deps, H, { limit: 1000 });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ actor: 'test', before: { workingDays: before.workingDays }, after: { workingDays: before.workingDays - 1 } });
    expect(await verifyHospitalAudit(deps, H)).toEqual(validChain(events.length));
  });

  it('an invalid value is refused naming the field, and nothing is written', async () => {
    const { events: before } = await auditPage(deps, H, { limit: 1000 });
    await expect(setDepartmentInput(deps, H, '2026Q1', 'IM', { kind: 'merge', patch: { workload: 'many' } })).rejects.toMatchObject({ status: 400, path: expect.stringContaining('workload') });
    await expect(setQuarter(deps, H, '2026Q1', { kind: 'replace', record: { revenue: '1.00' } as never })).rejects.toMatchObject({ status: 400, path: expect.stringContaining('workingDays') });
    expect((await auditPage(deps, H, { limit: 1000 })).events).toHaveLength(before.length);
  });

  it('a person’s tier-2 record is written by a head of their department only (another department’s person: 404, as an unknown one), and finance reads the quarter without it', async () => {
    const head: Caller = { principal: { keyId: null, name: '内科主任', role: 'dept_head', hospital: H, departments: ['IM'] }, actor: 'head', requestId: null };
    const record = await setIndividualInput({ ...deps, caller: head }, H, '2026Q1', 'S11', { kind: 'merge', patch: { absentDays: 1 } });
    expect(record).toMatchObject({ staffId: 'S11', absentDays: 1 });
    const other = scenario.staff.find((s: { department: string }) => s.department !== 'IM').id as string;
    await expect(setIndividualInput({ ...deps, caller: head }, H, '2026Q1', other, { kind: 'merge', patch: { absentDays: 1 } })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const finance: Caller = { principal: { keyId: null, name: 'finance', role: 'finance', hospital: H, departments: [] }, actor: 'finance', requestId: null };
    const seen = await periodOf({ db: database.db, caller: finance }, H, '2026Q1');
    expect(seen.individuals).toBeUndefined();
    expect((await periodOf(deps, H, '2026Q1')).individuals?.some((r) => r.staffId === 'S11' && r.absentDays === 1)).toBe(true);
  });
});
