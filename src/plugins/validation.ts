import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { schemaError } from '../core/index.js';
import { AppError } from '../errors.js';
import { checkValue } from './body.js';

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
      // a JSON body was checked as it was parsed (src/plugins/body.ts); the other parts here
      if (httpPart !== 'body') {
        const problem = checkValue(data, httpPart ?? '');
        if (problem) return { error: problem };
      }
      const value = httpPart === 'body' ? data : Value.Default(schema as TSchema, Value.Convert(schema as TSchema, data));
      if (checker.Check(value)) return { value };
      const e = schemaError(value, checker.Errors(value), httpPart === 'body' ? '' : (httpPart ?? ''));
      return { error: new AppError(400, e.code, e.message, e.path, e.details.length > 1 ? e.details : undefined) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
