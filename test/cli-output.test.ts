import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChunks } from '../src/cli.js';
import { simulate } from '../src/core/index.js';
import { plainHospital } from './fixtures/generator.js';

/**
 * `perfpay simulate` prints JSON.stringify(result, null, 2) and a newline, byte for byte
 * (contract.md §3), however it writes it: encoded into one buffer that it fills again once the
 * pipe has taken it, whatever the pace of the reader.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'perfpay.mjs');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfpay-cli-output-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The bin's stdout as bytes, read through a pipe; with `slow`, the reader stops for 20 ms after every read. */
function perfpayStdout(file: string, slow: boolean): Promise<Buffer> {
  const child = spawn(process.execPath, [BIN, 'simulate', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const parts: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => {
    parts.push(d);
    if (slow) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`perfpay exited ${code}`))));
  });
}

describe('perfpay simulate prints the result document byte for byte', () => {
  for (const example of ['worked-example', 'disputes-example', 'assessment-example']) {
    it(`the ${example}`, async () => {
      const file = join(ROOT, 'examples', `${example}.scenario.json`);
      const want = `${JSON.stringify(simulate(JSON.parse(readFileSync(file, 'utf8'))), null, 2)}\n`;
      expect((await perfpayStdout(file, false)).toString('utf8')).toBe(want);
    });
  }

  it('a generated hospital of 40 departments and 2,000 staff (some 4 MB), to a reader that keeps stopping', async () => {
    const doc = plainHospital({ departments: 40, staff: 2000, seed: 11 });
    const file = join(dir, 'hospital.json');
    writeFileSync(file, JSON.stringify(doc));
    const want = Buffer.from(`${JSON.stringify(simulate(doc), null, 2)}\n`, 'utf8');
    expect(want.length).toBeGreaterThan(1 << 20);
    const got = await perfpayStdout(file, true);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
  }, 120_000);
});

describe('writeChunks', () => {
  /** A writer that reads the bytes only when it "completes" each write, later: a buffer filled again too early shows. */
  function lazyWriter(): { io: Parameters<typeof writeChunks>[0]; bytes: () => Buffer } {
    const parts: Buffer[] = [];
    return {
      io: {
        stdout: (s) => {
          if (typeof s === 'string') {
            parts.push(Buffer.from(s, 'utf8'));
            return undefined;
          }
          return new Promise<void>((written) =>
            setTimeout(() => {
              parts.push(Buffer.from(s));
              written();
            }, 1),
          );
        },
        stderr: () => undefined,
        stdin: () => '',
      },
      bytes: () => Buffer.concat(parts),
    };
  }

  it('writes the chunks and a newline as UTF-8, cutting long chunks between surrogate pairs, never within one', async () => {
    const emoji = '😀'.repeat(5000); // 10,000 code units: cut within, at an odd and an even offset
    const chunks = ['{', `"a${emoji}"`, `"${emoji}"`, '中文'.repeat(3000), 'x'.repeat(70_000), `${'é'.repeat(30_000)}😀`, '}'];
    const writer = lazyWriter();
    await writeChunks(writer.io, chunks);
    expect(writer.bytes().toString('utf8')).toBe(`${chunks.join('')}\n`);
    expect(writer.bytes().includes(Buffer.from('\ufffd', 'utf8'))).toBe(false);
  });

  it('writes nothing but the newline for no chunks', async () => {
    const writer = lazyWriter();
    await writeChunks(writer.io, []);
    expect(writer.bytes().toString('utf8')).toBe('\n');
  });
});
