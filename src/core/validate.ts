import { Type } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { EngineError, fail, type EngineErrorCode, type ErrorDetail } from './errors.js';
import { MONEY_INTEGER_DIGITS, PAY_RATIO_OVERRIDE_MAX, SCHEME_BOUNDS } from './bounds.js';
import { messages, type IntegerKind } from './messages.js';
import { Dec, ONE, ZERO, cmpDec, compareKeys, sum } from './money.js';
import { mergeScheme, toScheme, type Scheme } from './scheme.js';
import { AssessmentSchema, ELIGIBLE_EMPLOYMENTS, ScenarioSchema, type DepartmentInput, type IndividualInput, type PeriodInput, type Scenario } from './schema.js';
import type { AdminInputs, AnnualInputs, ClinicalInputs, Department, DepartmentInputs, Hospital, IndividualInputs, QuarterInputs, Dispute, RiskInputs, Staff, ValidatedScenario } from './types.js';
import { applyAssessment } from './assessment/apply.js';
import { disputeEffects, type DisputeEffects } from './disputes.js';
import { compiledOnUse } from './compiled.js';

/**
 * The scenario's checkers are compiled on their first use, not when this module loads: the
 * service loads the engine at start and validates nothing until a settlement or an import asks
 * (compiling both took some 8 ms of each start, issue #16).
 */
const checkScenario = compiledOnUse(() => ScenarioSchema);
/**
 * The scenario's schema but for the form of the assessment's value records (tens of thousands in
 * a year): the assessment checks that form as it reads them (assessment/validate.ts), so the
 * document is not walked twice. Whenever a scenario that fits this schema is refused, the whole
 * schema is checked first, so that a record not of the form is reported exactly as before.
 */
