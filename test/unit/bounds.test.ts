import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEME_BOUNDS } from '../../src/core/bounds.js';
import { simulate, validateScenario } from '../../src/core/index.js';
import { engineErrorOf } from '../fixtures/errors.js';

/**
 * Issue #13 items 20 and 28: what the store cannot hold and what no scheme means are refused
 * at validation, naming the field; a run whose figures would still not fit fails with
 * out_of_range, naming the record (src/core/bounds.ts is the table of bounds).
 */
type Doc = Record<string, any>;
const EXAMPLE_TEXT = readFileSync(new URL('../../examples/worked-example.scenario.json', import.meta.url), 'utf8');
const example = (): Doc => JSON.parse(EXAMPLE_TEXT) as Doc;
const mutated = (mutate: (d: Doc) => void): Doc => {
  const d = example();
  mutate(d);
  return d;
};
const failure = (doc: Doc) => engineErrorOf(() => simulate(doc), 'expected the scenario to be refused');

describe('item 20: money inputs the store could not hold are refused at validation', () => {
  const cases: [string, (d: Doc) => void, string][] = [
    ['inventoryLoss "999999999999999999" (the issue’s example)', (d) => (d.periods[0].departments[2].inventoryLoss = '999999999999999999'), 'periods[0].departments[2].inventoryLoss'],
    ['scheme floorPerCapita "999999999999999999"', (d) => (d.scheme.floorPerCapita = '999999999999999999'), 'scheme.floorPerCapita'],
    ['revenue of 16 digits', (d) => (d.periods[0].revenue = '1000000000000000.00'), 'periods[0].revenue'],
    ['an adjustment of 16 digits, negative', (d) => (d.periods[0].adjustment = '-1000000000000000'), 'periods[0].adjustment'],
    ['fines of 16 digits', (d) => (d.periods[0].individuals[0].fines = '1000000000000000'), 'periods[0].individuals[0].fines'],
    ['totalCost of 16 digits', (d) => (d.periods[0].departments[0].totalCost = '1000000000000000'), 'periods[0].departments[0].totalCost'],
  ];
  it.each(cases)('%s', (_name, mutate, path) => {
    const e = failure(mutated(mutate));
    expect(e.code).toBe('invalid_value');
    expect(e.path).toBe(path);
    expect(e.message).toContain('at most 15 digits before the decimal point');
  });

  it('15 digits before the point are accepted', () => {
    expect(() => validateScenario(mutated((d) => (d.periods[0].departments[2].inventoryLoss = '999999999999999.99')))).not.toThrow();
  });
});

