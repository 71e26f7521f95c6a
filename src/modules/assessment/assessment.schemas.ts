import { Type } from '@sinclair/typebox';
import { AnnualAssessmentSchema, QuarterlyAssessmentSchema } from '../../core/index.js';
import { AssessmentSchema, ScorecardSchema } from '../../core/schema.js';
import { HospitalCode } from '../../shared/schemas.js';
import { RunId } from '../settlements/settlements.schemas.js';

/** The assessment's records as the scenario spells them (assessment.md §1). */
export const ValueRecordSchema = AssessmentSchema.properties.values.items;
export const DepartmentDefectSchema = AssessmentSchema.properties.departmentDefects.items;
export const PersonalDefectSchema = AssessmentSchema.properties.personalDefects.items;

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Reason = Type.String({ minLength: 1, maxLength: 2000, description: 'why (audited)' });
const CadencePeriod = ValueRecordSchema.properties.period;
const AssessmentQuarter = Type.String({ pattern: '^[0-9]{4}(Q[1-4])?$', description: 'a quarter (2026Q1) or a year (2026)' });

export const ValueParams = Type.Object({ code: HospitalCode, indicator: Text('a leaf’s code'), department: Text('department code'), period: CadencePeriod });
export const ValueBody = Type.Object({ value: ValueRecordSchema.properties.value }, { additionalProperties: false });
export const ValuesBody = Type.Object({ values: Type.Array(ValueRecordSchema, { minItems: 1, maxItems: 100_000 }) }, { additionalProperties: false });
export const ValuesQuery = Type.Object(
  {
    period: Type.Optional(Type.String({ pattern: '^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])?$', description: 'a month, a quarter (its months and itself) or a year (all of it)' })),
    department: Type.Optional(Text('department code')),
  },
  { additionalProperties: false },
);
export const ValuesWritten = Type.Object(
  { written: Type.Integer({ description: 'values that differed from the stored ones, written' }), unchanged: Type.Integer({ description: 'values stored as they are' }) },
  { description: 'what a value write changed' },
);
export const ValueList = Type.Object({
  values: Type.Array(Type.Object({ ...ValueRecordSchema.properties, by: Type.String({ description: 'who wrote it' }), at: Type.String({ description: 'when' }) })),
});

export const ScorecardVersionList = Type.Object({
  versions: Type.Array(
    Type.Object({
      effectiveFrom: Type.String({ description: 'the quarter the version is in force from' }),
      scorecards: Type.Array(ScorecardSchema),
      owners: Type.Array(Type.String(), { description: 'the functional departments that score its leaves' }),
      by: Type.String(),
      at: Type.String(),
    }),
  ),
});

export const DefectParams = Type.Object({ code: HospitalCode, defectId: Text('defect id') });
export const DefectListQuery = Type.Object({ quarter: Type.Optional(AssessmentQuarter), history: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const WithdrawBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const DepartmentCorrection = Type.Object({ ...Type.Omit(DepartmentDefectSchema, ['id']).properties, reason: Reason }, { additionalProperties: false });
export const PersonalCorrection = Type.Object({ ...Type.Omit(PersonalDefectSchema, ['id']).properties, reason: Reason }, { additionalProperties: false });

export const DefectVersion = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('department'), Type.Literal('personal')]),
  version: Type.Integer({ description: 'from 1; a correction or withdrawal adds one' }),
  status: Type.Union([Type.Literal('booked'), Type.Literal('corrected'), Type.Literal('withdrawn'), Type.Literal('overturned')], {
    description: 'withdrawn or overturned (an appeal succeeded): no longer counts',
  }),
  record: Type.Union([DepartmentDefectSchema, PersonalDefectSchema]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why this version corrects or withdraws the one before (null: the first)' }),
  by: Type.String({ description: 'who booked this version' }),
  at: Type.String({ description: 'when' }),
});
export const DefectList = Type.Object({ defects: Type.Array(DefectVersion) });
export const DefectHistory = Type.Object({ id: Type.String(), kind: Type.Union([Type.Literal('department'), Type.Literal('personal')]), versions: Type.Array(DefectVersion) });

// ------------------------------------------------------------------ lineage

export const LineageDepartmentParams = Type.Object({ id: RunId, department: Text('department code') });
export const LineageStaffParams = Type.Object({ id: RunId, staffId: Text('staff id') });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Deduction = Type.Object({ points: Nullable(Type.String({ description: 'the deduction (6 decimals); null at the year-end' })), defects: Type.Array(DepartmentDefectSchema) });
const RunFields = { runId: RunId, period: Type.String(), kind: Type.Union([Type.Literal('quarterly'), Type.Literal('annual')]) };
const Grade = QuarterlyAssessmentSchema.properties.departments.items.properties.grade;

