import type { Catalogue } from './index.js';

/** The API's and pages' error messages, by error code (see index.ts). */
export const errors = {} satisfies Catalogue;
