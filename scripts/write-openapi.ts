import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from './openapi.js';

/** `npm run openapi`: writes openapi/openapi.json (committed; a test fails when it is stale). */
const target = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));
writeFileSync(target, await generateOpenApi());
process.stdout.write(`wrote ${target}\n`);
