import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, httpClient, useTestService } from './harness.js';

/**
 * Who may do what (issue #4): roles, hospital isolation, department heads, API keys, rate limits.
 *
 * The expected table below is written by hand from the issue's text — it is deliberately not
 * read from the routes' own `config.access` — and every operation of the service's OpenAPI
 * document must be classified in it, so a new route cannot slip in unclassified.
 */
const example = JSON.parse(readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8'));

const H = 'XH-COUNTY';
const OTHER = 'OTHER-HOSP';
const REVIEW = 'XH-REVIEW';

type Role = 'admin' | 'finance' | 'dept_head' | 'auditor' | 'assessor';
const EVERY_ROLE: readonly Role[] = ['admin', 'finance', 'dept_head', 'auditor'];
/** The hospital and its registers of departments and people: an assessor (issue #17) reads them too, to book defects against them. */
const REGISTER_READERS: readonly Role[] = [...EVERY_ROLE, 'assessor'];

interface Rule {
  /** The roles the issue allows ('public': no token needed at all). */
  roles: readonly Role[] | 'public';
  /** The call names hospital XH-COUNTY (path code, a run of it, an import of it, a key of it): another hospital's key gets 404. */
  names: boolean;
}

/**
 * The table. admin: everything. finance: push and read hospital- and department-level
 * inputs, read every result, trigger runs. dept_head: tier-2 inputs and lines of their
 * departments, review and what-if. auditor: read everything (audit too), write nothing. Where the
 * issue is silent, by its spirit: the department and staff lists are any role's; scheme versions
 * are admin's to write and admin/finance/auditor's to read; individual inputs are written by
 * admin/dept_head and read by admin/dept_head/auditor; reviews are read by every role.
 */
const ALLOWED: Record<string, Rule> = {
  'GET /health': { roles: 'public', names: false },

  'POST /v1/imports': { roles: ['admin', 'finance'], names: true },

  'GET /v1/hospitals': { roles: REGISTER_READERS, names: false },
  'PUT /v1/hospitals/{code}': { roles: ['admin'], names: true },
  'GET /v1/hospitals/{code}': { roles: REGISTER_READERS, names: true },

  'GET /v1/hospitals/{code}/scheme-versions': { roles: ['admin', 'finance', 'auditor'], names: true },
  'PUT /v1/hospitals/{code}/scheme-versions/{effectiveFrom}': { roles: ['admin'], names: true },

  'GET /v1/hospitals/{code}/departments': { roles: REGISTER_READERS, names: true },
  'PUT /v1/hospitals/{code}/departments/{department}': { roles: ['admin', 'finance'], names: true },
  'PATCH /v1/hospitals/{code}/departments/{department}': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/departments': { roles: ['admin', 'finance'], names: true },
  'GET /v1/hospitals/{code}/staff': { roles: REGISTER_READERS, names: true },
  'PUT /v1/hospitals/{code}/staff/{staffId}': { roles: ['admin', 'finance'], names: true },
  'PATCH /v1/hospitals/{code}/staff/{staffId}': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/staff': { roles: ['admin', 'finance'], names: true },

  'GET /v1/hospitals/{code}/periods/{period}': { roles: ['admin', 'finance', 'auditor'], names: true },
  'PUT /v1/hospitals/{code}/periods/{period}': { roles: ['admin', 'finance'], names: true },
  'PATCH /v1/hospitals/{code}/periods/{period}': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/periods/{period}/departments/{department}': { roles: ['admin', 'finance'], names: true },
  'PATCH /v1/hospitals/{code}/periods/{period}/departments/{department}': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/periods/{period}/departments': { roles: ['admin', 'finance'], names: true },
  'POST /v1/hospitals/{code}/periods/{period}/stream': { roles: ['admin', 'finance'], names: true },
  'DELETE /v1/hospitals/{code}/periods/{period}/departments/{department}': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { roles: ['admin', 'dept_head'], names: true },
  'PATCH /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { roles: ['admin', 'dept_head'], names: true },
  'PUT /v1/hospitals/{code}/periods/{period}/individuals': { roles: ['admin', 'dept_head'], names: true },
  'GET /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { roles: ['admin', 'dept_head', 'auditor'], names: true },
  'DELETE /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { roles: ['admin', 'dept_head'], names: true },
  'GET /v1/hospitals/{code}/annual/{year}': { roles: ['admin', 'finance', 'auditor'], names: true },
  'PUT /v1/hospitals/{code}/annual/{year}': { roles: ['admin', 'finance'], names: true },

  'POST /v1/hospitals/{code}/settlements': { roles: ['admin', 'finance'], names: true },
  'GET /v1/hospitals/{code}/settlements': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}': { roles: EVERY_ROLE, names: true },
  'POST /v1/settlements/{id}/approve': { roles: ['admin'], names: true },
  'GET /v1/settlements/{id}/departments/{department}': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/individuals/{staffId}': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/lines': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/individuals/{staffId}/statement': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/departments/{department}/statement': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/diff/{other}': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/export': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/reviews': { roles: EVERY_ROLE, names: true },
  'POST /v1/settlements/{id}/reviews/{department}': { roles: ['admin', 'dept_head'], names: true },
  'POST /v1/settlements/{id}/what-if/{department}': { roles: ['admin', 'dept_head'], names: true },

  'POST /v1/hospitals/{code}/disputes': { roles: ['admin', 'finance'], names: true },
  'PUT /v1/hospitals/{code}/disputes/{disputeId}': { roles: ['admin', 'finance'], names: true },
  'GET /v1/hospitals/{code}/disputes': { roles: ['admin', 'finance', 'auditor'], names: true },
  'GET /v1/hospitals/{code}/disputes/{disputeId}': { roles: ['admin', 'finance', 'auditor'], names: true },
  // the assessment (issue #17): the admin writes; admin, finance and auditors read; a run's lineage is read as its lines are.
  // An assessor writes and reads its offices' entries (the matrix's owner is its office, IM); it sees no money (every run route: 403)
  'GET /v1/hospitals/{code}/assessment/scorecards': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  'PUT /v1/hospitals/{code}/assessment/values/{indicator}/{department}/{period}': { roles: ['admin', 'assessor'], names: true },
  'PUT /v1/hospitals/{code}/assessment/values': { roles: ['admin', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/values': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/template': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/template': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/department-defects': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/correct': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/withdraw': { roles: ['admin', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/department-defects': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/department-defects/{defectId}': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/personal-defects': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/correct': { roles: ['admin', 'assessor'], names: true },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/withdraw': { roles: ['admin', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/personal-defects': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  'GET /v1/hospitals/{code}/assessment/personal-defects/{defectId}': { roles: ['admin', 'finance', 'auditor', 'assessor'], names: true },
  // appeals (申诉): a department head files, an admin decides; every role but the assessor reads (a department head: their departments')
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/appeals': { roles: ['dept_head'], names: true },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/appeals': { roles: ['dept_head'], names: true },
  'POST /v1/hospitals/{code}/assessment/appeals/{appealId}/decision': { roles: ['admin'], names: true },
  'GET /v1/hospitals/{code}/assessment/appeals': { roles: EVERY_ROLE, names: true },
  'GET /v1/hospitals/{code}/assessment/appeals/{appealId}': { roles: EVERY_ROLE, names: true },
  'GET /v1/hospitals/{code}/assessment/departments/{department}': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/assessment/departments/{department}': { roles: EVERY_ROLE, names: true },
  'GET /v1/settlements/{id}/assessment/staff/{staffId}': { roles: EVERY_ROLE, names: true },
  'GET /v1/hospitals/{code}/flags': { roles: EVERY_ROLE, names: true },

  'GET /v1/hospitals/{code}/audit': { roles: ['admin', 'auditor'], names: true },
  'GET /v1/hospitals/{code}/audit/verify': { roles: ['admin', 'auditor'], names: true },

  'POST /v1/api-keys': { roles: ['admin'], names: true },
  'GET /v1/api-keys': { roles: ['admin'], names: true },
  'DELETE /v1/api-keys/{id}': { roles: ['admin'], names: true },
};

const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const scenarioFor = (code: string) => {
  const doc = structuredClone(example);
  doc.hospital.code = code;
  return doc;
};
const q1 = example.periods[0];
const q2 = example.periods[1];
const im = example.departments.find((d: { code: string }) => d.code === 'IM');
const s11 = example.staff.find((s: { id: string }) => s.id === 'S11');
const imQ1 = q1.departments.find((d: { code: string }) => d.code === 'IM');
const s11Q1 = q1.individuals.find((r: { staffId: string }) => r.staffId === 'S11');
// the matrix's deletes take 2026Q2's records of S14 (IM) and of IM
if (!q2.individuals.some((r: { staffId: string }) => r.staffId === 'S14') || !q2.departments.some((d: { code: string }) => d.code === 'IM')) {
  throw new Error('the worked example no longer has 2026Q2 records for S14 and IM');
}

/**
 * How each operation is called in the matrix. Writes to 2026Q1 repeat the stored records as they
 * are (so the run of 2026Q1 stays approvable); deletes take 2026Q2's records (S14 is in IM);
 * phases order the calls: reads, writes, triggering, deletes, approval, revoking a key.
 */
interface CallSpec {
  phase: number;
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** A body sent as application/x-ndjson instead of JSON. */
  ndjson?: string;
}
const matrixDispute = {
  bookedIn: '2026Q2',
  compensation: '1000.00',
  classification: 'unavoidable',
  parties: [{ department: 'IM', share: '1', departmentType: 'non_bed', responsible: 'S11', departmentHead: 'S10' }],
};
const NO_APPEAL = '00000000-0000-4000-8000-000000000000';
const CALLS: Record<string, CallSpec> = {
  'POST /v1/imports': { phase: 1, body: example },
  'PUT /v1/hospitals/{code}': { phase: 1, body: { name: example.hospital.name } },
  'PUT /v1/hospitals/{code}/scheme-versions/{effectiveFrom}': { phase: 1, body: { parameters: example.scheme ?? {} } },
  'PUT /v1/hospitals/{code}/departments/{department}': { phase: 1, body: without(im, 'code') },
  'PUT /v1/hospitals/{code}/staff/{staffId}': { phase: 1, body: without(s11, 'id') },
  'PUT /v1/hospitals/{code}/departments': { phase: 1, body: { records: [im] } },
  'PUT /v1/hospitals/{code}/staff': { phase: 1, body: { records: [s11] } },
  'PUT /v1/hospitals/{code}/periods/{period}/departments': { phase: 1, body: { records: [imQ1] } },
  'POST /v1/hospitals/{code}/periods/{period}/stream': {
    phase: 1,
    // finance's kind of push: the HIS's department figures (individual lines need an admin key)
    ndjson: `${JSON.stringify({ type: 'departmentInput', record: imQ1 })}\n`,
  },
  'PUT /v1/hospitals/{code}/periods/{period}': { phase: 1, body: { revenue: q1.revenue, workingDays: q1.workingDays, ...(q1.adjustment !== undefined ? { adjustment: q1.adjustment } : {}) } },
  'PUT /v1/hospitals/{code}/periods/{period}/departments/{department}': { phase: 1, body: without(imQ1, 'code') },
  'PUT /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { phase: 1, body: without(s11Q1, 'staffId') },
  'PUT /v1/hospitals/{code}/periods/{period}/individuals': { phase: 1, body: { records: [s11Q1] } },
  'PUT /v1/hospitals/{code}/annual/{year}': { phase: 1, body: without(example.annual, 'year') },
  // merge patches that repeat a stored value: nothing changes, 2026Q1 stays approvable
  'PATCH /v1/hospitals/{code}/departments/{department}': { phase: 1, body: { name: im.name } },
  'PATCH /v1/hospitals/{code}/staff/{staffId}': { phase: 1, body: { name: s11.name } },
  'PATCH /v1/hospitals/{code}/periods/{period}': { phase: 1, body: { revenue: q1.revenue } },
  'PATCH /v1/hospitals/{code}/periods/{period}/departments/{department}': { phase: 1, body: { totalCost: imQ1.totalCost } },
  'PATCH /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { phase: 1, body: { workloadScore: s11Q1.workloadScore } },
  'POST /v1/settlements/{id}/reviews/{department}': { phase: 1, body: { status: 'acknowledged' } },
  'POST /v1/settlements/{id}/what-if/{department}': { phase: 1, body: { individuals: [{ staffId: 'S11', workloadScore: '40' }] } },
  'POST /v1/api-keys': { phase: 1, body: { role: 'auditor', hospital: H, name: 'created by the matrix' } },
  // a dispute booked in 2026Q2, which the matrix never approves (2026Q1's run must stay approvable)
  'POST /v1/hospitals/{code}/disputes': { phase: 1, body: { id: 'M1', ...matrixDispute } },
  'PUT /v1/hospitals/{code}/disputes/{disputeId}': { phase: 1, params: { disputeId: 'M1' }, body: { ...matrixDispute, reason: 'corrected by the matrix' } },
  'GET /v1/hospitals/{code}/disputes/{disputeId}': { phase: 2, params: { disputeId: 'M1' } },
  // assessment writes the worked example (no scorecards) refuses with 400 or 404: the hospital stays unassessed, 2026Q1 approvable
  'PUT /v1/hospitals/{code}/assessment/values/{indicator}/{department}/{period}': { phase: 1, params: { indicator: 'F12', period: '2026-01' }, body: { value: '1' } },
  'PUT /v1/hospitals/{code}/assessment/values': { phase: 1, body: { values: [{ indicator: 'F12', department: 'IM', period: '2026-01', value: '1' }] } },
  'GET /v1/hospitals/{code}/assessment/template': { phase: 0, query: '?month=2026-01' },
  // a JSON body is no workbook: 400 for the admitted
  'POST /v1/hospitals/{code}/assessment/template': { phase: 1, query: '?month=2026-01', body: { values: [] } },
  'POST /v1/hospitals/{code}/assessment/department-defects': { phase: 1, body: { id: 'MD1', month: '2026-04', owner: 'IM', department: 'IM', category: 'admin', points: '1' } },
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/correct': {
    phase: 1,
    params: { defectId: 'NONE' },
    body: { month: '2026-04', owner: 'IM', department: 'IM', category: 'medical', points: '1', reason: 'the matrix' },
  },
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/withdraw': { phase: 1, params: { defectId: 'NONE' }, body: { reason: 'the matrix' } },
  'GET /v1/hospitals/{code}/assessment/department-defects/{defectId}': { phase: 0, params: { defectId: 'NONE' } },
  'POST /v1/hospitals/{code}/assessment/personal-defects': { phase: 1, body: { id: 'MP1', month: '2026-04', owner: 'IM', staffId: 'S11', category: 'error', points: '1', veto: true } },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/correct': {
    phase: 1,
    params: { defectId: 'NONE' },
    body: { month: '2026-04', owner: 'IM', staffId: 'S11', category: 'error', points: '1', reason: 'the matrix' },
  },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/withdraw': { phase: 1, params: { defectId: 'NONE' }, body: { reason: 'the matrix' } },
  'GET /v1/hospitals/{code}/assessment/personal-defects/{defectId}': { phase: 0, params: { defectId: 'NONE' } },
  // appeals of defects the worked example does not have, and of an appeal that does not exist: 404 for whoever may call
  'POST /v1/hospitals/{code}/assessment/department-defects/{defectId}/appeals': { phase: 1, params: { defectId: 'NONE' }, body: { reason: 'the matrix' } },
  'POST /v1/hospitals/{code}/assessment/personal-defects/{defectId}/appeals': { phase: 1, params: { defectId: 'NONE' }, body: { reason: 'the matrix' } },
  'POST /v1/hospitals/{code}/assessment/appeals/{appealId}/decision': { phase: 1, params: { appealId: NO_APPEAL }, body: { decision: 'upheld', reason: 'the matrix' } },
  'GET /v1/hospitals/{code}/assessment/appeals/{appealId}': { phase: 0, params: { appealId: NO_APPEAL } },
  'GET /v1/hospitals/{code}/assessment/departments/{department}': { phase: 0, query: '?quarter=2026Q1' },
  'GET /v1/api-keys': { phase: 0, query: `?hospital=${H}` },
  'POST /v1/hospitals/{code}/settlements': { phase: 2, body: { period: '2026Q1' } },
  'DELETE /v1/hospitals/{code}/periods/{period}/departments/{department}': { phase: 3, params: { period: '2026Q2' } },
  'DELETE /v1/hospitals/{code}/periods/{period}/individuals/{staffId}': { phase: 3, params: { period: '2026Q2', staffId: 'S14' } },
  'POST /v1/settlements/{id}/approve': { phase: 4, body: {} },
  'DELETE /v1/api-keys/{id}': { phase: 5 },
};

interface Caller {
  name: string;
  token: string | null;
  role: Role | null;
  /** 'own': XH-COUNTY's key or the bootstrap admin; 'other': a key of OTHER-HOSP. */
  hospital: 'own' | 'other';
}

type Expected = 'allowed' | 401 | 403 | 404;

function expectedOf(op: string, caller: Caller): Expected {
  const rule = ALLOWED[op]!;
  if (rule.roles === 'public') return 'allowed';
  if (caller.token === null) return 401;
  if (caller.hospital === 'other' && rule.names) return 404;
  return rule.roles.includes(caller.role!) ? 'allowed' : 403;
}

const ERROR_CODE = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' } as const;

describe('who may do what: roles, hospitals, department heads, API keys (pglite)', () => {
  const svc = useTestService('pglite');
  /** Every token this file has seen: none may appear in the log. */
  const tokens: string[] = [];
  let runId: string;
  let reviewRunId: string;
  const keys: Record<string, { id: string; token: string }> = {};

  /** A call with the given token (or none), not the harness's default bootstrap token. */
  async function call(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
    ndjson?: string,
  ): Promise<{ status: number; body: any; headers: Headers }> {
    return httpClient(svc.baseUrl, token)(method, path, ndjson ?? body, ndjson !== undefined ? { 'content-type': 'application/x-ndjson', ...headers } : headers);
  }

  async function createKey(role: Role, hospital: string, name: string, departments?: string[], by: string = TOKEN) {
    const res = await call('POST', '/v1/api-keys', by, { role, hospital, name, ...(departments ? { departments } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    tokens.push(res.body.token);
    return { id: res.body.id as string, token: res.body.token as string, body: res.body };
  }

  async function settle(hospital: string, period: string): Promise<string> {
    const trigger = await call('POST', `/v1/hospitals/${hospital}/settlements`, TOKEN, { period });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(202);
    const run = await svc.waitForRun(trigger.body.id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    return run.id;
  }

  async function settleAll(hospital: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const runs = (await call('GET', `/v1/hospitals/${hospital}/settlements`, TOKEN)).body.runs as { status: string }[];
      if (!runs.some((r) => r.status === 'queued' || r.status === 'running')) return;
      if (Date.now() > deadline) throw new Error(`runs of ${hospital} still queued or running`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    tokens.push(TOKEN);
    for (const code of [H, OTHER, REVIEW]) {
      const imported = await call('POST', '/v1/imports', TOKEN, scenarioFor(code));
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    }
    keys.admin = await createKey('admin', H, 'xh admin');
    keys.finance = await createKey('finance', H, 'xh finance');
    keys.dept_head = await createKey('dept_head', H, 'xh head of IM', ['IM']);
    keys.auditor = await createKey('auditor', H, 'xh auditor');
    keys.assessor = await createKey('assessor', H, 'xh assessor speaking for IM', ['IM']);
    keys.victim = await createKey('auditor', H, 'xh key to be revoked by the matrix');
    keys.otherAdmin = await createKey('admin', OTHER, 'other admin');
    keys.otherFinance = await createKey('finance', OTHER, 'other finance');
    keys.reviewHead = await createKey('dept_head', REVIEW, 'review head of IM', ['IM']);
    runId = await settle(H, '2026Q1');
    reviewRunId = await settle(REVIEW, '2026Q1');
  });

  it("every operation of the OpenAPI document answers each caller as the issue's table says", async () => {
    const doc = (await call('GET', '/openapi.json', null)).body;
    const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
    const operations: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) if (METHODS.includes(method)) operations.push(`${method.toUpperCase()} ${path}`);
    }
    const unclassified = operations.filter((op) => !(op in ALLOWED));
    const stale = Object.keys(ALLOWED).filter((op) => !operations.includes(op));

    const callers: Caller[] = [
      { name: 'no token', token: null, role: null, hospital: 'own' },
      { name: 'admin key', token: keys.admin!.token, role: 'admin', hospital: 'own' },
      { name: 'finance key', token: keys.finance!.token, role: 'finance', hospital: 'own' },
      { name: 'dept_head key (IM)', token: keys.dept_head!.token, role: 'dept_head', hospital: 'own' },
      { name: 'auditor key', token: keys.auditor!.token, role: 'auditor', hospital: 'own' },
      { name: 'assessor key (IM)', token: keys.assessor!.token, role: 'assessor', hospital: 'own' },
      { name: 'bootstrap admin', token: TOKEN, role: 'admin', hospital: 'own' },
      { name: `${OTHER} admin key`, token: keys.otherAdmin!.token, role: 'admin', hospital: 'other' },
      { name: `${OTHER} finance key`, token: keys.otherFinance!.token, role: 'finance', hospital: 'other' },
    ];
    const defaults: Record<string, string> = { code: H, department: 'IM', staffId: 'S11', period: '2026Q1', effectiveFrom: '2026Q1', year: '2026' };

    const known = operations.filter((op) => op in ALLOWED);
    const spec = (op: string): CallSpec => CALLS[op] ?? { phase: op.startsWith('GET ') ? 0 : 1 };
    const ordered = [...known].sort((a, b) => spec(a).phase - spec(b).phase);

    const mismatches: string[] = [];
    const seen: string[] = [];
    let pairs = 0;
    for (const op of ordered) {
      const [method, template] = op.split(' ') as [string, string];
      const s = spec(op);
      const params: Record<string, string> = { ...defaults, id: template.startsWith('/v1/api-keys') ? keys.victim!.id : runId, other: runId, ...s.params };
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (params[name] === undefined) throw new Error(`${op}: no value for the path parameter ${name}`);
        return encodeURIComponent(params[name]!);
      });
      for (const caller of callers) {
        const expected = expectedOf(op, caller);
        const res = await call(method, `${path}${s.query ?? ''}`, caller.token, s.body, {}, s.ndjson);
        pairs += 1;
        seen.push(`${op} | ${caller.name} | expected ${expected} | got ${res.status}`);
        if (method === 'POST' && template === '/v1/api-keys' && typeof res.body?.token === 'string') tokens.push(res.body.token);
        const what = `${op} as ${caller.name}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body?.error ?? '').slice(0, 240)}`;
        if (expected === 'allowed') {
          const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 429);
          if (!ok) mismatches.push(what);
        } else if (res.status !== expected || res.body?.error?.code !== ERROR_CODE[expected]) {
          mismatches.push(what);
        }
      }
      // the runs triggered by the matrix finish before anything is approved
      if (op === 'POST /v1/hospitals/{code}/settlements') await settleAll(H);
    }
    if (process.env.ACCESS_MATRIX_VERBOSE) console.log(seen.join('\n'));

    expect(pairs).toBe(known.length * callers.length);
    expect(unclassified, 'operations of the OpenAPI document missing from the table: classify them').toEqual([]);
    expect(stale, 'operations in the table that the OpenAPI document does not have').toEqual([]);
    expect(mismatches).toEqual([]);
  });

  it("GET /v1/hospitals lists only the key's own hospital; the bootstrap admin sees every hospital", async () => {
    for (const key of [keys.admin!, keys.finance!, keys.dept_head!, keys.auditor!]) {
      const res = await call('GET', '/v1/hospitals', key.token);
      expect(res.status).toBe(200);
      expect(res.body.hospitals.map((h: { code: string }) => h.code)).toEqual([H]);
    }
    const other = await call('GET', '/v1/hospitals', keys.otherAdmin!.token);
    expect(other.body.hospitals.map((h: { code: string }) => h.code)).toEqual([OTHER]);
    const all = await call('GET', '/v1/hospitals', TOKEN);
    expect(all.body.hospitals.map((h: { code: string }) => h.code)).toEqual(expect.arrayContaining([H, OTHER, REVIEW]));
  });

  it('a department head works on their own departments only, and their what-if stores nothing', async () => {
    const head = keys.reviewHead!.token;
    const run = reviewRunId;
    const expectError = (res: { status: number; body: any }, status: number, code: string, label: string) => {
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body?.error?.code, label).toBe(code);
    };

    // another department's person line and individual inputs (read and write): not found, exactly
    // as an unknown id, so that neither the person nor their department leaks; the department
    // line the head names: 403
    const unknown = await call('GET', `/v1/settlements/${run}/individuals/NO-SUCH-PERSON`, head);
    expectError(unknown, 404, 'not_found', 'line of an unknown id');
    const outsider = await call('GET', `/v1/settlements/${run}/individuals/S20`, head);
    expectError(outsider, 404, 'not_found', 'line of S20 (SUR)');
    expect(outsider.body.error.message).not.toContain('SUR');
    expect(outsider.body.error.message.replace('S20', 'NO-SUCH-PERSON')).toBe(unknown.body.error.message);
    expectError(await call('GET', `/v1/settlements/${run}/departments/SUR`, head), 403, 'forbidden', 'line of SUR');
    expectError(await call('PUT', `/v1/hospitals/${REVIEW}/periods/2026Q2/individuals/S20`, head, { workloadScore: '30' }), 404, 'not_found', 'push inputs of S20 (SUR)');
    expectError(await call('PUT', `/v1/hospitals/${REVIEW}/periods/2026Q2/individuals/S11`, head, { workloadScore: '30', department: 'SUR' }), 403, 'forbidden', 'push inputs placing S11 in SUR');
    expectError(await call('GET', `/v1/hospitals/${REVIEW}/periods/2026Q1/individuals/S21`, head), 404, 'not_found', 'read inputs of S21 (SUR)');
    // no runs, no approval, no audit log
    expectError(await call('POST', `/v1/hospitals/${REVIEW}/settlements`, head, { period: '2026Q2' }), 403, 'forbidden', 'trigger');
    expectError(await call('POST', `/v1/settlements/${run}/approve`, head, {}), 403, 'forbidden', 'approve');
    expectError(await call('GET', `/v1/hospitals/${REVIEW}/audit`, head), 403, 'forbidden', 'audit');
    expectError(await call('GET', `/v1/hospitals/${REVIEW}/audit/verify`, head), 403, 'forbidden', 'audit verify');

    // IM's department line and its people's lines
    const imLine = await call('GET', `/v1/settlements/${run}/departments/IM`, head);
    expect(imLine.status, JSON.stringify(imLine.body)).toBe(200);
    expect(imLine.body.department.code).toBe('IM');
    expect(imLine.body.individuals.length).toBeGreaterThan(0);
    for (const line of imLine.body.individuals) expect(line.department).toBe('IM');
    const s11Line = await call('GET', `/v1/settlements/${run}/individuals/S11`, head);
    expect(s11Line.status, JSON.stringify(s11Line.body)).toBe(200);
    expect(s11Line.body.line).toMatchObject({ staffId: 'S11', department: 'IM' });
    // their own people's individual inputs, and only their people on the staff list
    const s11Inputs = await call('GET', `/v1/hospitals/${REVIEW}/periods/2026Q1/individuals/S11`, head);
    expect(s11Inputs.status, JSON.stringify(s11Inputs.body)).toBe(200);
    const staff = await call('GET', `/v1/hospitals/${REVIEW}/staff`, head);
    expect(staff.status).toBe(200);
    expect(new Set(staff.body.staff.map((s: { department: string }) => s.department))).toEqual(new Set(['IM']));

    // the whole run: without its result for a department head
    const whole = await call('GET', `/v1/settlements/${run}`, head);
    expect(whole.status).toBe(200);
    expect(whole.body.id).toBe(run);
    expect(whole.body).not.toHaveProperty('result');
    const before = await call('GET', `/v1/settlements/${run}`, TOKEN);
    expect(before.body.result).toBeDefined();

    // a what-if for IM: computed with the proposal, stored nowhere
    const runsBefore = (await call('GET', `/v1/hospitals/${REVIEW}/settlements`, TOKEN)).body.runs;
    const whatIf = await call('POST', `/v1/settlements/${run}/what-if/IM`, head, { individuals: [{ staffId: 'S11', workloadScore: '20' }] });
    expect(whatIf.status, JSON.stringify(whatIf.body)).toBe(200);
    expect(whatIf.body.department.code).toBe('IM');
    for (const line of whatIf.body.individuals) expect(line.department).toBe('IM');
    const storedS11 = before.body.result.individuals.find((l: { staffId: string }) => l.staffId === 'S11');
    const proposedS11 = whatIf.body.individuals.find((l: { staffId: string }) => l.staffId === 'S11');
    expect(proposedS11.rawScore).not.toBe(storedS11.rawScore);
    const after = await call('GET', `/v1/settlements/${run}`, TOKEN);
    expect(after.body.result).toEqual(before.body.result);
    expect(after.body.status).toBe('succeeded');
    expect((await call('GET', `/v1/hospitals/${REVIEW}/settlements`, TOKEN)).body.runs).toEqual(runsBefore);
    expect((await call('GET', `/v1/hospitals/${REVIEW}/periods/2026Q1/individuals/S11`, TOKEN)).body).toEqual(s11Q1);
    expectError(await call('POST', `/v1/settlements/${run}/what-if/SUR`, head, { individuals: [{ staffId: 'S20', workloadScore: '60' }] }), 403, 'forbidden', 'what-if for SUR');

    // acknowledge, then dispute, for IM; not for SUR
    const ack = await call('POST', `/v1/settlements/${run}/reviews/IM`, head, { status: 'acknowledged' });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ department: 'IM', status: 'acknowledged' });
    const dispute = await call('POST', `/v1/settlements/${run}/reviews/IM`, head, { status: 'disputed', reason: 'S11 worked more than this' });
    expect(dispute.status, JSON.stringify(dispute.body)).toBe(200);
    expect(dispute.body).toMatchObject({ department: 'IM', status: 'disputed', reason: 'S11 worked more than this' });
    expectError(await call('POST', `/v1/settlements/${run}/reviews/SUR`, head, { status: 'disputed', reason: 'not mine to dispute' }), 403, 'forbidden', 'dispute for SUR');
    expectError(await call('POST', `/v1/settlements/${run}/reviews/SUR`, head, { status: 'acknowledged' }), 403, 'forbidden', 'acknowledge for SUR');
    const reviews = await call('GET', `/v1/settlements/${run}/reviews`, head);
    expect(reviews.status).toBe(200);
    expect(reviews.body.reviews.find((r: { department: string }) => r.department === 'IM')).toMatchObject({ status: 'disputed', reason: 'S11 worked more than this' });
    // their own departments' reviews only: not another department's reasons or reviewers
    expect(reviews.body.reviews.map((r: { department: string }) => r.department)).toEqual(['IM']);
    const all = await call('GET', `/v1/settlements/${run}/reviews`, TOKEN);
    expect(all.body.reviews.find((r: { department: string }) => r.department === 'SUR')).toMatchObject({ status: 'pending' });
  });

  it('approving a disputed run needs an overrideReason (409 open_disputes), which the audit log keeps', async () => {
    const run = reviewRunId;
    // IM's head disputes the run (again, if the test above already did: a review is replaced)
    const dispute = await call('POST', `/v1/settlements/${run}/reviews/IM`, keys.reviewHead!.token, { status: 'disputed', reason: 'S11 worked more than this' });
    expect(dispute.status, JSON.stringify(dispute.body)).toBe(200);
    const disputed = (await call('GET', `/v1/settlements/${run}/reviews`, TOKEN)).body.reviews.filter((r: { status: string }) => r.status === 'disputed');
    expect(disputed.map((r: { department: string }) => r.department)).toEqual(['IM']);

    const refused = await call('POST', `/v1/settlements/${run}/approve`, TOKEN, {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'open_disputes', message: expect.any(String) });
    const bodiless = await call('POST', `/v1/settlements/${run}/approve`, TOKEN);
    expect(bodiless.status, JSON.stringify(bodiless.body)).toBe(409);
    expect(bodiless.body.error.code).toBe('open_disputes');
    expect((await call('GET', `/v1/settlements/${run}`, TOKEN)).body.status).toBe('succeeded');

    const reason = 'the IM dispute is settled outside the system: approved by the director';
    const approved = await call('POST', `/v1/settlements/${run}/approve`, TOKEN, { overrideReason: reason });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');

    const audit = await call('GET', `/v1/hospitals/${REVIEW}/audit?action=settlement.approve`, TOKEN);
    expect(audit.status).toBe(200);
    const events = audit.body.events.filter((e: { entityKey: string }) => e.entityKey === run);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'settlement.approve', after: { status: 'approved', overrideReason: reason } });
  });

  it('API keys: ppk_ tokens shown once, listed without secrets with lastUsedAt, revoked at once, created by admins of the hospital only', async () => {
    const admin = keys.admin!.token;
    const created = await createKey('finance', H, 'key lifecycle', undefined, admin);
    expect(created.token).toMatch(/^ppk_[A-Za-z0-9_-]{43,}$/);
    expect(created.body.hospital).toBe(H);
    expect(created.body.role).toBe('finance');

    const list = async () => {
      const res = await call('GET', `/v1/api-keys?hospital=${H}`, admin);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res as { body: { keys: Record<string, unknown>[] }; status: number };
    };
    const listed = await list();
    const text = JSON.stringify(listed.body);
    for (const t of tokens) {
      expect(text).not.toContain(t);
      expect(text).not.toContain(t.slice(4));
    }
    for (const k of listed.body.keys) {
      for (const field of Object.keys(k)) expect(field).not.toMatch(/token$|secret|hash/i);
    }
    const mine = () => listed.body.keys.find((k) => k.id === created.id)!;
    expect(mine()).toMatchObject({ id: created.id, name: 'key lifecycle', role: 'finance', hospital: H, lastUsedAt: null, revokedAt: null });
    expect(mine()).not.toHaveProperty('token');

    // used: lastUsedAt is set
    expect((await call('GET', `/v1/hospitals/${H}`, created.token)).status).toBe(200);
    const usedAt = (await list()).body.keys.find((k) => k.id === created.id)!.lastUsedAt;
    expect(typeof usedAt).toBe('string');
    expect(Number.isNaN(Date.parse(usedAt as string))).toBe(false);

    // revoked: refused on its very next call
    const revoked = await call('DELETE', `/v1/api-keys/${created.id}`, admin);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const next = await call('GET', `/v1/hospitals/${H}`, created.token);
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe('unauthorized');

    // only an admin creates keys
    for (const key of [keys.finance!, keys.dept_head!, keys.auditor!]) {
      const res = await call('POST', '/v1/api-keys', key.token, { role: 'admin', hospital: H, name: 'escalation' });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body).not.toHaveProperty('token');
    }
    // an admin of XH-COUNTY knows nothing of OTHER-HOSP's keys
    const foreign = await call('POST', '/v1/api-keys', admin, { role: 'admin', hospital: OTHER, name: 'cross-hospital' });
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    expect(foreign.body).not.toHaveProperty('token');
    const foreignList = await call('GET', `/v1/api-keys?hospital=${OTHER}`, admin);
    expect(foreignList.status).toBe(404);
    const foreignRevoke = await call('DELETE', `/v1/api-keys/${keys.otherFinance!.id}`, admin);
    expect(foreignRevoke.status).toBe(404);
    expect((await call('GET', `/v1/hospitals/${OTHER}`, keys.otherFinance!.token)).status).toBe(200);
  });

  // last: after every call above
  it('no token or key secret ever reaches the log', () => {
    const text = svc.logs.join('');
    expect(text.length).toBeGreaterThan(0);
    expect(tokens.length).toBeGreaterThan(10);
    for (const t of tokens) {
      expect(text.includes(t), `a token (${t.slice(0, 8)}…) is in the log`).toBe(false);
      if (t.startsWith('ppk_')) expect(text.includes(t.slice(4)), `a key secret (${t.slice(0, 8)}…) is in the log`).toBe(false);
    }
  });
});

describe('rate limits, security headers and CORS (pglite)', () => {
  const svc = useTestService('pglite', { PERFPAY_RATE_LIMIT_PER_MINUTE: 5 });

  it('the 6th /v1 call within a minute gets 429 rate_limited; /health is not limited; helmet headers; CORS closed', async () => {
    const origin = { origin: 'https://evil.example' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await svc.request('GET', '/v1/hospitals', undefined, origin);
      statuses.push(res.status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const sixth = await svc.request('GET', '/v1/hospitals', undefined, origin);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(sixth.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sixth.headers.get('access-control-allow-origin')).toBeNull();

    for (let i = 0; i < 10; i++) {
      const health = await svc.request('GET', '/health', undefined, origin);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
      expect(health.headers.get('x-frame-options')).not.toBeNull();
      expect(health.headers.get('content-security-policy')).not.toBeNull();
      expect(health.headers.get('access-control-allow-origin')).toBeNull();
    }
    // a CORS preflight from a foreign origin is not granted either
    const preflight = await fetch(`${svc.baseUrl}/health`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
    await preflight.text();
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // still limited
    expect((await svc.request('GET', '/v1/hospitals')).status).toBe(429);
  });
});
