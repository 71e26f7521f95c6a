import { Dec } from '../../core/money.js';

/** The one place a numeric column's text becomes a Decimal (pg and PGlite read numeric as strings). */
export function decimalOf(numericText: string): Dec {
  return new Dec(numericText);
}
