import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema.js';
import { BackupError, EXPORT_FORMAT, EXPORT_TABLES, checksumOf, exportHospital, importHospital, serializeExport, type HospitalExport } from '../../src/modules/backup/backup.usecases.js';
import { backends, startTestService, validChain, type Backend, type TestService } from '../integration/harness.js';

/**
 * Backups (issue #5): a hospital's whole history exported from one instance and imported into
 * another reproduces every run's result, the list of runs, the reviews, the keys and a valid
 * audit chain of the same length, with the closed periods still closed — on PGlite, and on
 * PostgreSQL (to and from PGlite) when DATABASE_URL and REDIS_URL are set.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scenario = JSON.parse(readFileSync(join(ROOT, 'examples', 'worked-example.scenario.json'), 'utf8'));
const H = 'XH-COUNTY';

const pairs: [Backend, Backend][] = [['pglite', 'pglite']];
if (backends.includes('postgres')) pairs.push(['postgres', 'postgres'], ['pglite', 'postgres'], ['postgres', 'pglite']);

const toText = (doc: HospitalExport) => [...serializeExport(doc)].join('');
const hospitalDoc = (code: string, name = code) => ({ ...scenario, hospital: { code, name } });

async function get(svc: TestService, path: string): Promise<any> {
  const res = await svc.request('GET', path);
  expect(res.status, `GET ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function settle(svc: TestService, period: string, force = false): Promise<any> {
  const trigger = await svc.request('POST', `/v1/hospitals/${H}/settlements`, { period, ...(force ? { force } : {}) });
  expect(trigger.status, JSON.stringify(trigger.body)).toBe(202);
  const run = await svc.waitForRun(trigger.body.id);
  expect(run.error).toBeUndefined();
  expect(run.status).toBe('succeeded');
  return run;
}

async function approve(svc: TestService, runId: string, body?: unknown): Promise<void> {
  const res = await svc.request('POST', `/v1/settlements/${runId}/approve`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.status).toBe('approved');
}

/**
 * The history: the worked example; a department head's key and a revoked auditor's key; 2026Q1
 * settled twice, the second run disputed by 内科, acknowledged by 外科 and approved over the dispute
 * (the first superseded); 2026Q2 and the year-end settled and approved.
 */
async function buildHistory(svc: TestService) {
  expect((await svc.request('POST', '/v1/imports', scenario)).status).toBe(200);
  const head = await svc.request('POST', '/v1/api-keys', { role: 'dept_head', hospital: H, departments: ['IM'], name: '内科主任' });
  expect(head.status).toBe(201);
  const auditor = await svc.request('POST', '/v1/api-keys', { role: 'auditor', hospital: H, name: '审计' });
  expect(auditor.status).toBe(201);
  expect((await svc.request('DELETE', `/v1/api-keys/${auditor.body.id}`)).status).toBe(200);

  const firstQ1 = await settle(svc, '2026Q1');
  // the same inputs settled again, asked for explicitly
  const q1 = await settle(svc, '2026Q1', true);
  const asHead = { authorization: `Bearer ${head.body.token}` };
  const dispute = await svc.request('POST', `/v1/settlements/${q1.id}/reviews/IM`, { status: 'disputed', reason: '门诊量统计有误' }, asHead);
  expect(dispute.status, JSON.stringify(dispute.body)).toBe(200);
  expect((await svc.request('POST', `/v1/settlements/${q1.id}/reviews/SUR`, { status: 'acknowledged' })).status).toBe(200);
  await approve(svc, q1.id, { overrideReason: '已与科室核实' });
  for (const period of ['2026Q2', '2026']) await approve(svc, (await settle(svc, period)).id);
  return { headToken: head.body.token as string, revokedToken: auditor.body.token as string, firstQ1: firstQ1.id as string, q1: q1.id as string };
}

async function auditOf(svc: TestService, code = H): Promise<unknown[]> {
  const events: unknown[] = [];
  for (let after = 0; ; ) {
    const page = await get(svc, `/v1/hospitals/${code}/audit?limit=1000&afterSeq=${after}`);
    events.push(...page.events);
    if (page.nextAfterSeq === null) return events;
    after = page.nextAfterSeq;
  }
}

