import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from '../../shared/principal.js';
import { HospitalCode } from '../../shared/schemas.js';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'a UUID' });
const Time = Type.String({ description: 'an ISO 8601 time (UTC)' });
export const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { 'x-kind': 'enum', 'x-values': ROLES, description: 'admin, finance, dept_head, auditor or assessor' },
);

export const KeyParams = Type.Object({ id: Uuid });

export const CreateKeyBody = Type.Object(
  {
    role: RoleSchema,
    hospital: HospitalCode,
    departments: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 500,
        description: 'for a dept_head key: its departments; for an assessor key: the functional departments (offices) it speaks for',
      }),
    ),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'who or what uses the key' }),
  },
  { additionalProperties: false },
);
export type CreateKeyInput = Static<typeof CreateKeyBody>;

export const KeyView = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    role: RoleSchema,
    hospital: Type.String(),
    departments: Type.Array(Type.String()),
    tokenPrefix: Type.String({ description: 'the first characters of the token, to tell keys apart' }),
    createdBy: Type.String(),
    createdAt: Time,
    lastUsedAt: Type.Union([Time, Type.Null()]),
    revokedAt: Type.Union([Time, Type.Null()]),
  },
  { description: 'an API key, never with its token' },
);
export type KeyView = Static<typeof KeyView>;

export const CreatedKey = Type.Object(
  {
    ...KeyView.properties,
    token: Type.Optional(Type.String({ description: 'the token: in the first answer only (only its SHA-256 is kept)' })),
    note: Type.Optional(Type.String({ description: 'on a replay with the same Idempotency-Key: why the token is not shown' })),
  },
  { description: 'the new key, with its token in the first answer' },
);

export const KeyList = Type.Object({ keys: Type.Array(KeyView) });
export const KeyQuery = Type.Object({ hospital: HospitalCode }, { additionalProperties: false });
