import { ZERO, compareKeys, money, split, sum, type Dec } from './money.js';
import type { FlagThresholds, Scheme } from './scheme.js';
import type { Dispute, DisputeFlag, DisputeFlagName, Suspension } from './types.js';

/**
 * Medical-dispute liability and its consequences (disputes-and-awards.md §2–§4): the segmented
 * liability base, its split among parties and people, and the flags. Pure: disputes in, fines
 * and flags out. Disputes are taken in (bookedIn, id) order.
 */

const AVOIDABLE = new Set(['avoidable', 'grade1_accident']);

/** §2: the compensation cut into segments like tax brackets, each part × its rate, money-rounded. */
export function liabilityBase(d: Pick<Dispute, 'compensation' | 'classification'>, scheme: Scheme): Dec {
  if (d.classification === 'unavoidable') return ZERO;
  if (d.classification === 'misconduct') return d.compensation;
  const segments = d.classification === 'defect' ? scheme.disputes.defectSegments : scheme.disputes.avoidableSegments;
  const parts: Dec[] = [];
  let lower = ZERO;
  for (const segment of segments) {
    if (!d.compensation.gt(lower)) break;
    const upper = segment.upTo === null || d.compensation.lt(segment.upTo) ? d.compensation : segment.upTo;
    parts.push(money(upper.minus(lower).times(segment.rate)));
    if (segment.upTo === null) break;
    lower = segment.upTo;
  }
  return sum(parts);
}

/** §3: who bears what of one dispute, by person (a person in several roles bears the sum). */
export function liabilityByPerson(d: Dispute, scheme: Scheme): Map<string, Dec> {
  const base = liabilityBase(d, scheme);
  const byParty = split(
    base,
    d.parties.map((p) => ({ key: p.department, weight: p.share })),
  );
  const out = new Map<string, Dec>();
  const add = (staffId: string, amount: Dec) => out.set(staffId, (out.get(staffId) ?? ZERO).plus(amount));
  for (const p of d.parties) {
    const part = byParty.parts.get(p.department) ?? ZERO;
    if (d.classification === 'misconduct') {
      add(p.responsible, part);
      continue;
    }
    const shares = scheme.disputes.shares;
    const responsible = money(part.times(p.departmentType === 'bed' ? shares.bed.responsible : shares[p.departmentType].responsible));
    const teamLead = p.departmentType === 'bed' ? money(part.times(shares.bed.teamLead)) : ZERO;
    add(p.responsible, responsible);
    if (p.departmentType === 'bed' && p.teamLead) add(p.teamLead, teamLead);
    add(p.departmentHead, part.minus(responsible).minus(teamLead));
  }
  return out;
}

export interface DisputeEffects {
  /** period → staff id → the liabilities of the disputes booked in it. */
  fines: Map<string, Map<string, Dec>>;
  /** period → staff id → each dispute's liability. */
  items: Map<string, Map<string, { disputeId: string; amount: Dec }[]>>;
  /** period → the staff suspended in it. */
  suspended: Map<string, Set<string>>;
  /** period → the staff suspended in it, with the dispute that suspended them. */
  suspensions: Map<string, Map<string, Suspension>>;
  /** year → the year's flags, sorted by (staff id or department, flag, dispute id). */
  flags: Map<number, DisputeFlag[]>;
  /** year → departments named by a dispute with compensation > 0 booked in it. */
  named: Map<number, Set<string>>;
}

