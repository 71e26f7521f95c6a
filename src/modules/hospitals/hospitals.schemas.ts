import { Type } from '@sinclair/typebox';

export const HospitalView = Type.Object({ code: Type.String({ description: 'hospital code' }), name: Type.String({ description: '医院名称' }) }, { description: 'a hospital' });
export const HospitalList = Type.Object({ hospitals: Type.Array(HospitalView) });
export const HospitalBody = Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
