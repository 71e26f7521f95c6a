import { fail, type EngineErrorCode } from '../errors.js';
import { messages } from '../messages.js';
import { Dec, ONE, ZERO, cmpDec, compareKeys, sum } from '../money.js';
import { keepShape } from '../shapes.js';
import { fromDec } from '../words34.js';
import type { AssessmentInput, Cadence, IndicatorNodeInput, IndividualInput, MethodInput, Scenario, ScorecardInput } from '../schema.js';
import { AssessmentSchema, ELIGIBLE_EMPLOYMENTS } from '../schema.js';
import type { Department, Staff } from '../types.js';
import { attainment } from './methods.js';
import type { Assessment, Attainment, DepartmentDefect, IndicatorNode, Method, PersonalDefect, Scorecard } from './model.js';

const say = messages.assessment;
const HUNDRED = new Dec(100);
const MAX_LEVELS = 4;

/** What the assessment is checked against: the hospital and the periods the scenario settles. */
export interface AssessmentContext {
  departments: Map<string, Department>;
  staff: Map<string, Staff>;
  /** The scenario's quarters, YYYYQn. */
  quarters: ReadonlySet<string>;
  /** annual.year, when the scenario has a year-end. */
  year: number | null;
}

/** assessment.md §1 and §5: the scenario's `assessment`, every rule checked, grouped for evaluation. */
export function validateAssessment(scenario: Scenario, input: AssessmentInput, ctx: AssessmentContext): Assessment {
  const scorecardOf = validateScorecards(input.scorecards ?? [], ctx);
  const cadencePeriods = cadencePeriodsOf(ctx);
  const attainments = validateValues(input, scorecardOf, cadencePeriods, ctx);
  const departmentDefects = validateDepartmentDefects(input, scorecardOf, ctx);
  const personalDefects = validatePersonalDefects(input, ctx);
  const assessment = assessmentOf(scorecardOf, cadencePeriods, attainments, departmentDefects, personalDefects);
  requireValues(assessment, input.values?.length ?? 0);
  refuseDerivedFields(scenario, scorecardOf, ctx);
  return assessment;
}

/** The context of a scenario's assessment: one place makes it, so that it always has the hidden class shapes.ts keeps. */
export function assessmentContextOf(departments: Map<string, Department>, staff: Map<string, Staff>, quarters: ReadonlySet<string>, year: number | null): AssessmentContext {
  return { departments, staff, quarters, year };
}

/** A validated assessment: one place makes it, so that it always has the hidden class shapes.ts keeps. */
function assessmentOf(
  scorecardOf: Assessment['scorecardOf'],
  cadencePeriods: Assessment['cadencePeriods'],
  attainments: Assessment['attainments'],
  departmentDefects: Assessment['departmentDefects'],
  personalDefects: Assessment['personalDefects'],
): Assessment {
  return { scorecardOf, cadencePeriods, attainments, departmentDefects, personalDefects };
}

/**
 * The records alone, as the service checks one write (a value, a defect) against the scorecards
 * in force: every §5 rule of the records given, but not that every needed value is there nor the
 * derived fields (the settlement of the period checks those, on the whole scenario).
 */
export function validateAssessmentRecords(input: AssessmentInput, ctx: AssessmentContext): void {
  const scorecardOf = validateScorecards(input.scorecards ?? [], ctx);
  validateValues(input, scorecardOf, cadencePeriodsOf(ctx), ctx);
  validateDepartmentDefects(input, scorecardOf, ctx);
  validatePersonalDefects(input, ctx);
}

// ---------------------------------------------------------------- scorecards

