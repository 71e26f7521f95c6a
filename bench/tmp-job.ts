import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { processSettlement } from '../jobs/settlement.processor.js';
import { createLogger } from '../src/app.js';
import { openDatabase } from '../src/db/client.js';
import { importScenario } from '../src/modules/imports/imports.usecases.js';
import { findHospital } from '../src/modules/inputs/inputs.repository.js';
import { triggerSettlement } from '../src/modules/settlements/settlements.usecases.js';
import { plainHospital } from '../test/fixtures/generator.js';
const url = process.env.DATABASE_URL!;
const name = `perfpay_tmp_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const admin = new pg.Client({ connectionString: url }); await admin.connect(); await admin.query(`create database ${name}`); await admin.end();
const t = new URL(url); t.pathname = `/${name}`;
const database = await openDatabase({ url: t.toString(), dataDir: 'x' });
const doc = plainHospital({ departments: 200, staff: 10_000, seed: 20261123 });
const oneQuarter = { ...doc, periods: doc.periods!.slice(0, 1), annual: undefined };
const deps = { db: database.db, now: () => new Date(), ctx: { actor: 'bench', requestId: null } };
await importScenario(deps, oneQuarter);
const hospital = (await findHospital(database.db, oneQuarter.hospital.code))!;
const period = oneQuarter.periods[0]!.period;
const log = createLogger('silent');
for (let rep = 0; rep < 6; rep++) {
  const { run } = await triggerSettlement(deps, hospital.code, period);
  const s = performance.now();
  await processSettlement({ db: database.db, now: () => new Date(), log }, run.id, { final: true });
  console.log((performance.now() - s).toFixed(1));
}
await database.close();
const a = new pg.Client({ connectionString: url }); await a.connect(); await a.query(`drop database ${name} with (force)`); await a.end();
