import { Dec, HUNDRED, ZERO, cmpDec, formatScore, maxDec, minDec } from '../money.js';
import type { AnnualAssessment, IndicatorScore, QuarterlyAssessment } from '../result.js';
import { DEFAULT_SCHEME, type GradeBand, type Scheme, toScheme } from '../scheme.js';
import type { Cadence, DepartmentDefectCategory, Grade } from '../schema.js';
import { keepShape } from '../shapes.js';
import type { Department, Staff } from '../types.js';
import { defectsAttainment } from './methods.js';
import type { Assessment, Attainment, DepartmentDefect, IndicatorNode, PersonalDefect, Scorecard } from './model.js';
import { score, scorecardPoints, type LeafAttainments, type ScorecardPoints } from './score.js';
import { EMPTY_ASSESSMENT, EMPTY_SCORECARD, FULL_ATTAINMENT, attainmentOf, isAssessedDirector, monthsOf } from './validate.js';

/**
 * The assessment's arithmetic (assessment.md §1.2–§3), in exactly the order the spec states:
 * each cadence period's attainment clamped, then the mean, then points × attainment, then the
 * sums in tree pre-order, then ÷ Σ points, then × 100; grades compare the score rounded half-up
 * to 6 decimals.
 */

export type Deductions = Record<DepartmentDefectCategory, Dec>;

/** Where a figure came from: plain data the service looks up (lineage). */
export interface LeafLineage {
  code: string;
  /** The value records (indicator, period) behind the leaf's attainment in the period. */
  values: readonly { indicator: string; period: string }[];
  /** The department defects booked against a `defects` leaf in the period, by id. */
  defects: readonly string[];
}

export interface DepartmentLineage {
  code: string;
  /** The defect ids behind each category's deduction (a department's quality, ethics and admin deductions). */
  deductions: Record<DepartmentDefectCategory, string[]>;
  /** Every leaf assessed in the period; empty for an unscored department. */
  indicators: LeafLineage[];
}

export interface PersonLineage {
  staffId: string;
  /** The defect ids behind each derived field; people without a defect in the period are not listed. */
  defects: string[];
  errors: string[];
  accident: string[];
  ethics: string[];
}

export interface AssessmentLineage {
  departments: DepartmentLineage[];
  individuals: PersonLineage[];
}

/** The derived tier-2 inputs of a person (§3); apply.ts's applyToPerson copies each field into their record. */
export interface DerivedIndividual {
  errors: number;
  accident: boolean;
  ethicsDeduction: Dec;
  ethicsZero: boolean;
}

export interface QuarterAssessmentOutcome {
  block: QuarterlyAssessment;
  lineage: AssessmentLineage;
  deductions: Map<string, Deductions>;
  /** Eligible staff with a defect in the quarter. */
  derived: Map<string, DerivedIndividual>;
  /** Each assessed director's managerAssessmentPassed (§2). */
  directorPassed: Map<string, boolean>;
  /** The grades of the people with a defect in the quarter; everyone else has the grade of personalBase. */
  personalGrades: Map<string, Grade>;
}

export interface YearAssessmentOutcome {
  block: AnnualAssessment;
  lineage: AssessmentLineage;
  /** assessmentFactor of each scored department. */
  factors: Map<string, Dec>;
  /** People whose annual grade is fail. */
  failed: string[];
}

/** The first band whose min ≤ the score rounded half-up to 6 decimals. */
export function gradeOf(bands: readonly GradeBand[], score: Dec): Grade {
  return gradeOfReported(bands, score.toDecimalPlaces(6, Dec.ROUND_HALF_UP));
}

/** gradeOf for a score already rounded to 6 decimals. */
function gradeOfReported(bands: readonly GradeBand[], reported: Dec): Grade {
  return (bands.find((b) => cmpDec(b.min, reported) <= 0) ?? bands.at(-1)!).grade;
}

/** An assessment period (a quarter or the year-end) and the cadence periods it covers. */
interface AssessmentPeriod {
  label: string;
  /** The year (YYYY) for yearly leaves; null in a quarter, where yearly leaves are not assessed. */
  year: string | null;
  /** The cadence periods it covers, by cadence: positions in the evaluator's lists of them. */
  periods: Record<Cadence, number[]>;
}

