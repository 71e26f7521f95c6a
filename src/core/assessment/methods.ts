import { type Dec, ONE, ZERO, cmpDec, maxDec, minDec } from '../money.js';
import type { Leaf } from './model.js';

// assessment.md §1.2: a leaf's attainment, always clamped to [0, 1]

/** min(1, max(0, x)) on the exact quotient. */
export function clamp(x: Dec): Dec {
  return minDec(ONE, maxDec(ZERO, x));
}

/** §1.2: a value's attainment by its leaf's method, clamped. */
export function attainment(method: Leaf['method'], points: Dec, v: Dec): Dec {
  switch (method.type) {
    case 'ratio':
      if (method.higher) return clamp(v.div(method.target));
      return v.isZero() ? ONE : clamp(method.target.div(v));
    case 'deviation': {
      const gap = maxDec(ZERO, method.higher ? method.target.minus(v) : v.minus(method.target));
      return clamp(ONE.minus(method.stepShare.times(gap.div(method.step))));
    }
    case 'bands': {
      let a = ZERO;
      for (const band of method.bands) if (cmpDec(band.from, v) <= 0) a = band.attainment;
      return clamp(a);
    }
    case 'manual':
      return clamp(v.div(points));
    case 'defects':
      throw new Error('a defects leaf has no values');
  }
}

/** §1.2 `defects`: max(0, points − D) / points, clamped. */
export function defectsAttainment(points: Dec, booked: Dec): Dec {
  return booked.isZero() ? ONE : clamp(maxDec(ZERO, points.minus(booked)).div(points));
}
