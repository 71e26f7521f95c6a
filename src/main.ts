import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { run } from './cli.js';

// a reader that goes away before the end (`perfpay simulate x | head`) ends the process quietly,
// with status 1, rather than with an unhandled EPIPE and its stack
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(1);
});

// a write the pipe cannot take at once waits for 'drain' before the next chunk is made; bytes,
// which the command line fills again, wait until they are written
const status = run(process.argv.slice(2), {
  stdout: (s) => (typeof s !== 'string' ? new Promise((written) => process.stdout.write(s, written)) : process.stdout.write(s) ? undefined : once(process.stdout, 'drain')),
  stderr: (s) => process.stderr.write(s),
  stdin: () => readFileSync(0, 'utf8'),
});
// no top-level await: the command line is built as a CommonJS bundle (scripts/build.mjs), run through V8's code cache
const exitWith = (code: number) => {
  process.exitCode = code;
};
if (typeof status === 'number') exitWith(status);
else {
  // an internal fault (1) should the process end with the result still unwritten
  exitWith(1);
  void status.then(exitWith);
}