function validateScorecards(records: ScorecardInput[], ctx: AssessmentContext): Map<string, Scorecard> {
  const ids = new Set<string>();
  const listed = new Map<string, string>();
  const byKind = new Map<string, string>();
  const scorecards = records.map((sc, i) => {
    const path = `assessment.scorecards[${i}]`;
    const where = say.scorecard(sc.id);
    if (ids.has(sc.id)) fail('duplicate', say.duplicateScorecard(where), `${path}.id`);
    ids.add(sc.id);
    const { kind, departments } = sc.appliesTo;
    if ((kind === undefined) === (departments === undefined)) fail('invalid_value', say.appliesToOneKey(where), `${path}.appliesTo`);
    if (kind !== undefined) {
      const other = byKind.get(kind);
      if (other !== undefined) fail('duplicate', say.kindTwice(where, kind, other), `${path}.appliesTo.kind`);
      byKind.set(kind, sc.id);
    }
    const own = new Set<string>();
    (departments ?? []).forEach((code, k) => {
      const at = `${path}.appliesTo.departments[${k}]`;
      if (!ctx.departments.has(code)) fail('unknown_reference', messages.check.unknownDepartment(where, code), at);
      if (own.has(code)) fail('duplicate', say.listedTwice(where, code), at);
      const other = listed.get(code);
      if (other !== undefined) fail('duplicate', say.matchedTwice(where, code, other), at);
      own.add(code);
      listed.set(code, sc.id);
    });
    return flatten(sc, path, ctx);
  });
  const byId = new Map(scorecards.map((sc) => [sc.id, sc]));
  const scorecardOf = new Map<string, Scorecard>();
  for (const d of ctx.departments.values()) {
    const id = listed.get(d.code) ?? byKind.get(d.kind);
    if (id !== undefined) scorecardOf.set(d.code, byId.get(id)!);
  }
  return scorecardOf;
}

/** The tree in pre-order, with points checked at every level (§1.1). */
function flatten(sc: ScorecardInput, path: string, ctx: AssessmentContext): Scorecard {
  const nodes: IndicatorNode[] = [];
  const codes = new Set<string>();
  const visit = (node: IndicatorNodeInput, at: string, ancestors: number[]) => {
    const where = say.node(sc.id, node.code);
    if (codes.has(node.code)) fail('duplicate', say.duplicateNode(where), `${at}.code`);
    codes.add(node.code);
    if (ancestors.length >= MAX_LEVELS) fail('invalid_value', say.tooDeep(where, MAX_LEVELS), at);
    const points = new Dec(node.points);
    if (points.lte(0)) fail('invalid_value', messages.check.notPositive(where, 'points'), `${at}.points`);
    const position = nodes.length;
    const children = node.children;
    if (children) {
      for (const field of ['cadence', 'owner', 'method'] as const) {
        if (node[field] !== undefined) fail('not_applicable', say.innerHas(where, field), `${at}.${field}`);
      }
      nodes.push({ code: node.code, points, position, ancestors, leaf: null });
      for (const [k, child] of children.entries()) visit(child, `${at}.children[${k}]`, [...ancestors, position]);
      const total = sum(children.map((c) => new Dec(c.points)));
      if (!total.eq(points)) fail('invalid_value', say.pointsDoNotAddUp(where, total.toString(), points.toString()), `${at}.children`);
      return;
    }
    for (const field of ['cadence', 'owner', 'method'] as const) {
      if (node[field] === undefined) fail('missing_field', say.leafNeeds(where, field), `${at}.${field}`);
    }
    if (!ctx.departments.has(node.owner!)) fail('unknown_reference', messages.check.unknownDepartment(where, node.owner!), `${at}.owner`);
    nodes.push({ code: node.code, points, position, ancestors, leaf: { cadence: node.cadence!, method: method(node.method!, where, `${at}.method`) } });
  };
  for (const [k, node] of sc.indicators.entries()) visit(node, `${path}.indicators[${k}]`, []);
  const top = sum(sc.indicators.map((n) => new Dec(n.points)));
  if (!top.eq(HUNDRED)) fail('invalid_value', say.pointsDoNotAddUp(say.scorecard(sc.id), top.toString(), '100'), `${path}.indicators`);
  const leaves = nodes.filter((n) => n.leaf);
  const quarterly = leaves.filter((n) => n.leaf!.cadence !== 'yearly');
  if (quarterly.length === 0) fail('invalid_value', say.onlyYearly(say.scorecard(sc.id)), `${path}.indicators`);
  return { id: sc.id, nodes, quarterPoints: sum(quarterly.map((n) => n.points)), yearPoints: sum(leaves.map((n) => n.points)) };
}

