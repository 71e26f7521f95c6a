import { common } from './common.js';
import { errors } from './errors.js';
import { pages } from './pages.js';
import { statements } from './statements.js';
import { workbooks } from './workbooks.js';

/**
 * The message catalogue: every word a person reads, in Chinese and English, keyed. One file per
 * area (common words, statements, workbooks and files, pages, API errors) so each is read and
 * reviewed with its templates; keys are unique across them (a test checks).
 */
export interface Message {
  zh: string;
  en: string;
}
export type Catalogue = Record<string, Message>;

export const messages = { ...common, ...statements, ...workbooks, ...pages, ...errors } satisfies Catalogue;
export type MessageKey = keyof typeof messages;

/** Each area's part of the catalogue (the uniqueness test reads them). */
export const catalogueParts: Record<string, Catalogue> = { common, statements, workbooks, pages, errors };

/**
 * The catalogue's English labels: what must not appear on a Chinese page. Only texts that are
 * words (two letters or more, not a unit or code that is the same in both languages).
 */
export function englishLabels(): string[] {
  const out = new Set<string>();
  for (const m of Object.values(messages) as Message[]) {
    if (m.en === m.zh) continue;
    const label = m.en.replace(/\{\w+\}/g, '').trim();
    if (/[A-Za-z]{2,}/.test(label)) out.add(label);
  }
  return [...out];
}