/**
 * The evaluation of one scenario's assessment, quarter by quarter, then the year-end. What is
 * the same for many departments or quarters — the scorecards' points (score.ts), each
 * department's `defects` leaves in every cadence period, the lineage of value leaves, the lines of
 * people without a defect — is made once and shared.
 */
export class AssessmentEvaluator {
  private readonly points = new Map<Scorecard, ScorecardPoints>();
  /** Each scored department's `defects` leaves in every cadence period, by node position: made once per department. */
  private readonly defectsLeaves = new Map<string, (DefectsLeaf | undefined)[]>();
  /** A `defects` leaf without a defect, by cadence (fullInEvery). */
  private readonly noDefects = new Map<Cadence, DefectsLeaf>();
  private clean: CleanLines | undefined;
  private readonly leafLineage = new Map<string, Map<Scorecard, (LeafLineage | null)[]>>();

  constructor(
    private readonly assessment: Assessment,
    private readonly departments: readonly Department[],
    private readonly scheme: Scheme,
  ) {}

  /** The positions of the given cadence periods in the assessment's lists of them. */
  private positions(months: readonly string[], quarters: readonly string[], years: readonly string[]): Record<Cadence, number[]> {
    const at = (cadence: Cadence, list: readonly string[]) => list.map((period) => this.assessment.cadencePeriods[cadence].indexOf(period));
    return { monthly: at('monthly', months), quarterly: at('quarterly', quarters), yearly: at('yearly', years) };
  }

  quarter(period: string, eligible: readonly Staff[]): QuarterAssessmentOutcome {
    const p: AssessmentPeriod = { label: period, year: null, periods: this.positions(monthsOf(period), [period], []) };
    const grades = this.scheme.assessment;
    const departments: QuarterlyAssessment['departments'] = [];
    const lineage: AssessmentLineage = { departments: [], individuals: [] };
    const deductions = new Map<string, Deductions>();
    // each scored department's director grade, which decides its director's managerAssessmentPassed
    const directorGrades = new Map<string, Grade>();
    for (const d of this.departments) {
      const { sums, ids } = this.deductionsOf(d.code, period);
      deductions.set(d.code, sums);
      const deductionLines = {
        medical: formatScore(sums.medical),
        nursing: formatScore(sums.nursing),
        infectionControl: formatScore(sums.infectionControl),
        ethics: formatScore(sums.ethics),
        admin: formatScore(sums.admin),
      };
      const sc = this.assessment.scorecardOf.get(d.code);
      if (!sc) {
        departments.push({ code: d.code, scorecard: null, score: null, grade: null, directorGrade: null, deductions: deductionLines, indicators: [] });
        lineage.departments.push({ code: d.code, deductions: ids, indicators: [] });
        continue;
      }
      const scored = this.score(d.code, sc, p);
      // the text, the grade and the director's grade all read the score rounded to 6 decimals
      const reported = new Dec(scored.reported);
      const directorGrade = gradeOfReported(grades.directorGrades, reported);
      directorGrades.set(d.code, directorGrade);
      departments.push({
        code: d.code,
        scorecard: sc.id,
        score: scored.reported,
        grade: gradeOfReported(grades.departmentGrades, reported),
        directorGrade,
        deductions: deductionLines,
        indicators: scored.indicators,
      });
      lineage.departments.push({ code: d.code, deductions: ids, indicators: scored.lineage });
    }
    const directorPassed = new Map<string, boolean>();
    for (const s of this.withoutDefects(eligible).directors) {
      directorPassed.set(s.id, directorGrades.get(s.department) === 'pass');
    }
    const people = this.people(period, eligible, lineage);
    return { block: { departments, individuals: people.block }, lineage, deductions, derived: people.derived, directorPassed, personalGrades: people.grades };
  }

