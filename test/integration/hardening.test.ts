import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { plainHospital } from '../fixtures/generator.js';
import { columnLabel } from '../../src/modules/settlements/columns.js';
import { backends, TOKEN, useTestService } from './harness.js';

/**
 * What outside checks found (leaks, integrity gaps, 500s, contract breaks), each tried the way
 * the check tried it, on both backends where the backend matters.
 */
const disputesExample = JSON.parse(readFileSync(new URL('../../examples/disputes-example.scenario.json', import.meta.url), 'utf8'));
const workedExample = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

const CLASSIFICATIONS = ['defect', 'avoidable', 'unavoidable', 'grade1_accident', 'misconduct'] as const;
/** A dispute of every classification and every department type, each with spellings a jsonb round trip or a finance system changes. */
function everyKindOfDispute(): unknown[] {
  const out: unknown[] = [];
  let n = 0;
  for (const classification of CLASSIFICATIONS) {
    for (const [department, departmentType, responsible, teamLead, departmentHead] of [
      ['IM', 'bed', 'S12', 'S11', 'S10'],
      ['SUR', 'non_bed', 'S21', 'S22', 'S20'], // a non-bed party's teamLead is ignored (§1), and given here
      ['PED', 'nursing', 'S31', undefined, 'S30'],
    ] as const) {
      n += 1;
      const party: Record<string, unknown> = { department, share: '1', departmentType, responsible, departmentHead };
      if (teamLead) party.teamLead = teamLead;
      out.push({ id: `G${String(n).padStart(2, '0')}`, bookedIn: n % 2 ? '2026Q1' : '2026Q2', compensation: `${(n * 7919) % 160000}.50`, classification, parties: [party] });
    }
  }
  // two parties, given out of department order
  out.push({
    id: 'G99',
    bookedIn: '2026Q2',
    compensation: '64000.00',
    classification: 'avoidable',
    parties: [
      { department: 'PED', share: '0.25', departmentType: 'nursing', responsible: 'S31', departmentHead: 'S30' },
      { department: 'IM', share: '0.75', departmentType: 'bed', responsible: 'S13', teamLead: 'S11', departmentHead: 'S10' },
    ],
  });
  return out;
}

