import type { Catalogue } from './index.js';

/** Printed statements' words: titles, item labels, reasons, signature lines (see index.ts). */
export const statements = {} satisfies Catalogue;
