import { type Dec, ONE, ZERO, cmpDec, maxDec } from './money.js';
import type { Scheme } from './scheme.js';
import { MEDICAL_ROLES } from './schema.js';
import type { IndividualInputs, Staff } from './types.js';

/** The points that make up a raw score, kept so that a statement can show each one. */
export interface ScoreComponents {
  title: Dec;
  position: Dec;
  workload: Dec;
  quality: Dec;
  ethics: Dec;
  discipline: Dec;
  penalties: Dec;
}

export interface IndividualScore {
  components: ScoreComponents;
  rawScore: Dec;
  attendanceDeduction: Dec;
  overtimeAddition: Dec;
  payRatio: Dec;
  effectiveScore: Dec;
}

/**
 * What the many people at full marks with no penalty share (see `individualScore`), per title
 * grade and position: title + position + quality + ethics + discipline, and for each workload
 * score met, the raw score and its components (workload scores are interned at validation, so a
 * quarter meets a handful). Made once per quarter; Decimals are immutable, so they are shared.
 */
export type FullMarksPoints = Map<string, FullMarks | null>;

/** null for a grade and position whose sum is not exact at 34 digits (see `small`): their scores are added in order. */
interface FullMarks {
  points: Dec;
  byWorkload: Map<Dec, { rawScore: Dec; components: ScoreComponents }>;
}

export function fullMarksPoints(): FullMarksPoints {
  return new Map();
}

/**
 * Below 10^16 with at most 16 decimals (every decimal input has at most 16), six such terms add
 * up to less than 10^17 with at most 16 decimals: at most 33 significant digits, so every partial
 * sum is exact at 34 digits and the order of the additions cannot change the result.
 */
function small(x: Dec): boolean {
  return x.isZero() || x.e < 16;
}

function fullMarksOf(memo: FullMarksPoints, title: Dec, position: Dec, staff: Staff, scheme: Scheme): FullMarks | null {
  const key = staff.position ? `${staff.titleGrade}|${staff.position}` : staff.titleGrade;
  let fullMarks = memo.get(key);
  if (fullMarks === undefined) {
    const base = scheme.individualBase;
    const terms = [title, position, base.quality, base.ethics, base.discipline];
    fullMarks = terms.every(small) ? { points: title.plus(position).plus(base.quality).plus(base.ethics).plus(base.discipline), byWorkload: new Map() } : null;
    memo.set(key, fullMarks);
  }
  return fullMarks;
}

/** The raw score and components of a person at full marks with no penalty, shared by all with the same grade, position and workload score. */
function atFullMarks(fullMarks: FullMarks, title: Dec, position: Dec, workload: Dec, scheme: Scheme): { rawScore: Dec; components: ScoreComponents } {
  let shared = fullMarks.byWorkload.get(workload);
  if (shared === undefined) {
    const base = scheme.individualBase;
    const components = { title, position, workload, quality: base.quality, ethics: base.ethics, discipline: base.discipline, penalties: ZERO };
    shared = { rawScore: maxDec(ZERO, fullMarks.points.plus(workload)), components };
    fullMarks.byWorkload.set(workload, shared);
  }
  return shared;
}