  /** The year-end (§2 year-end, §3 annual grade). `quarters` are the year's quarters in the scenario. */
  year(
    year: number,
    quarters: readonly string[],
    eligible: readonly Staff[],
    quarterGrades: readonly Map<string, Grade>[],
    disputeFlags: readonly { staffId?: string; flag: string }[],
  ): YearAssessmentOutcome {
    const p: AssessmentPeriod = { label: String(year), year: String(year), periods: this.positions(quarters.flatMap(monthsOf), quarters, [String(year)]) };
    const grades = this.scheme.assessment;
    const departments: AnnualAssessment['departments'] = [];
    const lineage: AssessmentLineage = { departments: [], individuals: [] };
    const factors = new Map<string, Dec>();
    for (const d of this.departments) {
      const sc = this.assessment.scorecardOf.get(d.code);
      if (!sc) continue;
      const scored = this.score(d.code, sc, p);
      const reported = new Dec(scored.reported);
      const factor = reported.div(HUNDRED);
      factors.set(d.code, factor);
      departments.push({
        code: d.code,
        scorecard: sc.id,
        score: scored.reported,
        grade: gradeOfReported(grades.departmentGrades, reported),
        assessmentFactor: formatScore(factor),
        indicators: scored.indicators,
      });
      lineage.departments.push({ code: d.code, deductions: NO_DEDUCTION_IDS, indicators: scored.lineage });
    }
    const individuals: AnnualAssessment['individuals'] = [];
    const failed: string[] = [];
    const fullGrade = gradeOf(grades.personalGrades, grades.personalBase);
    const flagsOf = new Map<string, Set<string>>();
    for (const f of disputeFlags) if (f.staffId !== undefined) flagsOf.set(f.staffId, (flagsOf.get(f.staffId) ?? new Set()).add(f.flag));
    const gradeOfDemerits = (demerits: number): Grade => (demerits >= grades.annualFailAt ? 'fail' : demerits >= grades.annualBasicPassAt ? 'basic_pass' : 'pass');
    const demeritOf = (grade: Grade) => (grade === 'basic_pass' || grade === 'fail' ? grades.annualDemerits[grade] : 0);
    // someone without a defect or a flag has the base's grade every quarter and no ethics points
    // (plain constants, not a record of them: a record made once a settlement would have a hidden
    // class of its own, dropped between settlements, shapes.ts)
    const cleanDemerits = quarterGrades.length * demeritOf(fullGrade);
    const cleanGrade = gradeOfDemerits(cleanDemerits);
    const cleanEthics = formatScore(ZERO);
    for (const s of eligible) {
      const own = this.assessment.personalDefects.get(s.id);
      if (!own && !flagsOf.has(s.id)) {
        if (cleanGrade === 'fail') failed.push(s.id);
        individuals.push({ staffId: s.id, grade: cleanGrade, demerits: cleanDemerits, ethicsDeductions: cleanEthics, ethicsGrade: 'excellent' });
        continue;
      }
      let demerits = 0;
      for (const g of quarterGrades) demerits += demeritOf(g.get(s.id) ?? fullGrade);
      let grade = gradeOfDemerits(demerits);
      const ethicsDefects = own ? own.filter((d) => d.year === year && d.category === 'ethics') : [];
      let e = ZERO;
      for (const d of ethicsDefects) e = e.plus(d.points);
      const veto = ethicsDefects.some((d) => d.veto);
      const ethicsGrade = veto || cmpDec(e, grades.ethicsGrades.fair) > 0 ? 'poor' : cmpDec(e, grades.ethicsGrades.good) > 0 ? 'fair' : cmpDec(e, ZERO) > 0 ? 'good' : 'excellent';
      if (ethicsGrade === 'poor') grade = 'fail';
      const flags = flagsOf.get(s.id);
      if (flags?.has('grade_fail')) grade = 'fail';
      else if (flags?.has('grade_basic_pass') && grade === 'pass') grade = 'basic_pass';
      if (grade === 'fail') failed.push(s.id);
      individuals.push({ staffId: s.id, grade, demerits, ethicsDeductions: formatScore(e), ethicsGrade });
      if (ethicsDefects.length > 0) {
        const ids = ethicsDefects.map((d) => d.id);
        lineage.individuals.push({ staffId: s.id, defects: ids, errors: NO_IDS, accident: NO_IDS, ethics: ids });
      }
    }
    return { block: { departments, individuals }, lineage, factors, failed };
  }

