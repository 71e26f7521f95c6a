/**
 * `JSON.stringify(value, null, 2)` in pieces: the same text, given as chunks of about `chunkSize`
 * characters, so a 20 MB result document is written out without ever being one string. A chunk
 * ends only between the members of the first `streamDepth` levels of objects and arrays; deeper
 * values (one department's or one person's line) stay whole within a chunk.
 *
 * The text is written here, not by JSON.stringify: a line of a result document is a flat record
 * of short strings, and writing it directly costs less than stringifying it alone and indenting
 * the text to its place. Strings that need an escape, boxed primitives, and values nested deeper
 * than MAX_DIRECT_DEPTH (a cycle, which JSON.stringify then refuses) are left to JSON.stringify.
 *
 * As JSON.stringify: toJSON(key) is called where a value has one; undefined, functions and symbols
 * are left out of objects and become null in arrays; non-finite numbers are null; a value that
 * stringifies to nothing (undefined at the top) yields nothing.
 */
export function* prettyJsonChunks(value: unknown, options: { streamDepth?: number; chunkSize?: number } = {}): Generator<string, void, undefined> {
  const out = { text: '', size: options.chunkSize ?? 1 << 16 };
  const top = resolve(value, '');
  if (omitted(top)) return;
  yield* emit(top, '', options.streamDepth ?? 4, out);
  if (out.text) yield out.text;
}

interface Out {
  text: string;
  size: number;
}

const GAP = '  ';
/** Below this many levels of nesting a value is written here; deeper, by JSON.stringify. */
const MAX_DIRECT_DEPTH = 64;

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

/** Appends `v` (its toJSON applied, not omitted) at indentation `indent`; yields whenever a chunk is full. */
function* emit(v: unknown, indent: string, depth: number, out: Out): Generator<string, void, undefined> {
  if (depth <= 0 || !walkable(v)) {
    out.text += text(v, indent, 0);
    return;
  }
  const inner = indent + GAP;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.text += '[]';
      return;
    }
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
    return;
  }
  let first = true;
  for (const k of Object.keys(v)) {
    const item = resolve((v as Record<string, unknown>)[k], k);
    if (omitted(item)) continue;
    out.text += `${first ? '{' : ','}\n${inner}${memberKey(k)}`;
    first = false;
    yield* emit(item, inner, depth - 1, out);
    if (out.text.length >= out.size) {
      yield out.text;
      out.text = '';
    }
  }
  out.text += first ? '{}' : `\n${indent}}`;
}

/** The text of `v` (its toJSON applied, not omitted) at indentation `indent`, `level` levels below a streamed value. */
function text(v: unknown, indent: string, level: number): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v === null) return 'null';
  if (!walkable(v) || level >= MAX_DIRECT_DEPTH) {
    // JSON.stringify escapes a newline inside a string: every one in its text is a line break
    const whole = JSON.stringify(v, null, 2);
    return indent ? whole.replaceAll('\n', `\n${indent}`) : whole;
  }
  const inner = indent + GAP;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const item = resolve(v[i], String(i));
      s += `${i === 0 ? '\n' : ',\n'}${inner}${omitted(item) ? 'null' : text(item, inner, level + 1)}`;
    }
    return `${s}\n${indent}]`;
  }
  let s = '';
  for (const k of Object.keys(v)) {
    const item = resolve((v as Record<string, unknown>)[k], k);
    if (omitted(item)) continue;
    s += `${s ? ',\n' : '{\n'}${inner}${memberKey(k)}${text(item, inner, level + 1)}`;
  }
  return s ? `${s}\n${indent}}` : '{}';
}

/**
 * A string as JSON.stringify quotes it. Most need no escape (no quote, backslash, control
 * character or lone surrogate): they are checked by hand and quoted as they are.
 */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

const memberKeys = new Map<string, string>();

/** `"key": `, made once per key: a result document has a few dozen keys and some million members. */
function memberKey(key: string): string {
  let text = memberKeys.get(key);
  if (text === undefined) {
    text = `${quote(key)}: `;
    if (memberKeys.size < 1024) memberKeys.set(key, text);
  }
  return text;
}
