// `npm run build` (and `prepare`, so `npm install` leaves a runnable dist/): compiles src/ and
// jobs/ to dist/ with esbuild. The command line is bundled whole (engine, decimal.js, TypeBox)
// into one file; the service and the worker carry their packages too, but for KEPT_OUT; the
// backup scripts bundle our own code only. Measured on this machine (issue #16), CPU time of
// `npm start` to the first 200 on /health on an existing PGlite data dir, median of 7: tsc's
// file-per-module output 1420 ms, our code bundled 1370 ms, with its packages 1150 ms; `perfpay
// simulate` on the worked example, wall: tsc 532 ms, our code bundled 441 ms, all bundled 297 ms.
// The command line, the service and the worker are CommonJS bundles run through V8's code cache
// (bin/code-cache.mjs, `cache` in ENTRIES); the backup scripts are ES module bundles.
// Plain JavaScript, so it runs before any TypeScript tooling is installed. `node
// scripts/build.mjs --if-stale` builds only when a source is newer than dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale as isEntryStale } from '../bin/launch.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
/** Written last: a dist/ without it was not built whole. */
const STAMP = join(DIST, '.built');

/**
 * Packages the service and worker bundles load from node_modules rather than carry: those that
 * read files beside their own modules (PGlite's WebAssembly, swagger-ui's pages, Playwright), are
 * loaded only when used (BullMQ and ioredis with REDIS_URL, pg with DATABASE_URL, ExcelJS for a
 * workbook) or hold native code.
 */
export const KEPT_OUT = ['@electric-sql/pglite', '@fastify/swagger-ui', 'bullmq', 'ioredis', 'exceljs', 'pg-native', 'playwright-core'];

/**
 * bundle: 'all' carries every package; 'packages' all but KEPT_OUT; 'own' only our code.
 * cache: the entry is a CommonJS bundle, `<out>.cjs`, run through V8's code cache
 * (bin/code-cache.mjs) by a small `<out>.mjs`, written 'exit' (the command line, when its work is
 * done) or that many ms after start (a service); the others are ES module bundles, `<out>.mjs`.
 */
export const ENTRIES = [
  { in: 'src/main.ts', out: 'cli', bundle: 'all', cache: 'exit' },
  { in: 'src/server.ts', out: 'server', bundle: 'packages', cache: 2000 },
  { in: 'src/worker.ts', out: 'worker', bundle: 'packages', cache: 2000 },
  { in: 'scripts/export-hospital.ts', out: 'export-hospital', bundle: 'own' },
  { in: 'scripts/import-hospital.ts', out: 'import-hospital', bundle: 'own' },
];

/** True when dist/ is missing, incomplete, or older than a source (bin/launch.mjs's check, for every entry). */
export function isStale() {
  return ENTRIES.some((e) => isEntryStale([e.out]));
}

export async function build(entries = ENTRIES, dist = DIST) {
  const esbuild = await import('esbuild').catch(() => {
    // an install without the dev dependencies (npm ci --omit=dev) runs dist/ as it is
    throw new Error('esbuild is not installed: build dist/ where the dev dependencies are (npm ci; npm run build), then install with --omit=dev, as the Dockerfile does');
  });
  mkdirSync(dist, { recursive: true });
  // the code caches of an earlier build (their names carry its bundles' hashes) are never read again
  for (const file of readdirSync(dist)) if (file.endsWith('.cache') || file.endsWith('.tmp')) rmSync(join(dist, file), { force: true });
  const results = await Promise.all(
    entries.map(async (e) => {
      const common = {
        absWorkingDir: ROOT,
        metafile: true,
        entryPoints: [join(ROOT, e.in)],
        bundle: true,
        platform: 'node',
        target: 'node20',
        sourcemap: 'linked',
        legalComments: 'none',
        logLevel: 'warning',
        ...(e.bundle === 'own' ? { packages: 'external' } : e.bundle === 'packages' ? { external: KEPT_OUT } : {}),
      };
      if (!e.cache) {
        return esbuild.build({
          ...common,
          outfile: join(dist, `${e.out}.mjs`),
          format: 'esm',
          // a bundled CommonJS package (decimal.js) may call require(): give the ESM bundle one
          banner: { js: "import { createRequire as __perfpayRequire } from 'node:module'; const require = __perfpayRequire(import.meta.url);" },
        });
      }
      const result = await esbuild.build({
        ...common,
        outfile: join(dist, `${e.out}.cjs`),
        format: 'cjs',
        // the packages left out are required, not imported: one copy of each (PGlite's classes are compared by instanceof)
        supported: { 'dynamic-import': false },
        define: { 'import.meta.url': '__perfpayImportMetaUrl' },
        // strict, as the ES modules it is built from (and however it is run: bin/code-cache.mjs, or require())
        banner: { js: "'use strict';\nvar __perfpayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      });
      const bundle = asciiOnly(join(dist, `${e.out}.cjs`));
      const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
      writeFileSync(
        join(dist, `${e.out}.mjs`),
        `// Built by scripts/build.mjs: runs ${e.out}.cjs through V8's code cache (bin/code-cache.mjs).\nimport { runCached } from '../bin/code-cache.mjs';\n\nrunCached(new URL('./${e.out}.cjs', import.meta.url), '${hash}', ${JSON.stringify(e.cache)});\n`,
      );
      return result;
    }),
  );
  if (dist !== DIST) return;
  // each entry's own sources (not the packages'), which bin/launch.mjs compares with the stamp
  const inputs = Object.fromEntries(
    entries.map((e, i) => [e.out, Object.keys(results[i].metafile.inputs).filter((file) => !file.includes('node_modules/') && !relative(ROOT, join(ROOT, file)).startsWith('..'))]),
  );
  writeFileSync(STAMP, `${JSON.stringify({ built: new Date().toISOString(), inputs })}\n`);
  warmUp();
}

/**
 * The bundle with every character above U+007F written as a \uXXXX escape, which means the same in
 * a comment, a string or a regular expression (esbuild escapes its strings itself, but leaves the
 * comments it keeps, and a regular expression, as they are). An ASCII bundle is read into a string
 * of one byte a character: a single non-ASCII character makes V8 hold the whole 3.8 MB service
 * bundle as two bytes a character, which on this project's machine took 30 ms more to read and
 * then to compile at each start (code cache or not). Lines stay where they were; on the few lines
 * changed, the source map's columns after an escape are off by five a character. Returns the text.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  if (!/[\u0080-\uffff]/.test(text)) return text;
  const ascii = text.replace(/[\u0080-\uffff]/g, (c, at) => {
    // after a backslash (an escaped character in a regular expression) the escape would mean something else
    if (text[at - 1] === '\\') throw new Error(`${file}: a non-ASCII character after a backslash at ${at}; it cannot be escaped as it stands`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  writeFileSync(file, ascii);
  return ascii;
}

/**
 * The command line run once on the worked example, as a user runs it (no flags), so that its code
 * cache is there before the first run: a first `perfpay --help` would otherwise decide what it
 * holds, and an image, whose dist/ its user cannot write, has it from its build. Its result is
 * not needed; a failure here shows again, with its message, on the first real run.
 */
function warmUp() {
  const example = join(ROOT, 'examples', 'worked-example.scenario.json');
  if (!existsSync(example)) return;
  spawnSync(process.execPath, [join(DIST, 'cli.mjs'), 'simulate', example], { stdio: 'ignore', timeout: 60_000 });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  const started = Date.now();
  await build();
  if (!process.argv.includes('--quiet')) process.stderr.write(`built dist/ in ${Date.now() - started} ms\n`);
}