  /**
   * §2: a scored department's score in an assessment period, its reported nodes and their lineage.
   * The attainments of each assessed leaf are gathered here, with their lineage; score.ts computes.
   */
  private score(code: string, sc: Scorecard, p: AssessmentPeriod): { reported: string; indicators: IndicatorScore[]; lineage: LeafLineage[] } {
    const inQuarter = p.year === null;
    const values = this.assessment.attainments.get(code);
    const defectsLeaves = this.defectsLeavesOf(code, sc);
    const shared = this.leafLineageOf(sc, p);
    const n = sc.nodes.length;
    const byNode: LeafAttainments['byNode'] = new Array(n);
    const lineage: LeafLineage[] = [];
    for (let i = 0; i < n; i++) {
      const node = sc.nodes[i]!;
      const leaf = node.leaf;
      if (!leaf || (inQuarter && leaf.cadence === 'yearly')) continue;
      if (leaf.method.type !== 'defects') {
        byNode[i] = values![i]!;
        lineage.push(shared[i]!);
        continue;
      }
      const own = defectsLeaves[i]!;
      byNode[i] = own.attainments;
      // the defects booked in the cadence periods the assessment period covers, period by period
      let booked: string[] | null = null;
      for (const k of p.periods[leaf.cadence]) {
        const ids = own.ids[k]!;
        if (ids.length === 0) continue;
        booked ??= [];
        for (const id of ids) booked.push(id);
      }
      lineage.push(booked === null ? shared[i]! : { code: node.code, values: NO_VALUES, defects: booked });
    }
    let points = this.points.get(sc);
    if (!points) {
      points = scorecardPoints(sc);
      this.points.set(sc, points);
    }
    const scored = score(sc, points, { byNode, periods: p.periods, inQuarter });
    return { reported: scored.reported, indicators: scored.indicators, lineage };
  }

  /**
   * A department's `defects` leaves, by node position: each one's attainment and the ids of the
   * defects booked against it in every one of its cadence periods. A period's attainment depends
   * on that period's defects alone, so it is made once per department and read by the quarters and
   * the year-end alike; a leaf without a defect shares the lists of full attainment of its cadence.
   */
  private defectsLeavesOf(code: string, sc: Scorecard): (DefectsLeaf | undefined)[] {
    let byNode = this.defectsLeaves.get(code);
    if (byNode) return byNode;
    const byLeaf = new Map<string, DepartmentDefect[]>();
    for (const d of this.assessment.departmentDefects.get(code) ?? []) {
      if (d.indicator === null) continue;
      const own = byLeaf.get(d.indicator);
      if (own) own.push(d);
      else byLeaf.set(d.indicator, [d]);
    }
    byNode = sc.nodes.map((node) => {
      const leaf = node.leaf;
      if (leaf?.method.type !== 'defects') return undefined;
      const own = byLeaf.get(node.code);
      if (own === undefined) return this.fullInEvery(leaf.cadence);
      const names = this.assessment.cadencePeriods[leaf.cadence];
      const attainments: Attainment[] = new Array(names.length);
      const ids: string[][] = new Array(names.length);
      for (let k = 0; k < names.length; k++) {
        const booked: string[] = [];
        attainments[k] = defectsIn(own, node, names[k]!, booked);
        ids[k] = booked.length === 0 ? NO_IDS : booked;
      }
      return { attainments, ids };
    });
    this.defectsLeaves.set(code, byNode);
    return byNode;
  }

  /** A `defects` leaf without a defect: full attainment and no ids in every period of its cadence, one shared record per cadence. */
  private fullInEvery(cadence: Cadence): DefectsLeaf {
    let none = this.noDefects.get(cadence);
    if (!none) {
      const count = this.assessment.cadencePeriods[cadence].length;
      none = { attainments: new Array(count).fill(FULL_ATTAINMENT), ids: new Array(count).fill(NO_IDS) };
      this.noDefects.set(cadence, none);
    }
    return none;
  }

  /**
   * The lineage of each leaf in an assessment period, by node position (null for inner nodes): a
   * value leaf's (indicator, period) pairs, and a `defects` leaf's lineage with nothing booked, are
   * the same for every department of the scorecard, so they are made once and shared, frozen.
   */
  private leafLineageOf(sc: Scorecard, p: AssessmentPeriod): (LeafLineage | null)[] {
    let bySc = this.leafLineage.get(p.label);
    if (!bySc) {
      bySc = new Map();
      this.leafLineage.set(p.label, bySc);
    }
    let lists = bySc.get(sc);
    if (!lists) {
      lists = sc.nodes.map((node) => {
        const leaf = node.leaf;
        if (!leaf) return null;
        if (leaf.method.type === 'defects') return Object.freeze({ code: node.code, values: NO_VALUES, defects: NO_IDS });
        const values = p.periods[leaf.cadence].map((k) => Object.freeze({ indicator: node.code, period: this.assessment.cadencePeriods[leaf.cadence][k]! }));
        return Object.freeze({ code: node.code, values: Object.freeze(values), defects: NO_IDS });
      });
      bySc.set(sc, lists);
    }
    return lists;
  }

