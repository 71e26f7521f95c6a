import { access, assertDepartment, assertPersonVisible } from '../../plugins/access.js';
import { review, ReviewBody, reviewsOf, whatIf } from './reviews.usecases.js';
import { IndividualInputSchema } from '../../core/schema.js';
import { patchSchema } from '../../shared/patch.js';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SettlementRunner } from '../../../jobs/runner.js';
import type { Db } from '../../db/client.js';
import { notFound, unavailable } from '../../shared/errors.js';
import { AnyObject, HospitalParams, Period, errors } from '../../shared/schemas.js';
import { individualLineOf, departmentLineOf, runView } from './settlements.mappers.js';
import { annualLinesOf, departmentLinesOf, findRun, individualLinesOf, listRuns, personLineOf } from './settlements.repository.js';
import { exportLines, EXPORT_FORMATS, linesPage, type ExportFormat } from './lines.usecases.js';
import { departmentStatementOf, diffRuns, payrollCsv, personStatementOf, runWorkbook } from './statements.usecases.js';
import { departmentStatementHtml, personStatementHtml, type Lang } from '../ui/html.js';
import { approveSettlement, hospitalCodeOf, readSettlement, requireHospital, triggerSettlement } from './settlements.usecases.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RunParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'settlement run id (a UUID)' }) });
const Run = AnyObject('a settlement run: id, hospital, period, status (queued, running, succeeded, failed, approved, superseded), error?, result?');

