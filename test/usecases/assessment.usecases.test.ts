import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { assessmentForRun, valuesIn } from '../../src/modules/assessment/assessment.repository.js';
import { listDefects, writeDefect } from '../../src/modules/assessment/assessment.usecases.js';
import { importScenario } from '../../src/modules/imports/imports.usecases.js';
import { withAssessment } from '../fixtures/assessment.js';
import { plainHospital } from '../fixtures/generator.js';
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

/**
 * A year of a 60-department hospital's values (40 leaves: 17,220 values, 120,540 parameters at 7
 * a row) is more than one row-per-value INSERT may bind (65,535 parameters): the import stores all
 * of them, in one transaction, and an identical re-import writes nothing.
 */
describe('a large assessment import (PGlite in memory)', () => {
  let database: Database;
  afterAll(async () => {
    await database?.close();
  });

  it('stores every value of a 60-department year and changes nothing when imported again', async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    const deps = asTestAdmin(database.db);
    const assessed = withAssessment(plainHospital({ departments: 60, staff: 600, seed: 7 }), { leaves: 40, departmentDefects: 50, personalDefects: 50, seed: 3 });
    const values = assessed.assessment!.values!;
    expect(values.length * 7).toBeGreaterThan(65_535);
    const first = await importScenario(deps, assessed);
    expect(first.assessment?.values).toEqual({ written: values.length, unchanged: 0 });
    const code = assessed.hospital.code;
    const id = (await database.db.query.hospitals.findFirst({ where: (h, { eq }) => eq(h.code, code) }))!.id;
    const stored = await valuesIn(database.db, id);
    expect(stored).toHaveLength(values.length);
    const sample = values[values.length - 1]!;
    expect(stored.find((v) => v.indicator === sample.indicator && v.department === sample.department && v.period === sample.period)?.value).toBe(sample.value);
    const again = await importScenario(deps, assessed);
    expect(again.assessment?.values).toEqual({ written: 0, unchanged: values.length });
  }, 120_000);
});
