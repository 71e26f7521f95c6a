import { benchCounty } from './county.js';
await benchCounty(Number(process.env.R ?? 1));
process.exit(0);
