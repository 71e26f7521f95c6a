import { Type, type TProperties } from '@sinclair/typebox';
import { REVIEW_STATUSES, RUN_STATUSES } from '../../db/schema.js';
import { IndividualInputSchema } from '../../core/schema.js';
import {
  AnnualDepartmentStatementSchema,
  AnnualIndividualLineSchema,
  AnnualPersonStatementSchema,
  DepartmentStatementSchema,
  PeriodResultSchema,
  PersonStatementSchema,
  QuarterlyDepartmentLineSchema,
  QuarterlyIndividualLineSchema,
} from '../../core/index.js';
import { patchSchema } from '../../shared/patch.js';
import { HospitalCode, Period } from '../../shared/schemas.js';

const Time = (description: string) => Type.String({ description: `${description} (ISO 8601, UTC)` });
const NullableTime = (description: string) => Type.Union([Time(description), Type.Null()]);
export const RunId = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'settlement run id (a UUID)' });
export const RunParams = Type.Object({ id: RunId });
export const RunDepartmentParams = Type.Object({ id: RunId, department: Type.String({ minLength: 1, maxLength: 64 }) });
export const RunPersonParams = Type.Object({ id: RunId, staffId: Type.String({ minLength: 1, maxLength: 64 }) });
export const RunPairParams = Type.Object({ id: RunId, other: RunId });

export const TriggerBody = Type.Object(
  { period: Period, force: Type.Optional(Type.Boolean({ 'x-kind': 'boolean', description: 'queue a new run even when the latest succeeded run is current (refused for a closed period)' })) },
  { additionalProperties: false },
);
export const ApproveBody = Type.Object(
  { overrideReason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'needed while a department disputes the run or an appeal of its assessment is undecided; audited' })) },
  { additionalProperties: false, 'x-optional-body': true },
);
export const RunListQuery = Type.Object({ period: Type.Optional(Period) }, { additionalProperties: false });

const RunError = Type.Object(
  { code: Type.String(), message: Type.String(), path: Type.Optional(Type.String()) },
  { description: 'why the run failed: the engine’s error naming the record and field, or internal' },
);

export const RunView = Type.Object(
  {
    id: RunId,
    hospital: HospitalCode,
    period: Type.String({ description: 'the quarter (2026Q1) or the year (2026)' }),
    kind: Type.Union([Type.Literal('quarterly'), Type.Literal('annual')]),
    status: Type.Union(
      RUN_STATUSES.map((s) => Type.Literal(s)),
      { description: 'queued, running, succeeded, failed, approved or superseded' },
    ),
    error: Type.Optional(RunError),
    requestedBy: Type.String({ description: 'who triggered it' }),
    createdAt: Time('when it was triggered'),
    startedAt: NullableTime('when a worker took it'),
    finishedAt: NullableTime('when it succeeded or failed'),
    approvedBy: Type.Union([Type.String(), Type.Null()]),
    approvedAt: NullableTime('when it was approved'),
    approvalOverrideReason: Type.Union([Type.String(), Type.Null()], { description: 'the reason given to approve over open disputes or appeals' }),
    supersededBy: Type.Union([RunId, Type.Null()], { description: 'the approved run of the period that replaced it' }),
    schemeVersionId: Type.Union([Type.Integer(), Type.Null()]),
    inputHash: Type.Union([Type.String(), Type.Null()], { description: 'the fingerprint of what it settled (inputs, scheme, opening bank)' }),
    result: Type.Optional(PeriodResultSchema),
  },
  { description: 'a settlement run; `result` (contract.md §2) once it has succeeded, not for a department head' },
);
export const RunList = Type.Object({ runs: Type.Array(RunView) });

export const DepartmentResult = Type.Object(
  {
    period: Type.String(),
    status: Type.String(),
    department: QuarterlyDepartmentLineSchema,
    individuals: Type.Array(QuarterlyIndividualLineSchema),
  },
  { description: "a department's line and its people's lines in a quarterly run" },
);

const Points = Type.Union([Type.String(), Type.Null()]);
export const PersonLine = Type.Union(
  [
    Type.Object(
      {
        period: Type.String(),
        status: Type.String(),
        line: QuarterlyIndividualLineSchema,
        components: Type.Union([
          Type.Object(
            { title: Points, position: Points, workload: Points, quality: Points, ethics: Points, discipline: Points, penalties: Points },
            { description: 'the points behind the raw score' },
          ),
          Type.Null(),
        ]),
        department: Type.Union([Type.Object({ code: Type.String(), name: Type.String(), final: Type.String(), headcount: Type.Integer() }), Type.Null()]),
        inputs: Type.Optional(
          Type.Union([IndividualInputSchema, Type.Object({ note: Type.String() })], {
            description: 'the individual record the run settled (not shown to finance); a note when the person had none and every default applied',
          }),
        ),
        disputeFines: Type.Optional(Type.String()),
        disputes: Type.Optional(Type.Array(Type.Object({ disputeId: Type.String(), amount: Type.String() }))),
        rules: Type.Array(Type.String(), { description: 'each figure with the rule that produced it' }),
      },
      { description: 'a quarterly line: why this amount' },
    ),
    Type.Object(
      {
        period: Type.String(),
        kind: Type.Literal('annual'),
        status: Type.String(),
        lines: Type.Array(AnnualIndividualLineSchema, { description: 'one per department the person was paid in' }),
      },
      { description: 'a year-end line' },
    ),
  ],
  { description: "one person's line in a run" },
);