describe('item 28: scheme rates, shares and multipliers within their bounds', () => {
  it('reserveRate "2" is refused naming scheme.reserveRate (it used to fail as a negative distributable amount)', () => {
    const e = failure(mutated((d) => (d.scheme.reserveRate = '2')));
    expect([e.code, e.path]).toEqual(['invalid_scheme', 'scheme.reserveRate']);
    expect(e.message).toContain('reserveRate');
  });

  it('reserveRate above poolRate is refused naming scheme.reserveRate', () => {
    const e = failure(mutated((d) => Object.assign(d.scheme, { poolRate: '0.05', reserveRate: '0.06' })));
    expect([e.code, e.path]).toEqual(['invalid_scheme', 'scheme.reserveRate']);
    expect(e.message).toContain('poolRate');
  });

  it('reserveRate equal to poolRate is accepted (nothing distributable but the adjustment)', () => {
    expect(() => validateScenario(mutated((d) => Object.assign(d.scheme, { poolRate: '0.05', reserveRate: '0.05' })))).not.toThrow();
  });

  /** Sets the first value at a bound's path (`*`: the first key or index there is). */
  function setAt(scheme: Doc, path: string, value: string): string {
    const merged = JSON.parse(JSON.stringify(validateScenarioDefaults())) as Doc;
    const segments = path.split('.');
    let node: Doc = scheme;
    let source: Doc = merged;
    const concrete: string[] = [];
    segments.forEach((seg, i) => {
      const key = seg === '*' ? (Array.isArray(source) ? '0' : Object.keys(source)[0]!) : seg;
      concrete.push(Array.isArray(source) ? `[${key}]` : /^[A-Za-z_]\w*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
      if (i === segments.length - 1) {
        node[key] = value;
        return;
      }
      if (node[key] === undefined) node[key] = structuredClone(source[key]);
      node = node[key];
      source = source[key];
    });
    return `scheme${concrete.join('')}`;
  }

  it.each(SCHEME_BOUNDS.map((b) => [b.path, b] as const))('%s: just above its bound is refused with its path; at the bound it is accepted', (_path, bound) => {
    const above = bound.max.plus('0.0001').toString();
    const doc = example();
    const path = setAt(doc.scheme, bound.path, above);
    const e = failure(doc);
    expect([e.code, e.path]).toEqual(['invalid_scheme', path]);
    expect(e.message).toContain(path.slice('scheme.'.length));
    const atBound = example();
    setAt(atBound.scheme, bound.path, bound.max.toString());
    if (bound.path === 'reserveRate') atBound.scheme.poolRate = '1';
    expect(() => validateScenario(atBound)).not.toThrow();
  });

  it('the position bonus rates of the old leader-bonus tests (12, 3.5) are refused as scheme errors', () => {
    for (const rate of ['12', '3.5']) {
      const e = failure(mutated((d) => (d.scheme.positions = { hospital_leader: { bonusRate: rate } })));
      expect([e.code, e.path]).toEqual(['invalid_scheme', 'scheme.positions.hospital_leader.bonusRate']);
    }
  });

  it('payRatioOverride "1000" is refused naming the staff member and field; "1" is accepted', () => {
    const e = failure(mutated((d) => (d.staff[6].payRatioOverride = '1000')));
    expect([e.code, e.path]).toEqual(['invalid_value', 'staff[6].payRatioOverride']);
    expect(e.message).toContain('staff S13');
    expect(() => validateScenario(mutated((d) => (d.staff[6].payRatioOverride = '1')))).not.toThrow();
  });

  it('a negative distributable amount names the adjustment as its cause', () => {
    const e = failure(mutated((d) => (d.periods[0].adjustment = '-390000.01')));
    expect([e.code, e.path]).toEqual(['negative_distributable', 'periods[0].adjustment']);
    expect(e.message).toContain('the adjustment -390000.01 takes more than pool − reserve (390000.00)');
  });

  it('the worked and disputes examples still settle', () => {
    expect(() => simulate(example())).not.toThrow();
    expect(() => simulate(JSON.parse(readFileSync(new URL('../../examples/disputes-example.scenario.json', import.meta.url), 'utf8')))).not.toThrow();
  });
});

function validateScenarioDefaults(): Doc {
  return validateScenario(example()).hospital.scheme as unknown as Doc;
}

describe('the largest accepted inputs settle to figures the store can hold, or fail naming the record', () => {
  const MAX = '999999999999999.99';
  const money = /^-?([0-9]+)\.[0-9]{2}$/;
  const score = /^-?([0-9]+)\.[0-9]{6}$/;

  /** Every money string below 10^18 and every score below 10^33. */
  function expectStorable(value: unknown, at = '$'): void {
    if (typeof value === 'string') {
      const m = money.exec(value);
      if (m) expect(m[1]!.length, `${at} = ${value}`).toBeLessThanOrEqual(18);
      const s = score.exec(value);
      if (s) expect(s[1]!.length, `${at} = ${value}`).toBeLessThanOrEqual(33);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) expectStorable(v, `${at}.${k}`);
    }
  }

  const largest: [string, (d: Doc) => void][] = [
    [
      'revenue at its bound, the whole of it the pool',
      (d) => {
        Object.assign(d.scheme, { poolRate: '1', reserveRate: '0' });
        d.periods[0].revenue = MAX;
        delete d.annual.adjustment; // no reserve, so the fund is 0
      },
    ],
    [
      'every money input of a department at its bound',
      (d) => Object.assign(d.periods[0].departments[0], { medicalRevenue: MAX, drugRevenue: MAX, totalCost: '0.01', variableCost: MAX, inventoryLoss: MAX }),
    ],
    [
      'inventory loss at its bound, × the largest multiplier',
      (d) => {
        d.scheme.inventoryLossMultiplier = '10';
        d.periods[0].departments[2].inventoryLoss = MAX;
      },
    ],
    ['floorPerCapita at its bound', (d) => (d.scheme.floorPerCapita = MAX)],
    ['fines at their bound', (d) => (d.periods[0].individuals[0].fines = MAX)],
    [
      'the largest adjustments, of a quarter and of the year-end',
      (d) => {
        Object.assign(d.periods[0], { revenue: MAX, adjustment: MAX });
        d.annual.adjustment = MAX;
      },
    ],
    ['a workload far above its base (the score grows without bound)', (d) => (d.periods[0].departments[0].workload = [{ actual: '999999999999999999', base: '0.0000000000000001' }])],
    ['a fee far above its target', (d) => (d.periods[0].departments[0].outpatientFee = { actual: '999999999999999999', target: '0.0000000000000001' })],
  ];
  it.each(largest)('%s', (_name, mutate) => {
    const doc = mutated(mutate);
    let result: unknown;
    try {
      result = simulate(doc);
    } catch (e) {
      const error = engineErrorOf(() => {
        throw e;
      }, 'an EngineError');
      expect(error.code, error.message).toBe('out_of_range');
      expect(error.message).toMatch(/^period 2026Q[12], (summary|department [A-Z]+|staff S[0-9]+): /);
      return;
    }
    expectStorable(result);
  });

  it('a fee far above its target fails as out_of_range, naming the department and the penalty', () => {
    const e = failure(mutated((d) => (d.periods[0].departments[0].outpatientFee = { actual: '999999999999999999', target: '0.0000000000000001' })));
    expect(e.code).toBe('out_of_range');
    expect(e.message).toContain('period 2026Q1, department IM: penalties.outpatientFee comes to');
    expect(e.path).toBe('periods[0].departments[0]');
  });
});
