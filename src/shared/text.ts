import { AppError } from './errors.js';

/**
 * What a request may hold, checked once at the door so that nothing further in (validation,
 * hashing, the audit log, PostgreSQL) meets it: JSON nested at most this deep, no U+0000 (which
 * PostgreSQL text cannot store), no lone UTF-16 surrogate (which jsonb refuses), and bodies in
 * valid UTF-8 (never silently replaced by U+FFFD).
 */
export const MAX_DEPTH = 64;

interface Frame {
  value: unknown;
  key: string | number | null;
  parent: Frame | null;
  depth: number;
}

function pathOf(frame: Frame, prefix: string): string {
  const parts: (string | number)[] = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) parts.push(f.key);
  let out = prefix;
  for (let i = parts.length - 1; i >= 0; i--) {
    const k = parts[i]!;
    out += typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? (out ? `.${k}` : k) : `[${JSON.stringify(k)}]`;
  }
  return out;
}

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which no text field may hold';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate (not a character), which no text field may hold';
  return null;
}

/**
 * Walks a parsed value without recursion (a 10,000-deep body cannot overflow the stack) and
 * returns the error for its first problem, with the path of the offending field, or null.
 */
export function checkValue(value: unknown, prefix = ''): AppError | null {
  const stack: Frame[] = [{ value, key: null, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return invalid(pathOf(frame, prefix), problem);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (frame.depth >= MAX_DEPTH) {
      const path = pathOf(frame, prefix);
      return new AppError(400, 'too_deep', `${path || 'the body'} is nested more than ${MAX_DEPTH} levels deep`, path || 'body');
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: frame, depth: frame.depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      const problem = textProblem(k);
      if (problem) return invalid(pathOf({ value: null, key: k, parent: frame, depth: frame.depth + 1 }, prefix), `a field name ${problem}`);
      stack.push({ value: (v as Record<string, unknown>)[k], key: k, parent: frame, depth: frame.depth + 1 });
    }
  }
  return null;
}

function invalid(path: string, problem: string): AppError {
  return new AppError(400, 'invalid_value', `${path || 'the body'} ${problem}`, path || 'body');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 bytes as text, refusing invalid UTF-8 (400) instead of replacing it with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, what: string, path = 'body'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError(400, 'invalid_encoding', `${what} is not valid UTF-8`, path);
  }
}
