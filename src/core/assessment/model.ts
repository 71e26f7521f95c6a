import type { Dec } from '../money.js';
import type { Cadence, DepartmentDefectCategory, PersonalDefectCategory } from '../schema.js';
import type { Words34 } from '../words34.js';

/**
 * A validated assessment (assessment.md §1): scorecards flattened in tree pre-order, values and
 * defects grouped the way the evaluation reads them, every reference checked.
 */

export type Method =
  | { type: 'ratio'; higher: boolean; target: Dec }
  | { type: 'deviation'; higher: boolean; target: Dec; step: Dec; stepShare: Dec }
  | { type: 'bands'; bands: { from: Dec; attainment: Dec }[] }
  | { type: 'manual' }
  | { type: 'defects' };

export interface Leaf {
  cadence: Cadence;
  method: Method;
}

export interface IndicatorNode {
  code: string;
  points: Dec;
  /** The node's position in the pre-order list. */
  position: number;
  /** The node's ancestors' positions in the pre-order list, root first. */
  ancestors: number[];
  /** Null for an inner node. */
  leaf: Leaf | null;
}

export interface Scorecard {
  id: string;
  /** Every node, in tree pre-order. */
  nodes: IndicatorNode[];
  /** Σ points of the leaves assessed in a quarter (not yearly) and at the year-end (all), in pre-order. */
  quarterPoints: Dec;
  yearPoints: Dec;
}

export interface DepartmentDefect {
  id: string;
  month: string;
  /** The quarter (YYYYQn) the month falls in. */
  period: string;
  department: string;
  category: DepartmentDefectCategory | null;
  indicator: string | null;
  points: Dec;
}

export interface PersonalDefect {
  id: string;
  month: string;
  period: string;
  year: number;
  staffId: string;
  category: PersonalDefectCategory;
  points: Dec;
  veto: boolean;
}

/** A leaf's attainment in a cadence period (§1.2), in the exact arithmetic the scores are computed in (score.ts). */
export interface Attainment {
  value: Words34;
}

export interface Assessment {
  /** The scorecard of every scored department. */
  scorecardOf: Map<string, Scorecard>;
  /** The scenario's cadence periods in chronological order: the months and quarters of its quarters, and the year-end's year. */
  cadencePeriods: Record<Cadence, string[]>;
  /**
   * department → by the position of each leaf with values in its scorecard's nodes (undefined for
   * the other nodes) → the clamped attainment of each of its values (§1.2), by the position of the
   * value's period in `cadencePeriods` of the leaf's cadence.
   */
  attainments: Map<string, ((Attainment | undefined)[] | undefined)[]>;
  /** department → its defects, in id order. */
  departmentDefects: Map<string, DepartmentDefect[]>;
  /** staff id → their defects, in id order. */
  personalDefects: Map<string, PersonalDefect[]>;
}
