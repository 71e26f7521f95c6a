// `npm run build` (and `prepare`, so `npm install` leaves a runnable dist/): compiles src/ and
// jobs/ to dist/ with esbuild. The command line is bundled whole (engine, decimal.js, TypeBox)
// into one file, which loads fastest; the service, the worker and the backup scripts bundle our
// own code into one file each and load their packages from node_modules as usual (PGlite, BullMQ
// and swagger-ui read files beside their own modules). Plain JavaScript, so it runs before any
// TypeScript tooling is installed. `node scripts/build.mjs --if-stale` builds only when a source
// is newer than dist/.
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const SOURCES = ['src', 'jobs', 'scripts', 'migrations'].map((d) => join(ROOT, d));
/** Written last: a dist/ without it was not built whole. */
const STAMP = join(DIST, '.built');

export const ENTRIES = [
  { in: 'src/main.ts', out: 'cli', bundleAll: true },
  { in: 'src/server.ts', out: 'server' },
  { in: 'src/worker.ts', out: 'worker' },
  { in: 'scripts/export-hospital.ts', out: 'export-hospital' },
  { in: 'scripts/import-hospital.ts', out: 'import-hospital' },
];

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing, incomplete, or older than a source (no sources, as in an image: never stale). */
export function isStale() {
  if (!existsSync(STAMP)) return true;
  if (!existsSync(join(ROOT, 'src'))) return false;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((dir) => newestSource(dir) > built) || newestSource(join(ROOT, 'package.json')) > built;
}

export async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(DIST, { recursive: true });
  await Promise.all(
    ENTRIES.map((e) =>
      esbuild.build({
        entryPoints: [join(ROOT, e.in)],
        outfile: join(DIST, `${e.out}.mjs`),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'linked',
        legalComments: 'none',
        logLevel: 'warning',
        ...(e.bundleAll ? {} : { packages: 'external' }),
        // a bundled CommonJS package (decimal.js) may call require(): give the ESM bundle one
        banner: { js: "import { createRequire as __perfpayRequire } from 'node:module'; const require = __perfpayRequire(import.meta.url);" },
      }),
    ),
  );
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  const started = Date.now();
  await build();
  if (!process.argv.includes('--quiet')) process.stderr.write(`built dist/ in ${Date.now() - started} ms\n`);
}
