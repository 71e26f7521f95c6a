import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import fastJsonStringify from 'fast-json-stringify';

/**
 * The answer serializer of a route whose answer carries one large document under `field` (a run's
 * 10,000-line result): the rest is serialised by fast-json-stringify from the schema, as Fastify
 * would, and the document by JSON.stringify. fast-json-stringify would pick the document's anyOf
 * branch by validating all of it against each branch, and builds its text by concatenation, which
 * costs more again when the server writes it out: measured on the 10,000-line read (bench figure
 * 3), 150 ms against 60 ms. The document is built field by field by typed mappers from the
 * engine's result types, and a test checks real answers against the schema, so JSON.stringify
 * writes nothing the schema does not name. The route's other answers (errors) are compiled as
 * Fastify would.
 */
export function serializerWithDocument(schema: TObject, field: string): (definition: { schema: unknown }) => (value: unknown) => string {
  const { [field]: _document, ...rest } = schema.properties;
  // compiled on the first answer, not at start
  let head: ((value: unknown) => string) | undefined;
  const serialize = (value: unknown): string => {
    const document: unknown = value !== null && typeof value === 'object' ? Reflect.get(value, field) : undefined;
    head ??= fastJsonStringify(Type.Object(rest));
    const text = head(value);
    return document === undefined ? text : `${text.slice(0, -1)},${JSON.stringify(field)}:${JSON.stringify(document)}}`;
  };
  return ({ schema: answer }) => {
    if (answer === schema) return serialize;
    let other: ((value: unknown) => string) | undefined;
    return (value: unknown) => {
      other ??= fastJsonStringify(answer as TSchema);
      return other(value);
    };
  };
}
