import { Type, type TSchema, type TUnion } from '@sinclair/typebox';

/** The modules' checkers are the engine's kind: compiled on first use (src/core/compiled.ts). */
export { compiledOnUse } from '../core/compiled.js';

/** Shapes shared by the routes' schemas (documentation and validation alike). */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'a stable machine-readable code, e.g. invalid_type, period_closed' }),
      message: Type.String({ description: 'what is wrong, naming the record and field' }),
      path: Type.Optional(Type.String({ description: 'the offending field, e.g. periods[0].departments[2].totalCost' })),
      details: Type.Optional(Type.Array(Type.Unknown())),
    }),
  },
  { $id: 'Error', description: 'the error format of every 4xx and 5xx answer' },
);

export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));

export const HospitalCode = Type.String({ minLength: 1, maxLength: 64, description: 'hospital code' });
export const HospitalParams = Type.Object({ code: HospitalCode });
export const Quarter = Type.String({ pattern: '^[0-9]{4}Q[1-4]$', description: 'a quarter, e.g. 2026Q1', 'x-kind': 'quarter' });
export const Period = Type.String({ pattern: '^[0-9]{4}(Q[1-4])?$', description: 'a quarter (2026Q1) or a year (2026) for the year-end' });

/**
 * A body whose shape depends on one of its fields (a bulk write's `mode`: whole records, or
 * merge patches): the schema declares the variants under `x-select`, and the body is checked
 * against the variant its field names, so that errors name the record's own fields.
 */
export interface Select {
  field: string;
  variants: Record<string, TSchema>;
  default: string;
}

/** Where a schema keeps its variants: a symbol, so the OpenAPI document shows the plain union. */
const SELECT = Symbol.for('perfpay.select');

export const selectOf = (schema: TSchema): Select | undefined => (schema as { [SELECT]?: Select })[SELECT];

export function selectBy<A extends TSchema, B extends TSchema>(field: string, variants: Record<string, A | B> & { [k: string]: A | B }, fallback: string, description: string): TUnion<[A, B]> {
  const [first, second] = Object.values(variants) as [A, B];
  const schema = Type.Union([first, second], { description });
  return Object.assign(schema, { [SELECT]: { field, variants, default: fallback } satisfies Select });
}