const checkAllButValues = compiledOnUse(() =>
  Type.Object(
    {
      ...ScenarioSchema.properties,
      assessment: Type.Optional(Type.Object({ ...AssessmentSchema.properties, values: Type.Optional(Type.Array(Type.Unknown())) }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
);
const MAX_DETAILS = 20;

/**
 * Validates a parsed scenario document and returns the hospital the engine computes on.
 * Throws an EngineError naming the first offending record and field (allocation-rules.md §5);
 * its `details` list further structural problems, up to 20.
 */
export function validateScenario(doc: unknown): ValidatedScenario {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    fail('invalid_document', messages.document.notAnObject(), '');
  }
  if (!checkAllButValues().Check(doc)) throw structuralError(doc);
  const scenario = doc as Scenario;
  if (!scenario.assessment?.values) return validated(scenario);
  try {
    return validated(scenario);
  } catch (e) {
    // a value record not of the form is the scenario's problem of form, whatever was refused first
    if (!checkScenario().Check(doc)) throw structuralError(doc);
    throw e;
  }
}

/** validateScenario's checks after the schema's. */
function validated(scenario: Scenario): ValidatedScenario {
  const scheme = validateScheme(scenario);
  const departments = validateDepartments(scenario);
  const staff = validateStaff(scenario, departments, scheme);
  const hospital: Hospital = {
    code: scenario.hospital.code,
    name: scenario.hospital.name ?? '',
    scheme,
    departments: [...departments.values()].sort((a, b) => compareKeys(a.code, b.code)),
    staff: [...staff.values()].sort((a, b) => compareKeys(a.id, b.id)),
  };
  const quarters = validatePeriods(scenario, hospital, departments, staff);
  const periods = new Set(quarters.map((q) => q.period));
  const disputes = validateDisputes(scenario.disputes ?? [], 'disputes', departments, staff, (p) => periods.has(p));
  const prior = validateDisputes(scenario.priorDisputes ?? [], 'priorDisputes', departments, staff, (p) => !periods.has(p));
  const duplicate = prior.find((p) => disputes.some((d) => d.id === p.id));
  if (duplicate) fail('duplicate', messages.check.disputeListedTwice(messages.record.dispute(duplicate.id)), `${duplicate.path}.id`);
  const all = [...prior, ...disputes].sort((a, b) => compareKeys(a.bookedIn, b.bookedIn) || compareKeys(a.id, b.id));
  const effects = all.length > 0 ? disputeEffects(all, scheme) : null;
  for (const q of quarters) {
    q.disputeFines = effects ? (effects.fines.get(q.period) ?? new Map()) : null;
    q.disputeItems = effects?.items.get(q.period) ?? new Map();
    q.suspended = effects?.suspensions.get(q.period) ?? new Map();
  }
  const annual = scenario.annual ? validateAnnual(scenario, departments, staff, effects) : null;
  if (scenario.assessment) applyAssessment(scenario, hospital, { departments, staff }, quarters, annual, (workingDays) => defaultIndividualInputs(workingDays, scheme));
  return { hospital, quarters, annual, disputes: all };
}

// ---------------------------------------------------------------- structural errors

function structuralError(doc: unknown): EngineError {
  return schemaError(doc, checkScenario().Errors(doc));
}

/**
 * The EngineError for a value that does not fit a schema of src/core/schema.ts: the first
 * problem, with up to 20 in `details`. The service uses it for every request body too.
 */
export function schemaError(doc: unknown, errors: Iterable<ValueError>, pathPrefix = ''): EngineError {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of flatten(errors)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const detail = describe(doc, e);
    details.push(pathPrefix ? { ...detail, path: detail.path ? `${pathPrefix}.${detail.path}` : pathPrefix } : detail);
    if (details.length >= MAX_DETAILS) break;
  }
  promoteTypos(details);
  const first = details[0] ?? { code: 'invalid_document' as const, message: messages.document.doesNotFit(), path: '' };
  return new EngineError(first.code, first.message, first.path, details);
}

/**
 * A record with a misspelt field has both an unknown field and a missing one; the unknown one
 * is reported first, since it names what the sender actually wrote.
 */
function promoteTypos(details: ErrorDetail[]): void {
  const parent = (path: string) => path.replace(/(\.[^.[]+|\[[^\]]+\])$/, '');
  for (let i = 0; i < details.length; i++) {
    const d = details[i]!;
    if (d.code !== 'unknown_field') continue;
    const j = details.findIndex((m, k) => k < i && m.code === 'missing_field' && parent(m.path) === parent(d.path));
    if (j >= 0) details.splice(j, 0, ...details.splice(i, 1));
  }
}

/**
 * A value that may be null but is not (an `annual` section, `costCoefficientBounds`) is reported
 * by the errors of its non-null form, so the path reaches the field that is wrong.
 */
function* flatten(errors: Iterable<ValueError>): Generator<ValueError> {
  for (const e of errors) {
    const schema = e.schema as Record<string, unknown>;
    if (schema['x-kind'] === 'nullable' && e.value !== null && e.type === ValueErrorType.Union) {
      const options = schema.anyOf as Record<string, unknown>[];
      const index = options.findIndex((o) => o.type !== 'null');
      const inner = e.errors[index];
      if (inner && typeof e.value === 'object' && !Array.isArray(e.value) && options[index]?.type === 'object') {
        yield* flatten(inner);
        continue;
      }
    }
    yield e;
  }
}

function describe(doc: unknown, e: ValueError): ErrorDetail {
  const segments = e.path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = toPath(segments);
  const last = segments.at(-1);
  const field = last === undefined ? 'document' : /^[0-9]+$/.test(last) ? `${segments.at(-2) ?? ''}[${last}]` : last;
  const at = `${recordLabel(doc, segments)}${field}`;
  const got = e.value;
  const schema = innerOfNullable(e.schema as Record<string, unknown>);
  const kind = schema['x-kind'];
  const say = messages.structure;
  if (e.type === ValueErrorType.ObjectRequiredProperty) return { code: 'missing_field', message: say.required(at), path };
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return { code: 'unknown_field', message: say.notAField(at), path };
  switch (kind) {
    case 'decimal':
      if (typeof got === 'string' && /^-[0-9]+(\.[0-9]+)?$/.test(got)) return { code: 'invalid_value', message: say.negative(at, got), path };
      if (typeof got === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(got)) return { code: 'invalid_value', message: say.tooManyDigits(at, got), path };
      return { code: 'invalid_type', message: say.notDecimal(at, got), path };
    case 'money':
    case 'signedMoney':
      if (kind === 'money' && typeof got === 'string' && /^-[0-9]+(\.[0-9]+)?$/.test(got)) return { code: 'invalid_value', message: say.negative(at, got), path };
      if (typeof got === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(got)) return { code: 'invalid_value', message: say.moneyTooLarge(at, MONEY_INTEGER_DIGITS, got), path };
      return { code: 'invalid_type', message: kind === 'money' ? say.notDecimal(at, got) : say.notSignedDecimal(at, got), path };
    case 'signedDecimal':
      if (typeof got === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(got)) return { code: 'invalid_value', message: say.tooManyDigits(at, got), path };
      return { code: 'invalid_type', message: say.notSignedDecimal(at, got), path };
    case 'count':
    case 'positiveCount':
    case 'quarterNumber':
    case 'year': {
      const isInteger = typeof got === 'number' && Number.isInteger(got);
      return { code: isInteger ? 'invalid_value' : 'invalid_type', message: say.notInteger(at, kind as IntegerKind, got), path };
    }
    case 'integerOrDecimal':
      if ((typeof got === 'number' && Number.isInteger(got) && got < 0) || (typeof got === 'string' && /^-[0-9]+(\.[0-9]+)?$/.test(got))) {
        return { code: 'invalid_value', message: say.negative(at, got), path };
      }
      return { code: 'invalid_type', message: say.notIntegerOrDecimal(at, got), path };
    case 'enum':
      return { code: 'invalid_enum', message: say.notOneOf(at, schema['x-values'] as string[], schema !== e.schema, got), path };
    case 'boolean':
      return { code: 'invalid_type', message: say.notBoolean(at, got), path };
    case 'code':
      return { code: 'invalid_type', message: say.notCode(at, got), path };
    case 'quarter':
      return { code: 'invalid_type', message: say.notQuarter(at, got), path };
    case 'month':
      return { code: 'invalid_type', message: say.notMonth(at, got), path };
    case 'assessmentPeriod':
      return { code: 'invalid_type', message: say.notAssessmentPeriod(at, got), path };
  }
  if (e.type === ValueErrorType.Array) return { code: 'invalid_type', message: say.notList(at, got), path };
  if (e.type === ValueErrorType.Object) return { code: 'invalid_type', message: say.notObject(at, got), path };
  if (e.type === ValueErrorType.ArrayMinItems) return { code: 'invalid_value', message: say.empty(at), path };
  if (e.type === ValueErrorType.StringMaxLength) return { code: 'invalid_value', message: say.tooLong(at), path };
  if (e.type === ValueErrorType.String) return { code: 'invalid_type', message: say.notString(at, got), path };
  return { code: 'invalid_type', message: say.other(at, e.message, got), path };
}

/** A value that may be null is described by what it is when it is not. */
function innerOfNullable(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema['x-kind'] !== 'nullable') return schema;
  const options = schema.anyOf as Record<string, unknown>[];
  return options.find((o) => o.type !== 'null') ?? schema;
}

/** `periods[0].departments[2].totalCost` from JSON-pointer segments. */
export function toPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^[0-9]+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The field that holds each list's records' own key (a list not named here: records by number). */
const RECORD_KEYS: Record<string, string> = {
  periods: 'period',
  staff: 'id',
  individuals: 'staffId',
  departments: 'code',
  scorecards: 'id',
  indicators: 'code',
  children: 'code',
  departmentDefects: 'id',
  personalDefects: 'id',
};

/** "period 2026Q1, department IM: " — the records a path runs through, by their own keys. */
function recordLabel(doc: unknown, segments: readonly string[]): string {
  const labels: string[] = [];
  let node: unknown = doc;
  let parentKey = '';
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    node = (node as Record<string, unknown> | undefined)?.[seg];
    if (/^[0-9]+$/.test(seg) && typeof node === 'object' && node !== null) {
      const keyField = RECORD_KEYS[parentKey];
      const key = keyField ? (node as Record<string, unknown>)[keyField] : undefined;
      const label = typeof key === 'string' ? messages.record.inList(parentKey, key) : messages.record.numberedInList(parentKey, Number.parseInt(seg, 10));
      if (label) labels.push(label);
    } else if (seg === 'annual' || seg === 'scheme' || seg === 'hospital' || seg === 'assessment') {
      labels.push(messages.record.section(seg));
    }
    parentKey = seg;
  }
  return messages.record.prefix(labels);
}

