import { type Lang, say } from './i18n.js';
import { messages, type MessageKey } from './messages/index.js';

/**
 * The service's domain errors: a code, an HTTP status, a message, and optionally the path of the
 * offending field. The error handler turns them (and the engine's EngineError) into
 * `{"error": {"code", "message", "path"?, "details"?}}`. Each module's errors are built by the
 * factories of its `*.errors.ts`, made here.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * A factory of one kind of error: its code and status fixed, its message (and the field's path)
 * made from the facts it is given.
 */
export function createErrorFactory<A extends unknown[]>(spec: { code: string; status: number; message: (...args: A) => string; path?: string | ((...args: A) => string | undefined) }) {
  return (...args: A): AppError => new AppError(spec.status, spec.code, spec.message(...args), typeof spec.path === 'function' ? spec.path(...args) : spec.path);
}

export const notFound = createErrorFactory({ code: 'not_found', status: 404, message: (what: string) => `${what} not found` });
export const forbidden = createErrorFactory({ code: 'forbidden', status: 403, message: (why: string) => why });
export const conflict = (code: string, message: string, path?: string) => new AppError(409, code, message, path);
export const badRequest = (code: string, message: string, path?: string) => new AppError(400, code, message, path);
export const unauthorized = createErrorFactory({ code: 'unauthorized', status: 401, message: () => 'a valid API token is required (Authorization: Bearer <token>)' });
export const unavailable = createErrorFactory({ code: 'unavailable', status: 503, message: (what: string) => `${what} is unavailable; try again shortly` });

/** An error as the API answers it (and a page shows it). */
export interface ErrorText {
  code: string;
  message: string;
  path?: string;
  details?: unknown[];
}

const PERIOD_PATTERN = '^[0-9]{4}(Q[1-4])?$';
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const INTEGER_KINDS: Record<string, MessageKey> = {
  'a whole number from 0 to 1000000': 'error.integer.count',
  'a whole number from 1 to 1000000': 'error.integer.positiveCount',
  'a quarter number 1 to 4': 'error.integer.quarterNumber',
  'a year such as 2026': 'error.integer.year',
};

/** `the string "x"`, `the number 5`… of an English message, in Chinese. */
function gotIn(lang: Lang, got: string | undefined): string {
  if (got === undefined) return '';
  const text = got.trim();
  const word = (key: MessageKey, value?: string) => say(lang, key, value === undefined ? undefined : { value });
  const s = /^the string (.*)$/s.exec(text);
  if (s) return ` ${word('error.got.string', s[1])}`;
  const n = /^the number (.*)$/.exec(text);
  if (n) return ` ${word('error.got.number', n[1])}`;
  if (text === 'nothing') return ` ${word('error.got.nothing')}`;
  if (text === 'a list') return ` ${word('error.got.list')}`;
  if (text === 'an object') return ` ${word('error.got.object')}`;
  return ` ${text}`;
}

/**
 * What a field must be, from the English of a validation message after the field's name (the
 * shapes of src/core/messages.ts `structure` and the schema library's own), in `lang`; undefined
 * when the English has none of those shapes.
 */