export function settlementRoutes(app: FastifyInstance, deps: { db: Db; runner: SettlementRunner; now: () => Date }): void {
  const { db, runner, now } = deps;

  app.post(
    '/v1/hospitals/:code/settlements',
    { config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['settlements'],
        summary: 'Settle a quarter (2026Q1) or a year-end (2026)',
        description:
          'Queues a run (202). While a run of that period is queued or running, returns that run (200) instead of a second one. ' +
          'When the latest succeeded run of the period was settled from exactly the inputs, scheme and opening bank stored now (its input fingerprint still matches), ' +
          'returns that run (200) instead of computing the same result again; `"force": true` queues a new run anyway.',
        params: HospitalParams,
        body: Type.Object(
          { period: Period, force: Type.Optional(Type.Boolean({ 'x-kind': 'boolean', description: 'queue a new run even when the latest succeeded run is current' })) },
          { additionalProperties: false },
        ),
        response: { 200: Run, 202: Run, ...errors(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { code } = request.params as { code: string };
      const { period, force } = request.body as { period: string; force?: boolean };
      const { run, created } = await triggerSettlement({ db, now, ctx: { actor: request.actor, requestId: request.id } }, code, period, { force });
      if (run.status === 'queued') {
        // a run whose enqueue failed stays queued; asking again enqueues it again (the job id is the same)
        await runner.enqueue({ runId: run.id, hospital: code, period }).catch((err) => {
          request.log.error({ err, runId: run.id }, 'could not enqueue the settlement');
          throw unavailable('the settlement queue');
        });
      }
      return reply.status(created ? 202 : 200).send(runView(run, code));
    },
  );

  app.get(
    '/v1/hospitals/:code/settlements',
    { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'params'),
      schema: {
        tags: ['settlements'],
        summary: 'The settlement runs of a hospital, newest first',
        params: HospitalParams,
        querystring: Type.Object({ period: Type.Optional(Period) }),
        response: { 200: Type.Object({ runs: Type.Array(Run) }), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const { period } = request.query as { period?: string };
      const hospital = await requireHospital(db, code);
      return { runs: (await listRuns(db, hospital.id, period)).map((r) => runView(r, code)) };
    },
  );

  app.get(
    '/v1/settlements/:id',
    { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: 'A settlement run, with its result (contract.md §2) once it has succeeded',
        params: RunParams,
        response: { 200: Run, ...errors(401, 404) },
      },
    },
    async (request) => {
      const { run, hospital, result } = await readSettlement(db, (request.params as { id: string }).id);
      // a department head reads their departments' lines, not the whole result
      return runView(run, hospital, request.principal!.role === 'dept_head' ? undefined : result);
    },
  );

  app.post(
    '/v1/settlements/:id/approve',
    { config: access(['admin'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: 'Approve a succeeded run: closes the period; the next quarter carries its bank',
        description: 'While a department disputes the run, approval needs an `overrideReason`, which is audited.',
        params: RunParams,
        body: Type.Object({ overrideReason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false, 'x-optional-body': true }),
        response: { 200: Run, ...errors(401, 404, 409) },
      },
    },
    async (request) => {
      const { overrideReason } = (request.body ?? {}) as { overrideReason?: string };
      const run = await approveSettlement({ db, now, ctx: { actor: request.actor, requestId: request.id } }, (request.params as { id: string }).id, overrideReason);
      return runView(run, await hospitalCodeOf(db, run.hospitalId));
    },
  );

  app.get(
    '/v1/settlements/:id/departments/:department',
    { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: "A department's line and its people's lines in a quarterly run",
        params: Type.Object({ id: RunParams.properties.id, department: Type.String({ minLength: 1 }) }),
        response: { 200: AnyObject('department, individuals, pointValue'), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { id, department } = request.params as { id: string; department: string };
      assertDepartment(request, department);
      const run = await findRun(db, id);
      if (!run || run.kind !== 'quarterly' || !run.summary) throw notFound(`quarterly settlement result ${id}`);
      const [line] = await departmentLinesOf(db, id, department);
      if (!line) throw notFound(`department ${department} in settlement ${id}`);
      const people = await individualLinesOf(db, id, { department });
      return { period: run.period, status: run.status, department: departmentLineOf(line), individuals: people.map(individualLineOf) };
    },
  );

  const personLine = (request: FastifyRequest) => {
    const { id, staffId } = request.params as { id: string; staffId: string };
    return UUID.test(id) ? personLineOf(db, id, staffId) : Promise.resolve(null);
  };
  app.get(
    '/v1/settlements/:id/individuals/:staffId',
    { config: { ...access(['admin', 'finance', 'dept_head', 'auditor'], 'run'), prefetch: personLine },
      schema: {
        tags: ['settlements'],
        summary: "One person's line with every component of their pay (why this amount)",
        params: Type.Object({ id: RunParams.properties.id, staffId: Type.String({ minLength: 1 }) }),
        response: { 200: AnyObject('the line, its components, the inputs and the rule behind each figure'), ...errors(401, 404) },
      },
    },
    async (request) => {
      const { id, staffId } = request.params as { id: string; staffId: string };
      // the common case, a quarterly run's line, in one query; the rest (year-end, 404s) below
      const found = (await (request.prefetched ?? personLine(request))) as Awaited<ReturnType<typeof personLineOf>>;
      const notHere = `staff ${staffId} in settlement ${id}`;
      // finance reads amounts, not people's tier-2 inputs (as on every other finance read)
      const withInputs = request.principal!.role !== 'finance';
      if (found && found.run.summary) {
        assertPersonVisible(request, found.line.department, notHere);
        return explainIndividual(found.run.period, found.run.status, found.line, found.department, found.line.inputRecord, withInputs);
      }
      const run = await findRun(db, id);
      if (!run || !run.summary) throw notFound(`settlement result ${id}`);
      if (run.kind === 'annual') {
        const all = (await annualLinesOf(db, id)).individuals.filter((l) => l.staffId === staffId);
        const p = request.principal!;
        const lines = p.role === 'dept_head' ? all.filter((l) => p.departments.includes(l.department)) : all;
        if (lines.length === 0) throw notFound(notHere);
        return { period: run.period, kind: run.kind, status: run.status, lines: lines.map((l) => ({ staffId: l.staffId, name: l.name, department: l.department, weight: l.weight, amount: l.amount })) };
      }
      const [line] = await individualLinesOf(db, id, { staffId });
      if (!line) throw notFound(notHere);
      assertPersonVisible(request, line.department, notHere);
      const [department] = await departmentLinesOf(db, id, line.department);
      const record = line.inputRecord;
      return explainIndividual(run.period, run.status, line, department ?? null, record, withInputs);
    },
  );

  const LinesQuery = Type.Object(
    {
      department: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "only this department's lines" })),
      after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the cursor: `next` of the previous page' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
    },
    { additionalProperties: false },
  );

  app.get(
    '/v1/settlements/:id/lines',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: "A page of a run's people's lines, in staff-id order, optionally of one department",
        description: 'Keyset paging: pass the `next` of a page as `after` to read the following one; `next` is null on the last page. A department head reads only their departments.',
        params: RunParams,
        querystring: LinesQuery,
        response: { 200: AnyObject('period, kind, status, lines, next'), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { department, after, limit } = request.query as { department?: string; after?: string; limit?: number };
      return linesPage(db, request, (request.params as { id: string }).id, { department, after, limit: limit ?? 1000 });
    },
  );

  app.get(
    '/v1/settlements/:id/export',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: 'A run as a download: CSV (UTF-8 with BOM, so Excel shows Chinese) or NDJSON lines, streamed; an XLSX workbook; or the payroll file',
        description:
          'csv and ndjson: every line, read from the database a page at a time and written as it comes (a 10,000-person run never sits in memory as one document). ' +
          'xlsx: a workbook with summary, departments and individuals sheets (frozen headers, money #,##0.00, scores 0.000000). ' +
          'payroll: staffId, name, department, amount (CSV, UTF-8 BOM) of an approved run, for the bank or payroll system (409 before approval). A department head gets only their departments.',
        params: RunParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union(EXPORT_FORMATS.map((f) => Type.Literal(f)), { default: 'csv' })),
            department: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.String({ description: 'the file' }), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { format, department } = request.query as { format?: ExportFormat; department?: string };
      const id = (request.params as { id: string }).id;
      if (format === 'xlsx') {
        const book = await runWorkbook(db, request, id, department);
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${book.filename}"`)
          .send(book.buffer);
      }
      if (format === 'payroll') {
        const payroll = await payrollCsv(db, request, id, department);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${payroll.filename}"`).send(payroll.text);
      }
      const file = await exportLines(db, request, id, format ?? 'csv', department);
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.stream);
    },
  );

  const StatementQuery = Type.Object(
    {
      format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html')], { default: 'json' })),
      lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' })),
    },
    { additionalProperties: false },
  );

  app.get(
    '/v1/settlements/:id/individuals/:staffId/statement',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['statements'],
        summary: '个人绩效工资明细: every component of one person\'s pay with the rule that produced it, as JSON or a printable HTML page',
        params: Type.Object({ id: RunParams.properties.id, staffId: Type.String({ minLength: 1 }) }),
        querystring: StatementQuery,
        response: { 200: AnyObject('the statement (JSON) or an HTML page'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id, staffId } = request.params as { id: string; staffId: string };
      const { format, lang } = request.query as { format?: 'json' | 'html'; lang?: Lang };
      const { statement, hospital } = await personStatementOf(db, request, id, staffId);
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(personStatementHtml(statement, lang ?? 'zh', hospital));
      return statement;
    },
  );

  app.get(
    '/v1/settlements/:id/departments/:department/statement',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['statements'],
        summary: '科室绩效核算表: the tier-1 breakdown with each penalty\'s inputs and rule, and the tier-2 table of every person, as JSON or a printable HTML page',
        params: Type.Object({ id: RunParams.properties.id, department: Type.String({ minLength: 1 }) }),
        querystring: StatementQuery,
        response: { 200: AnyObject('the statement (JSON) or an HTML page'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id, department } = request.params as { id: string; department: string };
      const { format, lang } = request.query as { format?: 'json' | 'html'; lang?: Lang };
      const { statement, hospital } = await departmentStatementOf(db, request, id, department);
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(departmentStatementHtml(statement, lang ?? 'zh', hospital));
      return statement;
    },
  );

  app.get(
    '/v1/settlements/:id/diff/:other',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: 'Compare two runs of a hospital: the amounts that changed (summary, departments, people) and the inputs that changed between them',
        description: 'Each change is {field, from, to}. A department head sees their departments and people only; finance sees no individual inputs.',
        params: Type.Object({ id: RunParams.properties.id, other: RunParams.properties.id }),
        response: { 200: AnyObject('a, b, amounts, inputs'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id, other } = request.params as { id: string; other: string };
      return diffRuns(db, request, id, other);
    },
  );

  app.get(
    '/v1/settlements/:id/reviews',
    {
      config: access(['admin', 'finance', 'dept_head', 'auditor'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: "Every department's review of a run: acknowledged, disputed (with its reason) or pending",
        params: RunParams,
        response: { 200: Type.Object({ reviews: Type.Array(AnyObject('department, status, reason, by, at')) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const run = await findRun(db, (request.params as { id: string }).id);
      if (!run) throw notFound(`settlement ${(request.params as { id: string }).id}`);
      // a department head reads their own departments' reviews, not the others' reasons and reviewers
      const p = request.principal!;
      const reviews = await reviewsOf(db, run);
      return { reviews: p.role === 'dept_head' ? reviews.filter((r) => p.departments.includes(r.department)) : reviews };
    },
  );

  app.post(
    '/v1/settlements/:id/reviews/:department',
    {
      config: access(['admin', 'dept_head'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: 'Acknowledge or dispute a succeeded run for a department (a dispute needs a reason)',
        params: Type.Object({ id: RunParams.properties.id, department: Type.String({ minLength: 1 }) }),
        body: ReviewBody,
        response: { 200: AnyObject('the review'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id, department } = request.params as { id: string; department: string };
      assertDepartment(request, department);
      return review({ db, now, ctx: { actor: request.actor, requestId: request.id } }, id, department, request.body);
    },
  );

  app.post(
    '/v1/settlements/:id/what-if/:department',
    {
      config: access(['admin', 'dept_head'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: "What the department's people would get with these individual inputs instead (stored nowhere)",
        description: "Each entry is a JSON merge patch over the person's record in the run: the fields it names change, the others keep the run's values (null: the default).",
        params: Type.Object({ id: RunParams.properties.id, department: Type.String({ minLength: 1 }) }),
        body: Type.Object({ individuals: Type.Array(patchSchema(IndividualInputSchema, ['staffId'], 'a merge patch of a person\'s record in the run'), { maxItems: 5000 }) }, { additionalProperties: false }),
        response: { 200: AnyObject('the department line and its people lines as they would be'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id, department } = request.params as { id: string; department: string };
      assertDepartment(request, department);
      const run = await findRun(db, id);
      if (!run) throw notFound(`settlement ${id}`);
      return whatIf(db, run, department, (request.body as { individuals: { staffId: string }[] }).individuals);
    },
  );
}

/** The "why this amount" view of a quarterly person line (allocation-rules §3.9). */
function explainIndividual(
  period: string,
  status: string,
  line: Awaited<ReturnType<typeof individualLinesOf>>[number],
  department: Awaited<ReturnType<typeof departmentLinesOf>>[number] | null,
  record: unknown,
  withInputs: boolean,
) {
  const onStudyLeave = line.titlePoints === null;
  const components = onStudyLeave
    ? null
    : {
        title: line.titlePoints,
        position: line.positionPoints,
        workload: line.workloadPoints,
        quality: line.qualityPoints,
        ethics: line.ethicsPoints,
        discipline: line.disciplinePoints,
        penalties: line.penaltyPoints,
      };
  const rules = onStudyLeave
    ? [
        'on study leave (§3.2): in no department\'s headcount; paid by the hospital',
        `studyLeavePay ${line.studyLeavePay} = rate by length × mean tier-2 pay of members of the same title grade (§3.9)`,
      ]
    : [
        `rawScore ${line.rawScore} = title ${components!.title} + position ${components!.position} + workload ${components!.workload} + quality ${components!.quality} + ethics ${components!.ethics} + discipline ${components!.discipline} − penalties ${components!.penalties}`,
        `attendance −${line.attendanceDeduction} = rawScore ÷ requiredDays × absentDays; overtime +${line.overtimeAddition} = rawScore ÷ requiredDays × overtimeDays`,
        `effectiveScore ${line.effectiveScore} = (rawScore − attendance + overtime) × payRatio ${line.payRatio}`,
        `tier2Pay ${line.tier2Pay}: department ${line.department}'s final ${department?.final ?? '?'} split by effective scores (largest remainder)`,
      ];
  rules.push(`total ${line.total} = tier2Pay ${line.tier2Pay} + leaderBonus ${line.leaderBonus} + studyLeavePay ${line.studyLeavePay} − finesApplied ${line.finesApplied}`);
  return {
    period,
    status,
    line: individualLineOf(line),
    components,
    department: department ? { code: department.department, name: department.name, final: department.final, headcount: department.headcount } : null,
    ...(withInputs ? { inputs: record ?? { note: 'no individual record: every default used (full marks)' } } : {}),
    ...(line.disputeFines !== null ? { disputeFines: line.disputeFines, disputes: (line.disputeItems as { disputeId: string; amount: string }[] | null) ?? [] } : {}),
    rules,
  };
}
