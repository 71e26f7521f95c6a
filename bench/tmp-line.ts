import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../src/app.js';
import { startService } from '../src/service.js';
import { createBenchDatabase } from './service.js';
import { importScenario } from '../src/modules/imports/imports.usecases.js';
import { plainHospital } from '../test/fixtures/generator.js';
const { url, drop } = await createBenchDatabase(process.env.DATABASE_URL!);
const TOKEN = 'bench-token-0123456789abcdef';
const svc = await startService({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: url, REDIS_URL: undefined, PERFPAY_DATA_DIR: 'x', PERFPAY_BOOTSTRAP_ADMIN_TOKEN: TOKEN, PERFPAY_QUEUE_NAME: 'q', PERFPAY_WORKER_CONCURRENCY: 1, PERFPAY_BODY_LIMIT_MB: 100, PERFPAY_RATE_LIMIT_PER_MINUTE: 1e6, LOG_LEVEL: 'silent' } as any, createLogger('silent'));
await svc.app.listen({ port: 0, host: '127.0.0.1' });
const a = svc.app.server.address() as any; const base = `http://127.0.0.1:${a.port}`;
const doc = plainHospital({ departments: 20, staff: 1000, seed: 1 });
await importScenario({ db: svc.database.db, now: () => new Date(), ctx: { actor: 'b', requestId: null } }, { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined } as any);
const call = async (m: string, p: string, body?: unknown, t = TOKEN) => { const r = await fetch(base + p, { method: m, headers: { authorization: `Bearer ${t}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }); return JSON.parse(await r.text()); };
const key = (await call('POST', '/v1/api-keys', { role: 'admin', hospital: doc.hospital.code, name: 'k' })).token;
const run = await call('POST', `/v1/hospitals/${doc.hospital.code}/settlements`, { period: doc.periods![0]!.period }, key);
while ((await call('GET', `/v1/settlements/${run.id}`, undefined, key)).status !== 'succeeded') await new Promise((r) => setTimeout(r, 100));
const raw = new pg.Pool({ connectionString: url, max: 1 });
const ids = (await raw.query('select staff_id from individual_lines where run_id=$1', [run.id])).rows.map((r: any) => r.staff_id);
const p50 = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!.toFixed(3);
if (process.env.PROF) { for (let i = 0; i < 3000; i++) await call('GET', `/v1/settlements/${run.id}/individuals/${ids[i % ids.length]}`, undefined, key); }
for (let rep = 0; rep < (process.env.PROF ? 0 : 3); rep++) {
  const h: number[] = [], l: number[] = [], lb: number[] = [], r: number[] = [], hd: number[] = [];
  for (let i = 0; i < 300; i++) {
    const id = ids[(i * 31) % ids.length];
    let t = performance.now(); await fetch(base + '/health').then((x) => x.text()); h.push(performance.now() - t);
    t = performance.now(); await call('GET', `/v1/settlements/${run.id}/individuals/${id}`, undefined, key); l.push(performance.now() - t);
    t = performance.now(); await call('GET', `/v1/settlements/${run.id}/individuals/${id}`, undefined, TOKEN); lb.push(performance.now() - t);
    t = performance.now(); await call('GET', `/v1/hospitals/${doc.hospital.code}`, undefined, key); hd.push(performance.now() - t);
    t = performance.now(); await raw.query('select * from individual_lines where run_id=$1 and staff_id=$2', [run.id, id]); r.push(performance.now() - t);
  }
  console.log('health', p50(h), 'line(key)', p50(l), 'line(bootstrap)', p50(lb), 'hospital(key)', p50(hd), 'raw', p50(r));
}
await raw.end(); await svc.close(); await drop();
