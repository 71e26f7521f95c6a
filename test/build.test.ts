import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's commands on a fresh clone (issue #16): `npm install` runs `prepare`, which compiles
 * src/ and jobs/ to dist/; the `perfpay` bin and `npm start` then run dist/, and rebuild it first
 * when a source is newer (or dist/ is gone). The clone is of this checkout's last commit, with
 * its node_modules linked in (the packages are not what this tests, and installing them needs
 * the network).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const isGit = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
const commit = isGit.status === 0 ? isGit.stdout.trim() : '';

let clone = '';
beforeAll(() => {
  if (!commit) return;
  clone = mkdtempSync(join(tmpdir(), 'perfpay-clone-'));
  execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
  execFileSync('git', ['-C', clone, 'checkout', '--quiet', commit]);
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'), 'dir');
});
afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

const expected = JSON.parse(readFileSync(join(ROOT, 'examples', 'worked-example.result.json'), 'utf8')) as Record<string, unknown>;

/** The code caches (bin/code-cache.mjs) of one compiled entry in the clone's dist/. */
function caches(entry: 'cli' | 'server'): string[] {
  return readdirSync(join(clone, 'dist')).filter((f) => f.startsWith(`${entry}.cjs.`) && f.endsWith('.cache'));
}

function simulate(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(clone, 'bin', 'perfpay.mjs'), 'simulate', 'examples/worked-example.scenario.json'], { cwd: clone, encoding: 'utf8', timeout: 120_000 });
}

describe.skipIf(!commit)('a fresh clone', () => {
  it('has no dist/ until prepare builds it; then perfpay simulate runs the compiled command line', () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    // what `npm install` runs after installing the packages
    execFileSync('npm', ['run', '--silent', 'prepare'], { cwd: clone, stdio: 'pipe' });
    for (const entry of ['cli', 'server', 'worker', 'export-hospital', 'import-hospital']) expect(existsSync(join(clone, 'dist', `${entry}.mjs`)), entry).toBe(true);
    for (const entry of ['cli', 'server', 'worker']) {
      expect(existsSync(join(clone, 'dist', `${entry}.cjs`)), entry).toBe(true);
      // ASCII only (the build escapes what esbuild leaves: comments, a regular expression), so that V8
      // holds the bundle's text at one byte a character; its sources do have Chinese and other text
      const bundle = readFileSync(join(clone, 'dist', `${entry}.cjs`), 'utf8');
      expect(bundle.match(/[\u0080-\uffff]/)?.index, entry).toBeUndefined();
    }
    // the build ran the command line once, so that its code cache is there before the first run
    expect(caches('cli')).toHaveLength(1);
    const r = simulate();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(expected);
  });

  it("runs the command line through V8's code cache: written by the first run, read by the next, replaced by a build", () => {
    // strict, as the ES modules it is built from, however it is run
    expect(readFileSync(join(clone, 'dist', 'cli.cjs'), 'utf8').startsWith("'use strict';\n")).toBe(true);
    for (const file of caches('cli')) rmSync(join(clone, 'dist', file));
    const first = simulate();
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject(expected);
    // written as the first run ended
    expect(caches('cli')).toHaveLength(1);
    const cache = readFileSync(join(clone, 'dist', caches('cli')[0]!));
    const again = simulate();
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject(expected);
    // read, not written again
    expect(readFileSync(join(clone, 'dist', caches('cli')[0]!)).equals(cache)).toBe(true);
    // a build removes the old cache, and its own run of the command line makes one for the new bundle file
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: clone, stdio: 'pipe' });
    expect(caches('cli')).toHaveLength(1);
    const { size, mtimeMs } = statSync(join(clone, 'dist', 'cli.cjs'));
    expect(readFileSync(join(clone, 'dist', caches('cli')[0]!), 'latin1').split('\n')[1]).toBe(`${size} ${mtimeMs}`);
  });

  it('compiles the worker without the HTTP app: it loads the database, the queue and the settlement use case only', () => {
    const stamp = JSON.parse(readFileSync(join(clone, 'dist', '.built'), 'utf8')) as { inputs: Record<string, string[]> };
    expect(stamp.inputs.worker).toContain('src/processor.ts');
    expect(stamp.inputs.worker).toContain('jobs/runner.ts');
    expect(stamp.inputs.worker).not.toContain('src/app.ts');
    expect(stamp.inputs.worker!.filter((file) => file.endsWith('.routes.ts') || file.startsWith('src/plugins/'))).toEqual([]);
    // nor the web framework: esbuild names each bundled package's files in a comment
    expect(readFileSync(join(clone, 'dist', 'worker.cjs'), 'utf8')).not.toMatch(/node_modules\/fastify\//);
    expect(readFileSync(join(clone, 'dist', 'worker.cjs'), 'utf8')).toMatch(/node_modules\/close-with-grace\//);
    expect(stamp.inputs.server).toContain('src/app.ts');
  });

  it('rebuilds dist/ on start when it is missing', () => {
    rmSync(join(clone, 'dist'), { recursive: true, force: true });
    const r = simulate();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(expected);
    expect(existsSync(join(clone, 'dist', '.built'))).toBe(true);
  });

  it('npm start answers /health on a new embedded database, and again on the same one', async () => {
    const dataDir = join(clone, '.perfpay');
    for (const round of [1, 2]) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(clone, 'bin', 'start.mjs')], {
        cwd: clone,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', PERFPAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
      try {
        const deadline = Date.now() + 90_000;
        let body: Record<string, unknown> | null = null;
        while (!body && Date.now() < deadline) {
          body = await fetch(`http://127.0.0.1:${port}/health`).then(
            (res) => (res.status === 200 ? (res.json() as Promise<Record<string, unknown>>) : null),
            () => null,
          );
          if (!body) await new Promise((r) => setTimeout(r, 100));
        }
        expect(body, `round ${round}`).toMatchObject({ status: 'ok', database: 'pglite: ok', queue: 'in-process: ok' });
        // the first start (a new database: well over 2 s) wrote the service's code cache, which the second reads
        if (round === 1) {
          const deadline = Date.now() + 10_000;
          while (caches('server').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
          expect(caches('server')).toHaveLength(1);
        }
      } finally {
        const exited = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
