import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/app.js';
import { startService, type Service } from '../../src/service.js';
import type { Db } from '../../src/db/client.js';
import { systemClock, type Clock } from '../../src/shared/context.js';
import type { Caller } from '../../src/shared/principal.js';

/**
 * Starts the whole service for a test: on PGlite in memory with the in-process runner, or on a
 * fresh PostgreSQL database (created here, dropped at close) with BullMQ on a queue of its own.
 * The log is captured so tests can search it.
 */
export const TOKEN = 'test-admin-token-0123456789abcdef';

export type Backend = 'pglite' | 'postgres';

export const POSTGRES_URL = process.env.DATABASE_URL;
export const REDIS_URL = process.env.REDIS_URL;
export const backends: Backend[] = POSTGRES_URL && REDIS_URL ? ['pglite', 'postgres'] : ['pglite'];
if (!(POSTGRES_URL && REDIS_URL)) {
  console.warn('[perfpay tests] DATABASE_URL and REDIS_URL are not both set: PostgreSQL + BullMQ variants are skipped, PGlite + in-process only');
}

export interface TestService extends Service {
  backend: Backend;
  logs: string[];
  baseUrl: string;
  databaseUrl?: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  waitForRun(id: string, timeoutMs?: number): Promise<any>;
}

/** What a test may give the service besides its config: a clock it moves (the system clock unless given). */
export interface TestServiceOptions {
  clock?: Clock;
}

export async function startTestService(backend: Backend, overrides: Partial<Config> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let databaseUrl: string | undefined;
  if (backend === 'postgres') databaseUrl = await createDatabase();
  const config: Config = {
    PORT: 0,
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: backend === 'postgres' ? REDIS_URL : undefined,
    PERFPAY_DATA_DIR: 'memory://',
    PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    PERFPAY_QUEUE_NAME: `perfpay-test-${randomUUID()}`,
    PERFPAY_WORKER_CONCURRENCY: 1,
    PERFPAY_BODY_LIMIT_MB: 50,
    PERFPAY_RATE_LIMIT_PER_MINUTE: 100_000,
    PERFPAY_UI_SESSION_HOURS: 12,
    PERFPAY_TIME_ZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'info',
    ...overrides,
  };
  const service = await startService(config, createLogger('info', sink), options.clock ? { clock: options.clock } : {});
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const address = service.app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const request = httpClient(baseUrl);
  const waitForRun: TestService['waitForRun'] = (id, timeoutMs) => waitForSettled(request, id, timeoutMs);
  return {
    ...service,
    backend,
    logs,
    baseUrl,
    databaseUrl,
    request,
    waitForRun,
    async close() {
      await service.close();
      if (databaseUrl) await dropDatabase(databaseUrl);
    },
  };
}

/** A new, empty PostgreSQL database on the server of DATABASE_URL; returns its URL. */
export async function createDatabase(): Promise<string> {
  const name = `perfpay_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** The codes and messages of an error and of every error it was caused by (a driver's error is often the cause of drizzle's). */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let x: any = e; x && typeof x === 'object'; x = x.cause) parts.push(`${x.code ?? ''} ${String(x.message ?? '')}`);
  return parts.join(' | ');
}

/** /audit/verify's answer for an intact chain of `events` events, ending at its anchor. */
export const validChain = (events: number) => ({ valid: true, events, lastVerifiedSeq: events, anchoredSeq: events });

/** Use cases called straight from a test, as the bootstrap admin would through the API. */
export const TEST_CALLER: Caller = { principal: { keyId: null, name: 'test', role: 'admin', hospital: null, departments: [] }, actor: 'test', requestId: null };
export function asTestAdmin(db: Db) {
  return { db, clock: systemClock, log: createLogger('silent'), caller: TEST_CALLER };
}

export type Request = TestService['request'];

/**
 * The one request helper of the tests: calls a running service over HTTP with a bearer token (the
 * bootstrap admin's unless told; null: none), a JSON body (or a string sent as it is); the answer's body is
 * parsed when it is JSON, else the raw text.
 */
export function httpClient(baseUrl: string, token: string | null = TOKEN): Request {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: the raw text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

/** Reads a run until it is neither queued nor running; its last reading. */
export async function waitForSettled(request: (method: 'GET', path: string) => Promise<{ status: number; body: any }>, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request('GET', `/v1/settlements/${id}`);
    if (res.status !== 200) throw new Error(`GET /v1/settlements/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status !== 'queued' && res.body.status !== 'running') return res.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The service of a test file (or of a describe block), as fastify/demo's build(t): started before
 * its tests, closed after them. Returns a handle to use inside the tests and hooks.
 */
export function useTestService(backend: Backend, overrides: Partial<Config> = {}, options: TestServiceOptions = {}): TestService {
  let started: TestService | undefined;
  beforeAll(async () => {
    started = await startTestService(backend, overrides, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as TestService, {
    get(_target, property) {
      if (!started) throw new Error(`the test service is started in beforeAll; it was read (${String(property)}) before`);
      return Reflect.get(started, property);
    },
  });
}
