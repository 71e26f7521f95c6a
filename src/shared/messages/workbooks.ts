import type { Catalogue } from './index.js';

/** Workbooks, CSV headers and payroll files' words (see index.ts). */
export const workbooks = {} satisfies Catalogue;