export function disputeEffects(disputes: readonly Dispute[], scheme: Scheme): DisputeEffects {
  const fines = new Map<string, Map<string, Dec>>();
  const items = new Map<string, Map<string, { disputeId: string; amount: Dec }[]>>();
  const suspended = new Map<string, Set<string>>();
  const suspensions = new Map<string, Map<string, Suspension>>();
  const flags = new Map<number, Map<string, DisputeFlag>>();
  const named = new Map<number, Set<string>>();
  const avoidableCount = new Map<string, number>(); // year|staff → avoidable disputes so far
  const monitoring = new Map<string, { count: number; weighted: Dec; flagged: boolean }>(); // year|department

  const flag = (year: number, subject: { staffId: string } | { department: string }, name: DisputeFlagName, disputeId: string) => {
    const key = `${'staffId' in subject ? `s:${subject.staffId}` : `d:${subject.department}`}|${name}|${disputeId}`;
    const list = flags.get(year) ?? new Map<string, DisputeFlag>();
    if (!list.has(key)) list.set(key, { ...subject, flag: name, disputeId } as DisputeFlag);
    flags.set(year, list);
  };

  for (const d of disputes) {
    const periodFines = fines.get(d.bookedIn) ?? new Map<string, Dec>();
    const periodItems = items.get(d.bookedIn) ?? new Map<string, { disputeId: string; amount: Dec }[]>();
    for (const [staffId, amount] of liabilityByPerson(d, scheme)) {
      periodFines.set(staffId, (periodFines.get(staffId) ?? ZERO).plus(amount));
      periodItems.set(staffId, [...(periodItems.get(staffId) ?? []), { disputeId: d.id, amount }]);
    }
    fines.set(d.bookedIn, periodFines);
    items.set(d.bookedIn, periodItems);
    if (d.compensation.gt(0)) {
      const set = named.get(d.year) ?? new Set<string>();
      for (const p of d.parties) set.add(p.department);
      named.set(d.year, set);
    }

    const responsibleOnce = [...new Set(d.parties.map((p) => p.responsible))];
    if (d.classification === 'defect' || AVOIDABLE.has(d.classification)) {
      const thresholds = d.classification === 'defect' ? scheme.disputes.defectFlags : scheme.disputes.avoidableFlags;
      const name = gradeFlag(d.compensation, thresholds);
      if (name) for (const staffId of responsibleOnce) flag(d.year, { staffId }, name, d.id);
    }
    if (!AVOIDABLE.has(d.classification)) continue;

    // the second avoidable or grade-1 dispute of a year suspends its responsible person for the
    // quarter it is booked in and the next one of the same year
    for (const staffId of responsibleOnce) {
      const key = `${d.year}|${staffId}`;
      const count = (avoidableCount.get(key) ?? 0) + 1;
      avoidableCount.set(key, count);
      if (count !== 2) continue;
      flag(d.year, { staffId }, 'suspended', d.id);
      for (const q of d.quarter < 4 ? [d.quarter, d.quarter + 1] : [d.quarter]) {
        const period = `${d.year}Q${q}`;
        const set = suspended.get(period) ?? new Set<string>();
        set.add(staffId);
        suspended.set(period, set);
        const why = suspensions.get(period) ?? new Map<string, Suspension>();
        why.set(staffId, { disputeId: d.id, bookedIn: d.bookedIn });
        suspensions.set(period, why);
      }
    }
    if (!d.compensation.lt(scheme.disputes.demeritAtLeast)) {
      for (const p of d.parties) flag(d.year, { staffId: p.departmentHead }, 'demerit', d.id);
    }
    for (const p of d.parties) {
      const key = `${d.year}|${p.department}`;
      const m = monitoring.get(key) ?? { count: 0, weighted: ZERO, flagged: false };
      m.count += 1;
      m.weighted = m.weighted.plus(d.compensation.times(p.share));
      if (!m.flagged && m.count >= 2 && !m.weighted.lt(scheme.disputes.focusedMonitoringAtLeast)) {
        m.flagged = true;
        flag(d.year, { department: p.department }, 'focused_monitoring', d.id);
      }
      monitoring.set(key, m);
    }
  }

  const sorted = new Map<number, DisputeFlag[]>();
  for (const [year, list] of flags) {
    const subject = (f: DisputeFlag) => ('staffId' in f ? f.staffId : f.department);
    sorted.set(
      year,
      [...list.values()].sort((a, b) => compareKeys(subject(a), subject(b)) || compareKeys(a.flag, b.flag) || compareKeys(a.disputeId, b.disputeId)),
    );
  }
  return { fines, items, suspended, suspensions, flags: sorted, named };
}

/** §4's table: the flag of the highest threshold the compensation is above, if any. */
function gradeFlag(compensation: Dec, t: FlagThresholds): DisputeFlagName | null {
  if (compensation.gt(t.failAbove)) return 'grade_fail';
  if (compensation.gt(t.basicPassAbove)) return 'grade_basic_pass';
  if (compensation.gt(t.noAwardsAbove)) return 'no_awards';
  return null;
}

/** §5: the risk award of a department, by its growth (the highest tier reached), or 0. */
export function riskAwardOf(inputs: { openBeds: number | null; emergency: boolean; benefitGrowth: Dec | null }, named: boolean, scheme: Scheme): Dec {
  const { minOpenBeds, tiers } = scheme.riskAward;
  if (named || inputs.benefitGrowth === null) return ZERO;
  if (!((inputs.openBeds ?? 0) >= minOpenBeds || inputs.emergency)) return ZERO;
  let award = ZERO;
  for (const tier of tiers) if (!inputs.benefitGrowth.lt(tier.growth)) award = tier.amount;
  return money(award);
}