describe.each(backends)('hardening: what outside checks found (%s)', (backend) => {
  const svc = useTestService(backend);

  async function keyFor(hospital: string, role: string, name: string, departments?: string[]): Promise<string> {
    const res = await svc.request('POST', '/v1/api-keys', { role, hospital, name, ...(departments ? { departments } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.token as string;
  }
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  async function settle(hospital: string, period: string, body: Record<string, unknown> = {}) {
    const trigger = await svc.request('POST', `/v1/hospitals/${hospital}/settlements`, { period, ...body });
    expect([200, 202], JSON.stringify(trigger.body)).toContain(trigger.status);
    return svc.waitForRun(trigger.body.id);
  }

  it('an identical re-import succeeds and changes nothing once every quarter with disputes of every kind is closed', async () => {
    const doc = { ...structuredClone(disputesExample), hospital: { code: 'H-REIMPORT', name: '重导医院' }, disputes: everyKindOfDispute() };
    const first = await svc.request('POST', '/v1/imports', doc);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    for (const period of ['2026Q1', '2026Q2', '2026']) {
      const run = await settle('H-REIMPORT', period);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`)).status).toBe(200);
    }
    const again = await svc.request('POST', '/v1/imports', doc);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.changed).toBe(false);
    expect(again.body.disputes).toEqual({ written: 0, unchanged: doc.disputes.length });
    // the same records spelt otherwise: parties reordered, decimals respelt, an ignored teamLead dropped
    const respelt = structuredClone(doc);
    for (const d of respelt.disputes) {
      d.parties.reverse();
      d.compensation = String(Number.parseFloat(d.compensation)) === d.compensation ? `${d.compensation}.00` : d.compensation.replace(/0$/, '');
      for (const p of d.parties) if (p.departmentType !== 'bed') delete p.teamLead;
    }
    const third = await svc.request('POST', '/v1/imports', respelt);
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    expect(third.body.changed).toBe(false);
    // a real change to a closed quarter's dispute is still refused whole
    const changed = structuredClone(doc);
    changed.disputes[0].compensation = '1.00';
    const refused = await svc.request('POST', '/v1/imports', changed);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('period_closed');
  });

  it('twelve concurrent triggers of one quarter, sent at once while its run outlasts the first answer, give one run; an unchanged period returns its succeeded run, then its approved one; force makes a new one, except once the period is closed', async () => {
    const doc = plainHospital({ departments: 12, staff: 900, seed: 13 });
    doc.hospital = { code: 'H-TRIGGERS', name: 'triggers' };
    doc.periods = doc.periods!.slice(0, 1);
    delete doc.annual;
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const period = doc.periods[0]!.period;
    const trigger = () => svc.request('POST', '/v1/hospitals/H-TRIGGERS/settlements', { period });
    // twelve at once, each answer noted as it arrives
    const arrivals: { at: number; status: number; body: any }[] = [];
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        trigger().then((r) => {
          arrivals.push({ at: Date.now(), status: r.status, body: r.body });
          return r;
        }),
      ),
    );
    const created = answers.filter((r) => r.status === 202);
    expect(created).toHaveLength(1);
    const id = created[0]!.body.id;
    for (const r of answers) {
      expect([200, 202]).toContain(r.status);
      expect(r.body.id).toBe(id);
    }
    const settled = await svc.waitForRun(id);
    expect(settled.status).toBe('succeeded');
    // the run outlasted the first answer: it came back while the run was queued or running
    const first = arrivals[0]!;
    expect(['queued', 'running']).toContain(first.body.status);
    expect(first.at).toBeLessThan(Date.parse(settled.finishedAt));
    expect((await svc.request('GET', `/v1/hospitals/H-TRIGGERS/settlements?period=${period}`)).body.runs).toHaveLength(1);
    // twelve more once it has succeeded: the same run, not computed again
    const late = await Promise.all(Array.from({ length: 12 }, trigger));
    for (const r of late) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id, status: 'succeeded' });
    }
    const runs = await svc.request('GET', `/v1/hospitals/H-TRIGGERS/settlements?period=${period}`);
    expect(runs.body.runs).toHaveLength(1);
    // a changed input makes the next trigger a new run; force does so without a change
    const forced = await svc.request('POST', '/v1/hospitals/H-TRIGGERS/settlements', { period, force: true });
    expect(forced.status).toBe(202);
    expect(forced.body.id).not.toBe(id);
    await svc.waitForRun(forced.body.id);
    const figures = await svc.request('GET', `/v1/hospitals/H-TRIGGERS/periods/${period}`);
    const put = await svc.request('PUT', `/v1/hospitals/H-TRIGGERS/periods/${period}`, { revenue: '7654321.00', workingDays: figures.body.workingDays });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const fresh = await trigger();
    expect(fresh.status).toBe(202);
    expect([id, forced.body.id]).not.toContain(fresh.body.id);
    expect((await svc.waitForRun(fresh.body.id)).status).toBe('succeeded');
    // approved, the period is closed: a trigger returns the approved run; force is refused and makes none
    expect((await svc.request('POST', `/v1/settlements/${fresh.body.id}/approve`)).status).toBe(200);
    const closed = await Promise.all(Array.from({ length: 3 }, trigger));
    for (const r of closed) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: fresh.body.id, status: 'approved' });
    }
    const refused = await svc.request('POST', '/v1/hospitals/H-TRIGGERS/settlements', { period, force: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('period_closed');
    expect((await svc.request('GET', `/v1/hospitals/H-TRIGGERS/settlements?period=${period}`)).body.runs).toHaveLength(3);
  });

  it("the run comparison shows a department head no other department's person, whatever the staff id holds", async () => {
    const doc = structuredClone(workedExample);
    doc.hospital = { code: 'H-PIPE', name: 'pipes' };
    delete doc.annual;
    doc.periods = doc.periods.slice(0, 1);
    doc.staff.push({ id: 'X|IM', name: '管道', department: 'SUR', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' });
    doc.periods[0].individuals.push({ staffId: 'X|IM', workloadScore: '30' });
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const a = await settle('H-PIPE', '2026Q1');
    const put = await svc.request('PUT', '/v1/hospitals/H-PIPE/periods/2026Q1/individuals/X|IM', { workloadScore: '20' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const b = await settle('H-PIPE', '2026Q1');
    const head = await keyFor('H-PIPE', 'dept_head', 'IM head', ['IM']);
    const diff = await svc.request('GET', `/v1/settlements/${a.id}/diff/${b.id}`, undefined, as(head));
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    for (const line of diff.body.amounts.individuals) expect(line.department).toBe('IM');
    expect(JSON.stringify(diff.body)).not.toContain('X|IM');
    // an admin sees the SUR line of X|IM, named by its department field
    const all = await svc.request('GET', `/v1/settlements/${a.id}/diff/${b.id}`);
    expect(all.body.amounts.individuals.find((l: { staffId: string }) => l.staffId === 'X|IM')).toMatchObject({ department: 'SUR' });
  });

  it("finance reads a person's line without their tier-2 inputs", async () => {
    const doc = { ...structuredClone(workedExample), hospital: { code: 'H-FIN-READ', name: 'finance reads' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const run = await settle('H-FIN-READ', '2026Q1');
    const finance = await keyFor('H-FIN-READ', 'finance', 'finance office');
    const line = await svc.request('GET', `/v1/settlements/${run.id}/individuals/S11`, undefined, as(finance));
    expect(line.status).toBe(200);
    expect(line.body.line.total).toEqual(expect.any(String));
    expect(line.body).not.toHaveProperty('inputs');
    expect(JSON.stringify(line.body)).not.toMatch(/"workloadScore"|"absentDays"|"fines"/);
    const admin = await svc.request('GET', `/v1/settlements/${run.id}/individuals/S11`);
    expect(admin.body.inputs).toMatchObject({ staffId: 'S11' });
  });

  it("a key's creation replayed with its Idempotency-Key answers without the token, which is stored nowhere", async () => {
    expect((await svc.request('POST', '/v1/imports', { ...structuredClone(workedExample), hospital: { code: 'H-KEYS', name: 'keys' } })).status).toBe(200);
    const body = { role: 'auditor', hospital: 'H-KEYS', name: 'replayed auditor' };
    const first = await svc.request('POST', '/v1/api-keys', body, { 'idempotency-key': 'create-auditor-1' });
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^ppk_/);
    const replay = await svc.request('POST', '/v1/api-keys', body, { 'idempotency-key': 'create-auditor-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).not.toHaveProperty('token');
    expect(replay.body).toMatchObject({ id: first.body.id, tokenPrefix: first.body.tokenPrefix, note: expect.stringMatching(/shown in the first answer only/) });
    const stored = (await svc.database.db.execute(sql`select response::text as r from idempotency_keys where key = 'create-auditor-1'`)) as unknown as { rows: { r: string }[] };
    expect(stored.rows[0]!.r).not.toContain(first.body.token);
    // revoked, still no token
    expect((await svc.request('DELETE', `/v1/api-keys/${first.body.id}`)).status).toBe(200);
    const later = await svc.request('POST', '/v1/api-keys', body, { 'idempotency-key': 'create-auditor-1' });
    expect(later.body).not.toHaveProperty('token');
  });

  it("a finance import keeps people's tier-2 records: absent, they stay; changed or dropped, the import is refused whole", async () => {
    const doc = { ...structuredClone(workedExample), hospital: { code: 'H-FIN-IMPORT', name: 'finance imports' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const finance = await keyFor('H-FIN-IMPORT', 'finance', 'his');
    const before = await svc.request('GET', '/v1/hospitals/H-FIN-IMPORT/periods/2026Q1');
    // the same document: unchanged
    expect((await svc.request('POST', '/v1/imports', doc, as(finance))).status).toBe(200);
    // a changed record, a dropped one, a new one: 403 naming the quarter's individuals, nothing written
    const changed = structuredClone(doc);
    changed.periods[0].individuals[0].workloadScore = '1';
    changed.periods[0].revenue = '1.00';
    const dropped = structuredClone(doc);
    dropped.periods[0].individuals.pop();
    for (const attempt of [changed, dropped]) {
      const res = await svc.request('POST', '/v1/imports', attempt, as(finance));
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.path).toBe('periods[0].individuals');
    }
    // without individuals: the department figures change, the stored records stay
    const departmentsOnly = structuredClone(doc);
    for (const p of departmentsOnly.periods) delete p.individuals;
    departmentsOnly.periods[0].revenue = '3100000.00';
    const ok = await svc.request('POST', '/v1/imports', departmentsOnly, as(finance));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = await svc.request('GET', '/v1/hospitals/H-FIN-IMPORT/periods/2026Q1');
    expect(after.body.revenue).toBe('3100000.00');
    expect(after.body.individuals).toEqual(before.body.individuals);
  });

  it('/audit/verify finds events deleted from the end of a chain, and a chain deleted whole, even with the table’s trigger disabled', async () => {
    const doc = { ...structuredClone(workedExample), hospital: { code: 'H-TRUNCATE', name: 'truncated' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    for (const name of ['a', 'b', 'c']) await keyFor('H-TRUNCATE', 'auditor', name);
    const intact = await svc.request('GET', '/v1/hospitals/H-TRUNCATE/audit/verify');
    const n = intact.body.events as number;
    expect(intact.body).toEqual({ valid: true, events: n, lastVerifiedSeq: n, anchoredSeq: n });
    const { db } = svc.database;
    const remove = async (where: ReturnType<typeof sql>) => {
      await db.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      try {
        await db.execute(sql`DELETE FROM audit_events WHERE hospital_id = (SELECT id FROM hospitals WHERE code = 'H-TRUNCATE') AND ${where}`);
      } finally {
        await db.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      }
    };
    await remove(sql`seq > ${n - 2}`);
    const truncated = await svc.request('GET', '/v1/hospitals/H-TRUNCATE/audit/verify');
    expect(truncated.body).toMatchObject({ valid: false, events: n - 2, lastVerifiedSeq: n - 2, anchoredSeq: n, firstInvalidSeq: n - 1 });
    expect(truncated.body.reason).toMatch(/removed/);
    // the anchor cannot be moved back to match, nor removed
    const rewind = await db.execute(sql`UPDATE audit_heads SET seq = ${n - 2} WHERE hospital_id = (SELECT id FROM hospitals WHERE code = 'H-TRUNCATE')`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(rewind).not.toBeNull();
    const drop = await db.execute(sql`DELETE FROM audit_heads`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(drop).not.toBeNull();
    await remove(sql`true`);
    const gone = await svc.request('GET', '/v1/hospitals/H-TRUNCATE/audit/verify');
    expect(gone.body).toMatchObject({ valid: false, events: 0, lastVerifiedSeq: 0, anchoredSeq: n });
  });

  it('a review over the API refuses an unknown status and an over-long reason, naming the field', async () => {
    const doc = { ...structuredClone(workedExample), hospital: { code: 'H-REVIEW', name: 'reviews' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const run = await settle('H-REVIEW', '2026Q1');
    const bogus = await svc.request('POST', `/v1/settlements/${run.id}/reviews/IM`, { status: 'bogus' });
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.path).toBe('status');
    const long = await svc.request('POST', `/v1/settlements/${run.id}/reviews/IM`, { status: 'disputed', reason: 'x'.repeat(300_000) });
    expect(long.status).toBe(400);
    expect(long.body.error.path).toBe('reason');
    expect((await svc.request('GET', `/v1/settlements/${run.id}/reviews`)).body.reviews.find((r: { department: string }) => r.department === 'IM').status).toBe('pending');
  });

  it('PUT replaces a whole record and refuses an incomplete one; PATCH, bulk and stream merges change only the fields they name', async () => {
    const H = 'H-MERGE';
    const doc = { ...structuredClone(workedExample), hospital: { code: H, name: 'merges' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const q = async () => (await svc.request('GET', `/v1/hospitals/${H}/periods/2026Q2`)).body;
    const dept = async (code: string) => (await q()).departments.find((d: { code: string }) => d.code === code);
    const person = async (id: string) => (await svc.request('GET', `/v1/hospitals/${H}/periods/2026Q1/individuals/${id}`)).body;
    const imBefore = await dept('IM');

    // the README's stream line, as a merge: only ethicsDeductions changes
    const streamed = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/periods/2026Q2/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: '{"type":"departmentInput","mode":"merge","record":{"code":"IM","ethicsDeductions":"1"}}\n',
    });
    expect(streamed.status, await streamed.clone().text()).toBe(200);
    expect(await dept('IM')).toEqual({ ...imBefore, ethicsDeductions: '1' });
    // the same line as a whole record: a clinical department without workload, revenue and cost is refused, naming them
    const partial = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/periods/2026Q2/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: '{"type":"departmentInput","record":{"code":"IM","ethicsDeductions":"1"}}\n',
    });
    expect(partial.status).toBe(400);
    const partialError = (await partial.json()).error;
    expect(partialError).toMatchObject({ code: 'missing_field', path: 'lines[1].record.workload' });
    expect(partialError.message).toMatch(/workload, medicalRevenue, totalCost/);
    const put = await svc.request('PUT', `/v1/hospitals/${H}/periods/2026Q2/departments/IM`, { ethicsDeductions: '1' });
    expect(put.status).toBe(400);
    expect(put.body.error).toMatchObject({ code: 'missing_field', path: 'workload' });
    expect(await dept('IM')).toEqual({ ...imBefore, ethicsDeductions: '1' });

    // PATCH (application/merge-patch+json): the fields named change; null removes one
    const patched = await svc.request(
      'PATCH',
      `/v1/hospitals/${H}/periods/2026Q2/departments/IM`,
      { ethicsDeductions: null, drugRatioTarget: '0.35' },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const { ethicsDeductions: _removed, ...imRest } = imBefore;
    expect(await dept('IM')).toEqual({ ...imRest, drugRatioTarget: '0.35' });

    // a person: PUT replaces (fields left out take their defaults); PATCH keeps what it does not name
    const s11 = await person('S11');
    expect(s11).toMatchObject({ errors: 1, lateOver5: 2, absentDays: 3 });
    const p1 = await svc.request('PATCH', `/v1/hospitals/${H}/periods/2026Q1/individuals/S11`, { workloadScore: '40' });
    expect(p1.status, JSON.stringify(p1.body)).toBe(200);
    expect(await person('S11')).toEqual({ ...s11, workloadScore: '40' });
    const p2 = await svc.request('PUT', `/v1/hospitals/${H}/periods/2026Q1/individuals/S11`, { workloadScore: '40' });
    expect(p2.status).toBe(200);
    expect(await person('S11')).toEqual({ staffId: 'S11', workloadScore: '40' });

    // bulk, mode merge: each record a patch of the stored one
    const ped = await dept('PED');
    const bulk = await svc.request('PUT', `/v1/hospitals/${H}/periods/2026Q2/departments`, { mode: 'merge', records: [{ code: 'PED', inventoryLoss: '12.00' }] });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    expect(await dept('PED')).toEqual({ ...ped, inventoryLoss: '12.00' });
    const badMode = await svc.request('PUT', `/v1/hospitals/${H}/periods/2026Q2/departments`, { mode: 'sometimes', records: [{ code: 'PED' }] });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error.path).toBe('mode');
    // a staff patch for someone who does not exist lacks the record's required fields: 400 naming one
    const ghost = await svc.request('PATCH', `/v1/hospitals/${H}/staff/NEW1`, { name: '新人' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.code).toBe('missing_field');
    // the quarter's figures
    const figures = await svc.request('PATCH', `/v1/hospitals/${H}/periods/2026Q2`, { revenue: '3333333.00' });
    expect(figures.status).toBe(200);
    expect((await q()).revenue).toBe('3333333.00');
  });

  it("a what-if merges each proposal over the person's record in the run", async () => {
    const H = 'H-WHATIF';
    const doc = { ...structuredClone(workedExample), hospital: { code: H, name: 'what if' } };
    expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    const run = await settle(H, '2026Q1');
    const same = await svc.request('POST', `/v1/settlements/${run.id}/what-if/IM`, { individuals: [{ staffId: 'S11' }] });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    // proposing nothing new for S11 leaves every amount as the run has it
    expect(same.body.individuals).toEqual(run.result.individuals.filter((l: { department: string }) => l.department === 'IM'));
  });

  it("every export of every kind of run adds up to the run's paidTotal, person by person", async () => {
    const money = (x: string | number) => new Decimal(x);
    for (const [code, source] of [
      ['H-EXP-PLAIN', workedExample],
      ['H-EXP-DISPUTES', disputesExample],
    ] as const) {
      expect((await svc.request('POST', '/v1/imports', { ...structuredClone(source), hospital: { code, name: code } })).status).toBe(200);
      for (const period of ['2026Q1', '2026Q2', '2026']) {
        const run = await settle(code, period);
        expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
        expect((await svc.request('POST', `/v1/settlements/${run.id}/approve`)).status).toBe(200);
        const label = `${code} ${period}`;
        const paid = run.result.summary.paidTotal as string;
        // what each person is paid, by the result: a quarter's total; a year-end's amount and risk award
        const owed = new Map<string, Decimal>();
        for (const l of run.result.individuals) owed.set(`${l.staffId}/${l.department}`, money(run.result.kind === 'quarterly' ? l.total : l.amount).plus(l.riskAward ?? 0));
        const check = (rows: Map<string, Decimal>, format: string) => {
          expect([...rows.keys()].sort(), `${label} ${format}`).toEqual([...owed.keys()].sort());
          for (const [k, v] of rows) expect(v.toFixed(2), `${label} ${format} ${k}`).toBe(owed.get(k)!.toFixed(2));
          expect([...rows.values()].reduce((a, b) => a.plus(b), money(0)).toFixed(2), `${label} ${format}`).toBe(paid);
        };
        const download = async (format: string, headers = 'en') =>
          Buffer.from(await (await fetch(`${svc.baseUrl}/v1/settlements/${run.id}/export?format=${format}&headers=${headers}`, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer());
        const csvRows = (text: string) => {
          const [header, ...lines] = text
            .replace(/^\uFEFF/, '')
            .split('\r\n')
            .filter(Boolean);
          const names = header!.split(',');
          return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
        };
        const payable = (r: Record<string, string>) => money(run.result.kind === 'quarterly' ? r.total! : r.amount!).plus(r.riskAward ?? 0);
        check(new Map(csvRows((await download('csv')).toString('utf8')).map((r) => [`${r.staffId}/${r.department}`, payable(r)])), 'csv');
        const ndjson = (await download('ndjson'))
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        check(new Map(ndjson.map((r) => [`${r.staffId}/${r.department}`, payable(r)])), 'ndjson');
        check(new Map(csvRows((await download('payroll')).toString('utf8')).map((r) => [`${r.staffId}/${r.department}`, money(r.amount!)])), 'payroll');
        // the finance office's payroll: the same amounts under Chinese words, and a 合计 row equal to paidTotal
        const office = csvRows((await download('payroll', 'zh')).toString('utf8'));
        const officeTotal = office.pop()!;
        expect(officeTotal.期间, label).toBe('合计');
        expect(officeTotal.实发金额, label).toBe(paid);
        check(new Map(office.map((r) => [`${r.工号}/${r.科室编码}`, money(r.实发金额!)])), 'payroll (zh)');
        const book = new ExcelJS.Workbook();
        await book.xlsx.load((await download('xlsx')) as never);
        const people = book.getWorksheet('个人')!;
        const header = (people.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
        const col = (key: string) => header.indexOf(columnLabel(key, 'zh'));
        const rows = new Map<string, Decimal>();
        let total: Decimal | undefined;
        for (let r = 2; r <= people.rowCount; r++) {
          const row = people.getRow(r);
          const v = (key: string) => (col(key) > 0 ? row.getCell(col(key)).value : null);
          const payable = money(String(run.result.kind === 'quarterly' ? v('total') : v('amount'))).plus(String(v('riskAward') ?? 0));
          if (v('staffId') === '合计') total = payable;
          else if (v('staffId')) rows.set(`${v('staffId')}/${v('department')}`, payable);
        }
        check(rows, 'xlsx');
        expect(total?.toFixed(2), `${label} xlsx 合计`).toBe(paid);
        const summary = book.getWorksheet('汇总')!;
        for (let r = 1; r <= summary.rowCount; r++) {
          const key = summary.getRow(r).getCell(1).value;
          if (key === '风险奖合计' || key === '实发总额') expect(summary.getRow(r).getCell(2).numFmt, `${label} ${key}`).toBe('#,##0.00');
          if (key === '实发总额') expect(String(summary.getRow(r).getCell(2).value), label).toBe(String(Number(paid)));
        }
      }
    }
  });

  describe('4xx, never 500, for what a client can send', () => {
    const H = 'H-ROBUST';
    beforeAll(async () => {
      const doc = { ...structuredClone(workedExample), hospital: { code: H, name: 'robust' } };
      expect((await svc.request('POST', '/v1/imports', doc)).status).toBe(200);
    });
    const ndjson = (lines: string, headers: Record<string, string> = {}) =>
      fetch(`${svc.baseUrl}/v1/hospitals/${H}/periods/2026Q2/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson', ...headers },
        body: lines,
      });

    it('amounts the store cannot hold and scheme values no hospital means are refused at the door, naming the field, and nothing changes (items 20, 28)', async () => {
      const before = (await svc.request('GET', `/v1/hospitals/${H}/periods/2026Q2`)).body;
      const refused = async (method: string, path: string, body: unknown, field: string) => {
        const res = await svc.request(method, path, body);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.path, JSON.stringify(res.body)).toContain(field);
        return res.body.error;
      };
      // an amount of 18 digits fits no numeric(20,2) column: refused by the engine's validation, as the CLI refuses it
      await refused('PATCH', `/v1/hospitals/${H}/periods/2026Q2/departments/IM`, { inventoryLoss: '999999999999999999' }, 'inventoryLoss');
      await refused('PATCH', `/v1/hospitals/${H}/periods/2026Q2`, { revenue: '1000000000000000.00' }, 'revenue');
      await refused('PUT', `/v1/hospitals/${H}/scheme-versions/2026Q2`, { parameters: { floorPerCapita: '9999999999999999.00' } }, 'floorPerCapita');
      // rates no scheme means: a reserve above 1 (and above the pool rate), a pay ratio of 1000
      const reserve = await refused('PUT', `/v1/hospitals/${H}/scheme-versions/2026Q2`, { parameters: { reserveRate: '2' } }, 'reserveRate');
      expect(reserve.code).toBe('invalid_scheme');
      const staffBefore = (await svc.request('GET', `/v1/hospitals/${H}/staff`)).body;
      const ratio = await refused('PATCH', `/v1/hospitals/${H}/staff/S11`, { payRatioOverride: '1000' }, 'payRatioOverride');
      expect(ratio.code).toBe('invalid_value');
      expect((await svc.request('GET', `/v1/hospitals/${H}/periods/2026Q2`)).body).toEqual(before);
      expect((await svc.request('GET', `/v1/hospitals/${H}/staff`)).body).toEqual(staffBefore);
      // what a hospital does mean is taken: 15 digits of inventory loss
      const taken = await svc.request('PATCH', `/v1/hospitals/${H}/periods/2026Q2/departments/IM`, { inventoryLoss: '999999999999999.00' });
      expect(taken.status, JSON.stringify(taken.body)).toBe(200);
      expect(
        (await svc.request('PATCH', `/v1/hospitals/${H}/periods/2026Q2/departments/IM`, { inventoryLoss: before.departments.find((d: { code: string }) => d.code === 'IM').inventoryLoss ?? null }))
          .status,
      ).toBe(200);
    });

    it('an NDJSON stream with an Idempotency-Key: applied once, replayed, a different stream with the key refused', async () => {
      const body = '{"type":"departmentInput","mode":"merge","record":{"code":"IM","ethicsDeductions":"1"}}\n';
      const plain = '{"type":"staff","record":{"id":"S90","name":"王小明","department":"IM","titleGrade":"resident","position":null,"employment":"regular","role":"physician"}}\n';
      const first = await ndjson(plain, { 'idempotency-key': 'stream-1' });
      expect(first.status, await first.clone().text()).toBe(200);
      const firstBody = await first.json();
      const replay = await ndjson(plain, { 'idempotency-key': 'stream-1' });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(firstBody);
      const other = await ndjson(body.replace('"1"', '"2"'), { 'idempotency-key': 'stream-1' });
      expect(other.status).toBe(422);
    });

    it('application/x-ndjson on another write route is a 415', async () => {
      const res = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/departments/IM`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
        body: '{"name":"x"}\n',
      });
      expect(res.status).toBe(415);
      expect((await res.json()).error.code).toBe('unsupported_media_type');
    });

    it('JSON nested 10,000 deep is a 400 too_deep', async () => {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      const res = await svc.request('POST', '/v1/imports', `{"hospital":{"code":"${H}"},"departments":${deep}}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('too_deep');
      const line = await ndjson(`{"type":"staff","record":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}\n`);
      expect(line.status).toBe(400);
      expect((await line.json()).error.code).toBe('too_deep');
    });

    it('an NDJSON line of kind __proto__ (or constructor) is an unknown kind', async () => {
      for (const kind of ['__proto__', 'constructor', 'toString']) {
        const res = await ndjson(`{"type":"${kind}","record":{}}\n`);
        expect(res.status, kind).toBe(400);
        const body = await res.json();
        expect(body.error).toMatchObject({ code: 'invalid_enum', path: 'lines[1].type' });
      }
    });

    it('a lone surrogate in a name is a 400 naming the field', async () => {
      const res = await svc.request('PUT', `/v1/hospitals/${H}/departments/IM`, '{"name":"a\\ud800b","kind":"clinical","riskCoefficient":"1.00"}');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_value', path: 'name' });
      const line = await ndjson('{"type":"department","record":{"code":"IM","name":"a\\udc00","kind":"clinical","riskCoefficient":"1.00"}}\n');
      expect(line.status).toBe(400);
      expect((await line.json()).error.path).toBe('lines[1].record.name');
    });

    it('audit query values out of range or not dates are 400s naming the parameter', async () => {
      for (const [query, path] of [
        ['afterSeq=99999999999999999999', 'querystring.afterSeq'],
        ['from=garbage', 'querystring.from'],
        ['to=2026-13-45', 'querystring.to'],
        ['from=2026-02-30', 'querystring.from'],
        ['to=2026-11-01T25:00:00Z', 'querystring.to'],
      ] as const) {
        const res = await svc.request('GET', `/v1/hospitals/${H}/audit?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error.path, query).toBe(path);
      }
      const all = await svc.request('GET', `/v1/hospitals/${H}/audit?limit=1000`);
      const day = all.body.events[0].occurredAt.slice(0, 10);
      const ok = await svc.request('GET', `/v1/hospitals/${H}/audit?from=${day}&to=${day}&limit=1000`);
      expect(ok.status).toBe(200);
      expect(ok.body.events.length).toBe(all.body.events.length);
      const before = await svc.request('GET', `/v1/hospitals/${H}/audit?to=2000-01-01T00:00:00%2B08:00`);
      expect(before.body.events).toEqual([]);
    });

    it('invalid UTF-8 is refused, not stored as U+FFFD; a byte-order mark before an NDJSON stream is skipped', async () => {
      const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xe5, 0x86]), Buffer.from('","kind":"clinical","riskCoefficient":"1.00"}')]);
      const res = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/departments/IM`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: bytes });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_encoding');
      const line = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/periods/2026Q2/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
        body: Buffer.concat([Buffer.from('{"type":"department","record":{"code":"IM","name":"'), Buffer.from([0xff]), Buffer.from('","kind":"clinical","riskCoefficient":"1.00"}}\n')]),
      });
      expect(line.status).toBe(400);
      expect((await line.json()).error).toMatchObject({ code: 'invalid_encoding', path: 'lines[1]' });
      const withBom = await fetch(`${svc.baseUrl}/v1/hospitals/${H}/periods/2026Q2/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"type":"department","record":{"code":"IM","name":"内科","kind":"clinical","riskCoefficient":"1.00"}}\n')]),
      });
      expect(withBom.status, await withBom.clone().text()).toBe(200);
      const departments = await svc.request('GET', `/v1/hospitals/${H}/departments`);
      expect(departments.body.departments.find((d: { code: string }) => d.code === 'IM').name).toBe('内科');
    });
  });
});

describe.each(backends)('a service with a small rate limit, a small body limit and a trusted proxy (%s); the rate limit last', (backend) => {
  const svc = useTestService(backend, { PERFPAY_RATE_LIMIT_PER_MINUTE: 5, PERFPAY_BODY_LIMIT_MB: 4, PERFPAY_TRUST_PROXY: 'true' });

  it('one NDJSON line without a newline is refused at the body limit, not read whole first', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const heapBefore = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const res = await fetch(`${svc.baseUrl}/v1/hospitals/ANY/periods/2026Q1/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    } as RequestInit).catch((e: unknown) => e);
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect((await res.json()).error.code).toBe('payload_too_large');
    }
    // the server stopped reading well before the 64 MB the client would have sent
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    const grown = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  });

  it('the pages send upgrade-insecure-requests only when the request came over HTTPS', async () => {
    const plain = await fetch(`${svc.baseUrl}/ui`);
    expect(plain.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    const behindTls = await fetch(`${svc.baseUrl}/ui`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(behindTls.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });

  it('the per-key rate limit holds however the Authorization header is spelt, and is the key’s own', async () => {
    // two of the bootstrap key's five: a hospital and another key
    expect((await svc.request('PUT', '/v1/hospitals/H-LIMIT', { name: 'limits' })).status).toBe(200);
    const other = await svc.request('POST', '/v1/api-keys', { role: 'auditor', hospital: 'H-LIMIT', name: 'another key' });
    expect(other.status).toBe(201);
    const remaining = Number(other.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeGreaterThan(0);
    const spellings = [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer\t${TOKEN}`, `bEaReR ${TOKEN}`, `Bearer ${TOKEN}`];
    const statuses: number[] = [];
    for (const authorization of spellings) statuses.push((await fetch(`${svc.baseUrl}/v1/hospitals`, { headers: { authorization } })).status);
    expect(statuses).toEqual([...Array(remaining).fill(200), ...Array(spellings.length - remaining).fill(429)]);
    // another key has its own five
    const theirs = await fetch(`${svc.baseUrl}/v1/hospitals`, { headers: { authorization: `Bearer ${other.body.token}` } });
    expect(theirs.status).toBe(200);
  });
});
