import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Child processes for the reliability tests: the compiled worker and server (`dist/worker.mjs`,
 * `dist/server.mjs`, what `npm run worker` and `npm start` run; test/global-setup.ts builds them)
 * started with node itself as the child, so a signal reaches the process that runs the code,
 * with their output captured line
 * by line. Every child started here is remembered until it has exited; `killAll()` (called by
 * the tests' afterEach/afterAll, and as a last resort when the test process exits) SIGKILLs
 * the ones still running, by their own pid.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** stdout and stderr, one entry a line. */
  lines: string[];
  /** The JSON log lines (pino) among `lines`. */
  logs(): Record<string, any>[];
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  running(): boolean;
  /** Resolves with the first log line that matches, or rejects after timeoutMs (with the output so far). */
  waitForLog(match: (log: Record<string, any>) => boolean, timeoutMs: number): Promise<Record<string, any>>;
}

const live = new Set<Child>();

/** The test's environment without the service's own variables: each child gets exactly the ones it is given. */
function inherited(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(PERFPAY_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|LOG_LEVEL$)/.test(key)) delete env[key];
  }
  return env;
}
process.once('exit', () => {
  for (const child of live) child.process.kill('SIGKILL');
});

export function startChild(name: string, entry: 'worker' | 'server', env: Record<string, string | undefined>): Child {
  // as npm start and npm run worker run them: through V8's code cache (bin/code-cache.mjs), which --enable-source-maps would bypass
  const proc = spawn(process.execPath, [`dist/${entry}.mjs`], {
    cwd: ROOT,
    env: { ...inherited(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const p of parts) if (p.length > 0) lines.push(p);
      for (const l of listeners) l();
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; at: number } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    // 'close', not 'exit': by then the child's output has been read to its end
    proc.once('close', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      live.delete(child);
      for (const l of listeners) l();
      resolve(exitInfo);
    });
  });
  const logs = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, any>];
      } catch {
        return [];
      }
    });
  const child: Child = {
    name,
    process: proc,
    pid: proc.pid!,
    lines,
    logs,
    exited,
    running: () => exitInfo === null,
    waitForLog(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs().find(match);
          if (found) {
            done();
            resolve(found);
          } else if (exitInfo) {
            done();
            reject(new Error(`${name} exited (${JSON.stringify(exitInfo)}) before the expected log line; its output:\n${lines.join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no expected log line after ${timeoutMs} ms; its output:\n${lines.join('\n')}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
  live.add(child);
  return child;
}

/** SIGKILLs every child still running (by its pid) and waits for each to be gone. */
export async function killAll(): Promise<void> {
  const running = [...live];
  for (const child of running) child.process.kill('SIGKILL');
  await Promise.all(running.map((c) => c.exited));
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects after ms with the given message unless the promise settles first. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
