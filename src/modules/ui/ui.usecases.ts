import { conservation, departmentStatement, formatScore, perCapitaPay, personStatement, tier2PointValues, type AnnualResult, type QuarterlyResult } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { assertSeesMoney, readableDepartments, readsWholeHospital } from '../access/access.js';
import { findHospital, findHospitalById, listHospitals } from '../hospitals/hospitals.repository.js';
import { reviewsOf } from '../settlements/reviews.usecases.js';
import { findRun, listRuns, type RunRow } from '../settlements/settlements.repository.js';
import { isRunStale, quarterOutcomeOf, runWithResult } from '../settlements/settlements.usecases.js';

/**
 * What each review page shows, gathered with the same use cases and scoping as the API: a page's
 * route renders it (ui.routes.ts) and asks nothing of the database itself.
 */
type Deps = { db: Db; caller: Caller };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The hospitals to choose from (the bootstrap admin), or one hospital's runs, each succeeded one marked when stale. */
export async function runsPage(deps: Deps, asked?: string) {
  assertSeesMoney(deps.caller.principal);
  const code = deps.caller.principal.hospital ?? asked;
  if (!code) return { view: 'hospitals' as const, hospitals: await listHospitals(deps.db) };
  const hospital = await findHospital(deps.db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  const runs = await listRuns(deps.db, hospital.id);
  const stale = new Set<string>();
  for (const run of runs) if (await isRunStale(deps.db, run)) stale.add(run.id);
  return { view: 'runs' as const, hospital, runs, stale };
}

/** The run, if this caller may see it (its hospital is theirs); 404 otherwise, as the API does. */
export async function visibleRun(deps: Deps, id: string): Promise<{ run: RunRow; hospital: { code: string; name: string } }> {
  assertSeesMoney(deps.caller.principal);
  const run = UUID.test(id) ? await findRun(deps.db, id) : null;
  const hospital = run ? await findHospitalById(deps.db, run.hospitalId) : null;
  const own = deps.caller.principal.hospital;
  if (!run || !hospital || (own !== null && own !== hospital.code)) throw notFound(`settlement ${id}`);
  return { run, hospital };
}

/**
 * A run's page: its result, the departments' reviews, whether it is stale, and for the whole
 * hospital's readers the checks and charts. A year-end has the same page with its own lines.
 */
export async function runPage(deps: Deps, id: string) {
  const { run, hospital } = await visibleRun(deps, id);
  if (run.status === 'queued' || run.status === 'running' || run.status === 'failed' || !run.summary) return { view: 'unsettled' as const, run, hospital };
  const { result } = await runWithResult(deps.db, run.id);
  const stale = await isRunStale(deps.db, run);
  const mine = readableDepartments(deps.caller.principal);
  const whole = readsWholeHospital(deps.caller.principal);
  if (result?.kind === 'annual') {
    const a = result as AnnualResult;
    return {
      view: 'year-end' as const,
      run,
      hospital,
      stale,
      whole,
      result: a,
      departments: a.departments.filter((d) => mine(d.code)),
      amounts: a.departments.map((d) => ({ label: d.name, code: d.code, text: d.amount, value: Number(d.amount) })),
    };
  }
  const q = result as QuarterlyResult;
  const reviews = await reviewsOf(deps.db, run);
  const departments = q.departments.filter((d) => mine(d.code));
  if (!whole) return { view: 'departments' as const, run, hospital, stale, result: q, reviews, departments };
  const pointValues = tier2PointValues(await quarterOutcomeOf(deps.db, run));
  const points = q.departments.map((d) => {
    const value = pointValues.get(d.code);
    const text = value ? formatScore(value) : '0.000000';
    return { label: d.name, code: d.code, text, value: Number(text) };
  });
  const perHead = q.departments.map((d) => {
    const text = perCapitaPay(d.final, d.headcount);
    return { label: d.name, code: d.code, text: text ?? '0.00', value: text ? Number(text) : 0 };
  });
  return { view: 'hospital' as const, run, hospital, stale, result: q, reviews, departments, conservation: conservation(q.summary), points, perHead };
}

/** A department's statement in a quarterly run and its review, or its lines in a year-end. */
export async function departmentPage(deps: Deps, id: string, code: string) {
  const { run, hospital } = await visibleRun(deps, id);
  if (!readableDepartments(deps.caller.principal)(code)) return { view: 'forbidden' as const, run, hospital };
  if (!run.summary) throw notFound(`the result of settlement ${id}`);
  if (run.kind === 'annual') {
    const { result } = await runWithResult(deps.db, run.id);
    const a = result as AnnualResult;
    const line = a.departments.find((d) => d.code === code);
    if (!line) throw notFound(`department ${code} in ${run.period}`);
    return { view: 'year-end' as const, run, hospital, line, people: a.individuals.filter((i) => i.department === code), withRisk: a.summary.riskAwardTotal !== undefined };
  }
  const statement = departmentStatement(await quarterOutcomeOf(deps.db, run), code);
  if (!statement) throw notFound(`department ${code} in ${run.period}`);
  const review = (await reviewsOf(deps.db, run)).find((r) => r.department === code);
  return { view: 'quarter' as const, run, hospital, statement, review, stale: await isRunStale(deps.db, run) };
}

/** A person's statement in a quarterly run, or their year-end lines: someone outside a department head's departments is not found. */
export async function personPage(deps: Deps, id: string, staffId: string) {
  const { run, hospital } = await visibleRun(deps, id);
  if (!run.summary) throw notFound(`the result of settlement ${id}`);
  const mine = readableDepartments(deps.caller.principal);
  if (run.kind === 'annual') {
    const { result } = await runWithResult(deps.db, run.id);
    const a = result as AnnualResult;
    const lines = a.individuals.filter((i) => i.staffId === staffId && mine(i.department));
    if (lines.length === 0) throw notFound(`staff ${staffId} in ${run.period}`);
    const names = new Map(a.departments.map((d) => [d.code, d.name]));
    return { view: 'year-end' as const, run, hospital, lines: lines.map((l) => ({ ...l, departmentName: names.get(l.department) ?? l.department })), withRisk: a.summary.riskAwardTotal !== undefined };
  }
  const statement = personStatement(await quarterOutcomeOf(deps.db, run), staffId);
  if (!statement || !mine(statement.department.code)) throw notFound(`staff ${staffId} in ${run.period}`);
  return { view: 'quarter' as const, run, hospital, statement };
}
