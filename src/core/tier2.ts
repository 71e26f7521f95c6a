import { Dec, ONE, ZERO, maxDec } from './money.js';
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

/** A member's tier-2 score (§3.9): points, deductions, attendance, overtime and pay ratio. */
export function individualScore(staff: Staff, inputs: IndividualInputs, quarter: number, scheme: Scheme): IndividualScore {
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
    discipline = maxDec(
      ZERO,
      base.discipline
        .minus(dp.lateOver5.times(inputs.lateOver5))
        .minus(dp.lateOver30.times(inputs.lateOver30))
        .minus(dp.absentHalfDay.times(inputs.absentHalfDays)),
    );
  }

  let penalties = ZERO;
  const isMedical = (MEDICAL_ROLES as readonly string[]).includes(staff.role);
  if (quarter === scheme.cme.quarter && isMedical && inputs.cmeCredits !== null && inputs.cmeCredits.lt(scheme.cme.minCredits)) {
    penalties = penalties.plus(scheme.cme.penalty);
  }
  if (inputs.refusedTraining) penalties = penalties.plus(scheme.refusedTrainingPenalty);
  if ((staff.role === 'physician' || staff.role === 'nurse') && !staff.licensed) penalties = penalties.plus(scheme.unlicensedPenalty);

  const rawScore = maxDec(ZERO, title.plus(positionPoints).plus(workload).plus(quality).plus(ethics).plus(discipline).minus(penalties));
  const attendanceDeduction = inputs.absentDays === 0 ? ZERO : rawScore.div(inputs.requiredDays).times(inputs.absentDays);
  const overtimeAddition =
    inputs.overtimeDays === 0 ? ZERO : rawScore.div(inputs.requiredDays).times(inputs.overtimeDays).times(scheme.overtimeFactor);
  const payRatio = payRatioOf(staff, scheme);
  const attended = attendanceDeduction.isZero() && overtimeAddition.isZero() ? rawScore : maxDec(ZERO, rawScore.minus(attendanceDeduction).plus(overtimeAddition));
  const effectiveScore = payRatio.eq(ONE) ? attended : attended.times(payRatio);
  const components = { title, position: positionPoints, workload, quality, ethics, discipline, penalties };
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
  const band = scheme.studyLeave.find((b) => b.maxMonths === null || months.lte(b.maxMonths));
  return band ? band.rate : ZERO;
}

/** On study leave (§3.2): longer than the first band, so paid by the hospital, not a member. */
export function isOnStudyLeave(months: Dec, scheme: Scheme): boolean {
  const first = scheme.studyLeave[0]!.maxMonths;
  return first !== null && months.gt(first);
}
