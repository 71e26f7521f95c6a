import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import { schemaError } from '../core/index.js';
import { AppError } from '../shared/errors.js';
import { checkValue } from '../shared/text.js';
import { selectOf, type Select } from '../shared/schemas.js';

/**
 * Every route's schema is a TypeBox schema: compiled on its first request (not at start: the
 * service answers /health before any of its ~100 route schemas is compiled), checked on each
 * request, and its errors described in the engine's words (the field's path, what it must be,
 * what came) — the same messages as `perfpay simulate`. Query strings and path parameters are
 * converted first ("20" → 20); bodies never are: a number where a decimal string belongs is an
 * error. Responses are serialised by fast-json-stringify from their schemas, as Fastify does,
 * each compiled on the first answer that needs it.
 */
export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const select = selectOf(schema as TSchema);
    if (select) return lazily(() => selectingValidator(select));
    return lazily(() => validator(schema as TSchema, httpPart));
  });
  app.setSerializerCompiler(({ schema }) => lazily(() => fastJsonStringify(schema as TSchema)));
}

/** `make()`'s function, made on the first call. */
function lazily<A, R>(make: () => (arg: A) => R): (arg: A) => R {
  let made: ((arg: A) => R) | undefined;
  return (arg) => {
    made ??= make();
    return made(arg);
  };
}

function validator(schema: TSchema, httpPart: string | undefined) {
  const checker = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    // a body the route marks optional may be absent altogether
    if (httpPart === 'body' && (data === undefined || data === null) && (schema as Record<string, unknown>)['x-optional-body']) return { value: data };
    // a JSON body was checked as it was parsed (src/plugins/body.ts); the other parts here
    if (httpPart !== 'body') {
      const problem = checkValue(data, httpPart ?? '');
      if (problem) return { error: problem };
    }
    const value = httpPart === 'body' ? data : Value.Default(schema as TSchema, convertStrictly(schema as TSchema, data));
    if (checker.Check(value)) return { value };
    const e = schemaError(value, checker.Errors(value), httpPart === 'body' ? '' : (httpPart ?? ''));
    return { error: new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined) };
  };
}

function selectingValidator(select: Select) {
  const checkers = Object.fromEntries(Object.entries(select.variants).map(([name, variant]) => [name, TypeCompiler.Compile(variant)]));
  return (data: unknown) => {
    const chosen = data && typeof data === 'object' ? ((data as Record<string, unknown>)[select.field] ?? select.default) : select.default;
    const checker = typeof chosen === 'string' && Object.hasOwn(checkers, chosen) ? checkers[chosen]! : null;
    if (!checker) {
      const values = Object.keys(checkers);
      return { error: new AppError(400, 'invalid_enum', `${select.field} must be one of ${values.join(', ')}, got ${JSON.stringify(chosen)}`, select.field) };
    }
    if (checker.Check(data)) return { value: data };
    const e = schemaError(data, checker.Errors(data));
    return { error: new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined) };
  };
}

/**
 * Query strings and path parameters arrive as text: a field the schema wants as an integer or a
 * boolean is converted only when its text is exactly one ("20", "true"); anything else ("1e400",
 * "20abc", "2.5") stays text and fails the check with the field named, rather than becoming 1.
 */
function convertStrictly(schema: TSchema, data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data) || !schema.properties) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const v = out[key];
    if (typeof v !== 'string') continue;
    if (property.type === 'integer' && /^-?(0|[1-9][0-9]{0,15})$/.test(v)) out[key] = Number(v);
    else if (property.type === 'boolean' && (v === 'true' || v === 'false')) out[key] = v === 'true';
  }
  return out;
}
