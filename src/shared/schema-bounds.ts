import type { TSchema } from '@sinclair/typebox';
import { PAY_RATIO_OVERRIDE_MAX, SCHEME_BOUNDS, type SchemeBound } from '../core/bounds.js';

/**
 * The engine's bounds (src/core/bounds.ts) written into the descriptions of the input schemas the
 * API publishes, so that the OpenAPI document says what validation refuses: a copy of the schema
 * whose scheme rates and shares say "maximum 1", multipliers "maximum 10", reserveRate also "at
 * most poolRate", and a staff member's payRatioOverride "maximum 1". Validation is unchanged
 * (the pattern of a decimal string cannot say it; the engine checks the bound and names the
 * field). Money's bound (15 digits before the point) is in the money fields' own descriptions.
 */
interface Node {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  type?: string;
}

/** Where the bounded parameters sit in a schema: the scheme's path and the staff record's ('' for the schema itself; `*`: every item). */
export interface BoundsAt {
  scheme?: string;
  staff?: string;
}

export function describeBounds<T extends TSchema>(schema: T, where: BoundsAt): T {
  const copies = new CopiesOnPaths();
  const root = copies.own(schema as unknown as Node);
  if (where.scheme !== undefined) {
    for (const bound of SCHEME_BOUNDS) annotate(root, join(where.scheme, bound.path), wording(bound), copies);
  }
  if (where.staff !== undefined) annotate(root, join(where.staff, 'payRatioOverride'), `maximum ${PAY_RATIO_OVERRIDE_MAX.toString()}, as the scheme's pay ratios`, copies);
  return root as unknown as T;
}

/**
 * The copies made on the way to the annotated fields: each node on a path, its `properties` and
 * its `anyOf` list are copied once (a shallow copy keeps TypeBox's symbol keys), and everything
 * off the paths is shared with the original schema, which is never written. A deep clone of the
 * scenario's schema (CloneType) took some 7 ms of each service start (issue #16).
 */
class CopiesOnPaths {
  private readonly made = new Set<object>();

  own<X extends object>(x: X): X {
    if (this.made.has(x)) return x;
    const copy = (Array.isArray(x) ? [...x] : { ...x }) as X;
    this.made.add(copy);
    return copy;
  }

  /** holder[key], made a copy of its own in its place (holder is one already). */
  ownAt<H extends object, K extends keyof H>(holder: H, key: K): NonNullable<H[K]> {
    const copy = this.own(holder[key] as NonNullable<H[K]>);
    holder[key] = copy;
    return copy;
  }
}

function wording(bound: SchemeBound): string {
  const max = `maximum ${bound.max.toString()}`;
  if (bound.path === 'reserveRate') return `${max}, and at most poolRate (the reserve is taken out of the pool)`;
  return bound.kind === 'rate' ? `${max} (a rate or share of a whole)` : `${max} (a multiplier)`;
}

const join = (prefix: string, path: string) => (prefix ? `${prefix}.${path}` : path);

/** Appends the wording to every node the path names; a path that names nothing is a mistake here, not a silent gap. */
function annotate(root: Node, path: string, text: string, copies: CopiesOnPaths): void {
  const found = [...nodesAt(root, path.split('.'), copies)];
  if (found.length === 0) throw new Error(`describeBounds: ${path} names no field of the schema`);
  for (const node of found) node.description = node.description ? `${node.description}; ${text}` : text;
}

/** The nodes the path names below `node` (a copy of its own), each a copy of its own, put in place of the original in its parent's copy. */
function* nodesAt(node: Node, segments: string[], copies: CopiesOnPaths): Generator<Node> {
  if (node.anyOf) {
    // a nullable or optional-union field: its non-null variants carry the wording
    const variants = copies.ownAt(node, 'anyOf');
    for (let i = 0; i < variants.length; i++) if (variants[i]!.type !== 'null') yield* nodesAt(copies.ownAt(variants, i), segments, copies);
    return;
  }
  const [head, ...rest] = segments;
  if (head === undefined) {
    yield node;
    return;
  }
  if (head === '*') {
    if (node.properties) {
      const properties = copies.ownAt(node, 'properties');
      for (const key of Object.keys(properties)) yield* nodesAt(copies.ownAt(properties, key), rest, copies);
    } else if (node.items) yield* nodesAt(copies.ownAt(node, 'items'), rest, copies);
    return;
  }
  if (node.properties?.[head]) yield* nodesAt(copies.ownAt(copies.ownAt(node, 'properties'), head), rest, copies);
}
