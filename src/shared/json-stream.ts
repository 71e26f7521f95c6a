/**
 * `JSON.stringify(value, null, 2)` in pieces: the same text, given as chunks of about `chunkSize`
 * characters, so a 20 MB result document is written out without ever being one string. The
 * first `streamDepth` levels of objects and arrays are walked here; anything deeper (one
 * department's or one person's line) is stringified whole by JSON.stringify and indented to its
 * place, which keeps the per-value cost JSON.stringify's own.
 *
 * As JSON.stringify: toJSON(key) is called where a value has one; undefined, functions and symbols
 * are left out of objects and become null in arrays; non-finite numbers are null; a value that
 * stringifies to nothing (undefined at the top) yields nothing.
 */
export function* prettyJsonChunks(value: unknown, options: { streamDepth?: number; chunkSize?: number } = {}): Generator<string, void, undefined> {
  const out = { text: '', size: options.chunkSize ?? 1 << 16 };
  yield* emit(resolve(value, ''), '', options.streamDepth ?? 4, out);
  if (out.text) yield out.text;
}

interface Out {
  text: string;
  size: number;
}

const GAP = '  ';

function resolve(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') return (value as { toJSON(key: string): unknown }).toJSON(key);
  if (typeof value === 'bigint' && typeof (BigInt.prototype as { toJSON?: unknown }).toJSON === 'function') return (value as unknown as { toJSON(key: string): unknown }).toJSON(key);
  return value;
}

/** A plain object or array, walked here; anything else (boxed primitives included) is JSON.stringify's. */
function walkable(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  return !(value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt);
}

/** Left out of an object, null in an array. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Appends `v` (its toJSON already applied) at indentation `indent`; yields whenever a chunk is full. */
function* emit(v: unknown, indent: string, depth: number, out: Out): Generator<string, void, undefined> {
  if (depth <= 0 || !walkable(v)) {
    const text = JSON.stringify(v, null, 2);
    if (text === undefined) return;
    // JSON.stringify escapes a newline inside a string: every one in its text is a line break
    out.text += indent ? text.replaceAll('\n', `\n${indent}`) : text;
  } else {
    const inner = indent + GAP;
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.text += '[]';
      } else {
        out.text += '[';
        for (let i = 0; i < v.length; i++) {
          out.text += i === 0 ? `\n${inner}` : `,\n${inner}`;
          const item = resolve(v[i], String(i));
          if (omitted(item)) out.text += 'null';
          else yield* emit(item, inner, depth - 1, out);
          if (out.text.length >= out.size) {
            yield out.text;
            out.text = '';
          }
        }
        out.text += `\n${indent}]`;
      }
    } else {
      let first = true;
      for (const k of Object.keys(v)) {
        const item = resolve((v as Record<string, unknown>)[k], k);
        if (omitted(item)) continue;
        out.text += `${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `;
        first = false;
        yield* emit(item, inner, depth - 1, out);
        if (out.text.length >= out.size) {
          yield out.text;
          out.text = '';
        }
      }
      out.text += first ? '{}' : `\n${indent}}`;
    }
  }
}
