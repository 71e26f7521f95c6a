import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from '../src/core/index.js';
import { plainHospital } from '../test/fixtures/generator.js';
import { fmt, spread, time } from './stats.js';

/**
 * Issue #16's figure 2 alone, for working on it: `perfpay simulate` on 200 departments / 10,000
 * staff (whole process, output to a pipe) ÷ the warm engine's compute of the same document in
 * this process, interleaved repetition by repetition, as bench/start.ts's figureLargeCli measures
 * it. Other command lines (an earlier build's dist/cli.mjs) can be measured in the same loop, so
 * a change is compared with what it replaces under the same load.
 *
 *   node --expose-gc --import tsx bench/large-cli.ts [repetitions] [other-cli.mjs …]
 *
 * The document is written once to $TMPDIR/perfpay-large/hospital-200x10000.json and kept.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = process.execPath;
const TIME = '/usr/bin/time';
const TMP = join(process.env.TMPDIR ?? '/tmp', 'perfpay-large');

const [repetitionsArg, ...others] = process.argv.slice(2);
const repetitions = Number.parseInt(repetitionsArg ?? '7', 10);
const commands: { label: string; args: string[] }[] = [{ label: 'bin/perfpay.mjs', args: [join(ROOT, 'bin', 'perfpay.mjs')] }, ...others.map((cli) => ({ label: cli, args: [cli] }))];

mkdirSync(TMP, { recursive: true });
const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
const file = join(TMP, 'hospital-200x10000.json');
writeFileSync(file, JSON.stringify(doc));
simulate(doc); // warm-up, as figureLargeCli
const engine: number[] = [];
const whole = commands.map(() => [] as number[]);
const ratios = commands.map(() => [] as number[]);
const peaks = commands.map(() => [] as number[]);
for (let r = 0; r <= repetitions; r++) {
  const e = time(() => simulate(doc));
  for (const [i, command] of commands.entries()) {
    const p = await run([...command.args, 'simulate', file]);
    if (r === 0) continue;
    whole[i]!.push(p.ms);
    ratios[i]!.push(p.ms / e);
    peaks[i]!.push(p.peakMb);
  }
  if (r > 0) engine.push(e);
}
console.log(`| measure (${repetitions} repetitions) | min / median / max |`);
console.log('|---|---|');
console.log(`| engine compute in process, ms | ${fmt(spread(engine))} |`);
for (const [i, command] of commands.entries()) {
  console.log(`| ${command.label}, whole process, ms | ${fmt(spread(whole[i]!))} |`);
  console.log(`| ${command.label}, ratio to the engine | ${fmt(spread(ratios[i]!), 2)} |`);
  console.log(`| ${command.label}, peak RSS, MB | ${fmt(spread(peaks[i]!), 0)} |`);
}

/** A process run to its end, its output read and dropped; wall time and GNU time's peak RSS. */
function run(args: string[]): Promise<{ ms: number; peakMb: number }> {
  const report = join(TMP, 'time.txt');
  const timed = existsSync(TIME);
  const started = process.hrtime.bigint();
  const child = timed ? spawn(TIME, ['-f', '%M', '-o', report, NODE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(NODE, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      const kb = timed ? Number(readFileSync(report, 'utf8').trim().split('\n').at(-1)) : 0;
      resolve({ ms, peakMb: kb / 1024 });
    });
  });
}
