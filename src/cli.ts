import { readFileSync } from 'node:fs';
import { EngineError, simulate } from './core/index.js';
import { prettyJsonChunks } from './shared/json-stream.js';

const USAGE = `perfpay — hospital performance-pay settlement (医院绩效工资核算)

usage:
  perfpay simulate <scenario.json | ->   settle every quarter (and the year-end) of a scenario
                                         document and print the result document

exit status: 0 settled; 2 the scenario breaks a rule (the error object is printed on stdout);
             1 an internal fault.`;

/**
 * Where the command line writes and reads. `stdout` may return a promise when its destination is
 * full (a pipe whose reader is behind): the next chunk waits for it.
 */
export interface CliIo {
  stdout: (s: string) => unknown;
  stderr: (s: string) => void;
  stdin: () => string;
}

/**
 * Runs the command line; returns the exit status, or a promise of it while a result document is
 * still being written. Output goes through the given writers: a result in chunks of 64 KB
 * (prettyJsonChunks), never as one string of its whole 20 MB.
 */
export function run(argv: string[], io: CliIo): number | Promise<number> {
  const [command, file, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'simulate' || !file || rest.length > 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  try {
    const result = settleFile(io, file);
    return result === REJECTED ? 2 : write(io, prettyJsonChunks(result));
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

const REJECTED = Symbol('rejected');

/**
 * The scenario document, parsed; its text is dropped as soon as it is (only the document lives on
 * through validation and settlement). A leading byte-order mark is skipped without copying the text.
 */
function readScenario(io: CliIo, file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    reject(io, 'invalid_document', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return REJECTED;
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    reject(io, 'invalid_document', `the scenario is not valid JSON: ${(e as Error).message}`);
    return REJECTED;
  }
}

/** The file's result document: its scenario text and document are garbage once it is made. */
function settleFile(io: CliIo, file: string): ReturnType<typeof simulate> | typeof REJECTED {
  const doc = readScenario(io, file);
  return doc === REJECTED ? REJECTED : simulate(doc);
}

/** Writes the chunks and a final newline, waiting where the writer asks to; 0 once all are written. */
function write(io: CliIo, chunks: Iterable<string>): number | Promise<number> {
  const iterator = chunks[Symbol.iterator]();
  const next = (): number | Promise<number> => {
    for (let step = iterator.next(); !step.done; step = iterator.next()) {
      const wait = io.stdout(step.value);
      if (wait instanceof Promise) return wait.then(next);
    }
    io.stdout('\n');
    return 0;
  };
  return next();
}

function reject(io: CliIo, code: string, message: string): number {
  io.stdout(`${JSON.stringify({ error: { code, message, path: '' } }, null, 2)}\n`);
  return 2;
}
