import { Decimal } from 'decimal.js';
import { messages, type MessageKey } from './messages/index.js';

/**
 * Language and number formatting for everything a person reads: pages, printed statements,
 * workbooks, CSV headers and the API's error messages. Chinese is the default; English when asked
 * (`lang=en` on a page, `Accept-Language: en` on the API). The words live in one catalogue
 * (`./messages/`); this file only picks and formats them. Money arrives here as the engine's exact
 * decimal strings and leaves as strings: nothing goes through binary floating point.
 */
export type Lang = 'zh' | 'en';

/** The hospital's time zone when none is configured. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function isLang(value: unknown): value is Lang {
  return value === 'zh' || value === 'en';
}

/**
 * The catalogue's text for `key` in `lang`, with `{name}` placeholders filled from `params`
 * (a placeholder without a value stays as written, so a missing value shows rather than hides).
 */
export function say(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = messages[key][lang];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}

/**
 * The language an `Accept-Language` header prefers among ours: the highest-weighted tag that is
 * Chinese (`zh`, `zh-CN`, `zh-Hans`…) or English; English when the header is absent or names
 * neither, as the API has always answered.
 */
export function langOfAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'en';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const lang: Lang | undefined = tag === 'zh' || tag.startsWith('zh-') ? 'zh' : tag === 'en' || tag.startsWith('en-') ? 'en' : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

const DECIMAL_TEXT = /^(-?)(\d+)(\.\d+)?$/;

/** Thousands separators in a decimal string: `7000000.00` → `7,000,000.00`; anything else is returned as it came. */
export function groupDigits(value: string): string {
  const m = DECIMAL_TEXT.exec(value);
  if (!m) return value;
  const [, sign, whole, fraction = ''] = m;
  return `${sign}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

/** Money for people to read: two decimals, thousands separators (the engine's strings already have two decimals). */
export function yuan(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (!DECIMAL_TEXT.test(value)) return value;
  return groupDigits(new Decimal(value).toFixed(2, Decimal.ROUND_HALF_UP));
}

/** A score on a page: two decimals, half-up, with separators (the full value stays in statements and files). */
export function score2(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (!DECIMAL_TEXT.test(value)) return value;
  return groupDigits(new Decimal(value).toFixed(2, Decimal.ROUND_HALF_UP));
}

/** True when `zone` is an IANA time zone this Node knows (`Asia/Shanghai`, `UTC`…). */
export function isTimeZone(zone: string): boolean {
  // the canonical names are listed without loading any zone's rules: about 2 ms at the service's
  // start, where a format made for the zone takes about 20 (issue #16); an alias (UTC,
  // Asia/Chongqing…) is not among them, and is tried by making one
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function timeFormat(zone: string): Intl.DateTimeFormat {
  let format = timeFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    });
    timeFormats.set(zone, format);
  }
  return format;
}

/** A moment in the hospital's time zone: `2026-04-02 09:30:00 (UTC+8)`; `—` when there is none. */
export function localTime(moment: Date | string | null | undefined, zone: string = DEFAULT_TIME_ZONE): string {
  if (moment === null || moment === undefined || moment === '') return '—';
  const date = moment instanceof Date ? moment : new Date(moment);
  if (Number.isNaN(date.getTime())) return String(moment);
  const parts = Object.fromEntries(
    timeFormat(zone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName ?? '').replace(/^GMT/, 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} (${offset === '' || offset === 'UTC+0' ? 'UTC' : offset})`;
}

const QUARTER_ZH = ['一', '二', '三', '四'];

/** A period in words: `2026Q1` → 2026年第一季度 / 2026 Q1; `2026` → 2026年度（年终） / 2026 year-end. */
export function periodName(period: string, lang: Lang): string {
  const q = /^(\d{4})Q([1-4])$/.exec(period);
  if (q) return lang === 'en' ? `${q[1]} Q${q[2]}` : `${q[1]}年第${QUARTER_ZH[Number(q[2]) - 1]}季度`;
  if (/^\d{4}$/.test(period)) return lang === 'en' ? `${period} year-end` : `${period}年度（年终）`;
  return period;
}

/** A name with its code beside it, as tables show departments and people: 内科（A001）. */
export function named(name: string | null | undefined, code: string, lang: Lang): string {
  if (!name || name === code) return code;
  return lang === 'en' ? `${name} (${code})` : `${name}（${code}）`;
}

/** Who did it, as people read it: a key's name (not its id), the bootstrap admin, the system. */
export function actorName(actor: string | null | undefined, lang: Lang): string {
  if (!actor) return '—';
  const key = /^key:[^:]+:(.*)$/s.exec(actor);
  if (key) return key[1]!;
  if (actor === 'bootstrap-admin') return say(lang, 'actor.bootstrap');
  if (actor.startsWith('system')) return say(lang, 'actor.system');
  return actor;
}
