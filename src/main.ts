import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { run } from './cli.js';

// a write the pipe cannot take at once waits for 'drain' before the next chunk is made
const status = run(process.argv.slice(2), {
  stdout: (s) => (process.stdout.write(s) ? undefined : once(process.stdout, 'drain')),
  stderr: (s) => process.stderr.write(s),
  stdin: () => readFileSync(0, 'utf8'),
});
process.exitCode = typeof status === 'number' ? status : await status;
