import { readFileSync } from 'node:fs';
import { EngineError, simulate } from './core/index.js';

const USAGE = `perfpay — hospital performance-pay settlement (医院绩效工资核算)

usage:
  perfpay simulate <scenario.json | ->   settle every quarter (and the year-end) of a scenario
                                         document and print the result document

exit status: 0 settled; 2 the scenario breaks a rule (the error object is printed on stdout);
             1 an internal fault.`;

/** Runs the command line; returns the exit status. Output goes through the given writers. */
export function run(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; stdin: () => string }): number {
  const [command, file, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'simulate' || !file || rest.length > 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    return reject(io, 'invalid_document', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return reject(io, 'invalid_document', `the scenario is not valid JSON: ${(e as Error).message}`);
  }
  try {
    io.stdout(`${JSON.stringify(simulate(doc), null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof EngineError) {
      io.stdout(`${JSON.stringify(e.toJSON(), null, 2)}\n`);
      return 2;
    }
    io.stderr(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    io.stdout(`${JSON.stringify({ error: { code: 'internal', message: 'internal error', path: '' } })}\n`);
    return 1;
  }
}

function reject(io: { stdout: (s: string) => void }, code: string, message: string): number {
  io.stdout(`${JSON.stringify({ error: { code, message, path: '' } }, null, 2)}\n`);
  return 2;
}