// ---------------------------------------------------------------- scheme, departments, staff

function validateScheme(scenario: Scenario): Scheme {
  const scheme = toScheme(mergeScheme(scenario.scheme));
  checkSchemeBounds(scheme);
  checkGradeLists(scheme);
  const bounds = scheme.costCoefficientBounds;
  if (bounds?.min.gt(bounds.max)) {
    fail('invalid_scheme', messages.scheme.costBoundsReversed(), 'scheme.costCoefficientBounds');
  }
  const bands = scheme.studyLeave;
  for (let i = 0; i < bands.length; i++) {
    const max = bands[i]!.maxMonths;
    const last = i === bands.length - 1;
    if (last !== (max === null)) {
      fail('invalid_scheme', messages.scheme.studyLeaveOpenBand(), `scheme.studyLeave[${i}].maxMonths`);
    }
    const prev = bands[i - 1]?.maxMonths;
    if (max && prev && !max.gt(prev)) {
      fail('invalid_scheme', messages.scheme.studyLeaveNotAscending(), `scheme.studyLeave[${i}].maxMonths`);
    }
  }
  return scheme;
}

/** The bounds of src/core/bounds.ts: rates and shares at most 1, multipliers at most 10, the reserve within the pool. */
function checkSchemeBounds(scheme: Scheme): void {
  for (const bound of SCHEME_BOUNDS) {
    for (const [segments, value] of parametersAt(scheme, bound.path.split('.'), ['scheme'])) {
      if (value instanceof Dec && cmpDec(value, bound.max) > 0) {
        const path = toPath(segments);
        fail('invalid_scheme', messages.scheme.aboveBound(path.slice('scheme.'.length), bound.kind, bound.max.toString(), value.toString()), path);
      }
    }
  }
  if (cmpDec(scheme.reserveRate, scheme.poolRate) > 0) {
    fail('invalid_scheme', messages.scheme.reserveAbovePool(scheme.reserveRate.toString(), scheme.poolRate.toString()), 'scheme.reserveRate');
  }
}

