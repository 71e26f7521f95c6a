import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, toFixedHalfUp } from '../../src/core/money.js';
import { accumulator, add, clear, divInt, divIntInto, format, fromDec, plus, times, timesInto, toDec, copyOf } from '../../src/core/words34.js';

/** Non-negative decimals of every shape the assessment meets: short figures, 34-digit quotients, tiny and large values. */
const digits = (max: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{0,${max}}$`));
const decimalArb = fc.oneof(
  fc.tuple(digits(8), digits(6)).map(([i, f]) => `${i}.${f}`),
  fc.tuple(digits(3), fc.stringMatching(/^[0-9]{20,33}[1-9]$/)).map(([i, f]) => `${i}.${f}`),
  fc.stringMatching(/^0\.0{0,12}[1-9][0-9]{0,33}$/),
  fc.stringMatching(/^0\.9{20,40}[0-9]?$/),
  digits(20),
  digits(33).map((d) => `${d}e-${d.length % 40}`),
  fc.constantFrom('0', '1', '3', '0.1', '7', '1000000', '2.5', '12.5', '9999999', '10000000', '0.5', '0.05'),
);
/** Values as the assessment makes them: quotients of figures, rounded to 34 digits by decimal.js. */
const quotientArb = fc.tuple(decimalArb, decimalArb).map(([x, y]) => (new Dec(y).isZero() ? new Dec(x) : new Dec(x).div(y)).toString());

const arb = fc.oneof(decimalArb, quotientArb);

/**
 * A value as words34 keeps it: words below 10^7, none zero on top or at the bottom, the exponent on
 * a word boundary, n the digits from the first to the end of the last word, at most 34 significant.
 */
function shaped(v: { w: readonly number[]; length: number; e: number; n: number }): void {
  expect(Math.abs(v.e % 7)).toBe(0);
  if (v.n === 0) {
    expect(v.length).toBe(0);
    return;
  }
  const words = v.w.slice(0, v.length);
  for (const word of words) expect(Number.isInteger(word) && word >= 0 && word < 10_000_000).toBe(true);
  expect(words[0]).not.toBe(0);
  expect(words.at(-1)).not.toBe(0);
  const digits =
    String(words.at(-1)) +
    words
      .slice(0, -1)
      .reverse()
      .map((w) => String(w).padStart(7, '0'))
      .join('');
  expect(v.n).toBe(digits.length);
  expect(digits.replace(/0+$/, '').length).toBeLessThanOrEqual(34);
}

describe('words34 gives what decimal.js gives at 34 digits, half-up', () => {
  it('reads and writes a Decimal without changing it', () => {
    fc.assert(
      fc.property(arb, (x) => {
        expect(toDec(fromDec(new Dec(x))).toString()).toBe(new Dec(x).toString());
      }),
      { numRuns: 3_000 },
    );
  });

  it('plus, times, divInt and format on 10,000 random pairs', () => {
    fc.assert(
      fc.property(arb, arb, fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10_000_000 })), fc.integer({ min: 1, max: 6 }), (x, y, n, dp) => {
        const a = new Dec(x);
        const b = new Dec(y);
        const wa = fromDec(a);
        const wb = fromDec(b);
        expect(toDec(plus(wa, wb)).toString()).toBe(a.plus(b).toString());
        const acc = accumulator();
        add(acc, wa);
        add(acc, wb);
        // a running sum: 0 + a + b (a first term of more than 34 digits is rounded on its way in, as 0 + a is)
        expect(toDec(copyOf(acc)).toString()).toBe(new Dec(0).plus(a).plus(b).toString());
        const into = accumulator();
        timesInto(into, wa, wb);
        expect(toDec(into).toString()).toBe(a.times(b).toString());
        shaped(into);
        divIntInto(into, wa, n);
        expect(toDec(into).toString()).toBe(a.div(n).toString());
        shaped(into);
        // in place: out is an operand (a running product, a sum doubled), after holding a longer value
        const self = accumulator();
        add(self, wa);
        add(self, self);
        expect(toDec(self).toString()).toBe(new Dec(0).plus(a).times(2).toString());
        shaped(self);
        timesInto(self, wb, self);
        expect(toDec(self).toString()).toBe(new Dec(0).plus(a).times(2).times(b).toString());
        shaped(self);
        divIntInto(self, self, n);
        expect(toDec(self).toString()).toBe(new Dec(0).plus(a).times(2).times(b).div(n).toString());
        shaped(self);
        for (const v of [plus(wa, wb), times(wa, wb), divInt(wa, n)]) shaped(v);
        expect(toDec(times(wa, wb)).toString()).toBe(a.times(b).toString());
        expect(toDec(divInt(wa, n)).toString()).toBe(a.div(n).toString());
        expect(format(wa, dp)).toBe(toFixedHalfUp(a, dp));
        expect(format(times(wa, wb), dp)).toBe(toFixedHalfUp(a.times(b), dp));
        // every value stays on a word boundary (its exponent a multiple of 7), so that sums add word to word
        for (const v of [wa, plus(wa, wb), times(wa, wb), divInt(wa, n), copyOf(acc)]) expect(Math.abs(v.e % 7)).toBe(0);
      }),
      { numRuns: 10_000 },
    );
  });

  it('a running sum of up to 12 values, their mean and points × the mean, as the assessment computes a leaf', () => {
    fc.assert(
      fc.property(fc.array(quotientArb, { minLength: 1, maxLength: 12 }), decimalArb, (xs, points) => {
        let dec = new Dec(0);
        let words = fromDec(dec);
        // the same sum kept in place, in an accumulator used before (cleared) as the engine reuses them
        const acc = accumulator();
        add(acc, fromDec(new Dec('123.456')));
        clear(acc);
        for (const x of xs) {
          dec = dec.plus(x);
          words = plus(words, fromDec(new Dec(x)));
          add(acc, fromDec(new Dec(x)));
          expect(toDec(words).toString()).toBe(dec.toString());
          expect(toDec(copyOf(acc)).toString()).toBe(dec.toString());
        }
        const mean = dec.div(xs.length);
        const meanWords = divInt(words, xs.length);
        expect(toDec(meanWords).toString()).toBe(mean.toString());
        const score = new Dec(points).times(mean);
        expect(toDec(times(fromDec(new Dec(points)), meanWords)).toString()).toBe(score.toString());
        expect(format(meanWords, 6)).toBe(toFixedHalfUp(mean, 6));
        // the same in place, as the engine computes a leaf: the sum's accumulator becomes the mean, another the score
        divIntInto(acc, acc, xs.length);
        expect(toDec(acc).toString()).toBe(mean.toString());
        expect(format(acc, 6)).toBe(toFixedHalfUp(mean, 6));
        const scoreAcc = accumulator();
        timesInto(scoreAcc, fromDec(new Dec(points)), acc);
        expect(toDec(scoreAcc).toString()).toBe(score.toString());
        expect(format(scoreAcc, 6)).toBe(toFixedHalfUp(score, 6));
      }),
      { numRuns: 3_000 },
    );
  });

  it('the edges: zero, carries through every word, 10^34 after rounding up, a half exactly', () => {
    const cases: [string, string][] = [
      ['0', '0'],
      ['0', '5'],
      ['9999999999999999999999999999999999', '1'],
      ['9999999999999999999999999999999999', '0.5'],
      ['9999999999999999999999999999999999', '0.4999999'],
      // a term at the other's 36th digit and one below it (the sum is the other without adding)
      ['9999999999999999999999999999999999', '0.05'],
      ['9999999999999999999999999999999999', '0.009'],
      ['1234567890123456789012345678901234', '0.5'],
      ['0.009', '1234567890123456789012345678901234'],
      ['0.99999999999999999999999999999999995', '0'],
      ['1e-40', '1'],
      ['1e40', '1e-40'],
      ['0.0000005', '0'],
      ['0.00000049999', '0'],
      ['123456789.123456789', '987654321.987654321'],
    ];
    for (const [x, y] of cases) {
      const a = new Dec(x);
      const b = new Dec(y);
      expect(toDec(plus(fromDec(a), fromDec(b))).toString(), `${x} + ${y}`).toBe(a.plus(b).toString());
      const acc = accumulator();
      add(acc, fromDec(a));
      add(acc, fromDec(b));
      expect(toDec(copyOf(acc)).toString(), `0 + ${x} + ${y} in place`).toBe(new Dec(0).plus(a).plus(b).toString());
      expect(toDec(times(fromDec(a), fromDec(b))).toString(), `${x} × ${y}`).toBe(a.times(b).toString());
      expect(toDec(divInt(fromDec(a), 3)).toString(), `${x} ÷ 3`).toBe(a.div(3).toString());
      for (const dp of [1, 2, 6]) expect(format(fromDec(a), dp), `${x} to ${dp}`).toBe(toFixedHalfUp(a, dp));
    }
    expect(() => fromDec(new Dec(-1))).toThrow(RangeError);
    expect(() => divInt(fromDec(new Dec(1)), 0)).toThrow(RangeError);
  });
});
