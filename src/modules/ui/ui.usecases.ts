import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { monthsOf } from '../../core/assessment/validate.js';
import type { IndicatorNodeInput, ScorecardInput } from '../../core/schema.js';
import { conservation, departmentStatement, formatScore, perCapitaPay, personStatement, tier2PointValues, type AnnualResult, type QuarterlyResult } from '../../core/index.js';
import type { QuarterlyAssessment } from '../../core/result.js';
import type { Db } from '../../db/client.js';
import { canonicalJson } from '../../shared/canonical.js';
import { timeZoneOf, type Clock, type UseCaseDeps } from '../../shared/context.js';
import { AppError, badRequest, notFound } from '../../shared/errors.js';
import type { MessageKey } from '../../shared/messages/index.js';
import type { Caller } from '../../shared/principal.js';
import { assertSeesMoney, readableDepartments, readsWholeHospital } from '../access/access.js';
import { appealsOf, decideAppeal, departmentRegister, fileAppeal } from '../assessment/appeals.usecases.js';
import { type DefectRecord, quarterOf, scorecardsFor } from '../assessment/assessment.repository.js';
import { DepartmentDefectSchema, PersonalDefectSchema, ValueRecordSchema } from '../assessment/assessment.schemas.js';
import { listValues, putValues, writeDefect } from '../assessment/assessment.usecases.js';
import { assessmentPreview, latestAssessedRun } from '../assessment/preview.usecases.js';
import { type Cadence, cadenceOf, entryLayout, inForceFor } from '../assessment/template.usecases.js';
import { listDepartments, listStaff } from '../inputs/inputs.repository.js';
import { auditPage, verifyHospitalAudit } from '../audit/audit.usecases.js';
import { findHospital, findHospitalById, listHospitals } from '../hospitals/hospitals.repository.js';
import { runWorkbook, type ExportOptions } from '../settlements/exports.usecases.js';
import { review, reviewsOf } from '../settlements/reviews.usecases.js';
import type { SettlementQueue } from '../settlements/settlements.queue.js';
import { findRun, listRuns, type RunRow } from '../settlements/settlements.repository.js';
import { approveSettlement, isRunStale, quarterOutcomeOf, requestSettlement, runWithResult } from '../settlements/settlements.usecases.js';
import { badPeriod, PageWords, refused } from './ui.errors.js';
import { mayAppeal, mayApprove, mayAudit, mayDecideAppeals, mayGrade, mayReview, maySettle } from './ui.roles.js';

/**
 * What each review page shows and does, with the same use cases and scoping as the API: a page's
 * route (ui.routes.ts) calls one of these and renders what it returns, and asks nothing of the
 * database itself. A role refused an action gets a refusal the page words (ui.errors.ts).
 */
type Deps = { db: Db; caller: Caller };
type WriteDeps = Deps & { clock: Clock };

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

