import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * A TypeBox checker compiled on its first use rather than when its module loads: the service
 * loads the engine and dozens of schemas at start that a request may never need, and compiling
 * them all delayed its start (issue #16). The engine's and the modules' checkers alike.
 */
export function compiledOnUse<T extends TSchema>(schema: () => T): () => TypeCheck<T> {
  let check: TypeCheck<T> | undefined;
  return () => {
    check ??= TypeCompiler.Compile(schema());
    return check;
  };
}