export const DepartmentLineage = Type.Object(
  {
    ...RunFields,
    department: Type.String(),
    scorecard: Nullable(Type.String()),
    score: Nullable(Type.String()),
    grade: Grade,
    assessmentFactor: Type.Optional(AnnualAssessmentSchema.properties.departments.items.properties.assessmentFactor),
    deductions: Type.Object(
      { medical: Deduction, nursing: Deduction, infectionControl: Deduction, ethics: Deduction, admin: Deduction },
      { description: 'the defects behind each deduction: medical, nursing and infection control make the quality score, ethics the ethics score, admin the admin deductions' },
    ),
    indicators: Type.Array(
      Type.Object({
        code: Type.String(),
        score: Nullable(Type.String()),
        attainment: Nullable(Type.String()),
        values: Type.Array(ValueRecordSchema, { description: 'the value records behind the leaf’s attainment' }),
        defects: Type.Array(DepartmentDefectSchema, { description: 'a defects leaf: the defects booked against it' }),
      }),
      { description: 'every assessed leaf behind the score (and the year-end’s assessment factor)' },
    ),
  },
  { description: 'where a department’s assessed figures in a run came from' },
);

export const PersonLineage = Type.Object(
  {
    ...RunFields,
    staffId: Type.String(),
    assessment: Type.Union([QuarterlyAssessmentSchema.properties.individuals.items, AnnualAssessmentSchema.properties.individuals.items], { description: 'the person’s line of the assessment block' }),
    defects: Type.Array(PersonalDefectSchema, { description: 'every defect of the period' }),
    errors: Type.Array(PersonalDefectSchema, { description: 'behind the derived errors' }),
    accident: Type.Array(PersonalDefectSchema, { description: 'behind the derived accident' }),
    ethics: Type.Array(PersonalDefectSchema, { description: 'behind the ethics deduction (the ethics points) and ethicsZero' }),
  },
  { description: 'where a person’s assessed figures in a run came from' },
);

// ------------------------------------------------------------------ appeals

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'a UUID' });
const DefectKindSchema = Type.Union([Type.Literal('department'), Type.Literal('personal')]);
const AppealStatusSchema = Type.Union([Type.Literal('open'), Type.Literal('upheld'), Type.Literal('overturned')], {
  description: 'open until an admin decides; upheld: the defect stands; overturned: it no longer counts',
});

export const AppealBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const AppealParams = Type.Object({ code: HospitalCode, appealId: Uuid });
export const AppealsQuery = Type.Object({ status: Type.Optional(AppealStatusSchema) }, { additionalProperties: false });
export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('upheld'), Type.Literal('overturned')], { description: 'overturned: the defect gets a new version that no longer counts' }),
    reason: Reason,
  },
  { additionalProperties: false },
);

export const AppealSchema = Type.Object(
  {
    id: Uuid,
    kind: DefectKindSchema,
    defectId: Type.String(),
    defectVersion: Type.Integer({ description: 'the version of the defect appealed against' }),
    month: Type.String({ description: 'the defect’s month: its quarter cannot be approved without an override while the appeal is open' }),
    department: Type.String({ description: 'the department appealing: the defect’s, or its person’s' }),
    reason: Type.String(),
    appellant: Type.String(),
    at: Type.String(),
    status: AppealStatusSchema,
    decision: Type.Union([Type.Object({ reason: Type.String(), by: Type.String(), at: Type.String() }), Type.Null()], { description: 'the admin’s decision, once made' }),
  },
  { description: 'an appeal (申诉) of an assessment defect' },
);
export const AppealWithDefect = Type.Object({ ...AppealSchema.properties, defect: Type.Union([DepartmentDefectSchema, PersonalDefectSchema], { description: 'the defect as it stood' }) });
export const AppealList = Type.Object({ appeals: Type.Array(AppealSchema) });

// ------------------------------------------------------------------ a department's register

export const DepartmentRegisterParams = Type.Object({ code: HospitalCode, department: Text('department code') });
export const DepartmentRegisterQuery = Type.Object({ quarter: AssessmentQuarter }, { additionalProperties: false });
export const DepartmentRegister = Type.Object(
  {
    department: Type.String(),
    quarter: Type.String(),
    values: ValueList.properties.values,
    departmentDefects: Type.Array(DefectVersion, { description: 'the defects booked against the department (current versions)' }),
    personalDefects: Type.Array(DefectVersion, { description: 'the defects booked against its people (current versions)' }),
    appeals: Type.Array(AppealSchema, { description: 'the appeals of these defects, open and decided' }),
  },
  { description: 'what the assessment holds of one department in a quarter (or year): its values, the defects against it and its people, their appeals' },
);

export const TemplateQuery = Type.Object(
  {
    period: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])?$',
        description: 'the cadence period of the template: a month (2026-04, the monthly indicators), a quarter (2026Q2, the quarterly ones) or a year (2026, the yearly ones)',
      }),
    ),
    month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'a month, as `period` takes it (kept for callers that name the month so)' })),
  },
  { additionalProperties: false, description: 'one of period and month' },
);
