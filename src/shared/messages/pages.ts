import type { Catalogue } from './index.js';

/** The review pages' words: navigation, buttons, confirmations, not-found and refusal pages (see index.ts). */
export const pages = {} satisfies Catalogue;