const METHOD_FIELDS = {
  ratio: ['direction', 'target'],
  deviation: ['direction', 'target', 'step', 'stepShare'],
  bands: ['bands'],
  manual: [],
  defects: [],
} as const;

/** §1.2: a method with exactly the parameters of its type, each within its range. */
function method(m: MethodInput, where: string, path: string): Method {
  const wanted: readonly string[] = METHOD_FIELDS[m.type];
  for (const field of ['direction', 'target', 'step', 'stepShare', 'bands'] as const) {
    const given = m[field] !== undefined;
    if (given && !wanted.includes(field)) fail('not_applicable', say.methodHasNo(where, m.type, field), `${path}.${field}`);
    if (!given && wanted.includes(field)) fail('missing_field', say.methodNeeds(where, m.type, field), `${path}.${field}`);
  }
  const positive = (field: 'target' | 'step' | 'stepShare') => {
    const x = new Dec(m[field]!);
    if (x.lte(0)) fail('invalid_value', messages.check.notPositive(where, `method.${field}`), `${path}.${field}`);
    return x;
  };
  switch (m.type) {
    case 'ratio':
      return { type: 'ratio', higher: m.direction === 'higher', target: positive('target') };
    case 'deviation':
      return { type: 'deviation', higher: m.direction === 'higher', target: new Dec(m.target!), step: positive('step'), stepShare: positive('stepShare') };
    case 'bands': {
      if (m.bands!.length === 0) fail('invalid_value', messages.structure.empty(`${where}: method.bands`), `${path}.bands`);
      const bands = m.bands!.map((b, k) => {
        const band = { from: new Dec(b.from), attainment: new Dec(b.attainment) };
        if (cmpDec(band.attainment, ONE) > 0) fail('invalid_value', say.attainmentAboveOne(where), `${path}.bands[${k}].attainment`);
        return band;
      });
      bands.forEach((b, k) => {
        if (k > 0 && cmpDec(b.from, bands[k - 1]!.from) <= 0) fail('invalid_value', say.bandsNotAscending(where), `${path}.bands[${k}].from`);
      });
      return { type: 'bands', bands };
    }
    case 'manual':
    case 'defects':
      return { type: m.type };
  }
}

// ---------------------------------------------------------------- values

const PERIOD_LENGTH = { monthly: 7, quarterly: 6, yearly: 4 } as const;

/**
 * A value record's form (schema.ts), checked here as the records are read rather than by the
 * scenario's schema in a walk of its own (validate.ts leaves them out of it): a record whose
 * department, leaf and period are found among those already checked has codes and a period of the
 * form; what remains is the record's shape and the text of a value not met before.
 */
const VALUE_FORM = AssessmentSchema.properties.values.items.properties;
const PERIOD_PATTERN = new RegExp(VALUE_FORM.period.pattern!);
const VALUE_PATTERN = new RegExp(VALUE_FORM.value.pattern!);
const VALUE_FIELDS = Object.keys(VALUE_FORM).length;

/** The quarter (YYYYQn) of a month YYYY-MM. */
export function quarterOfMonth(month: string): string {
  const m = (month.charCodeAt(5) - 48) * 10 + (month.charCodeAt(6) - 48);
  return `${month.slice(0, 4)}Q${Math.ceil(m / 3)}`;
}

/**
 * §1.3: every value record checked, and its attainment (§1.2) computed once: an attainment is a
 * function of the method, the leaf's points and the value, so it is memoised by those (a
 * hospital's figures repeat — percentages, counts, marks — and so do its methods).
 */
