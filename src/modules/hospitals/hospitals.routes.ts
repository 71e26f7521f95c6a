import { access, assertDepartment, assertPersonVisible } from '../../plugins/access.js';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AnnualSchema,
  DepartmentInputSchema,
  DepartmentSchema,
  IndividualInputSchema,
  PeriodSchema,
  SchemeOverrides,
  StaffSchema,
} from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { hospitals, quarterInputs } from '../../db/schema.js';
import { notFound } from '../../shared/errors.js';
import { appendAudit } from '../audit/audit.repository.js';
import { AnyObject, HospitalCode, HospitalParams, Quarter, errors } from '../../shared/schemas.js';
import { sameRecord } from '../inputs/inputs.compare.js';
import {
  annualFromRow,
  annualToRow,
  departmentFromRow,
  departmentInputToRow,
  departmentToRow,
  individualInputFromRow,
  individualInputToRow,
  quarterToRow,
  staffFromRow,
  staffToRow,
} from '../inputs/inputs.mappers.js';
import { auditable } from '../inputs/inputs.mappers.js';
import {
  createHospitalLocked,
  deleteDepartmentInput,
  deleteIndividualInput,
  findDepartmentInput,
  findHospital,
  findIndividualInput,
  findStaff,
  listDepartments,
  listSchemeVersions,
  listStaff,
  loadAnnual,
  loadPeriod,
  periodToInput,
  upsertAnnual,
  upsertDepartmentInput,
  upsertDepartments,
  upsertIndividualInput,
  upsertQuarter,
  upsertSchemeVersion,
  upsertStaff,
} from '../inputs/inputs.repository.js';
import { allPatches, arrayRows, putDepartmentInputs, putDepartments, putIndividualInputs, putStaff } from './bulk.usecases.js';
import { patchSchema } from '../../shared/patch.js';
import { selectBy } from '../../shared/schemas.js';
import { assertPersonInDepartments, setDepartment, setDepartmentInput, setIndividualInput, setQuarter, setStaff } from '../inputs/records.usecases.js';
import { ingestStream, NDJSON, readStream } from './stream.usecases.js';
import { claimStreamed } from '../../plugins/idempotency.js';
import { writeInputs } from './hospitals.usecases.js';

const strict = { additionalProperties: false } as const;
const DepartmentBody = Type.Omit(DepartmentSchema, ['code'], strict);
const StaffBody = Type.Omit(StaffSchema, ['id'], strict);
const DepartmentInputBody = Type.Omit(DepartmentInputSchema, ['code'], strict);
const IndividualInputBody = Type.Omit(IndividualInputSchema, ['staffId'], strict);
const QuarterBody = Type.Pick(PeriodSchema, ['revenue', 'workingDays', 'adjustment'], strict);
const DepartmentPatch = patchSchema(DepartmentBody, [], 'a JSON merge patch of the department');
const StaffPatch = patchSchema(StaffBody, [], 'a JSON merge patch of the staff member');
const QuarterPatch = patchSchema(QuarterBody, [], "a JSON merge patch of the quarter's figures");
const DepartmentInputPatch = patchSchema(DepartmentInputBody, [], "a JSON merge patch of the department's quarter inputs");
const IndividualInputPatch = patchSchema(IndividualInputBody, [], "a JSON merge patch of the person's quarter inputs");
const AnnualBody = Type.Omit(AnnualSchema, ['year'], strict);
const Code = Type.String({ minLength: 1, maxLength: 64 });
const PeriodParams = Type.Object({ code: HospitalCode, period: Quarter });

type Deps = { db: Db; now: () => Date; bodyLimit: number };

const MAX_RECORDS = 20_000;
/** A bulk body: whole records (`"mode": "replace"`, the default) or merge patches over the stored ones (`"mode": "merge"`). */
const bulkBody = (record: TObject, keys: string[]) =>
  selectBy(
    'mode',
    {
      replace: Type.Object({ mode: Type.Optional(Type.Literal('replace')), records: Type.Array(record, { minItems: 1, maxItems: MAX_RECORDS }) }, strict),
      merge: Type.Object({ mode: Type.Literal('merge'), records: Type.Array(patchSchema(record, keys, 'a JSON merge patch of the record its key names'), { minItems: 1, maxItems: MAX_RECORDS }) }, strict),
    },
    'replace',
    'whole records (mode replace, the default) or merge patches (mode merge)',
  );
