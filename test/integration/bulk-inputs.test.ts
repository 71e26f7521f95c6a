import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, backends, useTestService } from './harness.js';

/**
 * The bulk input endpoints besides individuals: departments, staff and a quarter's department
 * inputs as `{records: […]}` (all or nothing, every invalid row named, one audit event for the
 * rows that changed), and the NDJSON stream that pushes all four kinds in one transaction.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));
const CODE = 'XH-COUNTY';
const NDJSON = 'application/x-ndjson';

/** The worked example as the scenario of another hospital (a deep copy, free to change). */
function scenarioFor(code: string): any {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
}

const exampleDepartment = (code: string) => structuredClone(example.departments.find((d: { code: string }) => d.code === code));
const exampleQ1Inputs = (code: string) => structuredClone(example.periods[0].departments.find((d: { code: string }) => d.code === code));

const paths = (body: any) => (body.error.details as { path: string }[]).map((d) => d.path);
const codes = (body: any) => (body.error.details as { code: string }[]).map((d) => d.code);

describe.each(backends)('bulk departments, staff, department inputs and the NDJSON stream (%s)', (backend) => {
  const svc = useTestService(backend);
  beforeAll(async () => {
    const imported = await svc.request('POST', '/v1/imports', example);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });

  const events = async (code = CODE) => {
    const res = await svc.request('GET', `/v1/hospitals/${code}/audit/verify`);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    return res.body.events as number;
  };
  const auditOf = async (action: string, code = CODE) => (await svc.request('GET', `/v1/hospitals/${code}/audit?action=${action}&limit=1000`)).body.events as any[];
  const departments = async (code = CODE) => (await svc.request('GET', `/v1/hospitals/${code}/departments`)).body.departments as any[];
  const staff = async (code = CODE) => (await svc.request('GET', `/v1/hospitals/${code}/staff`)).body.staff as any[];
  const period = async (p: string, code = CODE) => (await svc.request('GET', `/v1/hospitals/${code}/periods/${p}`)).body;
  /** Everything a bulk write could change, to show that a refused one changed nothing. */
  const snapshot = async (code = CODE) => JSON.stringify([await departments(code), await staff(code), await period('2026Q1', code), await events(code)]);

  const keyFor = async (role: string, name: string, departmentCodes?: string[], hospital = CODE) => {
    const res = await svc.request('POST', '/v1/api-keys', { role, hospital, name, ...(departmentCodes ? { departments: departmentCodes } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { authorization: `Bearer ${res.body.token as string}` };
  };

  /** POST …/stream with a raw body (NDJSON by default). */
  const stream = async (body: string, options: { period?: string; code?: string; contentType?: string; token?: string } = {}) => {
    const res = await fetch(`${svc.baseUrl}/v1/hospitals/${options.code ?? CODE}/periods/${options.period ?? '2026Q1'}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token ?? TOKEN}`, 'content-type': options.contentType ?? NDJSON },
      body,
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* the raw text */
    }
    return { status: res.status, body: parsed };
  };
  const line = (type: string, record: unknown) => JSON.stringify({ type, record });

  // ---------------------------------------------------------------- departments

  it('departments: writes the new one, leaves the unchanged one, audits the batch once; a replay writes nothing', async () => {
    const before = await events();
    const icu = { code: 'ICU', name: '重症医学科', kind: 'clinical', riskCoefficient: '1.40' };
    const records = [icu, exampleDepartment('FIN')];
    const res = await svc.request('PUT', `/v1/hospitals/${CODE}/departments`, { records });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ records: 2, written: 1, unchanged: 1 });

    const listed = await departments();
    expect(listed.find((d) => d.code === 'ICU')).toEqual(icu);
    expect(listed.find((d) => d.code === 'FIN')).toEqual(exampleDepartment('FIN'));
    expect(listed.map((d) => d.code).sort()).toEqual([...example.departments.map((d: { code: string }) => d.code), 'ICU'].sort());

    expect(await events()).toBe(before + 1);
    const audited = await auditOf('department.bulk_set');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ entityType: 'department', entityKey: 'bulk', after: { records: 2, written: 1, departments: ['ICU'] } });

    const again = await svc.request('PUT', `/v1/hospitals/${CODE}/departments`, { records });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ records: 2, written: 0, unchanged: 2 });
    expect(await events()).toBe(before + 1);
  });

  it('departments: a 400 names every row the engine would refuse, in row order, and writes none of the batch', async () => {
    const before = await snapshot();
    const res = await svc.request('PUT', `/v1/hospitals/${CODE}/departments`, {
      records: [
        { code: 'OPH', name: '眼科', kind: 'clinical', riskCoefficient: '1.10' },
        { code: 'HR', name: '人事科', kind: 'admin', riskCoefficient: '0.80' }, // an admin department needs its adminClass
        { code: 'ENT', name: '耳鼻喉科', kind: 'clinical', adminClass: 'core_admin', riskCoefficient: '1.10' }, // adminClass is for admin departments only
        { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: '0' }, // must be > 0
        { code: 'OPH', name: '眼科二', kind: 'clinical', riskCoefficient: '1.00' }, // the code of row 0 again
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('missing_field');
    expect(res.body.error.path).toBe('records[1].adminClass');
    expect(paths(res.body)).toEqual(['records[1].adminClass', 'records[2].adminClass', 'records[3].riskCoefficient', 'records[4].code']);
    expect(codes(res.body)).toEqual(['missing_field', 'not_applicable', 'invalid_value', 'duplicate']);
    expect(res.body.error.message).toMatch(/^4 of 5 records are invalid/);
    expect(await snapshot()).toBe(before);
    expect((await departments()).some((d) => d.code === 'OPH')).toBe(false);
  });

  it('departments: a record that does not fit the schema (kind not an enum value, a number for a decimal) is a 400 naming each row', async () => {
    const before = await snapshot();
    const res = await svc.request('PUT', `/v1/hospitals/${CODE}/departments`, {
      records: [
        { code: 'OPH', name: '眼科', kind: 'clinical', riskCoefficient: '1.10' },
        { code: 'ENT', name: '耳鼻喉科', kind: 'surgical', riskCoefficient: '1.10' },
        { code: 'URO', name: '泌尿外科', kind: 'clinical', riskCoefficient: '1.10' },
        { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: 1.1 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.path).toBe('records[1].kind');
    expect(paths(res.body)).toEqual(['records[1].kind', 'records[3].riskCoefficient']);
    expect(codes(res.body)).toEqual(['invalid_enum', 'invalid_type']);
    expect(await snapshot()).toBe(before);
  });

  // ---------------------------------------------------------------- staff

  it('staff: Chinese names round-trip exactly; an unknown department and a repeated id are 400s naming their rows; all or nothing', async () => {
    const before = await events();
    const wang = { id: 'S40', name: '王小明', department: 'IM', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' };
    const ouyang = { id: 'S41', name: '欧阳·娜娜（进修）', department: 'PED', titleGrade: 'attending', position: null, employment: 'contract', role: 'nurse', licensed: false };
    const res = await svc.request('PUT', `/v1/hospitals/${CODE}/staff`, { records: [wang, ouyang] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ records: 2, written: 2, unchanged: 0 });
    const listed = await staff();
    expect(listed.find((s) => s.id === 'S40')).toEqual(wang);
    expect(listed.find((s) => s.id === 'S41')).toEqual(ouyang);
    expect(await events()).toBe(before + 1);
    expect((await auditOf('staff.bulk_set')).at(-1)).toMatchObject({ entityType: 'staff', after: { records: 2, written: 2, staff: ['S40', 'S41'] } });

    const snap = await snapshot();
    const refused = await svc.request('PUT', `/v1/hospitals/${CODE}/staff`, {
      records: [
        { ...wang, name: '王晓明' }, // valid on its own: a change of name
        { id: 'S42', name: '赵六', department: 'NOWHERE', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' },
        { id: 'S43', name: '钱七', department: 'SUR', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' },
        { ...ouyang, department: 'SUR' },
        { ...wang, name: '王大明' }, // S40 a second time
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('unknown_reference');
    expect(refused.body.error.path).toBe('records[1].department');
    expect(paths(refused.body)).toEqual(['records[1].department', 'records[4].id']);
    expect(codes(refused.body)).toEqual(['unknown_reference', 'duplicate']);
    // nothing of the batch: not the rename of S40, not the new S43, not S41's move
    expect(await snapshot()).toBe(snap);
    const after = await staff();
    expect(after.find((s) => s.id === 'S40')).toEqual(wang);
    expect(after.find((s) => s.id === 'S41')).toEqual(ouyang);
    expect(after.some((s) => s.id === 'S43')).toBe(false);
  });

  // ---------------------------------------------------------------- department inputs

  it("department inputs: one department's changed figure is written and read back; an unknown department and a misplaced field are row errors; a quarter with no inputs is 404", async () => {
    const before = await events();
    const im = { ...exampleQ1Inputs('IM'), ethicsDeductions: '4.5' };
    const sur = exampleQ1Inputs('SUR');
    const res = await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2026Q1/departments`, { records: [im, sur] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ records: 2, written: 1, unchanged: 1 });
    const q1 = await period('2026Q1');
    expect(q1.departments.find((d: { code: string }) => d.code === 'IM')).toEqual(im);
    expect(q1.departments.find((d: { code: string }) => d.code === 'SUR')).toEqual(sur);
    expect(q1.departments.find((d: { code: string }) => d.code === 'PED')).toEqual(exampleQ1Inputs('PED'));
    expect(await events()).toBe(before + 1);
    expect((await auditOf('department_input.bulk_set')).at(-1)).toMatchObject({ entityType: 'department_input', entityKey: '2026Q1', after: { records: 2, written: 1, departments: ['IM'] } });

    const snap = await snapshot();
    const refused = await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2026Q1/departments`, {
      records: [
        { ...im, ethicsDeductions: '1' },
        { code: 'NOWHERE', ethicsDeductions: '1' },
        { code: 'MA', adminDeductions: '2', totalCost: '100.00' }, // an admin department has no cost
        { ...sur, drugRatioTarget: '0.20' },
        { code: 'SUR', ethicsDeductions: '1' }, // SUR a second time
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.path).toBe('records[1].code');
    expect(paths(refused.body)).toEqual(['records[1].code', 'records[2].totalCost', 'records[4].code']);
    expect(codes(refused.body)).toEqual(['unknown_reference', 'not_applicable', 'duplicate']);
    expect(await snapshot()).toBe(snap);

    const none = await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2027Q1/departments`, { records: [im] });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('not_found');
    expect(none.body.error.message).toContain('2027Q1');
    expect((await svc.request('GET', `/v1/hospitals/${CODE}/periods/2027Q1`)).status).toBe(404);
  });

  // ---------------------------------------------------------------- roles

  it('a department head may not write staff or departments (403); finance may write staff', async () => {
    const head = await keyFor('dept_head', '内科主任 (bulk)', ['IM']);
    const finance = await keyFor('finance', '财务 (bulk)');
    const snap = await snapshot();
    const wang = { id: 'S40', name: '王小明', department: 'IM', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' };

    const byHead = await svc.request('PUT', `/v1/hospitals/${CODE}/staff`, { records: [{ ...wang, titleGrade: 'attending' }] }, head);
    expect(byHead.status).toBe(403);
    expect(byHead.body.error.code).toBe('forbidden');
    const deptByHead = await svc.request('PUT', `/v1/hospitals/${CODE}/departments`, { records: [exampleDepartment('IM')] }, head);
    expect(deptByHead.status).toBe(403);
    const inputsByHead = await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2026Q1/departments`, { records: [exampleQ1Inputs('PED')] }, head);
    expect(inputsByHead.status).toBe(403);
    const streamByHead = await stream(`${line('individual', { staffId: 'S11', workloadScore: '37' })}\n`, { token: head.authorization.slice(7) });
    expect(streamByHead.status).toBe(403);
    expect(await snapshot()).toBe(snap);

    const byFinance = await svc.request('PUT', `/v1/hospitals/${CODE}/staff`, { records: [{ ...wang, titleGrade: 'attending' }] }, finance);
    expect(byFinance.status, JSON.stringify(byFinance.body)).toBe(200);
    expect(byFinance.body).toEqual({ records: 1, written: 1, unchanged: 0 });
    expect((await staff()).find((s) => s.id === 'S40')).toEqual({ ...wang, titleGrade: 'attending' });
    const audited = (await auditOf('staff.bulk_set')).at(-1);
    expect(audited.actor).not.toBe(null);
    expect(audited.after).toEqual({ records: 1, written: 1, staff: ['S40'] });
  });

  // the stream is open to finance for the HIS's figures, but people's tier-2 inputs are admin's
  // and the department heads' (PUT …/individuals): a finance stream with an individual line is 403
  it('finance may not write individual (tier-2) inputs through the stream either', async () => {
    const finance = await keyFor('finance', '财务 (stream individuals)');
    const direct = await svc.request('PUT', `/v1/hospitals/${CODE}/periods/2026Q1/individuals`, { records: [{ staffId: 'S11', workloadScore: '31' }] }, finance);
    expect(direct.status).toBe(403);
    const before = await period('2026Q1');
    const res = await stream(`${line('individual', { staffId: 'S11', workloadScore: '31' })}\n`, { token: finance.authorization.slice(7) });
    const after = await period('2026Q1');
    expect(after).toEqual(before);
    expect(res.status).toBe(403);
  });

  // ---------------------------------------------------------------- NDJSON stream

  it('stream: CRLF lines and a blank line; every kind written in one go, counted per kind, and readable; a replay writes nothing', async () => {
    const before = await events();
    const neo = { code: 'NEO', name: '新生儿科', kind: 'clinical', riskCoefficient: '1.15' };
    const person = { id: 'S50', name: '新生儿科医师', department: 'NEO', titleGrade: 'attending', position: null, employment: 'regular', role: 'physician' };
    const inputs = { code: 'NEO', workload: [{ indicator: 'bed_days', actual: '900', base: '1000' }], medicalRevenue: '500000.00', drugRevenue: '100000.00', totalCost: '300000.00' };
    const individual = { staffId: 'S50', workloadScore: '35', overtimeDays: 2 };
    // the individual line first: the kinds are written in their order, not the stream's
    const body = `${[line('individual', individual), line('department', neo), '', line('staff', person), line('departmentInput', inputs)].join('\r\n')}\r\n`;
    const res = await stream(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      lines: 4,
      departments: { records: 1, written: 1, unchanged: 0 },
      staff: { records: 1, written: 1, unchanged: 0 },
      departmentInputs: { records: 1, written: 1, unchanged: 0 },
      individuals: { records: 1, written: 1, unchanged: 0 },
    });
    expect((await departments()).find((d) => d.code === 'NEO')).toEqual(neo);
    expect((await staff()).find((s) => s.id === 'S50')).toEqual(person);
    const q1 = await period('2026Q1');
    expect(q1.departments.find((d: { code: string }) => d.code === 'NEO')).toEqual(inputs);
    expect(q1.individuals.find((r: { staffId: string }) => r.staffId === 'S50')).toEqual(individual);
    const single = await svc.request('GET', `/v1/hospitals/${CODE}/periods/2026Q1/individuals/S50`);
    expect(single.status).toBe(200);
    expect(single.body).toEqual(individual);
    // one event per kind
    expect(await events()).toBe(before + 4);

    const again = await stream(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      lines: 4,
      departments: { records: 1, written: 0, unchanged: 1 },
      staff: { records: 1, written: 0, unchanged: 1 },
      departmentInputs: { records: 1, written: 0, unchanged: 1 },
      individuals: { records: 1, written: 0, unchanged: 1 },
    });
    expect(await events()).toBe(before + 4);
  });

  it('stream: a 400 lists every malformed line by its number (blank lines counted), and nothing of the stream is written', async () => {
    const snap = await snapshot();
    const good = { id: 'S60', name: '皮肤科医师', department: 'IM', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' };
    const body = [
      line('department', { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: '1.00' }), // 1: valid
      '', // 2
      '{"type":"staff","record":', // 3: not JSON
      line('nurse', { id: 'S61' }), // 4: no such type
      line('individual', { staffId: 'S11', workloadScore: 36 }), // 5: a number where a decimal string belongs
      '[1,2]', // 6: not an object
      JSON.stringify({ type: 'staff', record: good, extra: true }), // 7: a field a line does not have
      '   ', // 8: blank
      line('staff', { ...good, licensed: 'yes' }), // 9: not a boolean
      line('staff', good), // 10: valid
    ].join('\r\n');
    const res = await stream(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(res.body.error.path).toBe('lines[3]');
    expect(paths(res.body)).toEqual(['lines[3]', 'lines[4].type', 'lines[5].record.workloadScore', 'lines[6]', 'lines[7].extra', 'lines[9].record.licensed']);
    expect(codes(res.body)).toEqual(['invalid_json', 'invalid_enum', 'invalid_type', 'invalid_type', 'unknown_field', 'invalid_type']);
    expect(await snapshot()).toBe(snap);
  });

  it('stream: a row the engine refuses (an input for an unknown department) rolls back the whole stream, the valid lines before it too', async () => {
    const snap = await snapshot();
    const body = [
      line('department', { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: '1.00' }),
      line('staff', { id: 'S60', name: '皮肤科医师', department: 'DERM', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' }),
      line('departmentInput', { code: 'DERM', workload: [{ actual: '90', base: '100' }], medicalRevenue: '1000.00', totalCost: '800.00' }),
      line('departmentInput', { code: 'NOWHERE', medicalRevenue: '1000.00' }),
    ].join('\n');
    const res = await stream(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unknown_reference');
    // the record's line, then its field, as for a line that does not fit the schema (see above)
    expect(res.body.error.path).toBe('lines[4].record.code');
    expect(paths(res.body)).toEqual(['lines[4].record.code']);
    expect(await snapshot()).toBe(snap);
    expect((await departments()).some((d) => d.code === 'DERM')).toBe(false);
    expect((await staff()).some((s) => s.id === 'S60')).toBe(false);
  });

  // "A 400 names every invalid line": the row checks of every kind are reported together
  it('stream: the row errors of every kind are listed together, not only those of the first kind that has one', async () => {
    const res = await stream(
      [
        line('department', { code: 'HR', name: '人事科', kind: 'admin', riskCoefficient: '0.80' }), // no adminClass
        line('staff', { id: 'S99', name: '无科室', department: 'NOWHERE', titleGrade: 'resident', position: null, employment: 'regular', role: 'physician' }),
        line('departmentInput', { code: 'NOWHERE', ethicsDeductions: '1' }),
      ].join('\n'),
    );
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['lines[1].record.adminClass', 'lines[2].record.department', 'lines[3].record.code']);
  });

  it('stream: JSON instead of NDJSON is 415; an empty stream, or one of blank lines only, is 400', async () => {
    const snap = await snapshot();
    const asJson = await stream(line('department', { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: '1.00' }), { contentType: 'application/json' });
    expect(asJson.status).toBe(415);
    expect(asJson.body.error).toMatchObject({ code: 'unsupported_media_type', path: 'body' });
    const asText = await stream(line('department', { code: 'DERM', name: '皮肤科', kind: 'clinical', riskCoefficient: '1.00' }), { contentType: 'text/plain' });
    expect(asText.status).toBe(415);

    const empty = await stream('');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'empty_stream', path: 'body' });
    const blank = await stream('\r\n\r\n  \r\n');
    expect(blank.status).toBe(400);
    expect(blank.body.error).toMatchObject({ code: 'empty_stream', path: 'body' });
    expect(await snapshot()).toBe(snap);
  });

  it('stream: a closed (approved) quarter refuses the stream with 409; the next quarter still takes it', async () => {
    const code = 'BULK-CLOSED';
    const imported = await svc.request('POST', '/v1/imports', scenarioFor(code));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: '2026Q1' });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status).toBe('succeeded');
    const approved = await svc.request('POST', `/v1/settlements/${run.id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const before = await period('2026Q1', code);
    const eventsBefore = await events(code);
    const body = `${line('individual', { staffId: 'S11', workloadScore: '33' })}\n`;
    const closed = await stream(body, { code });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('period_closed');
    expect(await period('2026Q1', code)).toEqual(before);
    expect(await events(code)).toBe(eventsBefore);

    const open = await stream(body, { code, period: '2026Q2' });
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    expect(open.body.individuals).toEqual({ records: 1, written: 1, unchanged: 0 });
    expect((await period('2026Q2', code)).individuals.find((r: { staffId: string }) => r.staffId === 'S11')).toEqual({ staffId: 'S11', workloadScore: '33' });
  });
});