function validateValues(input: AssessmentInput, scorecardOf: Map<string, Scorecard>, periods: Record<Cadence, string[]>, ctx: AssessmentContext): Assessment['attainments'] {
  const index = valueIndexOf(scorecardOf, ctx, periods);
  // only periods of the form: a record's period found here is of it
  const position = { monthly: positions(periods.monthly), quarterly: positions(periods.quarterly), yearly: positions(periods.yearly) };
  // records come grouped by department and leaf as a rule: a leaf's checks and maps are looked up again only when it changes
  let leaf: LeafOfValues | null = null;
  const records = input.values ?? [];
  for (let i = 0; i < records.length; i++) {
    const v = records[i]!;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getOwnPropertyNames(v).length !== VALUE_FIELDS || typeof v.period !== 'string') notOfTheForm(i);
    // a department and leaf found (a scorecard's department, one of its nodes) are codes of the form;
    // `current` is declared with its type, as TypeScript cannot infer the destructured fields'
    // types through the loop's reassignment of `leaf` and the never-returning valueError calls
    const current: LeafOfValues = leaf !== null && leaf.department === v.department && leaf.indicator === v.indicator ? leaf : leafOfValues(index, v, i);
    leaf = current;
    const { node, cadence, method, byPeriod, memo } = current;
    // the form allows only YYYY-MM, YYYYQn and YYYY: the length tells them apart
    if (v.period.length !== PERIOD_LENGTH[cadence]) valueError('invalid_value', v, i, 'period', say.periodForm, cadence);
    const k = position[cadence].get(v.period);
    if (k === undefined) return valueError('unknown_reference', v, i, 'period', say.periodOutside, v.period);
    if (byPeriod[k] !== undefined) valueError('duplicate', v, i, null, say.duplicateValue);
    // the memo holds only texts of the form
    let a = memo.get(v.value);
    if (a === undefined) {
      if (typeof v.value !== 'string' || !VALUE_PATTERN.test(v.value)) notOfTheForm(i);
      const value = new Dec(v.value);
      if (method.type === 'manual' && value.gt(node.points)) valueError('invalid_value', v, i, 'value', say.manualAbovePoints, node.points.toString());
      a = attainmentOf(attainment(method, node.points, value));
      memo.set(v.value, a);
    }
    byPeriod[k] = a;
  }
  return index.attainments;
}

type ValueInput = NonNullable<AssessmentInput['values']>[number];

/** What validateValues reads and fills. */
interface ValueIndex {
  scorecardOf: Map<string, Scorecard>;
  ctx: AssessmentContext;
  periods: Record<Cadence, string[]>;
  leaves: Map<Scorecard, Map<string, IndicatorNode>>;
  attainments: Assessment['attainments'];
  memoOfNode: Map<IndicatorNode, Map<string, Attainment>>;
  memoOfMethod: Map<string, Map<string, Attainment>>;
}

/** validateValues's index, empty: one place makes it, so that it always has the hidden class shapes.ts keeps. */
export function valueIndexOf(scorecardOf: Map<string, Scorecard>, ctx: AssessmentContext, periods: Record<Cadence, string[]>): ValueIndex {
  return { scorecardOf, ctx, periods, leaves: leafIndex(scorecardOf), attainments: new Map(), memoOfNode: new Map(), memoOfMethod: new Map() };
}

/** A leaf that values are given for: its department and code, its attainments by period, and its memo of attainments by value text. */
interface LeafOfValues {
  department: string;
  indicator: string;
  node: IndicatorNode;
  cadence: Cadence;
  method: Method;
  byPeriod: (Attainment | undefined)[];
  memo: Map<string, Attainment>;
}

