import { Kind, OptionalKind } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { PAY_RATIO_OVERRIDE_MAX, SCHEME_BOUNDS } from '../../src/core/bounds.js';
import { ScenarioSchema, SchemeOverrides, StaffSchema } from '../../src/core/schema.js';
import { describeBounds } from '../../src/shared/schema-bounds.js';

/**
 * The engine's bounds written into the descriptions of the API's input schemas
 * (src/shared/schema-bounds.ts): copies made only along the annotated paths, the engine's own
 * schemas never written, everything else shared. The whole published wording is compared with
 * the committed OpenAPI document by test/integration/openapi.test.ts.
 */
type Node = Record<string | symbol, any>;
/** The field itself, or its non-null variant when it is a nullable union. */
const field = (node: Node): Node => (node.anyOf ? node.anyOf.find((v: Node) => v.type !== 'null') : node);
/** The node a path without wildcards names (`*` after an array: its items). */
const at = (node: Node, path: string): Node => path.split('.').reduce((n, key) => (key === '*' ? field(n).items : field(n).properties[key]), node);
/** The scheme's bounds on fields of their own (not on every entry of a map). */
const PLAIN_BOUNDS = SCHEME_BOUNDS.filter((b) => !b.path.includes('*'));

describe('describeBounds', () => {
  it("leaves the engine's schemas exactly as they were", () => {
    const before = [ScenarioSchema, StaffSchema, SchemeOverrides].map((s) => JSON.stringify(s));
    describeBounds(ScenarioSchema, { scheme: 'scheme', staff: 'staff.*' });
    describeBounds(StaffSchema, { staff: '' });
    describeBounds(SchemeOverrides, { scheme: '' });
    expect([ScenarioSchema, StaffSchema, SchemeOverrides].map((s) => JSON.stringify(s))).toEqual(before);
    for (const bound of PLAIN_BOUNDS) expect(field(at(SchemeOverrides, bound.path)).description ?? '').not.toContain('maximum');
  });

  it("writes every scheme bound and the staff member's payRatioOverride bound into the copy", () => {
    const copy = describeBounds(ScenarioSchema, { scheme: 'scheme', staff: 'staff.*' }) as Node;
    expect(PLAIN_BOUNDS.length).toBeGreaterThan(5);
    for (const bound of PLAIN_BOUNDS) {
      expect(field(at(copy, `scheme.${bound.path}`)).description).toContain(`maximum ${bound.max.toString()}`);
    }
    // a bound on every entry of a map: each entry's field says it
    const payRatios = field(at(copy, 'scheme.payRatios')).properties as Record<string, Node>;
    expect(Object.keys(payRatios)).toEqual(['regular', 'temporary', 'contract']);
    for (const entry of Object.values(payRatios)) for (const ratio of Object.values(field(entry).properties as Record<string, Node>)) expect(field(ratio).description).toContain('maximum 1');
    expect(field(at(copy, 'staff.*.payRatioOverride')).description).toContain(`maximum ${PAY_RATIO_OVERRIDE_MAX.toString()}, as the scheme's pay ratios`);
    expect(field(at(copy, 'scheme.reserveRate')).description).toContain('at most poolRate');
  });

  it('copies only the nodes on the annotated paths, with their TypeBox kinds; the rest is shared', () => {
    const copy = describeBounds(ScenarioSchema, { scheme: 'scheme', staff: 'staff.*' }) as Node;
    const original = ScenarioSchema as unknown as Node;
    expect(copy).not.toBe(original);
    expect(copy[Kind]).toBe('Object');
    expect(copy.properties.scheme).not.toBe(original.properties.scheme);
    expect(copy.properties.scheme[OptionalKind]).toBe('Optional');
    // off the paths: the very same objects
    expect(copy.properties.periods).toBe(original.properties.periods);
    expect(copy.properties.hospital).toBe(original.properties.hospital);
    expect(copy.properties.departments).toBe(original.properties.departments);
  });

  it('refuses a path that names no field', () => {
    expect(() => describeBounds(StaffSchema, { scheme: 'nowhere' })).toThrow(/describeBounds: nowhere\.\w+ names no field/);
  });
});
