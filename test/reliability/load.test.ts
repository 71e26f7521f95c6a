import { afterAll, describe, expect, it } from 'vitest';
import { plainHospital } from '../fixtures/generator.js';
import { backends, useTestService } from '../integration/harness.js';

/**
 * Load: a hospital pushed over REST record by record by 16 concurrent clients, settled, and every
 * person's line read back — on 127.0.0.1 — with zero errors. Prints the figures (requests,
 * p50/p99 latencies). What it proves is correctness under concurrency, which 20 departments and
 * 1,000 staff (some 2,200 requests) show as well as 10,000 staff; the county-scale figures are
 * the benchmark's (`npm run bench`). PERFPAY_LOAD_STAFF / PERFPAY_LOAD_DEPARTMENTS scale it
 * (10000 / 200 gives the README's load figures).
 */
const STAFF = Number.parseInt(process.env.PERFPAY_LOAD_STAFF ?? '1000', 10);
const DEPARTMENTS = Number.parseInt(process.env.PERFPAY_LOAD_DEPARTMENTS ?? '20', 10);
const CLIENTS = 16;
const backend = backends.includes('postgres') ? 'postgres' : 'pglite';

/** Runs the tasks with `clients` at a time; returns each call's latency in ms. */
async function concurrently<T>(items: T[], clients: number, call: (item: T) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const start = performance.now();
        await call(item);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

describe(`a hospital of ${DEPARTMENTS} departments and ${STAFF} staff over REST with ${CLIENTS} clients (${backend})`, () => {
  const svc = useTestService(backend);
  const doc = plainHospital({ departments: DEPARTMENTS, staff: STAFF, seed: 4242 });
  const quarter = doc.periods![0]!;
  const code = 'LOAD';
  const errors: string[] = [];
  const expectOk = (label: string, res: { status: number; body: unknown }) => {
    if (res.status >= 300) errors.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  };
  const figures: Record<string, string> = {};
  const report = (name: string, latencies: number[], ms: number) => {
    figures[name] = `${latencies.length} requests in ${(ms / 1000).toFixed(1)} s, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`;
  };

  afterAll(async () => {
    console.log(
      `[perfpay load] ${backend}, ${CLIENTS} clients:\n  ${Object.entries(figures)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n  ')}`,
    );
  });

  it('pushes every record, settles, and reads every person line with zero errors', async () => {
    const started = performance.now();
    expectOk('hospital', await svc.request('PUT', `/v1/hospitals/${code}`, { name: '负载医院' }));
    let t = performance.now();
    report(
      'departments',
      await concurrently(doc.departments, CLIENTS, async ({ code: d, ...rest }) => expectOk(`department ${d}`, await svc.request('PUT', `/v1/hospitals/${code}/departments/${d}`, rest))),
      performance.now() - t,
    );
    t = performance.now();
    report(
      'staff',
      await concurrently(doc.staff, CLIENTS, async ({ id, ...rest }) => expectOk(`staff ${id}`, await svc.request('PUT', `/v1/hospitals/${code}/staff/${id}`, rest))),
      performance.now() - t,
    );
    expectOk('quarter', await svc.request('PUT', `/v1/hospitals/${code}/periods/${quarter.period}`, { revenue: quarter.revenue, workingDays: quarter.workingDays }));
    t = performance.now();
    report(
      'department inputs',
      await concurrently(quarter.departments, CLIENTS, async ({ code: d, ...rest }) =>
        expectOk(`inputs ${d}`, await svc.request('PUT', `/v1/hospitals/${code}/periods/${quarter.period}/departments/${d}`, rest)),
      ),
      performance.now() - t,
    );
    t = performance.now();
    report(
      'individual inputs',
      await concurrently(quarter.individuals ?? [], CLIENTS, async ({ staffId, ...rest }) =>
        expectOk(`individual ${staffId}`, await svc.request('PUT', `/v1/hospitals/${code}/periods/${quarter.period}/individuals/${staffId}`, rest)),
      ),
      performance.now() - t,
    );
    expect(errors).toEqual([]);

    t = performance.now();
    const trigger = await svc.request('POST', `/v1/hospitals/${code}/settlements`, { period: quarter.period });
    expect(trigger.status).toBe(202);
    const run = await svc.waitForRun(trigger.body.id, 240_000);
    figures.settlement = `${((performance.now() - t) / 1000).toFixed(1)} s from trigger to succeeded`;
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    const lines = run.result.individuals as { staffId: string; total: string }[];
    expect(lines.length).toBeGreaterThan(STAFF * 0.9);

    t = performance.now();
    const reads = await concurrently(lines, CLIENTS, async (line) => {
      const res = await svc.request('GET', `/v1/settlements/${run.id}/individuals/${line.staffId}`);
      expectOk(`line ${line.staffId}`, res);
      if (res.status === 200 && (res.body as { line: { total: string } }).line.total !== line.total) errors.push(`line ${line.staffId}: total differs`);
    });
    report('person line reads', reads, performance.now() - t);
    figures.total = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    expect(errors).toEqual([]);
  }, 900_000);
});