/** Everything the API shows of the hospital, read with the bootstrap admin token. */
async function snapshot(svc: TestService) {
  const runs = (await get(svc, `/v1/hospitals/${H}/settlements`)).runs as { id: string; kind: string }[];
  const details: Record<string, unknown> = {};
  for (const run of runs) {
    details[run.id] = {
      run: await get(svc, `/v1/settlements/${run.id}`),
      reviews: await get(svc, `/v1/settlements/${run.id}/reviews`),
      ...(run.kind === 'quarterly' ? { S11: await get(svc, `/v1/settlements/${run.id}/individuals/S11`), IM: await get(svc, `/v1/settlements/${run.id}/departments/IM`) } : {}),
    };
  }
  return {
    hospital: await get(svc, `/v1/hospitals/${H}`),
    runs,
    details,
    audit: await auditOf(svc),
    verify: await get(svc, `/v1/hospitals/${H}/audit/verify`),
    keys: await get(svc, `/v1/api-keys?hospital=${H}`),
    schemes: await get(svc, `/v1/hospitals/${H}/scheme-versions`),
    departments: await get(svc, `/v1/hospitals/${H}/departments`),
    staff: await get(svc, `/v1/hospitals/${H}/staff`),
    q1: await get(svc, `/v1/hospitals/${H}/periods/2026Q1`),
    q2: await get(svc, `/v1/hospitals/${H}/periods/2026Q2`),
    annual: await get(svc, `/v1/hospitals/${H}/annual/2026`),
  };
}

describe('the export covers every table of a hospital', () => {
  it('every table of the schema but the callers’ idempotency keys, the browsers’ sessions and the chain anchors (rebuilt on import) is exported', () => {
    const notExported = new Set(['idempotency_keys', 'ui_sessions', 'audit_heads']);
    const tables = Object.values(schema)
      .filter((v) => is(v, PgTable))
      .map((t) => getTableConfig(t as PgTable).name)
      .filter((name) => !notExported.has(name));
    expect([...EXPORT_TABLES].sort()).toEqual(tables.sort());
  });
});

/**
 * Each source backend's history is built and exported once, and imported into each target: the
 * history of PGlite into PGlite and PostgreSQL, PostgreSQL's into both.
 */
const exported = new Map<Backend, Promise<{ history: Awaited<ReturnType<typeof buildHistory>>; before: Awaited<ReturnType<typeof snapshot>>; doc: HospitalExport }>>();
const closers: (() => Promise<void>)[] = [];
function exportFrom(backend: Backend) {
  let found = exported.get(backend);
  if (!found) {
    found = (async () => {
      const source = await startTestService(backend);
      closers.push(() => source.close());
      const history = await buildHistory(source);
      const before = await snapshot(source);
      return { history, before, doc: await exportHospital(source.database.db, H) };
    })();
    exported.set(backend, found);
  }
  return found;
}
afterAll(async () => {
  for (const close of closers) await close();
});