const modeOf = (body: unknown) => ((body as { mode?: string }).mode === 'merge' ? allPatches : undefined);
const BulkResult = Type.Object({ records: Type.Integer(), written: Type.Integer(), unchanged: Type.Integer() });
const BULK_DESCRIPTION =
  'Up to 20,000 records (each as in the scenario document), all or nothing, in one transaction. With `"mode": "replace"` (the default) each record replaces the stored one whole; with `"mode": "merge"` each is a JSON merge patch (RFC 7396) over the stored record its key names: only the fields it names change, null removes one. ' +
  'A 400 lists every invalid record by its row (`records[i]`, up to 1,000 of them). Records equal to the stored ones are not written; one audit event names the ones that were.';
const PATCH_DESCRIPTION =
  'A JSON merge patch (RFC 7396; send it as `application/merge-patch+json` or `application/json`): the fields it names replace the stored ones, an object merges field by field, `null` removes a field; every other field keeps its stored value. The record that results is checked as a PUT of it would be.';

export function hospitalRoutes(app: FastifyInstance, deps: Deps): void {
  const { db, now } = deps;
  const ctx = (request: { actor: string; id: string }) => ({ db, now, ctx: { actor: request.actor, requestId: request.id } });
  const hospitalOf = async (code: string) => {
    const h = await findHospital(db, code);
    if (!h) throw notFound(`hospital ${code}`);
    return h;
  };

  app.get('/v1/hospitals', { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'none'), schema: { tags: ['hospitals'], summary: 'The hospitals this key may see (a key sees its own)', response: { 200: Type.Object({ hospitals: Type.Array(AnyObject('code, name')) }), ...errors(401) } } }, async (request) => {
    const all = await db.select({ code: hospitals.code, name: hospitals.name }).from(hospitals).orderBy(hospitals.code);
    const own = request.principal!.hospital;
    return { hospitals: own === null ? all : all.filter((h) => h.code === own) };
  });

  app.put(
    '/v1/hospitals/:code',
    { config: access(['admin'], 'params'), schema: { tags: ['hospitals'], summary: 'Create a hospital or rename it', params: HospitalParams, body: Type.Object({ name: Type.String({ maxLength: 200 }) }, strict), response: { 200: AnyObject('the hospital'), ...errors(400, 401) } } },
    async (request) => {
      const { code } = request.params as { code: string };
      const { name } = request.body as { name: string };
      return db.transaction(async (tx) => {
        const { hospital, created } = await createHospitalLocked(tx, code, name);
        if (created || hospital.name !== name) {
          if (!created) await tx.update(hospitals).set({ name, updatedAt: now() }).where(eq(hospitals.id, hospital.id));
          await appendAudit(tx, hospital.id, { actor: request.actor, requestId: request.id }, [
            { action: created ? 'hospital.create' : 'hospital.update', entityType: 'hospital', entityKey: code, before: created ? null : { name: hospital.name }, after: { code, name } },
          ], now());
        }
        return { code, name };
      });
    },
  );

  app.get('/v1/hospitals/:code', { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'params'), schema: { tags: ['hospitals'], summary: 'A hospital', params: HospitalParams, response: { 200: AnyObject('code, name'), ...errors(401, 404) } } }, async (request) => {
    const h = await hospitalOf((request.params as { code: string }).code);
    return { code: h.code, name: h.name };
  });

  app.get('/v1/hospitals/:code/scheme-versions', { config: access(['admin', 'finance', 'auditor'], 'params'), schema: { tags: ['hospitals'], summary: 'The scheme versions, each effective from a quarter on', params: HospitalParams, response: { 200: Type.Object({ versions: Type.Array(AnyObject('id, effectiveFrom, parameters')) }), ...errors(401, 404) } } }, async (request) => {
    const h = await hospitalOf((request.params as { code: string }).code);
    return { versions: (await listSchemeVersions(db, h.id)).map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom, parameters: v.parameters, createdAt: v.createdAt.toISOString() })) };
  });

  app.put(
    '/v1/hospitals/:code/scheme-versions/:effectiveFrom',
    { config: access(['admin'], 'params'),
      schema: {
        tags: ['hospitals'],
        summary: 'Set the scheme parameters (overrides of the defaults) effective from a quarter on',
        params: Type.Object({ code: HospitalCode, effectiveFrom: Quarter }),
        body: Type.Object({ parameters: SchemeOverrides }, strict),
        response: { 200: AnyObject('the version'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, effectiveFrom } = request.params as { code: string; effectiveFrom: string };
      const { parameters } = request.body as { parameters: unknown };
      return writeInputs(ctx(request), code, { period: effectiveFrom }, async (tx, hospital) => {
        const row = await upsertSchemeVersion(tx, hospital.id, effectiveFrom, parameters);
        return { audit: [{ action: 'scheme.set', entityType: 'scheme', entityKey: effectiveFrom, after: parameters }], result: { id: row.id, effectiveFrom, parameters } };
      });
    },
  );

  app.get('/v1/hospitals/:code/departments', { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'params'), schema: { tags: ['hospitals'], summary: 'The departments', params: HospitalParams, response: { 200: Type.Object({ departments: Type.Array(AnyObject('a department')) }), ...errors(401, 404) } } }, async (request) => {
    const h = await hospitalOf((request.params as { code: string }).code);
    return { departments: (await listDepartments(db, h.id)).map(departmentFromRow) };
  });

  app.put(
    '/v1/hospitals/:code/departments/:department',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['hospitals'], summary: 'Create or replace a department (科室): the whole record', params: Type.Object({ code: HospitalCode, department: Code }), body: DepartmentBody, response: { 200: AnyObject('the department'), ...errors(400, 401, 404) } } },
    async (request) => {
      const { code, department } = request.params as { code: string; department: string };
      return setDepartment(ctx(request), code, department, { kind: 'replace', record: request.body as Static<typeof DepartmentBody> });
    },
  );

  app.patch(
    '/v1/hospitals/:code/departments/:department',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['hospitals'], summary: 'Change some fields of a department (a JSON merge patch: the fields named; null removes one)', description: PATCH_DESCRIPTION, params: Type.Object({ code: HospitalCode, department: Code }), body: DepartmentPatch, response: { 200: AnyObject('the department'), ...errors(400, 401, 404, 415) } } },
    async (request) => {
      const { code, department } = request.params as { code: string; department: string };
      return setDepartment(ctx(request), code, department, { kind: 'merge', patch: request.body as Record<string, unknown> });
    },
  );

  app.put(
    '/v1/hospitals/:code/departments',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: { tags: ['hospitals'], summary: 'Create or replace many departments (科室) at once', description: BULK_DESCRIPTION, params: HospitalParams, body: bulkBody(DepartmentSchema, ['code']), response: { 200: BulkResult, ...errors(400, 401, 404) } },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const { records } = request.body as { records: Static<typeof DepartmentSchema>[] };
      return writeInputs(ctx(request), code, {}, (tx, hospital) => putDepartments(tx, hospital, records, arrayRows, modeOf(request.body)));
    },
  );

  app.get('/v1/hospitals/:code/staff', { config: access(['admin', 'finance', 'dept_head', 'auditor'], 'params'), schema: { tags: ['hospitals'], summary: 'The staff', params: HospitalParams, response: { 200: Type.Object({ staff: Type.Array(AnyObject('a staff member')) }), ...errors(401, 404) } } }, async (request) => {
    const h = await hospitalOf((request.params as { code: string }).code);
    const p = request.principal!;
    const rows = await listStaff(db, h.id);
    return { staff: (p.role === 'dept_head' ? rows.filter((r) => p.departments.includes(r.department)) : rows).map(staffFromRow) };
  });

  app.put(
    '/v1/hospitals/:code/staff/:staffId',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['hospitals'], summary: 'Create or replace a staff member: the whole record', params: Type.Object({ code: HospitalCode, staffId: Code }), body: StaffBody, response: { 200: AnyObject('the staff member'), ...errors(400, 401, 404) } } },
    async (request) => {
      const { code, staffId } = request.params as { code: string; staffId: string };
      return setStaff(ctx(request), code, staffId, { kind: 'replace', record: request.body as Static<typeof StaffBody> });
    },
  );

  app.patch(
    '/v1/hospitals/:code/staff/:staffId',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['hospitals'], summary: 'Change some fields of a staff member (a JSON merge patch)', description: PATCH_DESCRIPTION, params: Type.Object({ code: HospitalCode, staffId: Code }), body: StaffPatch, response: { 200: AnyObject('the staff member'), ...errors(400, 401, 404, 415) } } },
    async (request) => {
      const { code, staffId } = request.params as { code: string; staffId: string };
      return setStaff(ctx(request), code, staffId, { kind: 'merge', patch: request.body as Record<string, unknown> });
    },
  );

  app.put(
    '/v1/hospitals/:code/staff',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: { tags: ['hospitals'], summary: 'Create or replace many staff members at once', description: BULK_DESCRIPTION, params: HospitalParams, body: bulkBody(StaffSchema, ['id']), response: { 200: BulkResult, ...errors(400, 401, 404) } },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const { records } = request.body as { records: Static<typeof StaffSchema>[] };
      return writeInputs(ctx(request), code, { focus: { staff: records.map((r) => r.id), departmentInputs: [], individuals: [] } }, (tx, hospital) => putStaff(tx, hospital, records, arrayRows, modeOf(request.body)));
    },
  );

  app.get(
    '/v1/hospitals/:code/periods/:period',
    { config: access(['admin', 'finance', 'auditor'], 'params'), schema: { tags: ['inputs'], summary: "A quarter's inputs, as in the scenario document (for finance, without the individual records)", params: PeriodParams, response: { 200: AnyObject('the period'), ...errors(401, 404) } } },
    async (request) => {
      const { code, period } = request.params as { code: string; period: string };
      const stored = await loadPeriod(db, (await hospitalOf(code)).id, period);
      if (!stored) throw notFound(`inputs of ${period}`);
      const input = periodToInput(stored);
      // people's tier-2 inputs are the department heads' (and admins' and auditors') to read
      if (request.principal!.role === 'finance') delete input.individuals;
      return input;
    },
  );

  app.put(
    '/v1/hospitals/:code/periods/:period',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['inputs'], summary: "A quarter's hospital figures: revenue, working days, adjustment (the whole record)", params: PeriodParams, body: QuarterBody, response: { 200: AnyObject('the figures'), ...errors(400, 401, 404, 409) } } },
    async (request) => {
      const { code, period } = request.params as { code: string; period: string };
      return setQuarter(ctx(request), code, period, { kind: 'replace', record: request.body as Static<typeof QuarterBody> });
    },
  );

  app.patch(
    '/v1/hospitals/:code/periods/:period',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['inputs'], summary: "Change some of a quarter's hospital figures (a JSON merge patch)", description: PATCH_DESCRIPTION, params: PeriodParams, body: QuarterPatch, response: { 200: AnyObject('the figures'), ...errors(400, 401, 404, 409, 415) } } },
    async (request) => {
      const { code, period } = request.params as { code: string; period: string };
      return setQuarter(ctx(request), code, period, { kind: 'merge', patch: request.body as Record<string, unknown> });
    },
  );

  app.put(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    { config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Create or replace a department's inputs for a quarter: the whole record",
        description: "The record replaces the stored one whole: fields left out are gone. A clinical department's record needs workload, medicalRevenue and totalCost (400 naming what is missing). To change some fields only, PATCH.",
        params: Type.Object({ code: HospitalCode, period: Quarter, department: Code }),
        body: DepartmentInputBody,
        response: { 200: AnyObject('the record'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, period, department } = request.params as { code: string; period: string; department: string };
      return setDepartmentInput(ctx(request), code, period, department, { kind: 'replace', record: request.body as Static<typeof DepartmentInputBody> });
    },
  );

  app.patch(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    { config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Change some of a department's inputs for a quarter (a JSON merge patch)",
        description: PATCH_DESCRIPTION,
        params: Type.Object({ code: HospitalCode, period: Quarter, department: Code }),
        body: DepartmentInputPatch,
        response: { 200: AnyObject('the record'), ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => {
      const { code, period, department } = request.params as { code: string; period: string; department: string };
      return setDepartmentInput(ctx(request), code, period, department, { kind: 'merge', patch: request.body as Record<string, unknown> });
    },
  );

  app.put(
    '/v1/hospitals/:code/periods/:period/departments',
    {
      config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Create or replace many departments' inputs for a quarter at once",
        description: BULK_DESCRIPTION,
        params: PeriodParams,
        body: bulkBody(DepartmentInputSchema, ['code']),
        response: { 200: BulkResult, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, period } = request.params as { code: string; period: string };
      const { records } = request.body as { records: Static<typeof DepartmentInputSchema>[] };
      return writeInputs(ctx(request), code, { period, focus: { staff: [], departmentInputs: records.map((r) => r.code), individuals: [] } }, (tx, hospital) =>
        putDepartmentInputs(tx, hospital, period, records, arrayRows, modeOf(request.body)),
      );
    },
  );

  app.delete(
    '/v1/hospitals/:code/periods/:period/departments/:department',
    { config: access(['admin', 'finance'], 'params'), schema: { tags: ['inputs'], summary: "Remove a department's inputs for a quarter", params: Type.Object({ code: HospitalCode, period: Quarter, department: Code }), response: { 204: Type.Null(), ...errors(401, 404, 409) } } },
    async (request, reply) => {
      const { code, period, department } = request.params as { code: string; period: string; department: string };
      await writeInputs(ctx(request), code, { period }, async (tx, hospital) => {
        const before = await findDepartmentInput(tx, hospital.id, period, department);
        if (!before || (await deleteDepartmentInput(tx, hospital.id, period, department)) === 0) throw notFound(`inputs of department ${department} in ${period}`);
        return { audit: [{ action: 'department_input.delete', entityType: 'department_input', entityKey: `${period}/${department}`, before: auditable(before) }], result: null };
      });
      return reply.status(204).send();
    },
  );

  app.put(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    { config: access(['admin', 'dept_head'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Create or replace a person's individual (tier-2) inputs for a quarter: the whole record",
        description: 'The record replaces the stored one whole: a field left out takes its default (allocation-rules §2), it does not keep the stored value. To change some fields only, PATCH.',
        params: Type.Object({ code: HospitalCode, period: Quarter, staffId: Code }),
        body: IndividualInputBody,
        response: { 200: AnyObject('the record'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, period, staffId } = request.params as { code: string; period: string; staffId: string };
      return setIndividualInput(ctx(request), request.principal!, code, period, staffId, { kind: 'replace', record: request.body as Static<typeof IndividualInputBody> });
    },
  );

  app.patch(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    { config: access(['admin', 'dept_head'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Change some of a person's individual (tier-2) inputs for a quarter (a JSON merge patch)",
        description: PATCH_DESCRIPTION,
        params: Type.Object({ code: HospitalCode, period: Quarter, staffId: Code }),
        body: IndividualInputPatch,
        response: { 200: AnyObject('the record'), ...errors(400, 401, 404, 409, 415) },
      },
    },
    async (request) => {
      const { code, period, staffId } = request.params as { code: string; period: string; staffId: string };
      return setIndividualInput(ctx(request), request.principal!, code, period, staffId, { kind: 'merge', patch: request.body as Record<string, unknown> });
    },
  );

  app.put(
    '/v1/hospitals/:code/periods/:period/individuals',
    {
      config: access(['admin', 'dept_head'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "Create or replace many people's individual (tier-2) inputs for a quarter at once",
        description:
          'Up to 20,000 records (each as in the scenario document, with its staffId), all or nothing, in one transaction. A 400 lists every invalid record by its row (`records[i]`). Records equal to the stored ones are not written.',
        params: PeriodParams,
        body: bulkBody(IndividualInputSchema, ['staffId']),
        response: { 200: BulkResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { code, period } = request.params as { code: string; period: string };
      const { records } = request.body as { records: Static<typeof IndividualInputSchema>[] };
      return writeInputs(ctx(request), code, { period, focus: { staff: [], departmentInputs: [], individuals: [] } }, (tx, hospital) =>
        putIndividualInputs(tx, hospital, period, records, request.principal!, arrayRows, modeOf(request.body)),
      );
    },
  );

  app.get(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    {
      config: access(['admin', 'dept_head', 'auditor'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: "A person's individual (tier-2) inputs for a quarter",
        params: Type.Object({ code: HospitalCode, period: Quarter, staffId: Code }),
        response: { 200: AnyObject('the record'), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { code, period, staffId } = request.params as { code: string; period: string; staffId: string };
      const hospital = await hospitalOf(code);
      const record = await findIndividualInput(db, hospital.id, period, staffId);
      await assertPersonInDepartments(request, db, hospital.id, staffId, [record?.department]);
      if (!record) throw notFound(`individual inputs of ${staffId} in ${period}`);
      return individualInputFromRow(record);
    },
  );

  app.delete(
    '/v1/hospitals/:code/periods/:period/individuals/:staffId',
    { config: access(['admin', 'dept_head'], 'params'), schema: { tags: ['inputs'], summary: "Remove a person's individual inputs for a quarter (defaults then apply)", params: Type.Object({ code: HospitalCode, period: Quarter, staffId: Code }), response: { 204: Type.Null(), ...errors(401, 404, 409) } } },
    async (request, reply) => {
      const { code, period, staffId } = request.params as { code: string; period: string; staffId: string };
      await writeInputs(ctx(request), code, { period }, async (tx, hospital) => {
        const before = await findIndividualInput(tx, hospital.id, period, staffId);
        await assertPersonInDepartments(request, tx, hospital.id, staffId, [before?.department]);
        if (!before || (await deleteIndividualInput(tx, hospital.id, period, staffId)) === 0) throw notFound(`individual inputs of ${staffId} in ${period}`);
        return { audit: [{ action: 'individual_input.delete', entityType: 'individual_input', entityKey: `${period}/${staffId}`, before: auditable(before) }], result: null };
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/hospitals/:code/annual/:year',
    { config: access(['admin', 'finance', 'auditor'], 'params'), schema: { tags: ['inputs'], summary: 'The year-end inputs', params: Type.Object({ code: HospitalCode, year: Type.Integer({ minimum: 1900, maximum: 9999 }) }), response: { 200: AnyObject('the annual inputs'), ...errors(401, 404) } } },
    async (request) => {
      const { code, year } = request.params as { code: string; year: number };
      const annual = await loadAnnual(db, (await hospitalOf(code)).id, year);
      if (!annual) throw notFound(`year-end inputs of ${year}`);
      return annual;
    },
  );

  app.put(
    '/v1/hospitals/:code/annual/:year',
    { config: access(['admin', 'finance'], 'params'),
      schema: {
        tags: ['inputs'],
        summary: 'Set the year-end inputs: annual adjustment, assessment factors, failed staff',
        params: Type.Object({ code: HospitalCode, year: Type.Integer({ minimum: 1900, maximum: 9999 }) }),
        body: AnnualBody,
        response: { 200: AnyObject('the annual inputs'), ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { code, year } = request.params as { code: string; year: number };
      const record = { ...(request.body as Static<typeof AnnualBody>), year };
      return writeInputs(ctx(request), code, { year }, async (tx, hospital) => {
        const stored = await loadAnnual(tx, hospital.id, year);
        const before = stored ? annualToRow(stored) : null;
        const row = annualToRow(record);
        if (before && sameRecord(before, row)) return { audit: [], result: annualFromRow(row) };
        await upsertAnnual(tx, hospital.id, row);
        return { audit: [{ action: 'annual.set', entityType: 'annual', entityKey: String(year), before: auditable(before), after: row }], result: annualFromRow(row) };
      });
    },
  );

  // only this route reads NDJSON: on any other route that content type is a 415
  void app.register(async (scope) => {
    scope.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));
    scope.post(
      '/v1/hospitals/:code/periods/:period/stream',
      {
        config: access(['admin', 'finance'], 'params'),
        schema: {
          tags: ['inputs'],
          summary: 'A large push of inputs as an NDJSON stream (application/x-ndjson), all or nothing',
          description:
            'One JSON object a line: `{"type": "department" | "staff" | "departmentInput" | "individual", "record": {…}}`, each record as in the scenario document; departmentInput and individual records belong to the quarter in the path. ' +
          'A record replaces the stored one whole; a line with `"mode": "merge"` carries a JSON merge patch over the stored record instead (only the fields it names change). ' +
            'The lines are read as they arrive and checked one by one; then departments, staff, department inputs and individual inputs are written, in that order, in one transaction. ' +
            'Send it with Idempotency-Key to make a retry safe: the key is claimed once the whole stream has been read. A 400 names every invalid line by its number and field (`lines[n].record.workloadScore`, lines counted from 1). Individual lines need an admin key (403 otherwise). At most 200,000 lines.',
          params: PeriodParams,
          response: {
            200: Type.Object({ lines: Type.Integer(), departments: BulkResult, staff: BulkResult, departmentInputs: BulkResult, individuals: BulkResult }),
            ...errors(400, 401, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const { code, period } = request.params as { code: string; period: string };
        const parsed = await readStream(request.body, deps.bodyLimit);
        const replay = await claimStreamed(db, request, parsed.sha256);
        // a replay answers what the first request answered, whatever its status
        if (replay) return reply.header('idempotent-replayed', 'true').status(replay.status as 200).send(replay.response as never);
        return ingestStream(ctx(request), code, period, parsed, request.principal!);
      },
    );
  });
}