/** A department's statement in a quarterly run and its review, or its lines in a year-end; another's department is refused. */
export async function departmentPage(deps: Deps, id: string, code: string) {
  const { run, hospital } = await visibleRun(deps, id);
  if (!readableDepartments(deps.caller.principal)(code)) throw refused('page.forbidden.department', { department: code });
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

// ------------------------------------------------------------------ downloads and actions

/** The run's workbook (a department's alone when asked), as the /v1 export makes it. */
export async function runDownload(deps: Deps, id: string, department: string | undefined, options: ExportOptions = {}) {
  const { run } = await visibleRun(deps, id);
  return runWorkbook(deps, run.id, department || undefined, options);
}

/**
 * Starts a settlement from the runs page (or re-runs one by force from a run's page): the run and
 * what happened, in the words of `?done=` (started, forced, or an existing run still running or
 * unchanged). A hospital's key settles its own hospital; the period is checked as the API checks it.
 */
export async function startSettlement(deps: WriteDeps & Pick<UseCaseDeps, 'log'> & { queue: SettlementQueue }, form: { hospital?: string; period?: string; force?: string }) {
  const { principal } = deps.caller;
  if (!maySettle(principal)) throw refused('page.forbidden.settle');
  const hospital = principal.hospital ?? form.hospital ?? '';
  const period = form.period?.trim() ?? '';
  if (!/^[0-9]{4}(Q[1-4])?$/.test(period)) throw badPeriod(period);
  const force = form.force === 'true';
  const { run, created } = await requestSettlement(deps, hospital, period, { force });
  const done = created ? (force ? 'forced' : 'started') : run.status === 'queued' || run.status === 'running' ? 'running' : run.status === 'approved' ? 'closed' : 'unchanged';
  return { runId: run.id, done };
}

/**
 * A department's review from its page: the department's head (or an admin) acknowledges or
 * disputes; the form's fields go through the same check as the API's body (an unknown status, an
 * unknown field or an over-long reason is refused, not stored as something else).
 */
export async function reviewDepartment(deps: WriteDeps, id: string, code: string, decision: Record<string, unknown>) {
  const { run } = await visibleRun(deps, id);
  if (!mayReview(deps.caller.principal, code)) throw refused('page.forbidden.review');
  const { reason, ...rest } = decision;
  const result = await review(deps, run.id, code, reason === '' ? rest : decision);
  return { runId: run.id, status: result.status };
}

/** Approves a run from its page (an admin), with the reason that overrides open disputes. */
export async function approveRun(deps: WriteDeps, id: string, overrideReason: string | undefined) {
  const { run } = await visibleRun(deps, id);
  if (!mayApprove(deps.caller.principal)) throw refused('page.forbidden.approve');
  await approveSettlement(deps, run.id, overrideReason);
  return { runId: run.id };
}

// ------------------------------------------------------------------ the audit log

type AuditQuery = { hospital?: string; actor?: string; action?: string; entityType?: string; entityKey?: string; from?: string; to?: string; afterSeq?: string };

/**
 * A page of a hospital's audit log with the chain's verification, for an admin or an auditor;
 * null when no hospital is named (the bootstrap admin chooses one on the runs page). A filter is
 * trimmed and cut to 300 characters; a date from the form is a whole day in the hospital's time zone.
 */
export async function auditLog(deps: Deps & { clock: Clock }, query: AuditQuery) {
  if (!mayAudit(deps.caller.principal)) throw refused('page.forbidden.audit');
  const code = deps.caller.principal.hospital ?? query.hospital;
  if (!code) return null;
  const q = (value: string | undefined) => {
    const text = value?.trim();
    return text ? text.slice(0, 300) : undefined;
  };
  const filter = { actor: q(query.actor), action: q(query.action), entityType: q(query.entityType), entityKey: q(query.entityKey), from: q(query.from), to: q(query.to) };
  const afterText = q(query.afterSeq);
  const afterSeq = afterText && /^\d{1,15}$/.test(afterText) ? Number(afterText) : undefined;
  const zone = timeZoneOf(deps.clock);
  const from = isDay(filter.from) ? `${filter.from}T00:00:00${zoneOffset(zone, filter.from)}` : filter.from;
  const to = isDay(filter.to) ? `${filter.to}T23:59:59.999${zoneOffset(zone, filter.to)}` : filter.to;
  const [events, verification] = await Promise.all([auditPage(deps, code, { ...filter, from, to, afterSeq, limit: 100 }), verifyHospitalAudit(deps, code)]);
  return { code, filter, events, verification };
}

/** A day that exists, as a date field sends it (2026-04-02); anything else goes to the audit's own check. */
function isDay(text: string | undefined): text is string {
  const m = text ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/** The offset of `zone` on a day, as ISO 8601 writes it (+08:00). */
function zoneOffset(zone: string, day: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(`${day}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m ? m[1]! : 'Z';
}

// ------------------------------------------------------------------ the assessment

const QUARTER = /^[0-9]{4}Q[1-4]$/;
const REASON_MAX = 2000;

/** The quarter a page asks for, or the clock's quarter when none is asked; another shape is refused as the API refuses it. */
function quarterAsked(asked: string | undefined, clock: Clock): string {
  const text = asked?.trim();
  if (!text) {
    const now = clock.now();
    return `${now.getUTCFullYear()}Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  }
  if (!QUARTER.test(text)) throw badRequest('invalid_type', `quarter: Expected string to match '^[0-9]{4}Q[1-4]$', got the string ${JSON.stringify(text.slice(0, 40))}`, 'quarter');
  return text;
}

/** The hospital a page is about: the key's own, or the one the bootstrap admin names; none named is a page not found. */
function hospitalAsked(deps: Deps, asked: string | undefined): string {
  const code = deps.caller.principal.hospital ?? asked?.trim();
  if (!code) throw notFound('hospital');
  return code;
}

/** An appeal's or a decision's reason from a form: trimmed, not empty, at most 2000 characters (as the API's body). */
function reasonOf(reason: string | undefined): string {
  const text = reason?.trim() ?? '';
  if (text.length === 0 || text.length > REASON_MAX) throw badRequest('invalid_type', `reason: Expected a string of 1 to ${REASON_MAX} characters`, 'reason');
  return text;
}

/**
 * A department's assessment in a quarter: its register (values, the defects against it and its
 * people, their appeals) as the API reads it, its scorecard with the engine's scores of the data
 * stored now (assessmentPreview: the run's own path, so the page and a run cannot disagree), its
 * eligible people's scores, and the quarter's latest run's figures beside them. A department
 * head's other departments, and a role that reads no department's assessment on the pages, meet
 * the page not found.
 */
export async function assessmentPage(deps: Deps & { clock: Clock }, department: string, query: { quarter?: string; hospital?: string }) {
  const { principal } = deps.caller;
  if (!(principal.role === 'admin' || principal.role === 'dept_head') || !readableDepartments(principal)(department)) throw notFound(`department ${department}`);
  const code = hospitalAsked(deps, query.hospital);
  const quarter = quarterAsked(query.quarter, deps.clock);
  const register = await departmentRegister(deps, code, department, quarter);
  const hospital = (await findHospital(deps.db, code))!;
  const [departments, staff, preview, run] = [
    await listDepartments(deps.db, hospital.id),
    await listStaff(deps.db, hospital.id),
    await assessmentPreview(deps.db, hospital, quarter),
    await latestAssessedRun(deps.db, hospital, quarter),
  ];
  const openAppeal = new Map(register.appeals.filter((a) => a.status === 'open').map((a) => [`${a.kind}:${a.defectId}`, a]));
  const self = departments.find((d) => d.code === department);
  const staffNames = new Map(staff.map((p) => [p.staffId, p.name]));
  const own = new Set(staff.filter((p) => p.department === department).map((p) => p.staffId));
  const scorecards = preview.kind === 'none' ? [] : preview.scorecards;
  const block = preview.kind === 'evaluated' ? preview.block : null;
  const line = block?.departments.find((d) => d.code === department) ?? null;
  // scored by the engine, its line names the scorecard; refused, the page still shows the one that applies (§1.1)
  const scored = preview.kind === 'evaluated' && preview.refused === null;
  const scorecard = scored ? scorecards.find((sc) => sc.id === line?.scorecard) : self && scorecardOfDepartment(scorecards, self);
  const runLine = run?.block.departments.find((d) => d.code === department) ?? null;
  const people = (block?.individuals ?? []).filter((p) => own.has(p.staffId));
  const runPeople = (run?.block.individuals ?? []).filter((p) => own.has(p.staffId));
  return {
    ...register,
    hospital: code,
    hospitalName: hospital.name,
    departmentName: self?.name ?? department,
    departmentNames: new Map(departments.map((d) => [d.code, d.name])),
    staffNames,
    indicatorNames: new Map(scorecards.flatMap((sc) => leavesOf(sc.indicators).map((l) => [l.code, l.name] as const))),
    preview: { kind: preview.kind, refused: preview.kind === 'none' ? null : preview.refused, line, people },
    scorecard: scorecard ? { id: scorecard.id, name: scorecard.name, rows: scorecardRows(scorecard, quarter, register, line) } : null,
    run: run && {
      run: run.run,
      line: runLine,
      // the preview as the run settled it: the same department line and people lines (jsonb keeps its own key order)
      same: scored && canonicalJson([line, people]) === canonicalJson([runLine, runPeople]),
    },
    openAppeal,
    mayAppeal: mayAppeal(principal, department),
  };
}

/** A department head appeals a defect from their department's page, through the API's use case (its checks and audit). */
export async function appealFromPage(deps: WriteDeps, department: string, form: { kind?: string; defectId?: string; reason?: string; quarter?: string; hospital?: string }) {
  const { principal } = deps.caller;
  if (!mayAppeal(principal, department)) throw refused('page.forbidden.appeal');
  const code = hospitalAsked(deps, form.hospital);
  const kind = form.kind === 'department' || form.kind === 'personal' ? form.kind : undefined;
  if (!kind) throw badRequest('invalid_type', 'kind: Expected department or personal', 'kind');
  const appeal = await fileAppeal(deps, code, kind, form.defectId?.trim() ?? '', reasonOf(form.reason));
  return { quarter: quarterAsked(form.quarter, deps.clock), appeal };
}

/** The admin's queue: the hospital's undecided appeals, oldest first, with its departments' names. */
export async function appealsQueue(deps: Deps, hospital: string | undefined) {
  if (!mayDecideAppeals(deps.caller.principal)) throw refused('page.forbidden.appeals');
  const code = deps.caller.principal.hospital ?? hospital?.trim();
  if (!code) return null;
  const appeals = await appealsOf(deps, code, 'open');
  const row = (await findHospital(deps.db, code))!;
  return { code, appeals, departmentNames: new Map((await listDepartments(deps.db, row.id)).map((d) => [d.code, d.name])) };
}

/** The admin upholds or overturns an appeal from the queue, through the API's use case. */
export async function decideFromPage(deps: WriteDeps, id: string, form: { decision?: string; reason?: string; hospital?: string }) {
  if (!mayDecideAppeals(deps.caller.principal)) throw refused('page.forbidden.appeals');
  const code = hospitalAsked(deps, form.hospital);
  const decision = form.decision === 'upheld' || form.decision === 'overturned' ? form.decision : undefined;
  if (!decision) throw badRequest('invalid_type', 'decision: Expected upheld or overturned', 'decision');
  if (!UUID.test(id)) throw notFound(`appeal ${id}`);
  return { code, appeal: await decideAppeal(deps, code, id, decision, reasonOf(form.reason)) };
}

// ------------------------------------------------------------------ the assessor's grid of a cadence period, its defect form

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/**
 * The cadence period a page asks for (`period=`: a month, a quarter or a year; or, as before it,
 * `month=`), or the clock's month; another shape is the page's error.
 */
function periodAsked(asked: { period?: string; month?: string }, clock: Clock): string {
  const period = asked.period?.trim();
  if (period) {
    if (!cadenceOf(period)) throw new PageWords(400, 'invalid_type', 'grid.badPeriod', { period: period.slice(0, 40) });
    return period;
  }
  const month = asked.month?.trim();
  if (!month) return clock.now().toISOString().slice(0, 7);
  if (!MONTH.test(month)) throw new PageWords(400, 'invalid_type', 'grid.badMonth', { month: month.slice(0, 40) });
  return month;
}

type Leaf = { code: string; name: string; owner: string; cadence?: string; method?: { type: string } };

/** The leaves of a scorecard's tree, in its order. */
function leavesOf(nodes: ScorecardInput['indicators']): Leaf[] {
  return nodes.flatMap((n) => (n.children ? leavesOf(n.children) : n.owner ? [n as Leaf] : []));
}

/**
 * The grid of an assessor (or an admin) for a cadence period, as the XLSX template lays it out:
 * the departments assessed by a scorecard, and the leaves of the period's cadence (a month's
 * monthly leaves, a quarter's quarterly ones, a year's yearly ones) with values (not the defects
 * leaves) whose owner is one of the assessor's offices (an admin's: every one), with the period's
 * values as stored.
 */
export async function gridPage(deps: Deps & { clock: Clock }, query: { month?: string; period?: string; hospital?: string }) {
  const { principal } = deps.caller;
  if (!mayGrade(principal)) throw refused('page.forbidden.grid');
  const code = hospitalAsked(deps, query.hospital);
  const period = periodAsked(query, deps.clock);
  const { hospital, cadence, columns, rows } = await entryLayout(deps.db, code, period, principal);
  const values = new Map((await listValues(deps, code, { period })).filter((v) => v.period === period).map((v) => [`${v.department}|${v.indicator}`, v.value]));
  const offices = principal.role === 'assessor' ? principal.departments : [];
  return { hospital: code, period, cadence, periods: periodsAround(period), columns, rows, values, offices, choices: await defectChoices(deps.db, hospital.id, period, offices) };
}

/**
 * What the defect form offers by name: the hospital's departments, and the leaves of the
 * scorecards in force for the period (an assessor's: those its offices own). The fields stay text,
 * so a staff id or another code can still be typed.
 */
async function defectChoices(db: Db, hospitalId: number, period: string, offices: string[]) {
  const version = await scorecardsFor(db, hospitalId, inForceFor(period));
  const indicators = new Map<string, string>();
  for (const sc of (version?.scorecards ?? []) as ScorecardInput[])
    for (const leaf of leavesOf(sc.indicators)) if ((offices.length === 0 || offices.includes(leaf.owner)) && !indicators.has(leaf.code)) indicators.set(leaf.code, leaf.name);
  const departments = (await listDepartments(db, hospitalId)).map((d) => ({ code: d.code, name: d.name }));
  return { departments, indicators: [...indicators].map(([code, name]) => ({ code, name })) };
}

/** The month, the quarter and the year the grid's chooser offers from a period: those it lies in, or the first within it. */
function periodsAround(period: string): Record<Cadence, string> {
  const year = period.slice(0, 4);
  const quarter = period.length === 7 ? quarterOf(period) : period.length === 6 ? period : `${year}Q1`;
  const month = period.length === 7 ? period : `${year}-${String((Number(quarter[5]) - 1) * 3 + 1).padStart(2, '0')}`;
  return { monthly: month, quarterly: quarter, yearly: year };
}

/**
 * The grid posted whole (`v.<department>.<indicator>` a cell, an empty cell not written) through
 * the API's bulk write, all or nothing: a cell that is not a figure as the API's body takes it
 * (a decimal, not negative), or one the write refuses, is
 * the page's error naming its department and indicator, and nothing is written.
 */
export async function gradeFromPage(deps: WriteDeps, form: Record<string, string | undefined>) {
  const grid = await gridPage(deps, { month: form.month, period: form.period, hospital: form.hospital });
  const names = new Map(grid.columns.map((c) => [c.code, c.name]));
  const departmentNames = new Map(grid.rows.map((r) => [r.code, r.name]));
  const cells: { department: string; indicator: string; value: string }[] = [];
  for (const row of grid.rows)
    for (const indicator of row.leaves) {
      const value = form[`v.${row.code}.${indicator}`]?.trim() ?? '';
      if (value !== '') cells.push({ department: row.code, indicator, value });
    }
  const cellOf = (c: { department: string; indicator: string }) => ({
    department: `${departmentNames.get(c.department) ?? c.department}（${c.department}）`,
    indicator: names.get(c.indicator) ?? c.indicator,
    code: c.indicator,
  });
  const bad = cells.find((c) => !Value.Check(ValueRecordSchema.properties.value, c.value));
  if (bad) throw new PageWords(400, 'invalid_type', 'grid.badCell', cellOf(bad), 'grid.notDecimal');
  const records = cells.map((c) => ({ ...c, period: grid.period }));
  try {
    const outcome = await putValues(deps, grid.hospital, records, (i) => `values[${i}]`);
    return { period: grid.period, hospital: grid.hospital, ...outcome };
  } catch (error) {
    const m = error instanceof AppError ? /^values\[(\d+)\]/.exec(error.path ?? '') : null;
    if (!m || !(error instanceof AppError)) throw error;
    throw new PageWords(error.status, error.code, 'grid.badCell', cellOf(cells[Number(m[1])]!), error);
  }
}

/** The defect form's fields by the record's, to name the one a write refuses. */
const DEFECT_FIELDS: Record<string, MessageKey> = {
  id: 'assessment.defect',
  month: 'grid.month',
  owner: 'defectForm.owner',
  department: 'defectForm.target',
  staffId: 'defectForm.target',
  indicator: 'defectForm.indicator',
  category: 'defectForm.category',
  points: 'assessment.points',
  note: 'assessment.note',
};

/**
 * A defect booked from the grid's page by an assessor (owned by one of its offices) or an admin,
 * through the API's use case (its checks, its audit): against a department or a person, with a
 * new id of the owner, the month and a random part. A field refused is the page's error naming it.
 * The page it came from (`period`, the grid's cadence period) is the one to go back to; else the defect's month.
 */
export async function bookFromPage(deps: WriteDeps, form: Record<string, string | undefined>) {
  const { principal } = deps.caller;
  if (!mayGrade(principal)) throw refused('page.forbidden.grid');
  const code = hospitalAsked(deps, form.hospital);
  const t = (name: string) => form[name]?.trim() ?? '';
  const kind = t('kind') === 'personal' ? 'personal' : 'department';
  const owner = t('owner');
  const month = t('month');
  const id = `${owner}-${month.replace('-', '')}-${randomUUID().slice(0, 8)}`.toUpperCase();
  const optional = (name: string) => (t(name) ? { [name]: t(name) } : {});
  const common = { id, month, owner, points: t('points'), ...optional('note'), ...optional('category') };
  const record = (kind === 'department' ? { ...common, department: t('target'), ...optional('indicator') } : { ...common, staffId: t('target') }) as DefectRecord;
  const schema = kind === 'department' ? DepartmentDefectSchema : PersonalDefectSchema;
  try {
    const first = Value.Errors(schema, record).First();
    if (first) throw badRequest('invalid_type', `${first.path.slice(1)}: ${first.message}`, first.path.slice(1));
    const defect = await writeDefect(deps, code, kind, id, { kind: 'book' }, record);
    return { hospital: code, period: cadenceOf(t('period')) ? t('period') : month, defect };
  } catch (error) {
    const field = error instanceof AppError ? DEFECT_FIELDS[(error.path ?? '').replace(/^body\./, '').split('.')[0]!] : undefined;
    if (!field || !(error instanceof AppError)) throw error;
    throw new PageWords(error.status, error.code, 'defectForm.bad', {}, error, { field });
  }
}

/** §1.1: the scorecard whose list names the department, else the one of its kind. */
function scorecardOfDepartment(scorecards: ScorecardInput[], department: { code: string; kind: string }): ScorecardInput | undefined {
  return scorecards.find((sc) => sc.appliesTo.departments?.includes(department.code)) ?? scorecards.find((sc) => sc.appliesTo.kind === department.kind);
}

/** A node of a department's scorecard as its page shows it: the tree's order and depth, the quarter's values, the engine's figures. */
export interface ScorecardRow {
  code: string;
  name: string;
  depth: number;
  points: string;
  leaf: { cadence: string; owner: string; method: NonNullable<IndicatorNodeInput['method']> } | null;
  /** A value leaf's cadence periods in the quarter (a yearly leaf's: none) with the value stored, null when none is. */
  values: { period: string; value: string | null }[];
  /** A defects leaf's department defects of the quarter that count. */
  defects: string[];
  /** The engine's, as its result block reports them (null: not assessed in the quarter, or not scored yet). */
  score: string | null;
  attainment: string | null;
}

type Register = Awaited<ReturnType<typeof departmentRegister>>;
type DepartmentLine = QuarterlyAssessment['departments'][number];

function scorecardRows(sc: ScorecardInput, quarter: string, register: Register, line: DepartmentLine | null): ScorecardRow[] {
  const scores = new Map((line?.indicators ?? []).map((i) => [i.code, i]));
  const stored = new Map(register.values.map((v) => [`${v.indicator}|${v.period}`, v.value]));
  const counted = register.departmentDefects.filter((d) => d.status !== 'withdrawn' && d.status !== 'overturned');
  const rows: ScorecardRow[] = [];
  const walk = (nodes: IndicatorNodeInput[], depth: number): void => {
    for (const n of nodes) {
      const leaf = n.children ? null : { cadence: n.cadence!, owner: n.owner!, method: n.method! };
      const valued = leaf && leaf.cadence !== 'yearly' && leaf.method.type !== 'defects';
      const periods = valued ? (leaf.cadence === 'monthly' ? monthsOf(quarter) : [quarter]) : [];
      const defects = leaf?.method.type === 'defects' ? counted.filter((d) => 'indicator' in d.record && d.record.indicator === n.code).map((d) => d.id) : [];
      const scored = scores.get(n.code);
      rows.push({
        code: n.code,
        name: n.name,
        depth,
        points: n.points,
        leaf,
        values: periods.map((period) => ({ period, value: stored.get(`${n.code}|${period}`) ?? null })),
        defects,
        score: scored?.score ?? null,
        attainment: scored?.attainment ?? null,
      });
      if (n.children) walk(n.children, depth + 1);
    }
  };
  walk(sc.indicators, 0);
  return rows;
}
