import { readFileSync } from 'node:fs';
import { run } from './cli.js';

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdin: () => readFileSync(0, 'utf8'),
});