function fieldProblem(lang: Lang, rest: string): string | undefined {
  const got = (m: RegExpExecArray, i: number) => gotIn(lang, m[i]);
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^ is required$/, () => say(lang, 'error.field.required')],
    [/^ is not a field of this record$/, () => say(lang, 'error.field.notAField')],
    [/^ must not be negative, got (.+)$/s, (m) => say(lang, 'error.field.negative', { got: got(m, 1) })],
    [/^ has too many digits: .*, got (.+)$/s, (m) => say(lang, 'error.field.tooManyDigits', { got: got(m, 1) })],
    [/^ is out of range: an amount has at most (\d+) digits .*, got (.+)$/s, (m) => say(lang, 'error.field.moneyTooLarge', { digits: m[1]!, got: got(m, 2) })],
    [/^ must be a decimal string such as "[^"]*", got (.+)$/s, (m) => say(lang, 'error.field.decimal', { got: got(m, 1) })],
    [/^ must be (.+) \(a JSON integer\), got (.+)$/s, (m) => say(lang, 'error.field.integer', { kind: say(lang, INTEGER_KINDS[m[1]!] ?? 'error.integer.any'), got: got(m, 2) })],
    [/^ must be a whole number \(at most 1000000\) or a decimal string ≥ 0, got (.+)$/s, (m) => say(lang, 'error.field.integerOrDecimal', { got: got(m, 1) })],
    [/^ must be one of (.+?)( \(or null\))?, got (.+)$/s, (m) => say(lang, 'error.field.oneOf', { values: m[1]!, orNull: m[2] ? say(lang, 'error.field.orNull') : '', got: got(m, 3) })],
    [/^ must be true or false, got (.+)$/s, (m) => say(lang, 'error.field.boolean', { got: got(m, 1) })],
    [/^ must be a non-empty code .*, got (.+)$/s, (m) => say(lang, 'error.field.code', { got: got(m, 1) })],
    [/^ must be a quarter such as "2026Q1", got (.+)$/s, (m) => say(lang, 'error.field.quarter', { got: got(m, 1) })],
    [/^ must be a month such as "2026-01", got (.+)$/s, (m) => say(lang, 'error.field.month', { got: got(m, 1) })],
    [/^ must be a month such as "2026-01", a quarter .*, got (.+)$/s, (m) => say(lang, 'error.field.assessmentPeriod', { got: got(m, 1) })],
    [/^ must be a list, got (.+)$/s, (m) => say(lang, 'error.field.list', { got: got(m, 1) })],
    [/^ must be an object, got (.+)$/s, (m) => say(lang, 'error.field.object', { got: got(m, 1) })],
    [/^ must not be empty$/, () => say(lang, 'error.field.empty')],
    [/^ is too long$/, () => say(lang, 'error.field.tooLong')],
    [/^ must be a string, got (.+)$/s, (m) => say(lang, 'error.field.string', { got: got(m, 1) })],
    [/^ must be an ISO 8601 date or time .*, got (.+)$/s, (m) => say(lang, 'error.field.isoDate', { got: ` ${m[1]}` })],
    // the schema library's words (structure.other): "<field>: Expected …, got …"
    [
      /^: Expected string to match '(.+)', got (.+)$/s,
      (m) =>
        m[1] === PERIOD_PATTERN
          ? say(lang, 'error.field.period', { got: got(m, 2) })
          : m[1] === UUID_PATTERN
            ? say(lang, 'error.field.uuid', { got: got(m, 2) })
            : say(lang, 'error.field.pattern', { pattern: m[1]!, got: got(m, 2) }),
    ],
    [/^: Expected (?:integer|number) to be greater (?:or equal )?(?:to|than) (-?[\d.]+), got (.+)$/s, (m) => say(lang, 'error.field.min', { n: m[1]!, got: got(m, 2) })],
    [/^: Expected (?:integer|number) to be less (?:or equal )?(?:to|than) (-?[\d.]+), got (.+)$/s, (m) => say(lang, 'error.field.max', { n: m[1]!, got: got(m, 2) })],
    [/^: Expected string length greater or equal to (\d+), got (.+)$/s, (m) => say(lang, 'error.field.minLength', { n: m[1]!, got: got(m, 2) })],
    [/^: Expected string length less or equal to (\d+), got (.+)$/s, (m) => say(lang, 'error.field.maxLength', { n: m[1]!, got: got(m, 2) })],
    [/^: Expected integer, got (.+)$/s, (m) => say(lang, 'error.field.integer', { kind: say(lang, 'error.integer.any'), got: got(m, 1) })],
    [/^: Expected number, got (.+)$/s, (m) => say(lang, 'error.field.number', { got: got(m, 1) })],
    [/^: Expected string, got (.+)$/s, (m) => say(lang, 'error.field.string', { got: got(m, 1) })],
    [/^: (.+), got (.+)$/s, (m) => say(lang, 'error.field.other', { detail: m[1]!, got: got(m, 2) })],
  ];
  for (const [shape, text] of rules) {
    const m = shape.exec(rest);
    if (m) return text(m);
  }
  return undefined;
}

/** A validation message's field as the request has it: body.period, querystring.limit, params.id. */
function fieldOfPath(path: string): string {
  return /^(querystring|params|headers|body)(\.|$)/.test(path) ? path : `body.${path}`;
}

/** `<where> not found` in words: a settlement, a hospital, a department or person in a run. */
function notFoundIn(lang: Lang, what: string): string {
  const where = (w: string) => {
    const run = /^settlement (\S+)$/.exec(w);
    return run ? say(lang, 'error.inSettlement', { id: run[1]! }) : `${w} `;
  };
  let m = /^settlement (\S+)$/.exec(what);
  if (m) return say(lang, 'error.notFound.settlement', { id: m[1]! });
  m = /^(?:settlement result|the result of settlement|quarterly result) (\S+)$/.exec(what);
  if (m) return say(lang, 'error.notFound.result', { id: m[1]! });
  m = /^hospital (\S+)$/.exec(what);
  if (m) return say(lang, 'error.notFound.hospital', { code: m[1]! });
  m = /^department (\S+) in (.+)$/.exec(what);
  if (m) return say(lang, 'error.notFound.department', { code: m[1]!, where: where(m[2]!) });
  m = /^staff (\S+) in (.+)$/.exec(what);
  if (m) return say(lang, 'error.notFound.staff', { id: m[1]!, where: where(m[2]!) });
  return say(lang, 'error.notFound.thing', { what });
}

