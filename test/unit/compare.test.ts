/**
 * sameRecord decides whether a write changes anything (an unchanged record is not written and
 * not audited). It compares in place; it must agree exactly with comparing the records'
 * normalizedJson texts, the definition it replaced: decimals by value under the decimal keys,
 * absent and null fields alike, updatedAt and hospitalId ignored, key order irrelevant.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizedJson, sameRecord } from '../../src/modules/inputs/inputs.compare.js';

const byText = (a: unknown, b: unknown) => normalizedJson(a) === normalizedJson(b);

/** One decimal value in several spellings ("1.5", "01.50", "1.500"), and a few other values. */
const decimalText = fc.tuple(fc.integer({ min: -3, max: 3 }), fc.constantFrom('', '0', '5', '50', '05'), fc.nat(2), fc.nat(2)).map(([whole, fraction, leading, trailing]) => {
  const sign = whole < 0 ? '-' : '';
  const digits = '0'.repeat(leading) + String(Math.abs(whole));
  return fraction || trailing ? `${sign}${digits}.${fraction}${'0'.repeat(trailing)}` : `${sign}${digits}`;
});
const KEYS = ['workloadScore', 'fines', 'revenue', 'name', 'department', 'errors', 'updatedAt', 'hospitalId', 'cmeCredits', 'departments'] as const;
/** Keys whose strings are decimals (inputs.compare's DECIMAL_KEYS): they hold decimal texts, as stored rows and validated records do. */
const DECIMAL = new Set<string>(['workloadScore', 'fines', 'revenue']);
const absentArb = fc.constantFrom(null, undefined);
const leaf = fc.oneof(decimalText, fc.constantFrom('IM', 'SUR', '内科', ''), fc.integer({ min: -2, max: 2 }), fc.boolean(), absentArb);
const { record: nestedArb } = fc.letrec<{ value: unknown; record: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('record'), fc.constant(new Date(0))),
  record: fc
    .array(
      fc.constantFrom(...KEYS).chain((k) => fc.tuple(fc.constant(k), DECIMAL.has(k) ? fc.oneof(decimalText, fc.integer({ min: -2, max: 2 }), absentArb) : tie('value'))),
      { maxLength: 4 },
    )
    .map((entries) => Object.fromEntries(entries)),
}));
const recordArb = nestedArb;

/** A copy that says the same thing in other words: decimals respelt, nulls dropped, keys reordered, bookkeeping changed. */
function respelt(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && ['workloadScore', 'fines', 'revenue'].includes(key)) {
    return value.includes('.') ? `${value}0` : `${value}.00`;
  }
  if (Array.isArray(value)) return value.map((v) => respelt(v));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== null)
      .reverse();
    return Object.fromEntries([...entries.map(([k, v]) => [k, k === 'updatedAt' ? 'later' : respelt(v, k)]), ['hospitalId', 7]]);
  }
  return value;
}

describe('sameRecord', () => {
  it('agrees with comparing normalizedJson texts on any two records', () => {
    fc.assert(
      fc.property(recordArb, recordArb, (a, b) => {
        expect(sameRecord(a, b)).toBe(byText(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on a record and a respelt copy of it, and on that copy with one field changed', () => {
    fc.assert(
      fc.property(recordArb, recordArb, (a, other) => {
        const b = respelt(a);
        expect(sameRecord(a, b)).toBe(byText(a, b));
        expect(sameRecord(a, b)).toBe(true);
        const changed = { ...(b as Record<string, unknown>), ...other };
        expect(sameRecord(a, changed)).toBe(byText(a, changed));
        expect(sameRecord(changed, a)).toBe(byText(changed, a));
      }),
      { numRuns: 5000 },
    );
  });

  it('examples: decimals by value under decimal keys only, absent equals null, bookkeeping ignored', () => {
    expect(sameRecord({ workloadScore: '01.50', fines: null }, { workloadScore: '1.5', updatedAt: new Date() })).toBe(true);
    expect(sameRecord({ workloadScore: '1.5' }, { workloadScore: '1.51' })).toBe(false);
    expect(sameRecord({ name: '1.5' }, { name: '1.50' })).toBe(false);
    expect(sameRecord({ workloadScore: '1.5' }, { workloadScore: 1.5 })).toBe(false);
    expect(sameRecord({ departments: [{ code: 'IM', fines: '2' }] }, { departments: [{ fines: '2.00', code: 'IM' }] })).toBe(true);
    expect(sameRecord({ departments: ['IM', 'SUR'] }, { departments: ['SUR', 'IM'] })).toBe(false);
    expect(sameRecord({ errors: 0 }, {})).toBe(false);
    expect(sameRecord({ department: '内科' }, { department: '内科', hospitalId: 3 })).toBe(true);
    // only own fields count: a field named like an inherited member is still a field
    expect(sameRecord({}, JSON.parse('{"constructor": "x"}'))).toBe(false);
    expect(sameRecord(JSON.parse('{"toString": "x"}'), {})).toBe(false);
  });
});
