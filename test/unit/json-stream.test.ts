import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/index.js';
import { prettyJsonChunks } from '../../src/shared/json-stream.js';
import { plainHospital } from '../fixtures/generator.js';

/**
 * `perfpay simulate` writes its result through prettyJsonChunks: the text must be exactly
 * JSON.stringify(value, null, 2), whatever the depth at which it stops walking and stringifies a
 * subtree whole, and however small its chunks.
 */
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

function joined(value: unknown, options?: { streamDepth?: number; chunkSize?: number }): string {
  return [...prettyJsonChunks(value, options)].join('');
}

function expectSame(value: unknown): void {
  const want = JSON.stringify(value, null, 2) ?? '';
  for (const streamDepth of [0, 1, 2, 3, 4, 6, 50]) {
    for (const chunkSize of [1, 7, 1 << 16]) expect(joined(value, { streamDepth, chunkSize }), `streamDepth ${streamDepth}, chunkSize ${chunkSize}`).toBe(want);
  }
}

describe('prettyJsonChunks', () => {
  for (const example of ['worked-example', 'disputes-example', 'assessment-example']) {
    it(`gives JSON.stringify(result, null, 2) of the ${example}, and the committed result file parses to the same document`, () => {
      const result = simulate(readJson(`${example}.scenario.json`));
      expectSame(result);
      expect(JSON.parse(joined(result))).toEqual(JSON.parse(JSON.stringify(result)));
    });
  }

  it('gives the same text for a hospital of 20 departments and 400 staff, in chunks no larger than asked but for one line', () => {
    const result = simulate(plainHospital({ departments: 20, staff: 400, seed: 7 }));
    const want = JSON.stringify(result, null, 2);
    const chunks = [...prettyJsonChunks(result, { chunkSize: 4096 })];
    expect(chunks.join('')).toBe(want);
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('gives the same text for edge values: empty containers, undefined fields, nested arrays, unicode, toJSON, non-finite numbers', () => {
    const values: unknown[] = [
      {},
      [],
      [[]],
      [{}],
      { a: [] },
      { a: {} },
      { a: undefined },
      { a: undefined, b: 1, c: () => 1, d: Symbol('s') },
      [undefined, () => 1, Symbol('s'), null],
      [[[[[1, [2, [3, []]]]]]]],
      { nested: { deeper: { deepest: { bottom: { x: [1, { y: 'z' }] } } } } },
      { 中文: '医院绩效工资核算', emoji: '😀', escape: 'a\nb\t"c"\\', lone: '\ud800', line: '\u2028\u2029', nul: '\u0000' },
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, neg: -0, big: 1e21, small: 5e-7 },
      { date: new Date(0), custom: { toJSON: (key: string) => `key=${key}` }, list: [{ toJSON: (key: string) => ({ at: key }) }] },
      { boxed: [new Number(1), new String('s'), new Boolean(false)] },
      'text',
      42,
      null,
      true,
      { '': '', ' ': [' '] },
    ];
    for (const value of values) expectSame(value);
    expect(joined(undefined)).toBe('');
    expect(joined(() => 1)).toBe('');
  });

  it('gives the same text for generated JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const want = JSON.stringify(value, null, 2);
        for (const streamDepth of [1, 2, 4]) expect(joined(value, { streamDepth, chunkSize: 16 })).toBe(want);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.anything({ maxDepth: 5 }), (value) => {
        let want: string | undefined;
        try {
          want = JSON.stringify(value, null, 2);
        } catch {
          return; // a value JSON.stringify refuses (a bigint) is not the stream's either
        }
        expect(joined(value, { chunkSize: 16 })).toBe(want ?? '');
      }),
      { numRuns: 300 },
    );
  });
});