/** A message whose English has a shape of its own, in `lang`; undefined when it has none. */
function knownMessage(lang: Lang, code: string, message: string): string | undefined {
  const on = (shape: RegExp, text: (m: RegExpExecArray) => string) => {
    const m = shape.exec(message);
    return m ? text(m) : undefined;
  };
  const statusWord = (status: string) => (isStatus(status) ? say(lang, `status.${status}`) : status);
  switch (code) {
    case 'not_found':
      return on(/^no route (\S+) (.+)$/, (m) => say(lang, 'error.notFound.route', { method: m[1]!, path: m[2]! })) ?? on(/^(.+) not found$/s, (m) => notFoundIn(lang, m[1]!));
    case 'forbidden':
      return (
        on(/^this key is for department\(s\) (.+), not (.+)$/, (m) => say(lang, 'error.forbidden.department', { mine: m[1]!, department: m[2]! })) ??
        on(/^an? (\w+) key may not call (.+); it needs one of: (.+)$/, (m) =>
          say(lang, 'error.forbidden.role', {
            role: isRole(m[1]!) ? say(lang, `role.${m[1]}`) : m[1]!,
            route: m[2]!,
            roles: m[3]!
              .split(', ')
              .map((r) => (isRole(r) ? say(lang, `role.${r}`) : r))
              .join('、'),
          }),
        )
      );
    case 'run_stale':
      return on(/^the inputs of (\S+) changed after settlement (\S+) ran/, (m) => say(lang, 'error.run_stale.detail', { period: m[1]!, id: m[2]! }));
    case 'open_disputes':
      return on(/^department\(s\) (.+) dispute settlement (\S+);/, (m) => say(lang, 'error.open_disputes.detail', { departments: m[1]!, id: m[2]! }));
    case 'already_approved':
      return on(/^settlement (\S+) is already approved$/, (m) => say(lang, 'error.already_approved.detail', { id: m[1]! }));
    case 'not_succeeded':
      return on(/^settlement (\S+) is (\w+);/, (m) => say(lang, 'error.not_succeeded.detail', { id: m[1]!, status: statusWord(m[2]!) }));
    case 'not_reviewable':
      return on(/^settlement (\S+) is (\w+);/, (m) => say(lang, 'error.not_reviewable.detail', { id: m[1]!, status: statusWord(m[2]!) }));
    case 'not_approved':
      return on(/^settlement (\S+) is (\w+);/, (m) => say(lang, 'error.not_approved.detail', { id: m[1]!, status: statusWord(m[2]!) }));
    case 'period_closed':
      return (
        on(/^(\S+) already has an approved settlement$/, (m) => say(lang, 'error.period_closed.approved', { period: m[1]! })) ??
        on(/^(\S+) is closed: /, (m) => say(lang, 'error.period_closed.closed', { period: m[1]! }))
      );
    case 'no_inputs':
      return on(/^hospital (\S+) has no inputs for (\S+)$/, (m) => say(lang, 'error.no_inputs.detail', { hospital: m[1]!, period: m[2]! }));
    case 'missing_field':
      return message === 'a dispute needs a reason' ? say(lang, 'error.disputeNeedsReason') : undefined;
    default:
      return undefined;
  }
}

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'approved', 'superseded'] as const;
const isStatus = (s: string): s is (typeof STATUSES)[number] => (STATUSES as readonly string[]).includes(s);
const ROLES = ['admin', 'finance', 'dept_head', 'auditor'] as const;
const isRole = (s: string): s is (typeof ROLES)[number] => (ROLES as readonly string[]).includes(s);

/** One message in `lang`: validation names the field (body.period: …), other errors by their shape or their code. */
function messageIn(lang: Lang, code: string, message: string, path: string | undefined): string {
  const known = knownMessage(lang, code, message);
  if (known) return known;
  if (path !== undefined && path !== '') {
    // "<field as the engine labels it><what it must be>": find what follows the field's name
    const leaf = path.split('.').at(-1)!.replace(/^.*\[/, '[');
    const name = /^[A-Za-z_$][\w$-]*$/.test(leaf) ? leaf : leaf.replace(/^\[|\]$/g, '');
    for (const at of [message.indexOf(`${name} `), message.indexOf(`${name}:`)]) {
      if (at < 0) continue;
      const problem = fieldProblem(lang, message.slice(at + name.length));
      if (problem) return `${fieldOfPath(path)}: ${problem}`;
    }
    return `${fieldOfPath(path)}: ${codeMessage(lang, code)}`;
  }
  return codeMessage(lang, code);
}

function codeMessage(lang: Lang, code: string): string {
  const key = `error.${code}`;
  return key in messages ? say(lang, key as MessageKey) : say(lang, 'error.bad_request');
}

/**
 * An error in the caller's language: as it is in English (the message made where it was raised);
 * in Chinese, the catalogue's text for its shape or its code (src/shared/messages/errors.ts),
 * a field's path kept, and each detail translated the same way.
 */
export function errorIn<E extends ErrorText>(lang: Lang, error: E): E {
  if (lang === 'en') return error;
  const details = error.details?.map((d) => {
    if (!d || typeof d !== 'object') return d;
    const detail = d as Partial<ErrorText>;
    return typeof detail.code === 'string' && typeof detail.message === 'string' ? { ...detail, message: messageIn(lang, detail.code, detail.message, detail.path) } : d;
  });
  return { ...error, message: messageIn(lang, error.code, error.message, error.path), ...(details ? { details } : {}) };
}
