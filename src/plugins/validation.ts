import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { schemaError } from '../core/index.js';
import { AppError } from '../errors.js';

/**
 * Every route's schema is a TypeBox schema: compiled once, checked on each request, and its
 * errors described in the engine's words (the field's path, what it must be, what came) — the
 * same messages as `perfpay simulate`. Query strings and path parameters are converted first
 * ("20" → 20); bodies never are: a number where a decimal string belongs is an error.
 */
export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const checker = TypeCompiler.Compile(schema as TSchema);
    return (data: unknown) => {
      // a body the route marks optional may be absent altogether
      if (httpPart === 'body' && (data === undefined || data === null) && (schema as Record<string, unknown>)['x-optional-body']) return { value: data };
      const nul = findNul(data, '');
      if (nul !== null) {
        const path = [httpPart === 'body' ? '' : httpPart, nul].filter(Boolean).join('.');
        return { error: new AppError(400, 'invalid_value', `${path || 'the body'} contains a NUL character (U+0000), which no text field may hold`, path) };
      }
      const value = httpPart === 'body' ? data : Value.Default(schema as TSchema, Value.Convert(schema as TSchema, data));
      if (checker.Check(value)) return { value };
      const e = schemaError(value, checker.Errors(value), httpPart === 'body' ? '' : (httpPart ?? ''));
      return { error: new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** The path of the first string (or key) holding U+0000, which PostgreSQL text cannot store. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) return at;
      const found = findNul(v, at);
      if (found !== null) return found;
    }
  }
  return null;
}
