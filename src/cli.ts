import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EngineError } from './core/errors.js';
import { settleScenario } from './core/settle.js';
import { validateScenario } from './core/validate.js';
import { prettyJsonChunks } from './shared/json-stream.js';

const USAGE = `perfpay — hospital performance-pay settlement (医院绩效工资核算)

usage:
  perfpay simulate [--timings] <scenario.json | ->
                                         settle every quarter (and the year-end) of a scenario
                                         document and print the result document; --timings
                                         also writes how long each step took, in ms, as one
                                         JSON line on stderr

exit status: 0 settled; 2 the scenario breaks a rule (the error object is printed on stdout);
             1 an internal fault.`;

/**
 * Where the command line writes and reads. `stdout` takes text, or bytes that the command line
 * fills again for its next write: it returns a promise while they are still being written (a
 * pipe whose reader is behind), and the next write waits for it.
 */
export interface CliIo {
  stdout: (s: string | Uint8Array) => unknown;
  stderr: (s: string) => void;
  stdin: () => string;
}

/**
 * Runs the command line; returns the exit status, or a promise of it while a result document is
 * still being written. Output goes through the given writers: a result as UTF-8 in writes of
 * about 64 KB, never as one string of its whole 20 MB.
 */
export function run(argv: string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const timings = rest[0] === '--timings' ? new Timings(io) : null;
  const [file, ...more] = timings ? rest.slice(1) : rest;
  if (command !== 'simulate' || !file || more.length > 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  try {
    const result = settleFile(io, file, timings);
    if (result === REJECTED) return 2;
    const written = writeChunks(io, prettyJsonChunks(result, { chunkSize: TEXT_CHUNK }));
    if (!timings) return written;
    if (typeof written === 'number') return timings.report('write', written);
    return written.then((status) => timings.report('write', status));
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

/**
 * `--timings`: the milliseconds of each step of a settled file — the process's start until the
 * command line runs (Node and the bundle loading), reading, parsing, validating, settling and
 * writing the result — written to stderr as one JSON line once the result is written. Issue
 * #16's benchmark reads it to show where a whole process's time goes.
 */
class Timings {
  private readonly ms: Record<string, number> = {};
  private last = performance.now();

  constructor(private readonly io: CliIo) {
    this.ms.start = this.last;
  }

  /** The step that has just ended. */
  mark(step: string): void {
    const now = performance.now();
    this.ms[step] = now - this.last;
    this.last = now;
  }

  /** Marks the last step and writes the line; returns the status it was given. */
  report(step: string, status: number): number {
    this.mark(step);
    const rounded = Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    this.io.stderr(`${JSON.stringify({ timingsMs: rounded })}\n`);
    return status;
  }
}

const REJECTED = Symbol('rejected');

/**
 * The scenario document, parsed; its text is dropped as soon as it is (only the document lives on
 * through validation and settlement). A leading byte-order mark is skipped without copying the text.
 */
function readScenario(io: CliIo, file: string, timings: Timings | null): unknown {
  let text: string;
  try {
    text = file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    reject(io, 'invalid_document', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return REJECTED;
  }
  timings?.mark('read');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    reject(io, 'invalid_document', `the scenario is not valid JSON: ${(e as Error).message}`);
    return REJECTED;
  }
}

/** The file's result document (the engine's simulate, step by step): its scenario text and document are garbage once it is made. */
function settleFile(io: CliIo, file: string, timings: Timings | null): ReturnType<typeof settleScenario> | typeof REJECTED {
  const doc = readScenario(io, file, timings);
  if (doc === REJECTED) return REJECTED;
  timings?.mark('parse');
  const scenario = validateScenario(doc);
  timings?.mark('validate');
  const result = settleScenario(scenario);
  timings?.mark('settle');
  return result;
}

/**
 * Text in pieces of at most 8,192 characters, encoded one after another into one buffer that is
 * written out once it holds 64 KB (a pipe's capacity), and filled again once written. Measured on
 * the 200 × 10,000 hospital (issue #16): a new Buffer for each 64 KB chunk (Buffer.from, or
 * process.stdout.write of the string) cost some 5,000 page faults, and a 64 KB chunk with a
 * Chinese name in it is a two-byte string flattened into large-object space; both cost more
 * system time than the encoding itself.
 */
const TEXT_PIECE = 1 << 13;
/** A chunk ends at the first line past this: within a piece, as a rule. */
const TEXT_CHUNK = 6 << 10;
const WRITE_SIZE = 1 << 16;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

/** Writes the chunks and a final newline, waiting where the writer asks to; 0 once all are written. */
export function writeChunks(io: CliIo, chunks: Iterable<string>): number | Promise<number> {
  const iterator = pieces(chunks)[Symbol.iterator]();
  // below WRITE_SIZE, the buffer has room for any piece
  const buffer = Buffer.allocUnsafe(WRITE_SIZE + MAX_UTF8_PER_UNIT * TEXT_PIECE);
  let used = 0;
  const next = (): number | Promise<number> => {
    for (let step = iterator.next(); !step.done; step = iterator.next()) {
      used += buffer.write(step.value, used);
      if (used < WRITE_SIZE) continue;
      const wait = io.stdout(buffer.subarray(0, used));
      used = 0;
      if (wait instanceof Promise) return wait.then(next);
    }
    used += buffer.write('\n', used);
    const wait = io.stdout(buffer.subarray(0, used));
    return wait instanceof Promise ? wait.then(() => 0) : 0;
  };
  return next();
}

/** The chunks cut to at most TEXT_PIECE characters, never between the two halves of a surrogate pair. */
function* pieces(chunks: Iterable<string>): Generator<string, void, undefined> {
  for (const chunk of chunks) {
    if (chunk.length <= TEXT_PIECE) {
      yield chunk;
      continue;
    }
    for (let at = 0; at < chunk.length; ) {
      let end = Math.min(at + TEXT_PIECE, chunk.length);
      const last = chunk.charCodeAt(end - 1);
      if (end < chunk.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      yield chunk.slice(at, end);
      at = end;
    }
  }
}

function reject(io: CliIo, code: string, message: string): number {
  io.stdout(`${JSON.stringify({ error: { code, message, path: '' } }, null, 2)}\n`);
  return 2;
}
