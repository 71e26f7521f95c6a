import { CloneType, type TSchema } from '@sinclair/typebox';
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
  const copy = CloneType(schema);
  const root = copy as unknown as Node;
  if (where.scheme !== undefined) {
    for (const bound of SCHEME_BOUNDS) annotate(root, join(where.scheme, bound.path), wording(bound));
  }
  if (where.staff !== undefined) annotate(root, join(where.staff, 'payRatioOverride'), `maximum ${PAY_RATIO_OVERRIDE_MAX.toString()}, as the scheme's pay ratios`);
  return copy;
}

function wording(bound: SchemeBound): string {
  const max = `maximum ${bound.max.toString()}`;
  if (bound.path === 'reserveRate') return `${max}, and at most poolRate (the reserve is taken out of the pool)`;
  return bound.kind === 'rate' ? `${max} (a rate or share of a whole)` : `${max} (a multiplier)`;
}

const join = (prefix: string, path: string) => (prefix ? `${prefix}.${path}` : path);

/** Appends the wording to every node the path names; a path that names nothing is a mistake here, not a silent gap. */
function annotate(root: Node, path: string, text: string): void {
  const found = [...nodesAt(root, path.split('.'))];
  if (found.length === 0) throw new Error(`describeBounds: ${path} names no field of the schema`);
  for (const node of found) node.description = node.description ? `${node.description}; ${text}` : text;
}

function* nodesAt(node: Node, segments: string[]): Generator<Node> {
  if (node.anyOf) {
    // a nullable or optional-union field: its non-null variants carry the wording
    for (const variant of node.anyOf) if (variant.type !== 'null') yield* nodesAt(variant, segments);
    return;
  }
  const [head, ...rest] = segments;
  if (head === undefined) {
    yield node;
    return;
  }
  if (head === '*') {
    const children = node.properties ? Object.values(node.properties) : node.items ? [node.items] : [];
    for (const child of children) yield* nodesAt(child, rest);
    return;
  }
  const child = node.properties?.[head];
  if (child) yield* nodesAt(child, rest);
}
