// Runs a compiled entry point of dist/. In a checkout whose sources changed since the last build
// (a developer's), it builds first; an installed image has no sources and never rebuilds.
// `node bin/launch.mjs <entry> [args…]` runs one from the command line (the npm scripts do).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Written last by scripts/build.mjs: when it built, and each entry's own source files (esbuild's metafile). */
const STAMP = join(ROOT, 'dist', '.built');

/**
 * True when dist/ is missing or incomplete, or one of the named entries' sources (all entries'
 * when none is named), package.json or the build script is newer than it. No sources (an
 * image): never stale. Only the files that went into the bundle are looked at: the command line
 * checks its ~40, not every file of the project, on each start.
 */
export function isStale(entries) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return true;
  }
  if (!existsSync(join(ROOT, 'src'))) return false;
  const built = statSync(STAMP).mtimeMs;
  const files = new Set(['package.json', 'scripts/build.mjs']);
  for (const entry of entries ?? Object.keys(stamp.inputs ?? {})) {
    const inputs = stamp.inputs?.[entry];
    if (!inputs) return true;
    for (const file of inputs) files.add(file);
  }
  for (const file of files) {
    try {
      if (statSync(join(ROOT, file)).mtimeMs > built) return true;
    } catch {
      return true; // a source gone: its importer changed too, but build to be sure
    }
  }
  return false;
}

export async function launch(entry) {
  if (isStale([entry])) {
    const builder = join(ROOT, 'scripts', 'build.mjs');
    if (existsSync(builder)) await (await import(pathToFileURL(builder).href)).build();
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