/** The department and indicator of value record i checked (a scored department, a leaf with values), and where its attainments go. */
function leafOfValues(index: ValueIndex, v: ValueInput, i: number): LeafOfValues {
  const sc = index.scorecardOf.get(v.department);
  if (!sc) {
    if (!index.ctx.departments.has(v.department)) valueError('unknown_reference', v, i, 'department', messages.check.unknownDepartment, v.department);
    valueError('not_applicable', v, i, 'department', say.unscored, v.department);
  }
  const node = index.leaves.get(sc)!.get(v.indicator);
  if (!node) return valueError('unknown_reference', v, i, 'indicator', say.unknownIndicator, v.indicator, sc.id);
  if (!node.leaf) valueError('not_applicable', v, i, 'indicator', say.valueForInner);
  const { cadence, method } = node.leaf;
  if (method.type === 'defects') valueError('not_applicable', v, i, 'indicator', say.valueForDefects);
  let byNode = index.attainments.get(v.department);
  if (!byNode) {
    byNode = new Array(sc.nodes.length);
    index.attainments.set(v.department, byNode);
  }
  let byPeriod = byNode[node.position];
  if (!byPeriod) {
    byPeriod = new Array(index.periods[cadence].length);
    byNode[node.position] = byPeriod;
  }
  let memo = index.memoOfNode.get(node);
  if (!memo) {
    const key = `${node.points.toString()} ${JSON.stringify(method)}`;
    memo = index.memoOfMethod.get(key);
    if (!memo) {
      memo = new Map();
      index.memoOfMethod.set(key, memo);
    }
    index.memoOfNode.set(node, memo);
  }
  return { department: v.department, indicator: v.indicator, node, cadence, method, byPeriod, memo };
}

/** An attainment as the evaluation reads it: its value in the words score.ts computes in. */
export function attainmentOf(a: Dec): Attainment {
  return cmpDec(a, ONE) === 0 ? FULL_ATTAINMENT : { value: fromDec(a) };
}

/**
 * Full attainment (1): one object wherever it is reached, so that a leaf at full attainment in
 * every period of a mean is seen to be (score.ts gives it the line of a single period).
 */
export const FULL_ATTAINMENT: Attainment = { value: fromDec(ONE) };

/** Each period of the form in the list, by its position. */
function positions(list: readonly string[]): Map<string, number> {
  const at = new Map<string, number>();
  list.forEach((period, k) => {
    if (PERIOD_PATTERN.test(period)) at.set(period, k);
  });
  return at;
}

/**
 * A value record not of the form. validateScenario reports the schema's own error for it (the
 * scenario's first problem of form and those after it, as for any other record); this one is
 * only seen where the records are checked alone after their form was (a service's write).
 */
function notOfTheForm(index: number): never {
  return fail('invalid_document', messages.document.doesNotFit(), `assessment.values[${index}]`);
}

/**
 * A value record's error; its label is made only here, not for each of tens of thousands of
 * records. The message's facts after `where` are arguments, not a closure made at the call: a
 * closure in a loop's body over the loop's variables makes the engine allocate a context for them
 * on every pass, not only when the error is raised (the defect registers' errors are made alike).
 */
function valueError<F extends unknown[]>(
  code: EngineErrorCode,
  v: { indicator: string; department: string; period: string },
  index: number,
  field: string | null,
  message: (where: string, ...facts: F) => string,
  ...facts: F
): never {
  const path = `assessment.values[${index}]`;
  return fail(code, message(say.value(v.indicator, v.department, v.period), ...facts), field ? `${path}.${field}` : path);
}

/** Each scorecard's nodes by code. */
function leafIndex(scorecardOf: Map<string, Scorecard>): Map<Scorecard, Map<string, IndicatorNode>> {
  const index = new Map<Scorecard, Map<string, IndicatorNode>>();
  for (const sc of scorecardOf.values()) if (!index.has(sc)) index.set(sc, new Map(sc.nodes.map((n) => [n.code, n])));
  return index;
}

/** The cadence periods each assessment period needs (§1.3), in chronological order. */
export function monthsOf(quarter: string): string[] {
  const first = (quarter.charCodeAt(5) - 49) * 3 + 1;
  return [first, first + 1, first + 2].map((m) => `${quarter.slice(0, 4)}-${m < 10 ? '0' : ''}${m}`);
}

