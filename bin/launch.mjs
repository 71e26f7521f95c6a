// Runs a compiled entry point of dist/. In a checkout whose sources changed since the last build
// (a developer's), it builds first; an installed image has no sources and never rebuilds.
// `node bin/launch.mjs <entry> [args…]` runs one from the command line (the npm scripts do).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function launch(entry) {
  const builder = join(ROOT, 'scripts', 'build.mjs');
  if (existsSync(join(ROOT, 'src')) && existsSync(builder)) {
    const { isStale, build } = await import(pathToFileURL(builder).href);
    if (isStale()) await build();
  }
  await import(pathToFileURL(join(ROOT, 'dist', `${entry}.mjs`)).href);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [, , entry, ...rest] = process.argv;
  if (!entry) {
    process.stderr.write('usage: node bin/launch.mjs <cli|server|worker|export-hospital|import-hospital> [args…]\n');
    process.exit(2);
  }
  // the entry reads its own arguments from process.argv, as if it had been run directly
  process.argv = [process.argv[0], join(ROOT, 'dist', `${entry}.mjs`), ...rest];
  await launch(entry);
}
