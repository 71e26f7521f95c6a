import { access, assertDepartment } from '../../plugins/access.js';
import { review, reviewsOf, whatIf, type ReviewStatus } from './reviews.usecases.js';
import { IndividualInputSchema } from '../../core/schema.js';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SettlementRunner } from '../../../jobs/runner.js';
import type { Db } from '../../db/client.js';
import { notFound, unavailable } from '../../errors.js';
import { AnyObject, HospitalParams, Period, errors } from '../common.schemas.js';
import { individualLineOf, departmentLineOf, runView } from './settlements.mappers.js';
import { annualLinesOf, departmentLinesOf, findRun, individualLinesOf, listRuns, personLineOf } from './settlements.repository.js';
import { exportLines, EXPORT_FORMATS, linesPage, type ExportFormat } from './lines.usecases.js';
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
        description: 'Queues a run (202). While a run of that period is queued or running, returns that run (200) instead of a second one.',
        params: HospitalParams,
        body: Type.Object({ period: Period }, { additionalProperties: false }),
        response: { 200: Run, 202: Run, ...errors(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { code } = request.params as { code: string };
      const { period } = request.body as { period: string };
      const { run, created } = await triggerSettlement({ db, now, ctx: { actor: request.actor, requestId: request.id } }, code, period);
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
      if (found && found.run.summary) {
        assertDepartment(request, found.line.department);
        return explainIndividual(found.run.period, found.run.status, found.line, found.department, found.line.inputRecord);
      }
      const run = await findRun(db, id);
      if (!run || !run.summary) throw notFound(`settlement result ${id}`);
      if (run.kind === 'annual') {
        const all = (await annualLinesOf(db, id)).individuals.filter((l) => l.staffId === staffId);
        if (all.length === 0) throw notFound(`staff ${staffId} in settlement ${id}`);
        const p = request.principal!;
        const lines = p.role === 'dept_head' ? all.filter((l) => p.departments.includes(l.department)) : all;
        if (lines.length === 0) assertDepartment(request, all[0]!.department);
        return { period: run.period, kind: run.kind, status: run.status, lines: lines.map((l) => ({ staffId: l.staffId, name: l.name, department: l.department, weight: l.weight, amount: l.amount })) };
      }
      const [line] = await individualLinesOf(db, id, { staffId });
      if (!line) throw notFound(`staff ${staffId} in settlement ${id}`);
      assertDepartment(request, line.department);
      const [department] = await departmentLinesOf(db, id, line.department);
      const record = line.inputRecord;
      return explainIndividual(run.period, run.status, line, department ?? null, record);
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
        summary: "Every line of a run as a download, streamed: NDJSON or CSV (UTF-8 with BOM, so Excel shows Chinese)",
        description: 'Rows are read from the database a page at a time and written as they come, so a 10,000-person run never sits in memory as one document. A department head gets only their departments.',
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
      const file = await exportLines(db, request, (request.params as { id: string }).id, format ?? 'csv', department);
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.stream);
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
      return { reviews: await reviewsOf(db, run) };
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
        body: Type.Object(
          {
            status: Type.Union([Type.Literal('acknowledged'), Type.Literal('disputed')], { 'x-kind': 'enum', 'x-values': ['acknowledged', 'disputed'] }),
            reason: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: AnyObject('the review'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id, department } = request.params as { id: string; department: string };
      assertDepartment(request, department);
      return review({ db, now, ctx: { actor: request.actor, requestId: request.id } }, id, department, request.body as { status: ReviewStatus; reason?: string });
    },
  );

  app.post(
    '/v1/settlements/:id/what-if/:department',
    {
      config: access(['admin', 'dept_head'], 'run'),
      schema: {
        tags: ['settlements'],
        summary: "What the department's people would get with these individual inputs instead (stored nowhere)",
        params: Type.Object({ id: RunParams.properties.id, department: Type.String({ minLength: 1 }) }),
        body: Type.Object({ individuals: Type.Array(IndividualInputSchema, { maxItems: 5000 }) }, { additionalProperties: false }),
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
    inputs: record ?? { note: 'no individual record: every default used (full marks)' },
    rules,
  };
}
