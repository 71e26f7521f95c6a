import type { TSchema } from '@sinclair/typebox';
import fastJsonStringify from 'fast-json-stringify';

/**
 * A route's answer serializer for a schema whose value names its own variant. fast-json-stringify
 * serialises an `anyOf` by validating the value against each branch in turn — for a run with a
 * 10,000-line result, a whole validation of the result before a byte is written. A run's result
 * says its kind: `byVariant` picks the serializer of that variant, compiled once, and the other
 * answers of the route (errors) are compiled as Fastify would.
 */
export function serializerByVariant<T>(schema: TSchema, variants: Record<string, TSchema>, variantOf: (value: T) => string): (definition: { schema: unknown }) => (value: unknown) => string {
  const compiled = Object.fromEntries(Object.entries(variants).map(([name, variant]) => [name, fastJsonStringify(variant)]));
  const names = Object.keys(compiled);
  const byVariant = (value: T): string => (compiled[variantOf(value)] ?? compiled[names[0]!]!)(value);
  return ({ schema: answer }) => (answer === schema ? (byVariant as (value: unknown) => string) : fastJsonStringify(answer as TSchema));
}