/** A member's tier-2 score (§3.9): points, deductions, attendance, overtime and pay ratio. */
export function individualScore(staff: Staff, inputs: IndividualInputs, quarter: number, scheme: Scheme, memo: FullMarksPoints = fullMarksPoints()): IndividualScore {
  const base = scheme.individualBase;
  const title = scheme.titleScores[staff.titleGrade];
  const positionPoints = staff.position ? scheme.positions[staff.position].points : ZERO;
  const workload = inputs.workloadScore;
  // Most people have no errors, lateness, absence or overtime: those terms are skipped, which
  // gives the same value as computing them (x − 0 = x, x × 1 = x) at a fraction of the cost.
  let quality = base.quality;
  if (inputs.accident) quality = ZERO;
  else if (inputs.errors > 0) quality = maxDec(ZERO, base.quality.minus(scheme.errorPenalty.times(inputs.errors)));
  const ethics = inputs.ethicsZero ? ZERO : inputs.ethicsDeduction.isZero() ? base.ethics : maxDec(ZERO, base.ethics.minus(inputs.ethicsDeduction));
  const dp = scheme.disciplinePenalties;
  let discipline = base.discipline;
  if (inputs.absentFullDays >= 1) discipline = ZERO;
  else if (inputs.lateOver5 > 0 || inputs.lateOver30 > 0 || inputs.absentHalfDays > 0) {
    discipline = maxDec(ZERO, base.discipline.minus(dp.lateOver5.times(inputs.lateOver5)).minus(dp.lateOver30.times(inputs.lateOver30)).minus(dp.absentHalfDay.times(inputs.absentHalfDays)));
  }

  let penalties = ZERO;
  const isMedical = (MEDICAL_ROLES as readonly string[]).includes(staff.role);
  if (quarter === scheme.cme.quarter && isMedical && inputs.cmeCredits?.lt(scheme.cme.minCredits)) {
    penalties = penalties.plus(scheme.cme.penalty);
  }
  if (inputs.refusedTraining) penalties = penalties.plus(scheme.refusedTrainingPenalty);
  if ((staff.role === 'physician' || staff.role === 'nurse') && !staff.licensed) penalties = penalties.plus(scheme.unlicensedPenalty);

  // At full marks with no penalty, title + position + workload + quality + ethics + discipline is
  // an exact sum (see `small`), so the four constant terms are added once per grade and position,
  // and the raw score once per grade, position and workload score.
  const fullMarks =
    quality === base.quality && ethics === base.ethics && discipline === base.discipline && penalties.isZero() && small(workload) ? fullMarksOf(memo, title, positionPoints, staff, scheme) : null;
  const shared = fullMarks ? atFullMarks(fullMarks, title, positionPoints, workload, scheme) : null;
  const rawScore = shared ? shared.rawScore : maxDec(ZERO, title.plus(positionPoints).plus(workload).plus(quality).plus(ethics).plus(discipline).minus(penalties));
  const attendanceDeduction = inputs.absentDays === 0 ? ZERO : rawScore.div(inputs.requiredDays).times(inputs.absentDays);
  const overtimeAddition = inputs.overtimeDays === 0 ? ZERO : rawScore.div(inputs.requiredDays).times(inputs.overtimeDays).times(scheme.overtimeFactor);
  const payRatio = payRatioOf(staff, scheme);
  const attended = attendanceDeduction.isZero() && overtimeAddition.isZero() ? rawScore : maxDec(ZERO, rawScore.minus(attendanceDeduction).plus(overtimeAddition));
  const effectiveScore = cmpDec(payRatio, ONE) === 0 ? attended : attended.times(payRatio);
  const components = shared ? shared.components : { title, position: positionPoints, workload, quality, ethics, discipline, penalties };
  return { components, rawScore, attendanceDeduction, overtimeAddition, payRatio, effectiveScore };
}

/** 正式 1; 临时工 and 合同工 by title grade; or the person's own override (§3.9). */
export function payRatioOf(staff: Staff, scheme: Scheme): Dec {
  if (staff.payRatioOverride) return staff.payRatioOverride;
  const table = scheme.payRatios[staff.employment];
  return table?.[staff.titleGrade] ?? table?.['*'] ?? ONE;
}

/** The study-leave rate for a length in months: the first band whose maxMonths covers it. */
export function studyLeaveRate(months: Dec, scheme: Scheme): Dec {
  const band = scheme.studyLeave.find((b) => b.maxMonths === null || cmpDec(months, b.maxMonths) <= 0);
  return band ? band.rate : ZERO;
}

/** On study leave (§3.2): longer than the first band, so paid by the hospital, not a member. */
export function isOnStudyLeave(months: Dec, scheme: Scheme): boolean {
  const first = scheme.studyLeave[0]!.maxMonths;
  return first !== null && cmpDec(months, first) > 0;
}
