import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * bin/code-cache.mjs (issue #16): a CommonJS bundle of dist/ run through V8's code cache. The
 * bundle here is a small one that reports what it was given; the built ones are run by
 * test/build.test.ts and every test that starts the command line or the service. Each run is a
 * process of its own, as each start is: within one, V8 compiles a source it has seen from its own
 * memory and never looks at the file.
 */
const LOADER = pathToFileURL(fileURLToPath(new URL('../../bin/code-cache.mjs', import.meta.url))).href;
let dir = '';
let bundle = '';
let last: Record<string, unknown> | undefined;
/**
 * One start, a process that runs for `runsMs` (a service's, by default long enough to write its
 * cache 50 ms after start): what runCached said of the cache, and what the bundle reported (in `last`).
 */
const run = (hash: string, writeAfterMs: number | 'exit' = 50, runsMs = 400, flags: string[] = [], env: Record<string, string> = {}): string => {
  const script = `import { runCached } from ${JSON.stringify(LOADER)}; const status = runCached(new URL(${JSON.stringify(pathToFileURL(bundle).href)}), ${JSON.stringify(hash)}, ${JSON.stringify(writeAfterMs)}); process.stdout.write(JSON.stringify({ status, report: globalThis.__codeCacheTest })); setTimeout(() => {}, ${runsMs});`;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { status: string; report: Record<string, unknown> };
  last = out.report;
  return out.status;
};
const report = () => last;
const caches = () => readdirSync(dir).filter((f) => f.endsWith('.cache'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfpay-code-cache-'));
  bundle = join(dir, 'entry.cjs');
  writeFileSync(
    bundle,
    [
      "const { sep } = require('node:path');",
      'function strict() { return this === undefined; }',
      'module.exports.answer = 42;',
      "globalThis.__codeCacheTest = { filename: __filename, dirname: __dirname, sep, strict: strict(), exports: module.exports === exports, version: 'A' };",
    ].join('\n'),
  );
  last = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runCached', () => {
  it('runs the bundle as Node runs a CommonJS module, in strict mode as the ES modules it was built from', () => {
    expect(run('a1')).toBe('none');
    expect(report()).toEqual({ filename: bundle, dirname: dir, sep: '/', strict: true, exports: true, version: 'A' });
  });

  it('writes the cache when there was none, and V8 reads it on the next start', () => {
    expect(run('a1')).toBe('none');
    expect(caches()).toHaveLength(1);
    expect(caches()[0]).toMatch(/^entry\.cjs\.a1\.[0-9a-f]{8}\.cache$/);
    const before = readFileSync(join(dir, caches()[0]!));
    expect(run('a1')).toBe('read');
    // read, so not written again
    expect(readFileSync(join(dir, caches()[0]!)).equals(before)).toBe(true);
    expect(report()?.strict).toBe(true);
  });

  it('a cache V8 refuses is replaced by one it reads', () => {
    run('a1');
    const file = join(dir, caches()[0]!);
    writeFileSync(file, 'not a code cache');
    expect(run('a1')).toBe('refused');
    // and the bundle ran from its source
    expect(report()?.strict).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toBe('not a code cache');
    expect(run('a1')).toBe('read');
  });

  it('a damaged cache is never given to V8 (which could abort on it): not read, and replaced', () => {
    run('a1');
    const file = join(dir, caches()[0]!);
    const bytes = readFileSync(file);
    // a few bytes near the end changed, the header left as it was
    for (let k = 1; k <= 20; k++) bytes[bytes.length - 8 * k] = bytes[bytes.length - 8 * k]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(run('a1')).toBe('refused');
    expect(report()?.version).toBe('A');
    expect(run('a1')).toBe('read');
  });

  it('a cache made beside another bundle file is not read, even of the same length and build hash: the new code runs', () => {
    run('a1');
    expect(run('a1')).toBe('read');
    // the same length, as V8 compares; another modification time
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace("version: 'A'", "version: 'B'"));
    const { mtimeMs } = statSync(bundle);
    utimesSync(bundle, new Date(), new Date(mtimeMs + 10_000));
    expect(run('a1')).toBe('refused');
    expect(report()?.version).toBe('B');
    expect(run('a1')).toBe('read');
    expect(report()?.version).toBe('B');
  });

  it('NODE_OPTIONS, like the flags, is part of what a cache was made under', () => {
    run('a1');
    expect(run('a1', 50, 400, [], { NODE_OPTIONS: '--max-old-space-size=200' })).toBe('none');
    expect(caches()).toHaveLength(2);
  });

  it("another build's cache is never read: the name carries the bundle's hash", () => {
    run('a1');
    expect(run('b2')).toBe('none');
    expect(caches().sort()).toEqual([expect.stringMatching(/^entry\.cjs\.a1\./), expect.stringMatching(/^entry\.cjs\.b2\./)]);
  });

  it('where the cache cannot be written the bundle runs all the same, and leaves nothing behind', () => {
    // a directory where the cache file would go: neither read nor replaced
    run('a1');
    const name = caches()[0]!;
    rmSync(join(dir, name));
    mkdirSync(join(dir, name));
    expect(run('a1')).toBe('none');
    expect(report()?.strict).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, name))).toBe(true);
  });

  it("at 'exit': written when the process ends, then read", () => {
    expect(run('c3', 'exit', 0)).toBe('none');
    expect(caches()).toHaveLength(1);
    expect(run('c3', 'exit', 0)).toBe('read');
  });

  it('with --enable-source-maps the bundle is required as it is, so that stack traces name the sources; no cache', () => {
    expect(run('e5', 50, 400, ['--enable-source-maps'])).toBe('source maps');
    expect(report()).toEqual({ filename: bundle, dirname: dir, sep: '/', strict: false, exports: true, version: 'A' });
    expect(caches()).toEqual([]);
  });

  it('a process that ends before the time to write it leaves no cache', () => {
    expect(run('d4', 60_000, 100)).toBe('none');
    expect(caches()).toEqual([]);
  });
});
