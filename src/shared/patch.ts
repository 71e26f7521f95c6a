import { Type, type TNull, type TObject, type TOptional, type TProperties, type TSchema, type TUnion } from '@sinclair/typebox';
import type { DepartmentInput } from '../core/schema.js';

/**
 * PUT replaces a whole record; PATCH (a JSON merge patch, RFC 7396, `application/merge-patch+json`)
 * and the bulk and stream writes in `"mode": "merge"` change only the fields they name: a field
 * given replaces the stored one, an object merges field by field, `null` removes the field.
 */
export const MERGE_PATCH = 'application/merge-patch+json';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** RFC 7396: `patch` applied to `target`. Neither is changed; the result shares no object with the patch. */
export function mergePatch<T>(target: T | undefined | null, patch: unknown): T {
  if (!isObject(patch)) return structuredClone(patch) as T;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out as T;
}

const isNullable = (s: TSchema) => Array.isArray(s.anyOf) && (s.anyOf as TSchema[]).some((o) => o.type === 'null');

/**
 * The merge-patch form of a record's schema: its key fields as they are (a patch names its
 * record), every other field optional, and `null` (remove) allowed where the record may go
 * without the field.
 */
/** A merge patch's type: the keys as they are, every other field optional and removable (null). */
type Patched<T extends TProperties, K extends keyof T> = { [P in keyof T]: P extends K ? T[P] : TOptional<TUnion<[T[P], TNull]>> };

export function patchSchema<T extends TProperties, K extends keyof T & string>(record: TObject<T>, keys: readonly K[], description: string): TObject<Patched<T, K>> {
  const kept = new Set<string>(keys);
  const required = new Set(record.required ?? []);
  const properties: Record<string, TSchema> = {};
  for (const [name, schema] of Object.entries(record.properties)) {
    if (kept.has(name)) properties[name] = schema;
    else if (required.has(name) || isNullable(schema)) properties[name] = Type.Optional(schema);
    else properties[name] = Type.Optional(Type.Union([schema, Type.Null()], { 'x-kind': 'nullable' }));
  }
  return Type.Object(properties, { additionalProperties: false, description }) as TObject<Patched<T, K>>;
}

/** A clinical department's quarter record must carry what §3.4 computes its score from. */
export const CLINICAL_REQUIRED = ['workload', 'medicalRevenue', 'totalCost'] as const;

/** The fields a clinical department's quarter record lacks for the engine (none: complete). */
export function missingClinicalInputs(record: DepartmentInput): string[] {
  return CLINICAL_REQUIRED.filter((field) => (field === 'workload' ? !record.workload?.length : record[field] === undefined));
}
