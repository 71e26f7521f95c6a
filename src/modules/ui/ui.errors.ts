import { AppError } from '../../shared/errors.js';
import type { MessageKey } from '../../shared/messages/index.js';

type Refusal = Extract<MessageKey, `page.forbidden.${string}`>;

/**
 * An error a page words itself from the catalogue, in the page's language; `reason`, when given
 * (the use case's own error, or the catalogue's words), is worded in the page's language as the
 * `{reason}` of the words (without the field's path it begins with: the words name the field); a
 * param in `worded` is a catalogue key, worded in the page's language too.
 */
export class PageWords extends AppError {
  constructor(
    status: number,
    code: string,
    readonly key: MessageKey,
    readonly params: Record<string, string> = {},
    readonly reason?: AppError | MessageKey,
    readonly worded: Record<string, MessageKey> = {},
  ) {
    super(status, code, key);
  }
}

/** A refusal a page words itself from the catalogue, in the page's language (403). */
export class PageRefusal extends PageWords {
  constructor(key: Refusal, params: Record<string, string> = {}) {
    super(403, 'forbidden', key, params);
  }
}

export const refused = (key: Refusal, params?: Record<string, string>) => new PageRefusal(key, params);

/** The period of a form to start a settlement, refused in the words the API's schema uses. */
export const badPeriod = (period: string) =>
  new AppError(400, 'invalid_type', `period: Expected string to match '^[0-9]{4}(Q[1-4])?$', got the string ${JSON.stringify(period.slice(0, 40))}`, 'period');
