import { Type } from '@sinclair/typebox';
import { DisputeSchema } from '../../core/schema.js';
import { HospitalCode } from '../../shared/schemas.js';

const Year = Type.Integer({ minimum: 1900, maximum: 9999 });
export const DisputeParams = Type.Object({ code: HospitalCode, disputeId: Type.String({ minLength: 1, maxLength: 64 }) });
export const Correction = Type.Object(
  { ...Type.Omit(DisputeSchema, ['id']).properties, reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why the record is corrected (audited)' }) },
  { additionalProperties: false },
);
export const DisputeListQuery = Type.Object({ year: Type.Optional(Year), history: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const FlagQuery = Type.Object({ year: Type.Optional(Year), staffId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });

const Version = {
  version: Type.Integer({ description: 'from 1; a correction adds one' }),
  bookedIn: Type.String(),
  record: DisputeSchema,
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why this version corrects the one before (null: the first)' }),
};
export const WrittenDispute = Type.Object({ id: Type.String(), ...Version }, { description: 'a dispute version as written' });
export const DisputeVersion = Type.Object({ id: Type.String(), ...Version, by: Type.String(), at: Type.String() });
export const DisputeList = Type.Object({ disputes: Type.Array(DisputeVersion) });
export const DisputeHistory = Type.Object({ id: Type.String(), versions: Type.Array(Type.Object({ ...Version, by: Type.String(), at: Type.String() })) });
export const Flag = Type.Object({
  year: Type.Integer(),
  staffId: Type.Optional(Type.String()),
  department: Type.Optional(Type.String()),
  flag: Type.String({ description: 'no_awards, grade_basic_pass, grade_fail, suspended, demerit or focused_monitoring' }),
  disputeId: Type.String(),
});
export const FlagList = Type.Object({ flags: Type.Array(Flag) });