  /**
   * §1.4 and §5: a department's defects of the quarter by category, with their ids. A category
   * without a defect has the shared empty list, and a department without any the shared record of
   * them: most of the lineage a year keeps is of nothing booked.
   */
  private deductionsOf(code: string, period: string): { sums: Deductions; ids: Record<DepartmentDefectCategory, string[]> } {
    const sums: Deductions = { medical: ZERO, nursing: ZERO, infectionControl: ZERO, ethics: ZERO, admin: ZERO };
    let ids: Record<DepartmentDefectCategory, string[]> | null = null;
    for (const d of this.assessment.departmentDefects.get(code) ?? []) {
      if (d.period !== period || d.category === null) continue;
      sums[d.category] = sums[d.category].plus(d.points);
      ids ??= noDeductionIds();
      const list = ids[d.category];
      if (list === NO_IDS) ids[d.category] = [d.id];
      else list.push(d.id);
    }
    return { sums, ids: ids ?? NO_DEDUCTION_IDS };
  }

  /**
   * The lines of the eligible staff without a defect in a quarter, in the order of `eligible`, the
   * assessed directors among them, and the positions of those with a defect in any period: the same
   * in every quarter, so made once and shared, frozen. A quarter then copies the list and replaces
   * only the lines of the people with a defect in it.
   */
  private withoutDefects(eligible: readonly Staff[]): CleanLines {
    if (this.clean?.eligible !== eligible) {
      const { personalBase, personalGrades } = this.scheme.assessment;
      // the full score and its grade as two constants, not a record made once a settlement (shapes.ts)
      const fullScore = formatScore(personalBase);
      const fullGrade = gradeOf(personalGrades, personalBase);
      const lines = eligible.map((s) =>
        Object.freeze({ staffId: s.id, score: fullScore, grade: fullGrade, errors: 0, accident: false, ethicsDeduction: '0.000000', ethicsZero: false, defects: NO_IDS }),
      );
      const directors = eligible.filter((s) => isAssessedDirector(s, this.assessment.scorecardOf));
      const defectsOf = this.assessment.personalDefects;
      const withDefects: number[] = [];
      for (let i = 0; i < eligible.length; i++) if (defectsOf.has(eligible[i]!.id)) withDefects.push(i);
      this.clean = { eligible, lines, directors, withDefects };
    }
    return this.clean;
  }

  /** §3: every eligible person's quarter — score, grade, derived inputs — by staff id. */
  private people(period: string, eligible: readonly Staff[], lineage: AssessmentLineage) {
    const { personalBase, personalGrades } = this.scheme.assessment;
    const ethicsBase = this.scheme.individualBase.ethics;
    const clean = this.withoutDefects(eligible);
    const block = clean.lines.slice();
    const derived = new Map<string, DerivedIndividual>();
    const grades = new Map<string, Grade>();
    const inPeriod = groupByStaff(this.assessment.personalDefects.values(), period);
    // the people with a defect in the quarter, in the order of `eligible` (defects of staff who are
    // not eligible change nothing): looked for among those with a defect in any period only
    for (const i of clean.withDefects) {
      const s = eligible[i]!;
      const defects = inPeriod.get(s.id);
      if (defects === undefined) continue;
      let deducted = ZERO;
      for (const d of defects) deducted = deducted.plus(d.points);
      const score = maxDec(ZERO, personalBase.minus(deducted));
      const grade = gradeOf(personalGrades, score);
      const ethics = inCategory(defects, 'ethics');
      const errors = inCategory(defects, 'error');
      const accidents = inCategory(defects, 'accident');
      let ethicsPoints = ZERO;
      for (const d of ethics) ethicsPoints = ethicsPoints.plus(d.points);
      const own: DerivedIndividual = {
        errors: errors.length,
        accident: accidents.length > 0,
        ethicsDeduction: minDec(ethicsBase, ethicsPoints),
        ethicsZero: ethics.some((d) => d.veto),
      };
      derived.set(s.id, own);
      grades.set(s.id, grade);
      const ids = defects.map((d) => d.id);
      block[i] = {
        staffId: s.id,
        score: formatScore(score),
        grade,
        errors: own.errors,
        accident: own.accident,
        ethicsDeduction: formatScore(own.ethicsDeduction),
        ethicsZero: own.ethicsZero,
        defects: ids,
      };
      lineage.individuals.push({ staffId: s.id, defects: ids, errors: idsOf(errors), accident: idsOf(accidents), ethics: idsOf(ethics) });
    }
    return { block, derived, grades };
  }
}