/** assessment.md: each grade list's mins descend, and the last is 0 (every score has a grade). */
function checkGradeLists(scheme: Scheme): void {
  for (const list of ['departmentGrades', 'directorGrades', 'personalGrades'] as const) {
    const bands = scheme.assessment[list];
    const path = `scheme.assessment.${list}`;
    bands.forEach((b, i) => {
      if (i > 0 && cmpDec(b.min, bands[i - 1]!.min) >= 0) fail('invalid_scheme', messages.scheme.gradesNotDescending(list), `${path}[${i}].min`);
    });
    if (!bands.at(-1)!.min.isZero()) fail('invalid_scheme', messages.scheme.gradesNotEndingAtZero(list), `${path}[${bands.length - 1}].min`);
  }
}

/** The values at a parameter path of the scheme (`*`: every key or index), with their paths. */
function* parametersAt(node: unknown, rest: readonly string[], at: (string | number)[]): Generator<[(string | number)[], unknown]> {
  if (rest.length === 0) {
    yield [at, node];
    return;
  }
  if (typeof node !== 'object' || node === null || node instanceof Dec) return;
  const [head, ...tail] = rest as [string, ...string[]];
  const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node as Record<string, unknown>);
  for (const [key, value] of entries) if (head === '*' || head === String(key)) yield* parametersAt(value, tail, [...at, key]);
}

function validateDepartments(scenario: Scenario): Map<string, Department> {
  const departments = new Map<string, Department>();
  scenario.departments.forEach((d, i) => {
    const path = `departments[${i}]`;
    const where = messages.record.department(d.code);
    if (departments.has(d.code)) fail('duplicate', messages.check.duplicateCode(where, 'departments'), `${path}.code`);
    if (d.kind === 'admin' && !d.adminClass) fail('missing_field', messages.check.adminClassRequired(where), `${path}.adminClass`);
    if (d.kind === 'clinical' && d.adminClass) fail('not_applicable', messages.check.adminOnly(where, 'adminClass'), `${path}.adminClass`);
    const riskCoefficient = new Dec(d.riskCoefficient);
    if (riskCoefficient.lte(0)) fail('invalid_value', messages.check.notPositive(where, 'riskCoefficient'), `${path}.riskCoefficient`);
    departments.set(d.code, {
      code: d.code,
      name: d.name,
      kind: d.kind,
      adminClass: d.kind === 'admin' ? d.adminClass! : null,
      riskCoefficient,
    });
  });
  return departments;
}

