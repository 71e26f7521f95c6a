import { AppError } from '../../shared/errors.js';
import type { MessageKey } from '../../shared/messages/index.js';

type Refusal = Extract<MessageKey, `page.forbidden.${string}`>;

/** A refusal a page words itself from the catalogue, in the page's language (403). */
export class PageRefusal extends AppError {
  constructor(
    readonly key: Refusal,
    readonly params: Record<string, string> = {},
  ) {
    super(403, 'forbidden', key);
  }
}

export const refused = (key: Refusal, params?: Record<string, string>) => new PageRefusal(key, params);

/** The period of a form to start a settlement, refused in the words the API's schema uses. */
export const badPeriod = (period: string) =>
  new AppError(400, 'invalid_type', `period: Expected string to match '^[0-9]{4}(Q[1-4])?$', got the string ${JSON.stringify(period.slice(0, 40))}`, 'period');
