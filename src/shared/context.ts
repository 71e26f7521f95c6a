import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { DEFAULT_TIME_ZONE } from './i18n.js';

/** The time, as the service sees it (tests give a fixed one). */
export interface Clock {
  now(): Date;
  /** The hospital's IANA time zone, for times people read (unset: Asia/Shanghai). */
  timeZone?: string;
}

export const systemClock: Clock = { now: () => new Date() };

/** The time zone of times shown to people. */
export const timeZoneOf = (clock: Clock): string => clock.timeZone ?? DEFAULT_TIME_ZONE;

/** What every use case is given: the database, the clock and the log. */
export interface UseCaseDeps {
  db: Db;
  clock: Clock;
  log: Logger;
}
