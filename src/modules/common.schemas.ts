import { Type, type TSchema } from '@sinclair/typebox';

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
export const AnyObject = (description: string): TSchema => Type.Object({}, { additionalProperties: true, description });