/**
 * §1.3: a scored department is assessed in every quarter and at the year-end; every value it needs
 * is there. validateValues put each of the `given` records it accepted into a slot of its own (a
 * needed one: a scored department's value leaf, a cadence period of the scenario; never one taken
 * twice), so when as many records were given as slots are needed, every slot is filled; otherwise
 * the first empty one is found, in department, node and period order.
 */
function requireValues(a: Assessment, given: number): void {
  let needed = 0;
  for (const sc of a.scorecardOf.values()) needed += slotsOf(sc, a.cadencePeriods);
  if (given === needed) return;
  for (const [code, sc] of [...a.scorecardOf].sort(([x], [y]) => compareKeys(x, y))) {
    const byNode = a.attainments.get(code);
    for (const node of sc.nodes) {
      if (!node.leaf || node.leaf.method.type === 'defects') continue;
      const needed = a.cadencePeriods[node.leaf.cadence];
      const have = byNode?.[node.position];
      for (let k = 0; k < needed.length; k++) {
        if (have?.[k] === undefined) fail('missing_assessment_value', say.missingValue(node.code, code, needed[k]!), 'assessment.values');
      }
    }
  }
}

/** The value slots a department with the scorecard needs: each value leaf's cadence periods. */
function slotsOf(sc: Scorecard, periods: Record<Cadence, string[]>): number {
  let n = 0;
  for (const node of sc.nodes) if (node.leaf && node.leaf.method.type !== 'defects') n += periods[node.leaf.cadence].length;
  return n;
}

/**
 * The scenario's cadence periods in chronological order: every month and quarter of its
 * quarters; the year only with a year-end that has quarters (§1.3: a year-end without them fails
 * as allocation-rules §4 says).
 */
function cadencePeriodsOf(ctx: AssessmentContext): Record<Cadence, string[]> {
  const quarters = [...ctx.quarters].sort(compareKeys);
  const hasYearEnd = ctx.year !== null && quarters.some((q) => q.startsWith(String(ctx.year)));
  return { monthly: quarters.flatMap(monthsOf), quarterly: quarters, yearly: hasYearEnd ? [String(ctx.year)] : [] };
}

// ---------------------------------------------------------------- defects

type DefectList = 'departmentDefects' | 'personalDefects';

/**
 * A defect record's error; its label and path are made only here, not for each of thousands of
 * records (valueError does the same for values).
 */
function defectError<F extends unknown[]>(code: EngineErrorCode, list: DefectList, index: number, id: string, field: string, message: (where: string, ...facts: F) => string, ...facts: F): never {
  const where = list === 'departmentDefects' ? say.departmentDefect(id) : say.personalDefect(id);
  return fail(code, message(where, ...facts), `assessment.${list}[${index}].${field}`);
}

/**
 * §1.4: a defect's points, at most 2 decimals so that sums are exact. A register repeats a few
 * figures (1, 2, 0.5 …): each distinct text is checked and becomes one Decimal, shared — Decimals
 * are immutable.
 */
function pointsReader(list: DefectList): (text: string, index: number, id: string) => Dec {
  const seen = new Map<string, Dec>();
  return (text, index, id) => {
    let p = seen.get(text);
    if (p === undefined) {
      const dot = text.indexOf('.');
      if (dot >= 0 && text.length - dot - 1 > 2) defectError('invalid_value', list, index, id, 'points', say.tooManyDecimals);
      p = new Dec(text);
      seen.set(text, p);
    }
    return p;
  };
}