describe.each(pairs)('a hospital exported from %s and imported into %s', (fromBackend, toBackend) => {
  let target: TestService;
  let history: Awaited<ReturnType<typeof buildHistory>>;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let doc: HospitalExport;
  let text: string;

  beforeAll(async () => {
    target = await startTestService(toBackend);
  });
  afterAll(async () => {
    await target?.close();
  });

  it('exports the whole history as a versioned document with a checksum', async () => {
    ({ history, before, doc } = await exportFrom(fromBackend));
    expect(before.runs.map((r: any) => [r.period, r.status])).toEqual(
      expect.arrayContaining([
        ['2026Q1', 'superseded'],
        ['2026Q1', 'approved'],
        ['2026Q2', 'approved'],
        ['2026', 'approved'],
      ]),
    );
    expect(before.runs).toHaveLength(4);
    expect(before.verify).toEqual(validChain(before.audit.length));

    text = toText(doc);
    expect(JSON.parse(text)).toEqual(doc);
    expect(doc).toMatchObject({ format: EXPORT_FORMAT, version: 1, hospital: { code: H, name: '兴和县医院' } });
    expect(doc.sha256).toBe(checksumOf(doc));
    expect(Object.keys(doc.tables)).toEqual([...EXPORT_TABLES]);
    const t = doc.tables;
    expect(t.hospitals).toHaveLength(1);
    expect(t.settlement_runs).toHaveLength(4);
    expect(t.departments).toHaveLength(6);
    expect(t.staff).toHaveLength(14);
    expect(t.audit_events).toHaveLength(before.audit.length);
    expect(t.settlement_reviews).toHaveLength(2);
    expect(t.bank_balances!.length).toBeGreaterThan(0);
    expect(t.annual_individual_lines!.length).toBeGreaterThan(0);
    // numbers exactly as stored: the input's scale, money with two decimals, scores with six
    expect(t.departments!.find((d) => d.code === 'FIN')!.risk_coefficient).toBe('0.80');
    for (const line of t.department_lines!) {
      expect(line.gross).toMatch(/^-?\d+\.\d{2}$/);
      expect(line.score).toMatch(/^-?\d+\.\d{6}$/);
    }
    // API keys only as their hashes; no token anywhere in the document
    expect(t.api_keys).toHaveLength(2);
    for (const key of t.api_keys!) expect(key.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(text).not.toContain(history.headToken);
    expect(text).not.toContain(history.revokedToken);
  });

  it('refuses a document whose checksum does not match (one amount changed), and writes nothing', async () => {
    const tampered = structuredClone(JSON.parse(text)) as HospitalExport;
    const line = tampered.tables.individual_lines!.find((l) => l.staff_id === 'S11')!;
    const total = line.total as string;
    line.total = `${total.slice(0, -1)}${total.endsWith('9') ? '8' : String(Number(total.at(-1)) + 1)}`;
    expect(line.total).not.toBe(total);
    await expect(importHospital(target.database.db, tampered)).rejects.toMatchObject({ name: 'BackupError', code: 'checksum_mismatch' });
    expect((await target.request('GET', `/v1/hospitals/${H}`)).status).toBe(404);
  });

  it('refuses a document that is not a version-1 export', async () => {
    const parsed = JSON.parse(text);
    await expect(importHospital(target.database.db, { ...parsed, format: 'something-else' })).rejects.toMatchObject({ code: 'invalid_export' });
    await expect(importHospital(target.database.db, { ...parsed, version: 2 })).rejects.toThrow(/version 2 is not supported/);
    await expect(importHospital(target.database.db, scenario)).rejects.toThrow(BackupError);
    expect((await target.request('GET', `/v1/hospitals/${H}`)).status).toBe(404);
  });

  it('refuses a history whose audit chain does not verify, even with a recomputed checksum, and writes nothing', async () => {
    const forged = JSON.parse(text) as HospitalExport;
    const approval = forged.tables.audit_events!.find((e) => e.action === 'settlement.approve')!;
    approval.actor = 'someone-else';
    forged.sha256 = checksumOf(forged);
    await expect(importHospital(target.database.db, forged)).rejects.toMatchObject({ code: 'audit_invalid' });
    await expect(importHospital(target.database.db, forged)).rejects.toThrow(/first invalid event seq \d+/);
    expect((await target.request('GET', `/v1/hospitals/${H}`)).status).toBe(404);
    expect((await get(target, '/v1/hospitals')).hospitals).toEqual([]);
  });

  it('imports it into a fresh instance: every run, result, review, key and audit event as it was', async () => {
    const summary = await importHospital(target.database.db, JSON.parse(text));
    expect(summary).toMatchObject({ hospital: H, hospitalId: doc.hospital.id, schemeVersionIds: {}, audit: { valid: true, events: before.audit.length } });
    expect(summary.rows).toEqual(Object.fromEntries(EXPORT_TABLES.map((name) => [name, doc.tables[name]!.length])));

    const after = await snapshot(target);
    expect(after.runs).toEqual(before.runs);
    for (const run of before.runs) expect(after.details[run.id], `run ${run.id}`).toEqual(before.details[run.id]);
    expect(after).toEqual(before);
    expect(after.verify).toEqual(validChain(before.audit.length));
  });

  it('keeps the closed periods closed', async () => {
    const write = await target.request('PUT', `/v1/hospitals/${H}/periods/2026Q1`, { revenue: '6600000.00', workingDays: 60 });
    expect(write.status).toBe(409);
    expect(write.body.error.code).toBe('period_closed');
    // a new run of a closed period is refused; asked without force, its approved run is the answer
    const trigger = await target.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1', force: true });
    expect(trigger.status).toBe(409);
    const year = await target.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026', force: true });
    expect(year.status).toBe(409);
    const approvedQ1 = await target.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026Q1' });
    expect(approvedQ1.status, JSON.stringify(approvedQ1.body)).toBe(200);
    expect(approvedQ1.body).toMatchObject({ id: history.q1, status: 'approved' });
    const approvedYear = await target.request('POST', `/v1/hospitals/${H}/settlements`, { period: '2026' });
    expect(approvedYear.status, JSON.stringify(approvedYear.body)).toBe(200);
    expect(approvedYear.body).toMatchObject({ period: '2026', status: 'approved' });
  });

  it('keeps the keys working as they did: the department head’s works, the revoked one does not', async () => {
    const asHead = await target.request('GET', `/v1/settlements/${history.q1}/reviews`, undefined, { authorization: `Bearer ${history.headToken}` });
    expect(asHead.status).toBe(200);
    // the head of 内科 reads their own department's review, as before the round trip
    const all = (before.details[history.q1] as { reviews: { reviews: { department: string }[] } }).reviews;
    expect(asHead.body).toEqual({ reviews: all.reviews.filter((r) => r.department === 'IM') });
    const revoked = await target.request('GET', `/v1/settlements/${history.q1}/reviews`, undefined, { authorization: `Bearer ${history.revokedToken}` });
    expect(revoked.status).toBe(401);
  });

  it('goes on from where it was: new writes extend the chain, new hospitals get new ids', async () => {
    const dept = await target.request('PUT', `/v1/hospitals/${H}/departments/ENT`, { name: '耳鼻喉科', kind: 'clinical', riskCoefficient: '1.10' });
    expect(dept.status, JSON.stringify(dept.body)).toBe(200);
    expect(await get(target, `/v1/hospitals/${H}/audit/verify`)).toEqual(validChain(before.audit.length + 1));
    // the serial sequences moved past the imported ids
    const other = await target.request('POST', '/v1/imports', hospitalDoc('NEW-HOSP', '新医院'));
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect(await get(target, '/v1/hospitals/NEW-HOSP/audit/verify')).toMatchObject({ valid: true });
    expect((await get(target, '/v1/hospitals/NEW-HOSP/scheme-versions')).versions[0].id).not.toBe((before.schemes as any).versions[0].id);
  });

  it('refuses to import the same export again, and changes nothing', async () => {
    const events = (await get(target, `/v1/hospitals/${H}/audit/verify`)).events;
    await expect(importHospital(target.database.db, JSON.parse(text))).rejects.toMatchObject({ code: 'hospital_exists' });
    await expect(importHospital(target.database.db, JSON.parse(text))).rejects.toThrow(`hospital ${H} already exists`);
    expect(await get(target, `/v1/hospitals/${H}/audit/verify`)).toEqual(validChain(events));
    expect((await get(target, `/v1/hospitals/${H}/settlements`)).runs).toEqual(before.runs);
  });
});

describe.each(backends)('ids already used in the target instance (%s)', (backend) => {
  let source: TestService;
  let target: TestService;
  let crowded: TestService;
  let doc: HospitalExport;
  beforeAll(async () => {
    [source, target, crowded] = await Promise.all([startTestService(backend), startTestService(backend), startTestService(backend)]);
  });
  afterAll(async () => {
    await Promise.all([source?.close(), target?.close(), crowded?.close()]);
  });

  it('exports a hospital that is not the first of its instance', async () => {
    // FILLER takes hospital id 1 and scheme version id 1, XH-COUNTY hospital id 2 and scheme version 2
    expect((await source.request('POST', '/v1/imports', hospitalDoc('FILLER'))).status).toBe(200);
    expect((await source.request('POST', '/v1/imports', scenario)).status).toBe(200);
    await approve(source, (await settle(source, '2026Q1')).id);
    doc = JSON.parse(toText(await exportHospital(source.database.db, H)));
    expect(doc.hospital.id).toBe(2);
    expect(doc.tables.scheme_versions!.map((v) => v.id)).toEqual([2]);
    expect(doc.tables.settlement_runs!.map((r) => r.scheme_version_id)).toEqual([2]);
  });

  it('keeps the hospital id where the next serial id would differ, and moves the sequence past it', async () => {
    const fresh = await startTestService(backend);
    try {
      const summary = await importHospital(fresh.database.db, doc);
      expect(summary).toMatchObject({ hospitalId: 2, schemeVersionIds: {}, audit: { valid: true, events: doc.tables.audit_events!.length } });
      expect(await get(fresh, `/v1/hospitals/${H}/audit/verify`)).toEqual(await get(source, `/v1/hospitals/${H}/audit/verify`));
      // without the sequence moved past 2 the second of these would be given id 2 and fail
      for (const code of ['LATER-1', 'LATER-2']) {
        const created = await fresh.request('POST', '/v1/imports', hospitalDoc(code));
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        expect(await get(fresh, `/v1/hospitals/${code}/audit/verify`)).toMatchObject({ valid: true });
      }
      expect(await get(fresh, `/v1/hospitals/${H}/audit/verify`)).toMatchObject({ valid: true });
    } finally {
      await fresh.close();
    }
  });

  it('gives scheme versions whose ids are taken new ids, and the runs follow', async () => {
    // OTHER-A takes hospital id 1 and scheme versions 1 and 2; hospital id 2 stays free
    expect((await target.request('POST', '/v1/imports', hospitalDoc('OTHER-A'))).status).toBe(200);
    const scheme = await target.request('PUT', '/v1/hospitals/OTHER-A/scheme-versions/2026Q2', { parameters: {} });
    expect(scheme.status, JSON.stringify(scheme.body)).toBe(200);
    expect(scheme.body.id).toBe(2);

    const summary = await importHospital(target.database.db, doc);
    expect(summary).toMatchObject({ hospitalId: 2, audit: { valid: true, events: doc.tables.audit_events!.length } });
    const newId = summary.schemeVersionIds['2'];
    expect(newId).toBeGreaterThan(2);
    expect((await get(target, `/v1/hospitals/${H}/scheme-versions`)).versions.map((v: { id: number }) => v.id)).toEqual([newId]);
    const [run] = (await get(target, `/v1/hospitals/${H}/settlements`)).runs;
    const [was] = (await get(source, `/v1/hospitals/${H}/settlements`)).runs;
    expect(run).toEqual({ ...was, schemeVersionId: newId });
    expect((await get(target, `/v1/settlements/${run.id}`)).result).toEqual((await get(source, `/v1/settlements/${run.id}`)).result);
    expect(await get(target, `/v1/hospitals/${H}/audit/verify`)).toEqual(await get(source, `/v1/hospitals/${H}/audit/verify`));
    // OTHER-A is untouched
    expect(await get(target, '/v1/hospitals/OTHER-A/audit/verify')).toMatchObject({ valid: true });
  });

  it('refuses a hospital whose id another hospital has, naming both, and writes nothing', async () => {
    for (const code of ['X1', 'X2']) expect((await crowded.request('POST', '/v1/imports', hospitalDoc(code))).status).toBe(200);
    await expect(importHospital(crowded.database.db, doc)).rejects.toMatchObject({ code: 'hospital_id_taken' });
    await expect(importHospital(crowded.database.db, doc)).rejects.toThrow(/hospital id 2 is already used by hospital X2/);
    expect((await crowded.request('GET', `/v1/hospitals/${H}`)).status).toBe(404);
    expect((await get(crowded, '/v1/hospitals')).hospitals.map((h: { code: string }) => h.code).sort()).toEqual(['X1', 'X2']);
  });
});

describe('the export-hospital and import-hospital scripts (PGlite data folders)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfpay-backup-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // the embedded database, whatever this test run's DATABASE_URL
  const script = (name: string, args: string[], dataDir: string, input?: string): SpawnSyncReturns<string> => {
    const env: NodeJS.ProcessEnv = { ...process.env, PERFPAY_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    // the compiled scripts, as `npm run export-hospital` / `import-hospital` run them
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', name.replace(/\.ts$/, '.mjs')), ...args], { cwd: ROOT, env, encoding: 'utf8', input, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw r.error;
    return r;
  };

  it('exports from one data folder to a file and imports it into another, which then serves the same history', async () => {
    const from = join(dir, 'from');
    const to = join(dir, 'to');
    const file = join(dir, 'xh-county.json');

    const source = await startTestService('pglite', { PERFPAY_DATA_DIR: from });
    let runs: unknown;
    let results: Record<string, unknown>;
    let verify: unknown;
    try {
      expect((await source.request('POST', '/v1/imports', scenario)).status).toBe(200);
      for (const period of ['2026Q1', '2026Q2']) await approve(source, (await settle(source, period)).id);
      runs = (await get(source, `/v1/hospitals/${H}/settlements`)).runs;
      results = Object.fromEntries(await Promise.all((runs as { id: string }[]).map(async (r) => [r.id, await get(source, `/v1/settlements/${r.id}`)])));
      verify = await get(source, `/v1/hospitals/${H}/audit/verify`);
    } finally {
      await source.close();
    }

    const exported = script('export-hospital.ts', [H, file], from);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(new RegExp(`exported hospital ${H} \\(id 1\\): 2 settlement runs`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8')) as HospitalExport;
    expect(written.sha256).toBe(checksumOf(written));

    // the same export on standard output
    const toStdout = script('export-hospital.ts', [H, '-'], from);
    expect(toStdout.status, toStdout.stderr).toBe(0);
    expect(JSON.parse(toStdout.stdout).tables).toEqual(written.tables);

    const unknown = script('export-hospital.ts', ['NO-SUCH-HOSPITAL', join(dir, 'nothing.json')], from);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('hospital NO-SUCH-HOSPITAL not found');
    expect(existsSync(join(dir, 'nothing.json'))).toBe(false);
    const noDatabase = script('export-hospital.ts', [H, join(dir, 'nothing.json')], join(dir, 'no-such-folder'));
    expect(noDatabase.status).toBe(2);
    expect(noDatabase.stderr).toContain('there is no embedded database');
    expect(script('export-hospital.ts', [], from).status).toBe(2);

    const imported = script('import-hospital.ts', [file], to);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`imported hospital ${H} \\(id 1\\): 2 settlement runs, \\d+ rows in all; audit chain valid with \\d+ events`));

    const again = script('import-hospital.ts', ['-'], to, readFileSync(file, 'utf8'));
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`refused: hospital ${H} already exists`);
    const garbage = script('import-hospital.ts', ['-'], to, '{"not": "json"');
    expect(garbage.status).toBe(2);
    expect(garbage.stderr).toContain('not valid JSON');
    const missing = script('import-hospital.ts', [join(dir, 'missing.json')], to);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('ENOENT');

    const target = await startTestService('pglite', { PERFPAY_DATA_DIR: to });
    try {
      expect((await get(target, `/v1/hospitals/${H}/settlements`)).runs).toEqual(runs);
      for (const [id, run] of Object.entries(results!)) expect(await get(target, `/v1/settlements/${id}`)).toEqual(run);
      expect(await get(target, `/v1/hospitals/${H}/audit/verify`)).toEqual(verify);
      expect((await target.request('PUT', `/v1/hospitals/${H}/periods/2026Q2`, { revenue: '1.00', workingDays: 61 })).status).toBe(409);
    } finally {
      await target.close();
    }
  }, 300_000);
});
