import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Throw-away PostgreSQL and Redis servers on free loopback ports, which a test can stop and
 * start again to cut the service off from them. Nothing else uses them.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, 'bin') : null;
}

/** Why a private PostgreSQL cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!postgresBin()) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return 'no postgres system user to run initdb as';
  }
  return process.getuid?.() === 0 ? null : 'starting a private PostgreSQL needs root (to run initdb as postgres)';
}

export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'perfpay-pg-'));
  constructor(readonly port: number) {
    chmodSync(this.dir, 0o777);
    this.asPostgres(`"${postgresBin()}/initdb" -D "${this.dir}/data" -A trust -U postgres >/dev/null`);
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  start(): void {
    this.asPostgres(`"${postgresBin()}/pg_ctl" -D "${this.dir}/data" -o "-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1" -l "${this.dir}/log" -w start >/dev/null`);
  }
  stop(): void {
    this.asPostgres(`"${postgresBin()}/pg_ctl" -D "${this.dir}/data" -m immediate -w stop >/dev/null 2>&1 || true`);
  }
  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
  private asPostgres(command: string): void {
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { stdio: 'inherit' });
  }
}

export class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis on ${this.port} did not start`);
  }
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