/** §1.4, both registers: the id unique in its list, the month in a quarter of the scenario, the owner a department. Returns the quarter. */
function defectRecord(d: { id: string; month: string; owner: string }, list: DefectList, index: number, ids: Set<string>, ctx: AssessmentContext): string {
  if (ids.has(d.id)) defectError('duplicate', list, index, d.id, 'id', say.duplicateDefect, list);
  ids.add(d.id);
  const period = quarterOfMonth(d.month);
  if (!ctx.quarters.has(period)) defectError('unknown_reference', list, index, d.id, 'month', say.monthOutside, d.month);
  if (!ctx.departments.has(d.owner)) defectError('unknown_reference', list, index, d.id, 'owner', messages.check.unknownDepartment, d.owner);
  return period;
}

const CATEGORY_KINDS: Record<string, 'clinical' | 'admin' | null> = { medical: 'clinical', nursing: 'clinical', infectionControl: 'clinical', admin: 'admin', ethics: null };

function validateDepartmentDefects(input: AssessmentInput, scorecardOf: Map<string, Scorecard>, ctx: AssessmentContext): Map<string, DepartmentDefect[]> {
  const list = 'departmentDefects';
  const ids = new Set<string>();
  const leaves = leafIndex(scorecardOf);
  const points = pointsReader(list);
  const byDepartment = new Map<string, DepartmentDefect[]>();
  const records = input.departmentDefects ?? [];
  for (let i = 0; i < records.length; i++) {
    const d = records[i]!;
    const period = defectRecord(d, list, i, ids, ctx);
    const dept = ctx.departments.get(d.department);
    if (!dept) defectError('unknown_reference', list, i, d.id, 'department', messages.check.unknownDepartment, d.department);
    if (d.category === undefined && d.indicator === undefined) defectError('missing_field', list, i, d.id, 'category', say.defectNeedsCategoryOrIndicator);
    const fits = d.category === undefined ? null : CATEGORY_KINDS[d.category];
    if (fits && fits !== dept.kind) defectError('not_applicable', list, i, d.id, 'category', say.categoryDoesNotFit, d.category!, dept.kind);
    if (d.indicator !== undefined) {
      const sc = scorecardOf.get(d.department);
      if (!sc) defectError('not_applicable', list, i, d.id, 'indicator', say.unscored, d.department);
      const node = leaves.get(sc)!.get(d.indicator);
      if (!node) defectError('unknown_reference', list, i, d.id, 'indicator', say.unknownIndicator, d.indicator, sc.id);
      if (node.leaf?.method.type !== 'defects') defectError('not_applicable', list, i, d.id, 'indicator', say.notADefectsLeaf, d.indicator);
    }
    const p = points(d.points, i, d.id);
    if (p.lte(0)) defectError('invalid_value', list, i, d.id, 'points', messages.check.notPositive, 'points');
    const defect: DepartmentDefect = { id: d.id, month: d.month, period, department: d.department, category: d.category ?? null, indicator: d.indicator ?? null, points: p };
    const own = byDepartment.get(d.department);
    if (own) own.push(defect);
    else byDepartment.set(d.department, [defect]);
  }
  for (const own of byDepartment.values()) own.sort((a, b) => compareKeys(a.id, b.id));
  return byDepartment;
}

function validatePersonalDefects(input: AssessmentInput, ctx: AssessmentContext): Map<string, PersonalDefect[]> {
  const list = 'personalDefects';
  const ids = new Set<string>();
  const points = pointsReader(list);
  const byStaff = new Map<string, PersonalDefect[]>();
  const records = input.personalDefects ?? [];
  for (let i = 0; i < records.length; i++) {
    const d = records[i]!;
    const period = defectRecord(d, list, i, ids, ctx);
    if (!ctx.staff.has(d.staffId)) defectError('unknown_reference', list, i, d.id, 'staffId', messages.check.unknownStaff, d.staffId);
    if (d.veto && d.category !== 'ethics') defectError('not_applicable', list, i, d.id, 'veto', say.vetoNotEthics);
    const defect: PersonalDefect = {
      id: d.id,
      month: d.month,
      period,
      year: Number.parseInt(d.month.slice(0, 4), 10),
      staffId: d.staffId,
      category: d.category,
      points: points(d.points, i, d.id),
      veto: d.veto ?? false,
    };
    const own = byStaff.get(d.staffId);
    if (own) own.push(defect);
    else byStaff.set(d.staffId, [defect]);
  }
  for (const own of byStaff.values()) own.sort((a, b) => compareKeys(a.id, b.id));
  return byStaff;
}

