import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The tests that start processes run the compiled dist/ (the bin, `npm start`, `npm run worker`,
 * the backup scripts), as a user does: build it once before any test file, if a source changed.
 */
export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale', '--quiet'], { stdio: 'inherit' });
}
