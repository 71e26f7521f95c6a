/**
 * The wording of every validation message, in one catalogue: each entry is a pure function of
 * the facts of what went wrong (the record, the field, the values), so that a catalogue in
 * another language is a second object of the same type. Records are named by their own keys
 * through the `record` entries, so their wording lives here too.
 */

/** A value as a message shows it: what was sent, not its JSON. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/** The integer kinds of src/core/schema.ts (`x-kind`), by what a value of each must be. */
const INTEGER_KINDS = {
  count: 'a whole number from 0 to 1000000',
  positiveCount: 'a whole number from 1 to 1000000',
  quarterNumber: 'a quarter number 1 to 4',
  year: 'a year such as 2026',
} as const;

export type IntegerKind = keyof typeof INTEGER_KINDS;

/** What a record of each list of the scenario is called (the path segment before its index). */
const RECORD_NOUNS: Record<string, string> = {
  periods: 'period',
  staff: 'staff',
  individuals: 'staff',
  departments: 'department',
  workload: 'workload indicator',
  scorecards: 'scorecard',
  indicators: 'indicator',
  children: 'indicator',
  values: 'value',
  departmentDefects: 'department defect',
  personalDefects: 'personal defect',
};

const en = {
  record: {
    /** "period 2026Q1", "department IM", "workload indicator #2": a record by its own key. */
    inList: (list: string, key: string) => (RECORD_NOUNS[list] ? `${RECORD_NOUNS[list]} ${key}` : null),
    /** A record without a key, by its place in its list (0-based index). */
    numberedInList: (list: string, index: number) => (RECORD_NOUNS[list] ? `${RECORD_NOUNS[list]} #${index + 1}` : null),
    /** The sections of the scenario that are not lists: "annual", "scheme", "hospital", "assessment". */
    section: (name: string) => name,
    period: (period: string) => `period ${period}`,
    department: (code: string) => `department ${code}`,
    staff: (id: string) => `staff ${id}`,
    dispute: (id: string) => `dispute ${id}`,
    /** A record inside another: "period 2026Q1, department IM". */
    within: (outer: string, inner: string) => `${outer}, ${inner}`,
    /** The labels of the records a path runs through, before the message: "period 2026Q1, department IM: ". */
    prefix: (labels: readonly string[]) => (labels.length ? `${labels.join(', ')}: ` : ''),
  },

  document: {
    notAnObject: () => 'the scenario must be a JSON object',
    doesNotFit: () => 'the scenario does not fit the format',
  },

  /** The structural checks: `at` is the record prefix and the field, "period 2026Q1: revenue". */
  structure: {
    required: (at: string) => `${at} is required`,
    notAField: (at: string) => `${at} is not a field of this record`,
    negative: (at: string, got: unknown) => `${at} must not be negative, got ${shown(got)}`,
    tooManyDigits: (at: string, got: unknown) => `${at} has too many digits: at most 18 before the decimal point and 16 after, got ${shown(got)}`,
    moneyTooLarge: (at: string, integerDigits: number, got: unknown) => `${at} is out of range: an amount has at most ${integerDigits} digits before the decimal point and 16 after, got ${shown(got)}`,
    notDecimal: (at: string, got: unknown) => `${at} must be a decimal string such as "1234.50", got ${shown(got)}`,
    notSignedDecimal: (at: string, got: unknown) => `${at} must be a decimal string such as "-1000.00", got ${shown(got)}`,
    notInteger: (at: string, kind: IntegerKind, got: unknown) => `${at} must be ${INTEGER_KINDS[kind]} (a JSON integer), got ${shown(got)}`,
    notIntegerOrDecimal: (at: string, got: unknown) => `${at} must be a whole number (at most 1000000) or a decimal string ≥ 0, got ${shown(got)}`,
    notOneOf: (at: string, values: readonly string[], orNull: boolean, got: unknown) => `${at} must be one of ${values.join(', ')}${orNull ? ' (or null)' : ''}, got ${shown(got)}`,
    notBoolean: (at: string, got: unknown) => `${at} must be true or false, got ${shown(got)}`,
    notCode: (at: string, got: unknown) => `${at} must be a non-empty code of at most 64 characters without surrounding spaces, got ${shown(got)}`,
    notQuarter: (at: string, got: unknown) => `${at} must be a quarter such as "2026Q1", got ${shown(got)}`,
    notMonth: (at: string, got: unknown) => `${at} must be a month such as "2026-01", got ${shown(got)}`,
    notAssessmentPeriod: (at: string, got: unknown) => `${at} must be a month such as "2026-01", a quarter such as "2026Q1" or a year such as "2026", got ${shown(got)}`,
    notList: (at: string, got: unknown) => `${at} must be a list, got ${shown(got)}`,
    notObject: (at: string, got: unknown) => `${at} must be an object, got ${shown(got)}`,
    empty: (at: string) => `${at} must not be empty`,
    tooLong: (at: string) => `${at} is too long`,
    notString: (at: string, got: unknown) => `${at} must be a string, got ${shown(got)}`,
    /** Any other mismatch, in the schema library's own words. */
    other: (at: string, detail: string, got: unknown) => `${at}: ${detail}, got ${shown(got)}`,
  },

  /** The checks after the structure: `where` is a record label built with `record`. */
  check: {
    duplicateCode: (where: string, list: string) => `${where}: the code appears twice in ${list}`,
    duplicateId: (where: string, list: string) => `${where}: the id appears twice in ${list}`,
    duplicateQuarter: (where: string) => `${where}: the quarter appears twice in periods`,
    duplicateDepartmentRecord: (where: string, code: string) => `${where}: department ${code} has two records in this quarter`,
    duplicateIndividualRecord: (where: string, id: string) => `${where}: staff ${id} has two individual records in this quarter`,
    duplicateAnnualRecord: (where: string, code: string) => `${where}: department ${code} has two records`,
    disputeListedTwice: (where: string) => `${where}: it is in both disputes and priorDisputes`,
    unknownDepartment: (where: string, code: string) => `${where}: department ${code} is not a department of this hospital`,
    unknownStaff: (where: string, id: string) => `${where}: staff ${id} is not on the staff list`,
    unknownStaffInRole: (where: string, role: string, id: string) => `${where}: ${role} ${id} is not on the staff list`,
    unknownFailedStaff: (where: string, id: string) => `${where}: failedStaff names ${id}, who is not on the staff list`,
    failedStaffTwice: (where: string, id: string) => `${where}: failedStaff names ${id} twice`,
    adminClassRequired: (where: string) => `${where}: adminClass is required for an admin department`,
    adminOnly: (where: string, field: string) => `${where}: ${field} applies to admin departments only`,
    clinicalOnly: (where: string, field: string) => `${where}: ${field} applies to clinical departments only`,
    notPositive: (where: string, field: string) => `${where}: ${field} must be greater than 0`,
    aboveMaximum: (where: string, field: string, max: string) => `${where}: ${field} must not exceed ${max}`,
    workloadBaseNotPositive: (where: string, indicator: string) => `${where}: workload indicator ${indicator} base must be greater than 0`,
    someWeightsMissing: (where: string) => `${where}: give a weight for every workload indicator or for none`,
    weightsNotOne: (where: string) => `${where}: the workload weights must sum to 1`,
    costQuotaWithoutVariableCost: (where: string) => `${where}: costQuotaRatio needs variableCost`,
    absentAboveRequired: (where: string, absentDays: number, requiredDays: number) => `${where}: absentDays (${absentDays}) must not exceed requiredDays (${requiredDays})`,
    noPayRatio: (where: string, employment: string, titleGrade: string) => `${where}: the scheme has no pay ratio for ${employment} ${titleGrade}`,
    disputeNotInScenario: (where: string, period: string) => `${where}: bookedIn ${period} is not a quarter of the scenario`,
    priorDisputeInScenario: (where: string, period: string) => `${where}: bookedIn ${period} is a quarter of the scenario: list the dispute in disputes`,
    partyTwice: (where: string, code: string) => `${where}: department ${code} is a party twice`,
    bedPartyWithoutTeamLead: (where: string, code: string) => `${where}: department ${code} is a bed department, so its party needs a teamLead (医疗组长)`,
    sharesNotOne: (where: string, total: string) => `${where}: the parties' shares add up to ${total}, not 1`,
  },

  /** assessment.md §5: `where` names the scorecard, node, value or defect record. */
  assessment: {
    scorecard: (id: string) => `scorecard ${id}`,
    node: (scorecard: string, code: string) => `scorecard ${scorecard}, indicator ${code}`,
    value: (indicator: string, department: string, period: string) => `value of ${indicator} for department ${department} in ${period}`,
    departmentDefect: (id: string) => `department defect ${id}`,
    personalDefect: (id: string) => `personal defect ${id}`,
    duplicateScorecard: (where: string) => `${where}: the id appears twice in assessment.scorecards`,
    duplicateNode: (where: string) => `${where}: the code appears twice in the scorecard`,
    duplicateValue: (where: string) => `${where}: a second record for the same indicator, department and period`,
    duplicateDefect: (where: string, list: string) => `${where}: the id appears twice in assessment.${list}`,
    appliesToOneKey: (where: string) => `${where}: appliesTo needs exactly one of kind and departments`,
    listedTwice: (where: string, code: string) => `${where}: department ${code} is listed twice`,
    matchedTwice: (where: string, code: string, other: string) => `${where}: department ${code} is already assessed by scorecard ${other}`,
    kindTwice: (where: string, kind: string, other: string) => `${where}: scorecard ${other} already applies to every ${kind} department`,
    tooDeep: (where: string, levels: number) => `${where}: a scorecard has at most ${levels} levels`,
    pointsDoNotAddUp: (where: string, total: string, want: string) => `${where}: the points add up to ${total}, not ${want}`,
    leafNeeds: (where: string, field: string) => `${where}: a leaf needs ${field}`,
    innerHas: (where: string, field: string) => `${where}: ${field} applies to leaves only (this node has children)`,
    methodNeeds: (where: string, type: string, field: string) => `${where}: a ${type} method needs ${field}`,
    methodHasNo: (where: string, type: string, field: string) => `${where}: ${field} is not a parameter of a ${type} method`,
    bandsNotAscending: (where: string) => `${where}: the bands' from must be strictly ascending`,
    attainmentAboveOne: (where: string) => `${where}: a band's attainment must be at most 1`,
    onlyYearly: (where: string) => `${where}: a scorecard needs at least one leaf that is not yearly`,
    unscored: (where: string, code: string) => `${where}: department ${code} is assessed by no scorecard`,
    unknownIndicator: (where: string, code: string, scorecard: string) => `${where}: ${code} is not an indicator of scorecard ${scorecard}`,
    valueForInner: (where: string) => `${where}: the indicator has children; values are given for leaves`,
    valueForDefects: (where: string) => `${where}: the indicator is scored by its defects, not by values`,
    periodForm: (where: string, cadence: string) => `${where}: a ${cadence} leaf takes a period of the form ${{ monthly: 'YYYY-MM', quarterly: 'YYYYQn', yearly: 'YYYY' }[cadence]}`,
    periodOutside: (where: string, period: string) => `${where}: ${period} is not a period of the scenario`,
    manualAbovePoints: (where: string, points: string) => `${where}: a manual value is a score of at most the leaf's ${points} points`,
    missingValue: (indicator: string, department: string, period: string) => `the value of indicator ${indicator} for department ${department} in ${period} is missing`,
    monthOutside: (where: string, month: string) => `${where}: month ${month} is not in a quarter of the scenario`,
    defectNeedsCategoryOrIndicator: (where: string) => `${where}: a department defect needs a category, an indicator, or both`,
    categoryDoesNotFit: (where: string, category: string, kind: string) => `${where}: category ${category} does not apply to a ${kind} department`,
    notADefectsLeaf: (where: string, code: string) => `${where}: indicator ${code} is not scored by defects`,
    vetoNotEthics: (where: string) => `${where}: veto applies to ethics defects only`,
    tooManyDecimals: (where: string) => `${where}: points has at most 2 decimals`,
    derivedGiven: (where: string, field: string) => `${where}: ${field} is derived from the assessment and must not be given`,
  },

  /** Errors of a run, after validation: `where` names the record whose figure it is. */
  run: {
    notStorable: (where: string, field: string, value: string, integerDigits: number) =>
      `${where}: ${field} comes to ${value}, beyond what a result may hold (at most ${integerDigits} digits before the decimal point); check this record's inputs`,
  },

  scheme: {
    costBoundsReversed: () => 'scheme: costCoefficientBounds.min must not exceed costCoefficientBounds.max',
    studyLeaveOpenBand: () => 'scheme: studyLeave must end with one band whose maxMonths is null, and only the last',
    studyLeaveNotAscending: () => 'scheme: studyLeave bands must be in ascending maxMonths',
    aboveBound: (parameter: string, kind: 'rate' | 'multiplier', max: string, got: string) =>
      `scheme: ${parameter} is ${got}, but a ${kind === 'rate' ? 'rate or share' : 'multiplier'} must not exceed ${max}`,
    gradesNotDescending: (list: string) => `scheme: assessment.${list} must list its mins in descending order`,
    gradesNotEndingAtZero: (list: string) => `scheme: assessment.${list} must end with a min of 0`,
    reserveAbovePool: (reserveRate: string, poolRate: string) => `scheme: reserveRate (${reserveRate}) must not exceed poolRate (${poolRate}): the year-end reserve is taken out of the pool`,
  },
};

export type MessageCatalogue = typeof en;

/** The catalogue the engine speaks. */
export const messages: MessageCatalogue = en;
