import { Type, type TObject } from '@sinclair/typebox';
import { AnnualSchema, DepartmentInputSchema, DepartmentSchema, IndividualInputSchema, PeriodSchema, SchemeOverrides, StaffSchema } from '../../core/schema.js';
import { patchSchema } from '../../shared/patch.js';
import { describeBounds } from '../../shared/schema-bounds.js';
import { HospitalCode, Quarter, selectBy } from '../../shared/schemas.js';

const strict = { additionalProperties: false } as const;
const Code = Type.String({ minLength: 1, maxLength: 64 });
const Year = Type.Integer({ minimum: 1900, maximum: 9999 });

export const DepartmentParams = Type.Object({ code: HospitalCode, department: Code });
export const StaffParams = Type.Object({ code: HospitalCode, staffId: Code });
export const PeriodParams = Type.Object({ code: HospitalCode, period: Quarter });
export const DepartmentInputParams = Type.Object({ code: HospitalCode, period: Quarter, department: Code });
export const IndividualParams = Type.Object({ code: HospitalCode, period: Quarter, staffId: Code });
export const YearParams = Type.Object({ code: HospitalCode, year: Year });
export const SchemeParams = Type.Object({ code: HospitalCode, effectiveFrom: Quarter });

export const DepartmentBody = Type.Omit(DepartmentSchema, ['code'], strict);
/** A staff record as the API takes it: the schema with its bounds in the descriptions (src/core/bounds.ts). */
export const StaffRecord = describeBounds(StaffSchema, { staff: '' });
/** The scheme's parameters as the API takes them, with their bounds in the descriptions. */
const SchemeParameters = describeBounds(SchemeOverrides, { scheme: '' });
export const StaffBody = Type.Omit(StaffRecord, ['id'], strict);
export const DepartmentInputBody = Type.Omit(DepartmentInputSchema, ['code'], strict);
export const IndividualInputBody = Type.Omit(IndividualInputSchema, ['staffId'], strict);
export const QuarterBody = Type.Pick(PeriodSchema, ['revenue', 'workingDays', 'adjustment'], strict);
export const AnnualBody = Type.Omit(AnnualSchema, ['year'], strict);
export const SchemeBody = Type.Object({ parameters: SchemeParameters }, strict);

export const DepartmentPatch = patchSchema(DepartmentBody, [], 'a JSON merge patch of the department');
export const StaffPatch = patchSchema(StaffBody, [], 'a JSON merge patch of the staff member');
export const QuarterPatch = patchSchema(QuarterBody, [], "a JSON merge patch of the quarter's figures");
export const DepartmentInputPatch = patchSchema(DepartmentInputBody, [], "a JSON merge patch of the department's quarter inputs");
export const IndividualInputPatch = patchSchema(IndividualInputBody, [], "a JSON merge patch of the person's quarter inputs");

export const MAX_RECORDS = 20_000;
/** A bulk body: whole records (`"mode": "replace"`, the default) or merge patches over the stored ones (`"mode": "merge"`). */
export const bulkBody = <T extends TObject>(record: T, keys: string[]) =>
  selectBy(
    'mode',
    {
      replace: Type.Object({ mode: Type.Optional(Type.Literal('replace')), records: Type.Array(record, { minItems: 1, maxItems: MAX_RECORDS }) }, strict),
      merge: Type.Object(
        { mode: Type.Literal('merge'), records: Type.Array(patchSchema(record, keys, 'a JSON merge patch of the record its key names'), { minItems: 1, maxItems: MAX_RECORDS }) },
        strict,
      ),
    },
    'replace',
    'whole records (mode replace, the default) or merge patches (mode merge)',
  );

export const BulkResult = Type.Object({
  records: Type.Integer({ description: 'records in the request' }),
  written: Type.Integer({ description: 'records that differed from the stored ones and were written' }),
  unchanged: Type.Integer({ description: 'records equal to the stored ones' }),
});
export const StreamResult = Type.Object({
  lines: Type.Integer(),
  departments: BulkResult,
  staff: BulkResult,
  departmentInputs: BulkResult,
  individuals: BulkResult,
  indicatorValues: Type.Optional(BulkResult),
  defects: Type.Optional(Type.Object(BulkResult.properties, { description: 'department and personal defects: booked when new, corrected when they differ' })),
});

export const QuarterView = Type.Object({ period: Quarter, ...QuarterBody.properties }, { description: "a quarter's hospital figures" });
export const SchemeVersion = Type.Object({ id: Type.Integer(), effectiveFrom: Quarter, parameters: SchemeParameters, createdAt: Type.Optional(Type.String({ description: 'ISO 8601 time' })) });
export const SchemeVersions = Type.Object({ versions: Type.Array(SchemeVersion) });
export const DepartmentList = Type.Object({ departments: Type.Array(DepartmentSchema) });
export const StaffList = Type.Object({ staff: Type.Array(StaffSchema) });

export const BULK_DESCRIPTION =
  'Up to 20,000 records (each as in the scenario document), all or nothing, in one transaction. With `"mode": "replace"` (the default) each record replaces the stored one whole; with `"mode": "merge"` each is a JSON merge patch (RFC 7396) over the stored record its key names: only the fields it names change, null removes one. ' +
  'A 400 lists every invalid record by its row (`records[i]`, up to 1,000 of them). Records equal to the stored ones are not written; one audit event names the ones that were.';
export const PATCH_DESCRIPTION =
  'A JSON merge patch (RFC 7396; send it as `application/merge-patch+json` or `application/json`): the fields it names replace the stored ones, an object merges field by field, `null` removes a field; every other field keeps its stored value. The record that results is checked as a PUT of it would be.';