// ---------------------------------------------------------------- derived inputs

const DERIVED_DEPARTMENT_FIELDS = ['qualityDeductions', 'ethicsDeductions', 'adminDeductions'] as const;
const DERIVED_INDIVIDUAL_FIELDS = ['errors', 'accident', 'ethicsDeduction', 'ethicsZero'] as const;

/** Directors (§2): eligible staff with a position other than hospital_leader whose home department is scored. */
export function isAssessedDirector(s: Staff, scorecardOf: ReadonlyMap<string, Scorecard>): boolean {
  return s.position !== null && s.position !== 'hospital_leader' && scorecardOf.has(s.department) && (ELIGIBLE_EMPLOYMENTS as readonly string[]).includes(s.employment);
}

/** The first derived field a person's record gives (a function of its own: a closure over the loop's record would cost a context on every pass). */
function firstGiven(r: IndividualInput): (typeof DERIVED_INDIVIDUAL_FIELDS)[number] {
  return DERIVED_INDIVIDUAL_FIELDS.find((field) => r[field] !== undefined)!;
}

/** §5: the inputs the assessment derives may not be given. */
function refuseDerivedFields(scenario: Scenario, scorecardOf: Map<string, Scorecard>, ctx: AssessmentContext): void {
  const periods = scenario.periods ?? [];
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i]!;
    const given = (where: string, path: string, field: string): never =>
      fail('derived_field_given', say.derivedGiven(messages.record.within(messages.record.period(p.period), where), field), `periods[${i}].${path}.${field}`);
    p.departments.forEach((d, j) => {
      for (const field of DERIVED_DEPARTMENT_FIELDS) if (d[field] !== undefined) given(messages.record.department(d.code), `departments[${j}]`, field);
    });
    // every individual record of every quarter: labels are made only for the one refused
    const records = p.individuals ?? [];
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      if (r.errors !== undefined || r.accident !== undefined || r.ethicsDeduction !== undefined || r.ethicsZero !== undefined) {
        given(messages.record.staff(r.staffId), `individuals[${k}]`, firstGiven(r));
      }
      if (r.managerAssessmentPassed === undefined) continue;
      const s = ctx.staff.get(r.staffId);
      if (s && isAssessedDirector(s, scorecardOf)) given(messages.record.staff(r.staffId), `individuals[${k}]`, 'managerAssessmentPassed');
    }
  }
  (scenario.annual?.departments ?? []).forEach((d, j) => {
    if (d.assessmentFactor !== undefined && scorecardOf.has(d.code)) {
      fail(
        'derived_field_given',
        say.derivedGiven(messages.record.within(messages.record.section('annual'), messages.record.department(d.code)), 'assessmentFactor'),
        `annual.departments[${j}].assessmentFactor`,
      );
    }
  });
}

// ---------------------------------------------------------------- kept hidden classes

/**
 * Records made once or a few times a settlement, whose hidden classes shapes.ts keeps: an
 * assessment, its context and value index, and a scorecard, each of nothing. A scorecard has the
 * properties validateScorecard gives it, in its order.
 */
const EMPTY_CONTEXT = keepShape(assessmentContextOf(new Map(), new Map(), new Set(), null));
export const EMPTY_ASSESSMENT = keepShape(assessmentOf(new Map(), { monthly: [], quarterly: [], yearly: [] }, new Map(), new Map(), new Map()));
keepShape(valueIndexOf(new Map(), EMPTY_CONTEXT, EMPTY_ASSESSMENT.cadencePeriods));
export const EMPTY_SCORECARD: Scorecard = keepShape({ id: '', nodes: [], quarterPoints: ZERO, yearPoints: ZERO });