/** A `defects` leaf of a department in each of its cadence periods, by the period's position. */
interface DefectsLeaf {
  attainments: readonly Attainment[];
  /** The defects falling in the period, by id (the shared empty list for none). */
  ids: readonly (readonly string[])[];
}

/** A `defects` leaf's attainment in one cadence period (a month, a quarter or the year) from the leaf's defects, noting those that fall in it. */
function defectsIn(defects: readonly DepartmentDefect[], node: IndicatorNode, period: string, ids: string[]): Attainment {
  let booked = ZERO;
  for (const d of defects) {
    if (d.month !== period && d.period !== period && !(period.length === 4 && d.month.startsWith(period))) continue;
    booked = booked.plus(d.points);
    ids.push(d.id);
  }
  return booked.isZero() ? FULL_ATTAINMENT : attainmentOf(defectsAttainment(node.points, booked));
}

function inCategory(defects: readonly PersonalDefect[], category: PersonalDefect['category']): PersonalDefect[] {
  return defects.filter((d) => d.category === category);
}

/** Staff id → their defects falling in the quarter, in id order. */
function groupByStaff(defects: Iterable<PersonalDefect[]>, period: string): Map<string, PersonalDefect[]> {
  const byStaff = new Map<string, PersonalDefect[]>();
  for (const list of defects) {
    for (const d of list) {
      if (d.period !== period) continue;
      const own = byStaff.get(d.staffId);
      if (own) own.push(d);
      else byStaff.set(d.staffId, [d]);
    }
  }
  return byStaff;
}

interface CleanLines {
  eligible: readonly Staff[];
  lines: QuarterlyAssessment['individuals'][number][];
  /** The assessed directors among them (§2). */
  directors: readonly Staff[];
  /** The positions in `eligible` of the staff with a personal defect in any period, in order. */
  withDefects: readonly number[];
}

/** Most leaves and people have no defect in a period: they share one empty, frozen list. */
const NO_IDS = Object.freeze([]) as unknown as string[];
const NO_VALUES: readonly { indicator: string; period: string }[] = [];

/**
 * A department's deduction ids with no defect in any category, a new record to fill: made here
 * rather than by spreading NO_DEDUCTION_IDS, whose copy had a hidden class of its own, made again
 * in every settlement (shapes.ts).
 */
function noDeductionIds(): Record<DepartmentDefectCategory, string[]> {
  return { medical: NO_IDS, nursing: NO_IDS, infectionControl: NO_IDS, ethics: NO_IDS, admin: NO_IDS };
}

/** The same, shared and frozen: a department without a defect. */
const NO_DEDUCTION_IDS: Record<DepartmentDefectCategory, string[]> = Object.freeze(noDeductionIds());

/** The ids of the defects, or the shared empty list. */
function idsOf(defects: readonly PersonalDefect[]): string[] {
  return defects.length === 0 ? NO_IDS : defects.map((d) => d.id);
}

/**
 * Hidden classes kept from one settlement to the next (shapes.ts): the evaluator's, a scorecard's
 * points', a department's deduction ids', and those of the frozen lineage leafLineageOf shares
 * (made a few times a settlement) — its list of values made by map() as there, since map() makes a
 * list of another class than [ ] does.
 */
keepShape(new AssessmentEvaluator(EMPTY_ASSESSMENT, [], toScheme(DEFAULT_SCHEME)));
keepShape(scorecardPoints(EMPTY_SCORECARD));
keepShape(noDeductionIds());
keepShape(Object.freeze({ code: '', values: Object.freeze([''].map((period) => Object.freeze({ indicator: '', period }))), defects: NO_IDS }));
