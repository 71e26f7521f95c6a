import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { assessmentForRun } from '../../src/modules/assessment/assessment.repository.js';
import { listDefects, writeDefect } from '../../src/modules/assessment/assessment.usecases.js';
import { importScenario } from '../../src/modules/imports/imports.usecases.js';
import { asTestAdmin } from '../integration/harness.js';

/**
 * Which quarter a defect counts in is decided by its current version: a correction that moves it
 * to another month takes it out of the quarter it was booked in (the run's inputs and the
 * quarter's register alike), and an import does not make a defect overturned on appeal count again.
 */
const scenario = JSON.parse(readFileSync(new URL('../../examples/assessment-example.scenario.json', import.meta.url), 'utf8'));
const H = scenario.hospital.code as string;
const DD98 = { id: 'DD98', month: '2026-03', owner: 'MA', department: 'IM', category: 'medical' as const, points: '1', note: '测试缺陷' };

describe('assessment use cases (PGlite in memory, no HTTP)', () => {
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

  const hospitalId = async () => (await database.db.query.hospitals.findFirst({ where: (h, { eq }) => eq(h.code, H) }))!.id;
  const idsIn = async (quarter: string) => ((await assessmentForRun(database.db, await hospitalId(), { quarters: [quarter] }))?.departmentDefects ?? []).map((d) => d.id);
  const listed = async (quarter: string) => (await listDefects(deps, H, 'department', { quarter })).map((d: { id: string }) => d.id);

  it('a defect corrected into another quarter counts in that quarter only, in the run’s inputs and in the register', async () => {
    await writeDefect(deps, H, 'department', 'DD98', { kind: 'book' }, DD98);
    expect(await idsIn('2026Q1')).toContain('DD98');
    expect(await listed('2026Q1')).toContain('DD98');
    await writeDefect(deps, H, 'department', 'DD98', { kind: 'correct', reason: '月份登记错误' }, { ...DD98, month: '2026-04' });
    expect(await idsIn('2026Q1')).not.toContain('DD98');
    expect(await listed('2026Q1')).not.toContain('DD98');
    expect(await idsIn('2026Q2')).toContain('DD98');
    expect(await listed('2026Q2')).toContain('DD98');
    // withdrawn in its new month, it counts nowhere
    await writeDefect(deps, H, 'department', 'DD98', { kind: 'withdraw', reason: '撤回' });
    expect(await idsIn('2026Q1')).not.toContain('DD98');
    expect(await idsIn('2026Q2')).not.toContain('DD98');
  });
});
