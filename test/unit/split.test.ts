import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, MoneyTotal, cmpDec, decimalFromCents, referenceSplit, runningSum34, split, toFixedHalfUp } from '../../src/core/money.js';

/** The reference (money.ts, beside split()): §1.3 in Decimal operations exactly as written, as text by party. */
function referenceParts(total: InstanceType<typeof Dec>, parties: { key: string; weight: InstanceType<typeof Dec> }[]): Map<string, string> {
  return new Map([...referenceSplit(total, parties).parts].map(([k, v]) => [k, v.toFixed(2)]));
}

const digits = (max: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{0,${max}}$`));
const decimalArb = fc.oneof(
  fc.tuple(digits(8), digits(6)).map(([i, f]) => `${i}.${f}`),
  fc.tuple(digits(3), fc.stringMatching(/^[0-9]{20,33}[1-9]$/)).map(([i, f]) => `${i}.${f}`),
  fc.stringMatching(/^0\.0{0,12}[1-9][0-9]{0,30}$/),
  digits(20),
  fc.constantFrom('0', '1', '3', '0.1', '7', '1000000'),
);
const moneyArb = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.bigInt({ min: 0n, max: 1000n })).map((c) => {
  const s = c.toString().padStart(3, '0');
  return new Dec(`${s.slice(0, -2)}.${s.slice(-2)}`);
});

describe('split() in BigInt arithmetic equals referenceSplit(), the Decimal evaluation of §1.3', () => {
  it('on random totals and weights of up to 34 significant digits (5,000 cases)', () => {
    fc.assert(
      fc.property(moneyArb, fc.array(decimalArb, { minLength: 1, maxLength: 30 }), (total, weights) => {
        const parties = weights.map((w, i) => ({ key: `P${String(i).padStart(2, '0')}`, weight: new Dec(w) }));
        const actual = split(total, parties);
        const expected = referenceParts(total, parties);
        expect(Object.fromEntries([...actual.parts].map(([k, v]) => [k, v.toFixed(2)]))).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: 5000 },
    );
  });

  it('on totals around 2^53 cents and up to 10^21 cents (1,000 cases)', () => {
    const hugeArb = fc.oneof(fc.bigInt({ min: 2n ** 53n - 2_000n, max: 2n ** 53n + 2_000n }), fc.bigInt({ min: 10n ** 15n, max: 10n ** 21n })).map((c) => {
      const t = c.toString();
      return new Dec(`${t.slice(0, -2)}.${t.slice(-2)}`);
    });
    fc.assert(
      fc.property(hugeArb, fc.array(decimalArb, { minLength: 1, maxLength: 12 }), (total, weights) => {
        const parties = weights.map((w, i) => ({ key: `P${String(i).padStart(2, '0')}`, weight: new Dec(w) }));
        const actual = split(total, parties);
        expect(Object.fromEntries([...actual.parts].map(([k, v]) => [k, v.toFixed(2)]))).toEqual(Object.fromEntries(referenceParts(total, parties)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a negative weight and a total that is not whole cents; all-zero weights leave the total unallocated', () => {
    expect(() =>
      split(new Dec('100.00'), [
        { key: 'A', weight: new Dec('-1') },
        { key: 'B', weight: new Dec('2') },
      ]),
    ).toThrow(RangeError);
    expect(() => split(new Dec('100.001'), [{ key: 'A', weight: new Dec('1') }])).toThrow(RangeError);
    expect(split(new Dec('100.001'), [{ key: 'A', weight: new Dec('0') }]).unallocated).toBe(true);
  });

  it('on weights whose quotients tie at the 34th digit (equal weights, thirds, sevenths)', () => {
    for (const w of ['1', '3', '7', '0.333333333333333333333333333333333', '6.333333333333333333333333333333333']) {
      for (const t of ['0.01', '0.05', '1.00', '100.00', '60000.01', '99999999999.99']) {
        const parties = Array.from({ length: 7 }, (_, i) => ({ key: `K${i}`, weight: new Dec(w).plus(i % 2 ? '0' : w) }));
        const actual = split(new Dec(t), parties);
        expect(Object.fromEntries([...actual.parts].map(([k, v]) => [k, v.toFixed(2)]))).toEqual(Object.fromEntries(referenceParts(new Dec(t), parties)));
      }
    }
  });
});

describe('decimalFromCents builds the same Decimal as parsing the text', () => {
  const check = (cents: bigint) => {
    const digits = cents.toString().padStart(3, '0');
    const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
    const built = decimalFromCents(cents) as unknown as { d: number[]; e: number; s: number };
    const parsed = new Dec(text) as unknown as { d: number[]; e: number; s: number };
    expect({ d: built.d, e: built.e, s: built.s }).toEqual({ d: parsed.d, e: parsed.e, s: parsed.s });
    expect((built as unknown as InstanceType<typeof Dec>).toFixed(2)).toBe(text);
    expect((built as unknown as InstanceType<typeof Dec>).plus('0.01').minus('0.01').eq(text)).toBe(true);
  };
  it('at the edges of the base-10^7 words', () => {
    for (const c of [1n, 9n, 10n, 99n, 100n, 101n, 110n, 999_999_999n, 1_000_000_000n, 1_000_000_001n, 10n ** 16n, 10n ** 16n + 1n, 10n ** 30n + 10n]) check(c);
  });
  it('on 20,000 random amounts', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 20n }), (c) => check(c)),
      { numRuns: 20_000 },
    );
  });
  it('on 20,000 random amounts below 2^53 (built in Number arithmetic), and at that edge', () => {
    for (const c of [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 15n, 10n ** 15n - 1n, 999_999_999_999_999n]) check(c);
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }), fc.bigInt({ min: 1n, max: 10n ** 9n })), (c) => check(c)),
      { numRuns: 20_000 },
    );
  });
});

/** Signed decimals of every shape: tiny, huge, many digits, exact halves, runs of nines. */
const signedDecimalArb = fc
  .tuple(
    fc.boolean(),
    fc.oneof(
      decimalArb,
      fc.tuple(digits(4), fc.stringMatching(/^[0-9]{0,6}[5]$/)).map(([i, f]) => `${i}.${f}`),
      fc.tuple(fc.stringMatching(/^9{1,12}$/), fc.stringMatching(/^9{1,10}[0-9]?$/)).map(([i, f]) => `${i}.${f}`),
      fc.stringMatching(/^0\.0{0,8}[0-9]{1,4}$/),
      fc.tuple(digits(30), fc.stringMatching(/^[0-9]{1,3}$/)).map(([i, f]) => `${i}.${f}`),
    ),
  )
  .map(([negative, text]) => new Dec(negative ? `-${text}` : text));

describe('toFixedHalfUp formats exactly as decimal.js toFixed, half-up', () => {
  const reference = (x: InstanceType<typeof Dec>, dp: number) => {
    const s = x.toFixed(dp, Dec.ROUND_HALF_UP);
    return /^-0\.0*$/.test(s) ? s.slice(1) : s;
  };
  it('at the rounding edges (a hand-checked list)', () => {
    const cases: [string, number, string][] = [
      ['0', 2, '0.00'],
      ['0.005', 2, '0.01'],
      ['0.004999', 2, '0.00'],
      ['-0.004', 2, '0.00'],
      ['-0.005', 2, '-0.01'],
      ['9.995', 2, '10.00'],
      ['999999.9999995', 6, '1000000.000000'],
      ['0.0000005', 6, '0.000001'],
      ['0.00000049', 6, '0.000000'],
      ['123456789012345678', 2, '123456789012345678.00'],
      ['1e14', 2, '100000000000000.00'],
      ['12000000', 6, '12000000.000000'],
      ['0.1', 6, '0.100000'],
      ['-1234.5678', 2, '-1234.57'],
    ];
    for (const [text, dp, expected] of cases) expect(toFixedHalfUp(new Dec(text), dp), `${text} to ${dp}`).toBe(expected);
  });
  it('on 20,000 random values at 2 and 6 decimals', () => {
    fc.assert(
      fc.property(signedDecimalArb, fc.constantFrom(2, 6), (x, dp) => {
        expect(toFixedHalfUp(x, dp)).toBe(reference(x, dp));
      }),
      { numRuns: 20_000 },
    );
  });
  it('on values that are whole units of the last decimal shown, up to and past 10^15 units (formatted from one Number)', () => {
    const wholeUnits = fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: 10n ** 16n }), fc.constantFrom(2, 6), fc.integer({ min: 0, max: 6 })).map(([negative, units, dp, fewer]) => {
      const text = units.toString().padStart(dp + 1, '0');
      const shown = `${text.slice(0, -dp)}.${text.slice(-dp)}`;
      // fewer decimals than shown, so the value may also be a whole number of a larger unit
      return { x: new Dec(`${negative ? '-' : ''}${shown}`).toDecimalPlaces(Math.max(0, dp - fewer), Dec.ROUND_DOWN), dp };
    });
    fc.assert(
      fc.property(wholeUnits, ({ x, dp }) => {
        expect(toFixedHalfUp(x, dp)).toBe(reference(x, dp));
      }),
      { numRuns: 20_000 },
    );
    for (const text of ['9999999999999.99', '10000000000000.00', '99999999.999999', '100000000.000001', '0.0000001', '0.000001', '0.01', '1234567.1234567', '9999999', '10000000', '10000000.5']) {
      for (const dp of [2, 6]) expect(toFixedHalfUp(new Dec(text), dp), `${text} to ${dp}`).toBe(reference(new Dec(text), dp));
    }
  });
  it('on computed values (quotients with 34 digits)', () => {
    fc.assert(
      fc.property(signedDecimalArb, decimalArb, fc.constantFrom(2, 6), (x, y, dp) => {
        const q = x.div(new Dec(y).plus(1));
        expect(toFixedHalfUp(q, dp)).toBe(reference(q, dp));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('cmpDec compares as decimal.js cmp does', () => {
  it('on 20,000 random pairs, including equal values and zeros', () => {
    const arb = fc.oneof(signedDecimalArb, fc.constantFrom(new Dec(0), new Dec('-0'), new Dec(1), new Dec('1.0000001')));
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        expect(cmpDec(a, b)).toBe(a.cmp(b));
        expect(cmpDec(a, a)).toBe(0);
        expect(cmpDec(a, new Dec(a.toString()))).toBe(0);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("split()'s total weight: the running sum in BigInt equals decimal.js's", () => {
  it('on 3,000 lists of up to 60 weights of up to 34 significant digits (sums that must round)', () => {
    const weight = fc.oneof(
      decimalArb,
      fc.tuple(digits(6), fc.stringMatching(/^[0-9]{25,27}[1-9]$/)).map(([i, f]) => `${i}.${f}`),
    );
    fc.assert(
      fc.property(fc.array(weight, { minLength: 1, maxLength: 60 }), (texts) => {
        const values = texts.map((t) => new Dec(t));
        const reference = values.reduce((acc, v) => acc.plus(v), new Dec(0));
        expect(runningSum34(values).toString()).toBe(reference.toString());
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('MoneyTotal adds money as Decimal addition does', () => {
  it('on 3,000 lists of amounts: cents, sub-cent values, huge values, zeros', () => {
    const amount = fc.oneof(
      moneyArb,
      fc.bigInt({ min: 0n, max: 10n ** 18n }).map((c) => decimalFromCents(c === 0n ? 1n : c)),
      fc.constantFrom(new Dec(0), new Dec('0.01'), new Dec('0.05'), new Dec('0.5'), new Dec('0.001'), new Dec('12.345'), new Dec('99999999999.99'), new Dec('1e13')),
    );
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 80 }), (values) => {
        const total = new MoneyTotal();
        for (const v of values) total.add(v);
        const reference = values.reduce((acc, v) => acc.plus(v), new Dec(0));
        expect(total.value().toString()).toBe(reference.toString());
        expect(total.value().eq(reference)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