function validateStaff(scenario: Scenario, departments: Map<string, Department>, scheme: Scheme): Map<string, Staff> {
  const staff = new Map<string, Staff>();
  scenario.staff.forEach((s, i) => {
    const path = `staff[${i}]`;
    const where = messages.record.staff(s.id);
    if (staff.has(s.id)) fail('duplicate', messages.check.duplicateId(where, 'staff'), `${path}.id`);
    if (!departments.has(s.department)) fail('unknown_reference', messages.check.unknownDepartment(where, s.department), `${path}.department`);
    const payRatioOverride = s.payRatioOverride == null ? null : new Dec(s.payRatioOverride);
    if (payRatioOverride && cmpDec(payRatioOverride, PAY_RATIO_OVERRIDE_MAX) > 0) {
      fail('invalid_value', messages.check.aboveMaximum(where, 'payRatioOverride', PAY_RATIO_OVERRIDE_MAX.toString()), `${path}.payRatioOverride`);
    }
    const eligible = (ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(s.employment);
    if (eligible && !payRatioOverride) {
      const table = scheme.payRatios[s.employment];
      if (!table?.[s.titleGrade] && !table?.['*']) {
        fail('invalid_scheme', messages.check.noPayRatio(where, s.employment, s.titleGrade), `${path}.titleGrade`);
      }
    }
    staff.set(s.id, {
      id: s.id,
      name: s.name,
      department: s.department,
      titleGrade: s.titleGrade,
      position: s.position ?? null,
      employment: s.employment,
      role: s.role,
      licensed: s.licensed ?? true,
      payRatioOverride,
    });
  });
  return staff;
}

// ---------------------------------------------------------------- quarters

function validatePeriods(scenario: Scenario, hospital: Hospital, departments: Map<string, Department>, staff: Map<string, Staff>): QuarterInputs[] {
  const seen = new Set<string>();
  const quarters = (scenario.periods ?? []).map((p, i) => {
    const path = `periods[${i}]`;
    if (seen.has(p.period)) fail('duplicate', messages.check.duplicateQuarter(messages.record.period(p.period)), `${path}.period`);
    seen.add(p.period);
    return validateQuarter(p, path, hospital.scheme, departments, staff);
  });
  return quarters.sort((a, b) => compareKeys(a.period, b.period));
}

function validateQuarter(p: PeriodInput, path: string, scheme: Scheme, departments: Map<string, Department>, staff: Map<string, Staff>): QuarterInputs {
  const label = messages.record.period(p.period);
  const deptInputs = new Map<string, DepartmentInputs>();
  p.departments.forEach((d, j) => {
    const dPath = `${path}.departments[${j}]`;
    const dept = departments.get(d.code);
    if (!dept) fail('unknown_reference', messages.check.unknownDepartment(label, d.code), `${dPath}.code`);
    if (deptInputs.has(d.code)) fail('duplicate', messages.check.duplicateDepartmentRecord(label, d.code), `${dPath}.code`);
    const where = messages.record.within(label, messages.record.department(d.code));
    deptInputs.set(d.code, dept.kind === 'clinical' ? clinicalInputs(d, dPath, where) : adminInputs(d, dPath, where));
  });
  const individuals = new Map<string, IndividualInputs>();
  const intern = interner();
  const quarter: QuarterAt = { path, label, workingDays: p.workingDays };
  (p.individuals ?? []).forEach((r, k) => {
    if (!staff.has(r.staffId)) fail('unknown_reference', messages.check.unknownStaff(label, r.staffId), `${path}.individuals[${k}].staffId`);
    if (individuals.has(r.staffId)) fail('duplicate', messages.check.duplicateIndividualRecord(label, r.staffId), `${path}.individuals[${k}].staffId`);
    individuals.set(r.staffId, individualInputs(r, k, quarter, scheme, departments, intern));
  });
  return {
    period: p.period,
    year: Number.parseInt(p.period.slice(0, 4), 10),
    quarter: Number.parseInt(p.period.slice(5), 10),
    path,
    revenue: new Dec(p.revenue),
    workingDays: p.workingDays,
    adjustment: p.adjustment == null ? ZERO : new Dec(p.adjustment),
    departments: deptInputs,
    individuals,
    disputeFines: null,
    disputeItems: new Map(),
    suspended: new Map(),
    derivedDefaults: new Map(),
    assessment: null,
  };
}

const CLINICAL_ONLY = ['workload', 'qualityDeductions', 'medicalRevenue', 'drugRevenue', 'totalCost', 'variableCost', 'costQuotaRatio', 'outpatientFee', 'inpatientFee', 'drugRatioTarget'] as const;

function clinicalInputs(d: DepartmentInput, path: string, label: string): ClinicalInputs {
  if (d.adminDeductions !== undefined) fail('not_applicable', messages.check.adminOnly(label, 'adminDeductions'), `${path}.adminDeductions`);
  const workload = (d.workload ?? []).map((w, k) => {
    const base = new Dec(w.base);
    if (base.lte(0)) fail('invalid_value', messages.check.workloadBaseNotPositive(label, w.indicator ?? `#${k + 1}`), `${path}.workload[${k}].base`);
    return { actual: new Dec(w.actual), base, weight: w.weight === undefined ? null : new Dec(w.weight) };
  });
  const weighted = workload.filter((w) => w.weight !== null).length;
  if (weighted > 0 && weighted < workload.length) {
    fail('invalid_value', messages.check.someWeightsMissing(label), `${path}.workload[${workload.findIndex((w) => w.weight === null)}].weight`);
  }
  if (weighted > 0 && !sum(workload.map((w) => w.weight!)).eq(ONE)) {
    fail('invalid_value', messages.check.weightsNotOne(label), `${path}.workload`);
  }
  const totalCost = dec(d.totalCost);
  if (totalCost?.lte(0)) fail('invalid_value', messages.check.notPositive(label, 'totalCost'), `${path}.totalCost`);
  if (d.costQuotaRatio !== undefined && d.variableCost === undefined) {
    fail('missing_field', messages.check.costQuotaWithoutVariableCost(label), `${path}.variableCost`);
  }
  for (const fee of ['outpatientFee', 'inpatientFee'] as const) {
    if (d[fee] && new Dec(d[fee].target).lte(0)) fail('invalid_value', messages.check.notPositive(label, `${fee}.target`), `${path}.${fee}.target`);
  }
  const q = d.qualityDeductions ?? {};
  return {
    kind: 'clinical',
    path,
    workload,
    qualityDeductions: { medical: dec(q.medical) ?? ZERO, nursing: dec(q.nursing) ?? ZERO, infectionControl: dec(q.infectionControl) ?? ZERO },
    ethicsDeductions: dec(d.ethicsDeductions) ?? ZERO,
    medicalRevenue: dec(d.medicalRevenue),
    drugRevenue: dec(d.drugRevenue) ?? ZERO,
    totalCost,
    variableCost: dec(d.variableCost),
    costQuotaRatio: dec(d.costQuotaRatio),
    outpatientFee: d.outpatientFee ? { actual: new Dec(d.outpatientFee.actual), target: new Dec(d.outpatientFee.target) } : null,
    inpatientFee: d.inpatientFee ? { actual: new Dec(d.inpatientFee.actual), target: new Dec(d.inpatientFee.target) } : null,
    drugRatioTarget: dec(d.drugRatioTarget),
    inventoryLoss: dec(d.inventoryLoss) ?? ZERO,
  };
}

function adminInputs(d: DepartmentInput, path: string, label: string): AdminInputs {
  for (const field of CLINICAL_ONLY) {
    if (d[field] !== undefined) fail('not_applicable', messages.check.clinicalOnly(label, field), `${path}.${field}`);
  }
  return {
    kind: 'admin',
    path,
    adminDeductions: dec(d.adminDeductions) ?? ZERO,
    ethicsDeductions: dec(d.ethicsDeductions) ?? ZERO,
    inventoryLoss: dec(d.inventoryLoss) ?? ZERO,
  };
}

/** A quarter's path and label, and its working days, for its individual records. */
interface QuarterAt {
  path: string;
  label: string;
  workingDays: number;
}

/**
 * An individual record's error; its path and label are made only here, for the record refused,
 * not for each of a year's 40,000 (and no closure per record: under tsx each gets a name set on it).
 */
function refuseIndividual(code: EngineErrorCode, quarter: QuarterAt, r: IndividualInput, k: number, field: string, message: (label: string) => string): never {
  return fail(code, message(messages.record.within(quarter.label, messages.record.staff(r.staffId))), `${quarter.path}.individuals[${k}].${field}`);
}

function individualInputs(r: IndividualInput, k: number, quarter: QuarterAt, scheme: Scheme, departments: Map<string, Department>, intern: Interner): IndividualInputs {
  const base = scheme.individualBase;
  const workloadScore = r.workloadScore === undefined ? base.workload : intern(r.workloadScore);
  if (cmpDec(workloadScore, base.workload) > 0) {
    refuseIndividual('invalid_value', quarter, r, k, 'workloadScore', (label) => messages.check.aboveMaximum(label, 'workloadScore', base.workload.toString()));
  }
  const ethicsDeduction = r.ethicsDeduction === undefined ? ZERO : intern(r.ethicsDeduction);
  if (cmpDec(ethicsDeduction, base.ethics) > 0) {
    refuseIndividual('invalid_value', quarter, r, k, 'ethicsDeduction', (label) => messages.check.aboveMaximum(label, 'ethicsDeduction', base.ethics.toString()));
  }
  const requiredDays = r.requiredDays ?? quarter.workingDays;
  if (requiredDays <= 0) refuseIndividual('invalid_value', quarter, r, k, 'requiredDays', (label) => messages.check.notPositive(label, 'requiredDays'));
  const absentDays = r.absentDays ?? 0;
  if (absentDays > requiredDays) refuseIndividual('invalid_value', quarter, r, k, 'absentDays', (label) => messages.check.absentAboveRequired(label, absentDays, requiredDays));
  const department = r.department;
  if (department && !departments.has(department)) refuseIndividual('unknown_reference', quarter, r, k, 'department', (label) => messages.check.unknownDepartment(label, department));
  return {
    workloadScore,
    errors: r.errors ?? 0,
    accident: r.accident ?? false,
    ethicsDeduction,
    ethicsZero: r.ethicsZero ?? false,
    lateOver5: r.lateOver5 ?? 0,
    lateOver30: r.lateOver30 ?? 0,
    absentHalfDays: r.absentHalfDays ?? 0,
    absentFullDays: r.absentFullDays ?? 0,
    requiredDays,
    absentDays,
    overtimeDays: r.overtimeDays ?? 0,
    cmeCredits: r.cmeCredits === undefined ? null : intern(r.cmeCredits),
    refusedTraining: r.refusedTraining ?? false,
    studyLeaveMonths: r.studyLeaveMonths === undefined ? ZERO : intern(r.studyLeaveMonths),
    department: r.department ?? null,
    managerAssessmentPassed: r.managerAssessmentPassed ?? true,
    fines: r.fines === undefined ? ZERO : intern(r.fines),
  };
}

/** The defaults of an eligible staff member with no individual record: full marks (§2). */
export function defaultIndividualInputs(workingDays: number, scheme: Scheme): IndividualInputs {
  return {
    workloadScore: scheme.individualBase.workload,
    errors: 0,
    accident: false,
    ethicsDeduction: ZERO,
    ethicsZero: false,
    lateOver5: 0,
    lateOver30: 0,
    absentHalfDays: 0,
    absentFullDays: 0,
    requiredDays: workingDays,
    absentDays: 0,
    overtimeDays: 0,
    cmeCredits: null,
    refusedTraining: false,
    studyLeaveMonths: ZERO,
    department: null,
    managerAssessmentPassed: true,
    fines: ZERO,
  };
}

// ---------------------------------------------------------------- year-end

function validateAnnual(scenario: Scenario, departments: Map<string, Department>, staff: Map<string, Staff>, effects: DisputeEffects | null): AnnualInputs {
  const a = scenario.annual!;
  const ANNUAL = messages.record.section('annual');
  const assessmentFactors = new Map<string, Dec>();
  const risk = new Map<string, RiskInputs>();
  (a.departments ?? []).forEach((d, j) => {
    const path = `annual.departments[${j}]`;
    if (!departments.has(d.code)) fail('unknown_reference', messages.check.unknownDepartment(ANNUAL, d.code), `${path}.code`);
    if (assessmentFactors.has(d.code)) fail('duplicate', messages.check.duplicateAnnualRecord(ANNUAL, d.code), `${path}.code`);
    assessmentFactors.set(d.code, d.assessmentFactor === undefined ? ONE : new Dec(d.assessmentFactor));
    if (d.openBeds !== undefined || d.emergency !== undefined || d.benefitGrowth !== undefined) {
      risk.set(d.code, { openBeds: d.openBeds ?? null, emergency: d.emergency ?? false, benefitGrowth: d.benefitGrowth === undefined ? null : new Dec(d.benefitGrowth) });
    }
  });
  const failedStaff = new Set<string>();
  (a.failedStaff ?? []).forEach((id, k) => {
    const path = `annual.failedStaff[${k}]`;
    if (!staff.has(id)) fail('unknown_reference', messages.check.unknownFailedStaff(ANNUAL, id), path);
    if (failedStaff.has(id)) fail('duplicate', messages.check.failedStaffTwice(ANNUAL, id), path);
    failedStaff.add(id);
  });
  // disputes-and-awards §4: a grade_fail of the year fails the person at the year-end
  const flags = effects ? (effects.flags.get(a.year) ?? []) : null;
  for (const f of flags ?? []) if (f.flag === 'grade_fail' && 'staffId' in f) failedStaff.add(f.staffId);
  return {
    year: a.year,
    path: 'annual',
    adjustment: a.adjustment == null ? ZERO : new Dec(a.adjustment),
    assessmentFactors,
    failedStaff,
    riskInputs: risk.size > 0 ? risk : null,
    flags,
    disputeDepartments: effects?.named.get(a.year) ?? new Set(),
    assessment: null,
  };
}

// ---------------------------------------------------------------- disputes

/** disputes-and-awards.md §1: every reference checked; returned in (bookedIn, id) order. */
function validateDisputes(
  records: Scenario['disputes'] & object,
  key: 'disputes' | 'priorDisputes',
  departments: Map<string, Department>,
  staff: Map<string, Staff>,
  bookable: (period: string) => boolean,
): Dispute[] {
  const ids = new Set<string>();
  const disputes = records.map((d, i): Dispute => {
    const path = `${key}[${i}]`;
    const label = messages.record.dispute(d.id);
    if (ids.has(d.id)) fail('duplicate', messages.check.duplicateId(label, 'disputes'), `${path}.id`);
    ids.add(d.id);
    if (!bookable(d.bookedIn)) {
      if (key === 'disputes') fail('unknown_reference', messages.check.disputeNotInScenario(label, d.bookedIn), `${path}.bookedIn`);
      fail('invalid_value', messages.check.priorDisputeInScenario(label, d.bookedIn), `${path}.bookedIn`);
    }
    const named = new Set<string>();
    let shares = ZERO;
    const parties = d.parties.map((p, j) => {
      const pPath = `${path}.parties[${j}]`;
      if (!departments.has(p.department)) fail('unknown_reference', messages.check.unknownDepartment(label, p.department), `${pPath}.department`);
      if (named.has(p.department)) fail('duplicate', messages.check.partyTwice(label, p.department), `${pPath}.department`);
      named.add(p.department);
      for (const role of ['responsible', 'teamLead', 'departmentHead'] as const) {
        const id = p[role];
        if (id && !staff.has(id)) fail('unknown_reference', messages.check.unknownStaffInRole(label, role, id), `${pPath}.${role}`);
      }
      if (p.departmentType === 'bed' && !p.teamLead) fail('missing_field', messages.check.bedPartyWithoutTeamLead(label, p.department), `${pPath}.teamLead`);
      const share = new Dec(p.share);
      shares = shares.plus(share);
      return {
        department: p.department,
        share,
        departmentType: p.departmentType,
        responsible: p.responsible,
        teamLead: p.departmentType === 'bed' ? (p.teamLead ?? null) : null,
        departmentHead: p.departmentHead,
      };
    });
    if (!shares.eq(ONE)) fail('invalid_value', messages.check.sharesNotOne(label, shares.toString()), `${path}.parties`);
    return {
      id: d.id,
      bookedIn: d.bookedIn,
      year: Number.parseInt(d.bookedIn.slice(0, 4), 10),
      quarter: Number.parseInt(d.bookedIn.slice(5), 10),
      compensation: new Dec(d.compensation),
      classification: d.classification,
      parties,
      path,
    };
  });
  return disputes.sort((a, b) => compareKeys(a.bookedIn, b.bookedIn) || compareKeys(a.id, b.id));
}

type Interner = (value: string | number) => Dec;

/**
 * Individual records repeat the same few values (workload scores 30 to 40, a handful of fines):
 * each distinct text becomes one Decimal, shared — Decimals are immutable.
 */
function interner(): Interner {
  const seen = new Map<string | number, Dec>();
  return (value) => {
    let d = seen.get(value);
    if (d === undefined) {
      d = new Dec(value);
      seen.set(value, d);
    }
    return d;
  };
}

function dec(x: string | undefined | null): Dec | null {
  return x == null ? null : new Dec(x);
}
