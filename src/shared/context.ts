import type { Logger } from 'pino';
import type { Db } from '../db/client.js';

/** The time, as the service sees it (tests give a fixed one). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every use case is given: the database, the clock and the log. */
export interface UseCaseDeps {
  db: Db;
  clock: Clock;
  log: Logger;
}