export const LinesQuery = Type.Object(
  {
    department: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "only this department's lines" })),
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the cursor: `next` of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  },
  { additionalProperties: false },
);
export const LinesPage = Type.Object({
  period: Type.String(),
  kind: Type.Union([Type.Literal('quarterly'), Type.Literal('annual')]),
  status: Type.String(),
  lines: Type.Union([Type.Array(QuarterlyIndividualLineSchema), Type.Array(AnnualIndividualLineSchema)]),
  next: Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null on the last' }),
});

export const EXPORT_FORMATS = ['csv', 'ndjson', 'xlsx', 'payroll'] as const;
export const ExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union(
        EXPORT_FORMATS.map((f) => Type.Literal(f)),
        { default: 'csv' },
      ),
    ),
    department: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    headers: Type.Optional(
      Type.Union([Type.Literal('zh'), Type.Literal('en')], {
        default: 'zh',
        description:
          'csv and payroll: the header row. zh (the default): Chinese words for people (工号, 姓名, 科室编码…; the payroll file for the finance office, with 期间, 科室 and a 合计 row). en: the field names (staffId, name, department…), for machines, the columns and rows unchanged',
      }),
    ),
    lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh', description: "xlsx: the workbook's language, Chinese by default" })),
  },
  { additionalProperties: false },
);

export const StatementQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html')], { default: 'json' })),
    lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' })),
  },
  { additionalProperties: false },
);
export { AnnualDepartmentStatementSchema, AnnualPersonStatementSchema, DepartmentStatementSchema, PersonStatementSchema };
/** An HTML page, for the statements asked for with format=html. */

const Change = Type.Object({ field: Type.String(), from: Type.Unknown(), to: Type.Unknown() });
const changeKind = Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]);
/** A record that differs, named by its key field, with the fields that changed. */
const changed = <P extends TProperties>(key: P) => Type.Object({ ...key, change: changeKind, fields: Type.Array(Change) });
const ChangedDepartment = changed({ code: Type.String({ description: 'department code' }) });
const ChangedStaff = changed({ id: Type.String({ description: 'staff id' }) });
const ChangedRecord = changed({ staffId: Type.String({ description: 'staff id' }) });
const ChangedLine = Type.Object({
  line: Type.String({ description: 'staffId|department' }),
  staffId: Type.String(),
  department: Type.String(),
  change: changeKind,
  fields: Type.Array(Change),
});
const RunRef = Type.Object({ id: RunId, period: Type.String(), status: Type.String() });
export const RunDiff = Type.Object({
  a: RunRef,
  b: RunRef,
  amounts: Type.Object({ summary: Type.Array(Change), departments: Type.Array(ChangedDepartment), individuals: Type.Array(ChangedLine) }),
  inputs: Type.Object({
    scheme: Type.Array(Change),
    departments: Type.Array(ChangedDepartment),
    staff: Type.Array(ChangedStaff),
    quarter: Type.Array(Change),
    departmentInputs: Type.Array(ChangedDepartment),
    individuals: Type.Array(ChangedRecord),
    openingBank: Type.Array(Change),
    annual: Type.Array(Change),
  }),
});

export const Review = Type.Object({
  department: Type.String(),
  status: Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s))),
  reason: Type.Union([Type.String(), Type.Null()]),
  by: Type.Union([Type.String(), Type.Null()]),
  at: Type.Union([Type.String(), Type.Null()]),
});
export const ReviewList = Type.Object({ reviews: Type.Array(Review) });
export const ReviewResult = Type.Object({ department: Type.String(), status: Type.Union([Type.Literal('acknowledged'), Type.Literal('disputed')]), reason: Type.Union([Type.String(), Type.Null()]) });

export const WhatIfBody = Type.Object(
  { individuals: Type.Array(patchSchema(IndividualInputSchema, ['staffId'], "a merge patch of a person's record in the run"), { maxItems: 5000 }) },
  { additionalProperties: false },
);
export const WhatIfResult = Type.Object({
  period: Type.String(),
  basedOn: RunId,
  department: Type.Union([QuarterlyDepartmentLineSchema, Type.Null()]),
  individuals: Type.Array(QuarterlyIndividualLineSchema),
  note: Type.String(),
});
