import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/core/money.js';
import { DEFAULT_SCHEME, mergeScheme, toScheme } from '../../src/core/scheme.js';
import { fullMarksPoints, individualScore } from '../../src/core/tier2.js';
import type { Staff } from '../../src/core/types.js';
import { defaultIndividualInputs } from '../../src/core/validate.js';

/**
 * individualScore adds title + position + quality + ethics + discipline once per grade and
 * position for people at full marks. That shortcut must give exactly the sum evaluated in the
 * order §3.9 writes it, whatever the scheme's points and the workload score.
 */
const points = fc.oneof(fc.stringMatching(/^[1-9][0-9]{0,2}(\.[0-9]{1,2})?$/), fc.stringMatching(/^[1-9][0-9]{0,14}\.[0-9]{10,15}[1-9]$/), fc.stringMatching(/^[1-9][0-9]{15,17}(\.[0-9]{1,16})?$/));

describe('the full-marks shortcut of the tier-2 score', () => {
  it('equals title + position + workload + quality + ethics + discipline in order (2,000 schemes)', () => {
    fc.assert(
      fc.property(points, points, points, points, points, points, (title, position, quality, ethics, discipline, workload) => {
        const params = mergeScheme({
          titleScores: { ...DEFAULT_SCHEME.titleScores, chief: title },
          positions: { ...DEFAULT_SCHEME.positions, key_director: { points: position, bonusRate: '0.30' } },
          individualBase: { workload, quality, ethics, discipline },
        });
        const scheme = toScheme(params);
        const staff: Staff = {
          id: 'S1',
          name: '张三',
          department: 'D1',
          titleGrade: 'chief',
          position: 'key_director',
          employment: 'regular',
          role: 'physician',
          licensed: true,
          payRatioOverride: null,
        };
        const inputs = defaultIndividualInputs(60, scheme);
        const memo = fullMarksPoints();
        const first = individualScore(staff, inputs, 1, scheme, memo);
        const again = individualScore(staff, inputs, 1, scheme, memo);
        expect(first.components.title.toString()).toBe(new Dec(title).toString());
        const inOrder = new Dec(title).plus(position).plus(workload).plus(quality).plus(ethics).plus(discipline);
        expect(first.rawScore.toString()).toBe(inOrder.toString());
        expect(again.rawScore.toString()).toBe(inOrder.toString());
      }),
      { numRuns: 2_000 },
    );
  });
});
