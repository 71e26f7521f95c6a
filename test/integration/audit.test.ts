import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backends, errorText, useTestService, validChain } from './harness.js';

/**
 * The hash-chained audit trail (contract.md §4): every write appends an event naming what it
 * did, the trail reads back with filters and paging, /audit/verify re-checks the chain and
 * notices a row changed behind the service's back, and the database refuses UPDATE and DELETE.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

function scenarioFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

describe.each(backends)('the audit trail (%s)', (backend) => {
  const svc = useTestService(backend);
  const code = 'AUD-MAIN';

  const allEvents = async (hospital: string) => {
    const res = await svc.request('GET', `/v1/hospitals/${hospital}/audit?limit=1000`);
    expect(res.status).toBe(200);
    return res.body.events as any[];
  };
  const actionsAfter = async (hospital: string, seq: number) => (await allEvents(hospital)).filter((e) => e.seq > seq).map((e) => e.action);
  const lastSeq = async (hospital: string) => (await allEvents(hospital)).at(-1)?.seq ?? 0;

  it('every write appends its event: import, granular PUT, trigger, the run, approve', async () => {
    // the import: hospital, scheme, 6 departments, 14 staff, 2 quarters, the year-end
    const imported = await svc.request('POST', '/v1/imports', scenarioFor(code));
    expect(imported.status).toBe(200);
    const afterImport = await allEvents(code);
    const count = (action: string) => afterImport.filter((e) => e.action === action).length;
    expect(count('hospital.create')).toBe(1);
    expect(count('scheme.set')).toBe(1);
    expect(count('department.create')).toBe(example.departments.length);
    expect(count('staff.create')).toBe(example.staff.length);
    expect(count('period.replace')).toBe(example.periods.length);
    expect(count('annual.set')).toBe(1);
    expect(afterImport).toHaveLength(1 + 1 + example.departments.length + example.staff.length + example.periods.length + 1);
    expect(afterImport.map((e) => e.seq)).toEqual(afterImport.map((_, i) => i + 1));
    for (const e of afterImport) {
      expect(e).toMatchObject({ hospital: code, actor: 'bootstrap-admin', requestId: imported.headers.get('x-request-id') });
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(afterImport[0].prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < afterImport.length; i++) expect(afterImport[i].prevHash).toBe(afterImport[i - 1].hash);
    expect(
      afterImport
        .filter((e) => e.action === 'staff.create')
        .map((e) => e.entityKey)
        .sort(),
    ).toEqual(example.staff.map((s: { id: string }) => s.id).sort());
    expect(
      afterImport
        .filter((e) => e.action === 'period.replace')
        .map((e) => e.entityKey)
        .sort(),
    ).toEqual(['2026Q1', '2026Q2']);

    // importing the same document again changes nothing and writes nothing
    const again = await svc.request('POST', '/v1/imports', scenarioFor(code));
    expect(again.status).toBe(200);
    expect(await actionsAfter(code, afterImport.length)).toEqual([]);

    // a granular PUT of a person's inputs: one event with the record before and after
    let seq = await lastSeq(code);
    const put = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '30', errors: 1, lateOver5: 2, absentDays: 3 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const [putEvent, ...more] = (await allEvents(code)).filter((e) => e.seq > seq);
    expect(more).toEqual([]);
    expect(putEvent).toMatchObject({ action: 'individual_input.set', entityType: 'individual_input', entityKey: '2026Q1/S11', requestId: put.headers.get('x-request-id') });
    expect(putEvent.before).toMatchObject({ staffId: 'S11', workloadScore: '36' });
    expect(putEvent.after).toMatchObject({ staffId: 'S11', workloadScore: '30' });
    // the same PUT again changes nothing: no event
    expect((await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '30', errors: 1, lateOver5: 2, absentDays: 3 })).status).toBe(200);
    expect(await actionsAfter(code, putEvent.seq)).toEqual([]);

    // trigger, then the run's own event, then approve
    seq = await lastSeq(code);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status).toBe('succeeded');
    const runEvents = (await allEvents(code)).filter((e) => e.seq > seq);
    expect(runEvents.map((e) => e.action)).toEqual(['settlement.trigger', 'settlement.succeed']);
    for (const e of runEvents) expect(e).toMatchObject({ entityType: 'settlement', entityKey: run.id });
    expect(runEvents[0]).toMatchObject({ actor: 'bootstrap-admin', requestId: trigger.headers.get('x-request-id') });

    seq = await lastSeq(code);
    const approve = await svc.request('POST', `/v1/settlements/${run.id}/approve`);
    expect(approve.status).toBe(200);
    const approveEvents = (await allEvents(code)).filter((e) => e.seq > seq);
    expect(approveEvents).toHaveLength(1);
    expect(approveEvents[0]).toMatchObject({ action: 'settlement.approve', entityType: 'settlement', entityKey: run.id, requestId: approve.headers.get('x-request-id') });

    // a refused write (409) appends nothing
    seq = await lastSeq(code);
    expect((await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q1/individuals/S11`, { workloadScore: '20' })).status).toBe(409);
    expect(await actionsAfter(code, seq)).toEqual([]);
  });

  it("a write sent with a forged x-request-id is audited under the server's request id; the client's is only logged beside it, labelled", async () => {
    const hospital = 'AUD-FORGED';
    expect((await svc.request('POST', '/v1/imports', scenarioFor(hospital))).status).toBe(200);
    const before = await lastSeq(hospital);
    const forged = `forged-${backend}-request-id`;
    const put = await svc.request('PUT', `/v1/hospitals/${hospital}/periods/2026Q1/individuals/S11`, { workloadScore: '31', errors: 1, lateOver5: 2, absentDays: 3 }, { 'x-request-id': forged });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const serverId = put.headers.get('x-request-id');
    expect(serverId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(serverId).not.toBe(forged);
    const written = (await allEvents(hospital)).filter((e) => e.seq > before);
    expect(written.length).toBeGreaterThan(0);
    for (const e of written) {
      expect(e.requestId).toBe(serverId);
      expect(JSON.stringify(e)).not.toContain(forged);
    }
    // the client's id is kept in the log only, as clientRequestId beside the server's reqId
    const lines = svc.logs.flatMap((chunk) => chunk.split('\n')).filter((l) => l.includes(forged));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ reqId: serverId, clientRequestId: forged });
  });

  it('reads back with filters (action, entityType) and pages with limit and afterSeq', async () => {
    const all = await allEvents(code);
    expect(all.length).toBeGreaterThan(25);

    const staffCreated = await svc.request('GET', `/v1/hospitals/${code}/audit?action=staff.create&limit=100`);
    expect(staffCreated.status).toBe(200);
    expect(staffCreated.body.events).toHaveLength(example.staff.length);
    expect(staffCreated.body.events.every((e: { action: string }) => e.action === 'staff.create')).toBe(true);

    const departments = await svc.request('GET', `/v1/hospitals/${code}/audit?entityType=department&limit=100`);
    expect(departments.body.events.map((e: { entityKey: string }) => e.entityKey).sort()).toEqual(example.departments.map((d: { code: string }) => d.code).sort());
    expect(departments.body.events.every((e: { entityType: string }) => e.entityType === 'department')).toBe(true);

    const settlements = await svc.request('GET', `/v1/hospitals/${code}/audit?entityType=settlement&action=settlement.approve&limit=100`);
    expect(settlements.body.events.map((e: { action: string }) => e.action)).toEqual(['settlement.approve']);

    // paging: pages of 7 in seq order, each after the previous page's last seq, together the whole trail
    const paged: any[] = [];
    let after: number | null = 0;
    let pages = 0;
    while (after !== null) {
      const page = await svc.request('GET', `/v1/hospitals/${code}/audit?limit=7&afterSeq=${after}`);
      expect(page.status).toBe(200);
      expect(page.body.events.length).toBeLessThanOrEqual(7);
      for (const e of page.body.events) expect(e.seq).toBeGreaterThan(after);
      paged.push(...page.body.events);
      after = page.body.nextAfterSeq;
      if (after !== null) expect(after).toBe(page.body.events.at(-1).seq);
      expect(++pages).toBeLessThan(100);
    }
    expect(pages).toBe(Math.floor(all.length / 7) + 1);
    expect(paged).toEqual(all);

    const firstPage = await svc.request('GET', `/v1/hospitals/${code}/audit?limit=3`);
    expect(firstPage.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    expect(firstPage.body.nextAfterSeq).toBe(3);

    // filters and paging together
    const staffPage = await svc.request('GET', `/v1/hospitals/${code}/audit?action=staff.create&limit=5`);
    const staffNext = await svc.request('GET', `/v1/hospitals/${code}/audit?action=staff.create&limit=5&afterSeq=${staffPage.body.nextAfterSeq}`);
    expect([...staffPage.body.events, ...staffNext.body.events]).toEqual(staffCreated.body.events.slice(0, 10));

    expect((await svc.request('GET', `/v1/hospitals/${code}/audit?limit=0`)).status).toBe(400);
    expect((await svc.request('GET', '/v1/hospitals/NO-SUCH-HOSPITAL/audit?limit=10')).status).toBe(404);
  });

  it('limit is optional: without it a page holds up to its default of 100 events', async () => {
    const all = await allEvents(code);
    const res = await svc.request('GET', `/v1/hospitals/${code}/audit?action=staff.create`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.events).toEqual(all.filter((e) => e.action === 'staff.create'));
    const unfiltered = await svc.request('GET', `/v1/hospitals/${code}/audit`);
    expect(unfiltered.status, JSON.stringify(unfiltered.body)).toBe(200);
    expect(unfiltered.body.events).toEqual(all.slice(0, 100));
  });

  it('the chain of a hospital whose records were updated (granular PUTs, re-imports) still verifies', async () => {
    // AUD-MAIN has had an individual input replaced; add a department input, a department and a staff update
    const dept = await svc.request('PUT', `/v1/hospitals/${code}/periods/2026Q2/departments/PED`, {
      workload: [{ indicator: 'outpatient_visits', actual: '3300', base: '3000' }],
      medicalRevenue: '300000.00',
      drugRevenue: '300000.00',
      totalCost: '650000.00',
    });
    expect(dept.status, JSON.stringify(dept.body)).toBe(200);
    const renamed = scenarioFor(code);
    renamed.departments.find((d: { code: string }) => d.code === 'FIN').name = '财务处';
    renamed.staff.find((s: { id: string }) => s.id === 'S03').name = '会计丙（新）';
    renamed.periods = renamed.periods.filter((p: { period: string }) => p.period !== '2026Q1');
    renamed.periods[0].departments = renamed.periods[0].departments.map((d: { code: string }) => (d.code === 'PED' ? { ...d, totalCost: '650000.00' } : d));
    const reimport = await svc.request('POST', '/v1/imports', renamed);
    expect(reimport.status, JSON.stringify(reimport.body)).toBe(200);
    const all = await allEvents(code);
    expect(all.map((e) => e.action)).toEqual(expect.arrayContaining(['individual_input.set', 'department_input.set', 'department.update', 'staff.update']));
    const verify = await svc.request('GET', `/v1/hospitals/${code}/audit/verify`);
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual(validChain(all.length));
  });

  it('/audit/verify is valid, and reports valid:false once an event is changed directly in the database', async () => {
    const victim = 'AUD-TAMPER';
    const bystander = 'AUD-BYSTANDER';
    expect((await svc.request('POST', '/v1/imports', scenarioFor(victim))).status).toBe(200);
    expect((await svc.request('POST', '/v1/imports', scenarioFor(bystander))).status).toBe(200);
    const events = (await allEvents(victim)).length;

    const before = await svc.request('GET', `/v1/hospitals/${victim}/audit/verify`);
    expect(before.status).toBe(200);
    expect(before.body).toEqual(validChain(events));

    const { db } = svc.database;
    await db.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    try {
      await db.execute(sql`UPDATE audit_events SET "after" = '{"name": "forged"}'::jsonb WHERE seq = 5 AND hospital_id = (SELECT id FROM hospitals WHERE code = ${victim})`);
    } finally {
      await db.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER USER`);
    }

    const after = await svc.request('GET', `/v1/hospitals/${victim}/audit/verify`);
    expect(after.status).toBe(200);
    expect(after.body.valid).toBe(false);
    expect(after.body.events).toBe(events);
    expect(after.body.firstInvalidSeq).toBe(5);
    // another hospital's chain is not affected
    expect((await svc.request('GET', `/v1/hospitals/${bystander}/audit/verify`)).body).toEqual(validChain(events));
  });

  it('the database refuses a plain UPDATE, DELETE or TRUNCATE of audit_events', async () => {
    const { db } = svc.database;
    const countRows = async () => ((await db.execute(sql`SELECT count(*)::int AS n FROM audit_events`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
    const rows = await countRows();
    expect(rows).toBeGreaterThan(0);

    const update = await db.execute(sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(update, 'UPDATE was not rejected').not.toBeNull();
    expect(errorText(update)).toMatch(/append-only/);

    const del = await db.execute(sql`DELETE FROM audit_events WHERE seq = 1`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(del, 'DELETE was not rejected').not.toBeNull();
    expect(errorText(del)).toMatch(/append-only/);

    const truncate = await db.execute(sql`TRUNCATE audit_events`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(truncate, 'TRUNCATE was not rejected').not.toBeNull();
    expect(errorText(truncate)).toMatch(/append-only/);

    expect(await countRows()).toBe(rows);
    const actors = (await db.execute(sql`SELECT count(*)::int AS n FROM audit_events WHERE actor = 'mallory'`)) as unknown as { rows: { n: number }[] };
    expect(actors.rows[0]!.n).toBe(0);
    // the service still works, and an untouched chain still verifies
    const bystander = await svc.request('GET', '/v1/hospitals/AUD-BYSTANDER/audit/verify');
    expect(bystander.body).toEqual(validChain((await allEvents('AUD-BYSTANDER')).length));
  });
});
