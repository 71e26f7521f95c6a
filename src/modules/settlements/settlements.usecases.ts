import { randomUUID } from 'node:crypto';
import { EngineError, settleQuarter, settleYear, validateScenario, type AnnualResult, type QuarterOutcome, type QuarterlyResult, type Scenario } from '../../core/index.js';
import type { IndividualInput } from '../../core/schema.js';
import type { Dec } from '../../core/money.js';
import type { Db, Tx } from '../../db/client.js';
import { canonicalJson, sha256 } from '../../shared/canonical.js';
import type { UseCaseDeps } from '../../shared/context.js';
import { decimalOf } from '../../shared/db/decimal.js';
import { together } from '../../shared/db/together.js';
import { isUniqueViolation } from '../../shared/db-errors.js';
import { AppError, notFound } from '../../shared/errors.js';
import { SYSTEM_CALLER, type Caller } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible, readsTier2Inputs, readsWholeHospital } from '../access/access.js';
import { appendAudit } from '../audit/audit.repository.js';
import { disputesForRun } from '../disputes/disputes.repository.js';
import { appealLabel, undecidedAppeals } from '../assessment/appeals.repository.js';
import { assessmentForRun } from '../assessment/assessment.repository.js';
import { storedAssessment, type StoredAssessment } from '../assessment/lineage.js';
import { closedPeriods, findHospital, findHospitalById, isPeriodClosed, lockHospital, lockHospitalById, type HospitalRow } from '../hospitals/hospitals.repository.js';
import { buildScenario, loadPeriod, quarterPeriods, schemeFor } from '../inputs/inputs.repository.js';
import { openDisputes } from './reviews.repository.js';
import {
  alreadyApproved,
  noInputs,
  notSucceeded,
  openAppeals,
  openReviews,
  periodAlreadyClosed,
  periodHasApproved,
  queueUnavailable,
  resultNotFound,
  runStale,
  settlementNotFound,
} from './settlements.errors.js';
import { annualResultOf, departmentLineOf, individualLineOf, quarterlyResultOf, runView, type RunViewShape } from './settlements.mappers.js';
import type { SettlementQueue } from './settlements.queue.js';
import {
  annualLinesOf,
  bankAsOf,
  departmentLinesOf,
  findActiveRun,
  findApprovedRun,
  findLatestSucceededRun,
  findRun,
  individualLinesOf,
  insertAnnualLines,
  insertQuarterLines,
  insertRun,
  listQueuedRuns,
  listRuns,
  personLineOf,
  resultLinesPage,
  runAssessment,
  runInputs,
  saveBankBalances,
  supersedeOthers,
  updateRun,
  writeRunInputs,
  type RunRow,
} from './settlements.repository.js';

export const QUARTER = /^[0-9]{4}Q[1-4]$/;

type Deps = Pick<UseCaseDeps, 'db' | 'clock'>;
type CallerDeps = Deps & { caller: Caller };

// ------------------------------------------------------------------ asking for a run

/**
 * A settlement of a quarter (2026Q1) or a year-end (2026) is asked for: under the hospital's lock,
 * a queued or running run of the period is returned as it is (created false); so is the latest
 * succeeded run when the period's inputs, scheme and opening bank are unchanged since it ran (its
 * input fingerprint still matches), unless `force` asks for a new run anyway. A closed period
 * answers with its approved run when that is current, and refuses a new run (with `force` too,
 * or when the approved run no longer matches the store: period_closed). Otherwise a new
 * queued run is stored and audited. A queued run is enqueued after the commit (again, when it was
 * already queued: the job id is the run's hospital and period). The route and the requeue sweeper
 * both call this.
 */
export async function requestSettlement(
  deps: CallerDeps & { queue: SettlementQueue; log: UseCaseDeps['log'] },
  hospitalCode: string,
  period: string,
  options: { force?: boolean } = {},
): Promise<{ run: RunView; created: boolean }> {
  const { run, created } = await deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, hospitalCode);
    if (!hospital) throw notFound(`hospital ${hospitalCode}`);
    const existing = await findActiveRun(tx, hospital.id, period);
    if (existing) return { run: existing, created: false };
    if (isPeriodClosed(await closedPeriods(tx, hospital.id), period)) {
      // a closed period's approved run is the answer while it is current; a new run never is
      const approved = options.force ? null : await findApprovedRun(tx, hospital.id, period);
      if (approved && (await isCurrent(tx, hospital, approved))) return { run: approved, created: false };
      throw periodAlreadyClosed(period);
    }
    if (QUARTER.test(period) ? !(await loadPeriod(tx, hospital.id, period)) : (await quarterPeriods(tx, hospital.id, Number(period))).length === 0) {
      throw noInputs(hospitalCode, period);
    }
    if (!options.force) {
      const latest = await findLatestSucceededRun(tx, hospital.id, period);
      if (latest && (await isCurrent(tx, hospital, latest))) return { run: latest, created: false };
    }
    const at = deps.clock.now();
    const queued = await insertRun(tx, {
      id: randomUUID(),
      hospitalId: hospital.id,
      period,
      kind: QUARTER.test(period) ? 'quarterly' : 'annual',
      status: 'queued',
      requestedBy: deps.caller.actor,
      createdAt: at,
    });
    await appendAudit(
      tx,
      hospital.id,
      deps.caller,
      [{ action: 'settlement.trigger', entityType: 'settlement', entityKey: queued.id, after: { period, status: 'queued', ...(options.force ? { force: true } : {}) } }],
      at,
    );
    return { run: queued, created: true };
  });
  if (run.status === 'queued' || run.status === 'running') {
    // a run whose enqueue failed stays queued, and one whose process died stays running: asking
    // again (or the sweeper) enqueues it again; the queue keeps one job per run
    await deps.queue.enqueue({ runId: run.id, hospital: hospitalCode, period }).catch((err: unknown) => {
      deps.log.error({ err, runId: run.id }, 'could not enqueue the settlement');
      throw queueUnavailable();
    });
  }
  return { run: runView(run, hospitalCode), created };
}

/** Whether a run was settled from exactly what the store holds now (its input fingerprint still matches). */
async function isCurrent(tx: Tx, hospital: HospitalRow, run: RunRow): Promise<boolean> {
  return run.inputHash !== null && run.inputHash === (await currentFingerprint(tx, hospital, run));
}

/** Runs left queued (a crash between the commit and the queue, a restart) are asked for again. */
export async function requeueWaiting(deps: Deps & { queue: SettlementQueue; log: UseCaseDeps['log'] }, olderThanMs = 0): Promise<void> {
  const cutoff = deps.clock.now().getTime() - olderThanMs;
  for (const run of await listQueuedRuns(deps.db)) {
    if (run.createdAt.getTime() > cutoff) continue;
    const hospital = (await findHospitalById(deps.db, run.hospitalId))!;
    await requestSettlement({ ...deps, caller: SYSTEM_CALLER }, hospital.code, run.period).catch((err: unknown) => deps.log.error({ err, runId: run.id }, 'could not queue a waiting run again'));
  }
}

// ------------------------------------------------------------------ what a run settles

/**
 * What a run of a period settles, read from the store, without running the engine: the scenario
 * document (with its disputes), the opening bank (a quarter) or the approved quarters' runs (a
 * year-end), the scheme version, and the fingerprint of all of it. A trigger and an approval
 * compare fingerprints; a settlement reads it once.
 */
interface RunDocument {
  doc: Scenario;
  /** A quarter's document as JSON text: the run's stored inputs and its fingerprint's text. */
  inputsJson?: string;
  openingBank: Record<string, string>;
  schemeVersionId: number | null;
  inputHash: string;
  /** A year-end's approved quarter runs, in period order. */
  quarterRuns: RunRow[];
}

async function runDocument(db: Db | Tx, hospital: HospitalRow, run: Pick<RunRow, 'period' | 'kind'>): Promise<RunDocument> {
  const year = Number.parseInt(run.period.slice(0, 4), 10);
  if (run.kind === 'quarterly') {
    const scheme = await schemeFor(db, hospital.id, run.period);
    const [inputs, disputes, openingBank, assessment] = await together(db, [
      () => buildScenario(db, hospital, { periods: [run.period], schemeParameters: scheme?.parameters ?? {} }),
      () => disputesForRun(db, hospital.id, { periods: [run.period] }),
      () => openingBankFor(db, hospital.id, run.period, year),
      () => assessmentForRun(db, hospital.id, { quarters: [run.period] }),
    ]);
    const doc = { ...inputs, ...disputes, ...(assessment ? { assessment } : {}) };
    // the document is serialised once: for the run's stored inputs and for its fingerprint
    const inputsJson = JSON.stringify(doc);
    return {
      doc,
      inputsJson,
      openingBank,
      schemeVersionId: scheme?.id ?? null,
      // the text JSON.stringify({ doc, openingBank }) gives, with the document's JSON made above
      inputHash: sha256(`{"doc":${inputsJson},"openingBank":${JSON.stringify(openingBank)}}`),
      quarterRuns: [],
    };
  }
  const quarterRuns = await approvedQuarterRuns(db, hospital.id, year);
  const scheme = await schemeFor(db, hospital.id, `${year}Q4`);
  // an assessed year's document holds its quarters too: the year's grades and factors are made from them (assessment.md §2, §3)
  const assessment = await assessmentForRun(db, hospital.id, { quarters: quarterRuns.map((r) => r.period), year });
  const periods = assessment ? quarterRuns.map((r) => r.period) : [];
  const inputs = await buildScenario(db, hospital, { periods, annualYear: year, schemeParameters: scheme?.parameters ?? {} });
  const doc = { ...inputs, ...(await disputesForRun(db, hospital.id, { periods, annualYear: year })), ...(assessment ? { assessment } : {}) };
  const runIds = quarterRuns.map((r) => r.id);
  // buildScenario writes its documents in one fixed order (rows sorted, fields in mapper order),
  // so plain JSON is already canonical here
  return { doc, openingBank: {}, schemeVersionId: scheme?.id ?? null, inputHash: sha256(JSON.stringify({ doc, runIds })), quarterRuns };
}

/** The fingerprint a run of this period would have now; null when the period cannot be settled as it stands. */
async function currentFingerprint(db: Db | Tx, hospital: HospitalRow, run: Pick<RunRow, 'period' | 'kind'>): Promise<string | null> {
  try {
    return (await runDocument(db, hospital, run)).inputHash;
  } catch (e) {
    if (e instanceof EngineError) return null;
    throw e;
  }
}

/**
 * True when a succeeded run's inputs, scheme or opening bank changed after it ran: its stored
 * fingerprint no longer matches what the store holds (the check approval makes; the review
 * pages mark such a run and offer no approval).
 */
export async function isRunStale(db: Db, run: RunRow): Promise<boolean> {
  if (run.status !== 'succeeded' || run.inputHash === null) return false;
  const hospital = await findHospitalById(db, run.hospitalId);
  return hospital !== null && (await currentFingerprint(db, hospital, run)) !== run.inputHash;
}

/**
 * §3.8: the bank a quarter opens with, from one place: the carry-over bank as the year's previous
 * quarter left it when it was approved (bank_balances). Every earlier quarter with inputs must
 * be approved.
 */
async function openingBankFor(db: Db | Tx, hospitalId: number, period: string, year: number): Promise<Record<string, string>> {
  const previous = (await quarterPeriods(db, hospitalId, year)).filter((p) => p < period);
  for (const p of previous) {
    if (!(await findApprovedRun(db, hospitalId, p))) {
      throw new EngineError('previous_quarter_not_settled', `period ${p} has inputs but no approved settlement; approve it before settling ${period}`, 'period');
    }
  }
  return previous.length > 0 ? bankAsOf(db, hospitalId, previous.at(-1)!) : {};
}

function toBank(bank: Record<string, string>): Map<string, Dec> {
  return new Map(Object.entries(bank).map(([code, balance]) => [code, decimalOf(balance)]));
}

/** The year's quarters' approved runs, in period order; every quarter with inputs must have one. */
async function approvedQuarterRuns(db: Db | Tx, hospitalId: number, year: number): Promise<RunRow[]> {
  const runs: RunRow[] = [];
  for (const period of await quarterPeriods(db, hospitalId, year)) {
    const approved = await findApprovedRun(db, hospitalId, period);
    if (!approved) {
      throw new EngineError('previous_quarter_not_settled', `period ${period} has inputs but no approved settlement; approve every quarter of ${year} before the year-end`, 'period');
    }
    runs.push(approved);
  }
  return runs;
}

/**
 * A quarterly run's engine outcome, settled again from the run's own inputs and opening bank
 * (the engine is deterministic): for statements and the year-end; refused if it no longer gives
 * the stored result.
 */
export async function quarterOutcomeOf(db: Db | Tx, run: RunRow): Promise<QuarterOutcome> {
  const validated = validateScenario(await runInputs(db, run.id));
  const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, toBank((run.openingBank ?? {}) as Record<string, string>));
  if (canonicalJson(outcome.result.summary) !== canonicalJson(run.summary)) {
    throw new Error(`run ${run.id} of ${run.period} no longer reproduces from its own inputs`);
  }
  return outcome;
}

// ------------------------------------------------------------------ settling a run

export type SettleOutcome = 'succeeded' | 'failed' | 'skipped';

/**
 * Settles one run: claims it (queued → running), reads what it settles once, computes it with
 * the engine outside any transaction, then stores the whole result and marks it succeeded in one
 * transaction — so no partial result is ever visible. A data error (the engine's EngineError)
 * fails the run with that error and is not retried; anything else is thrown for the queue to
 * retry, and fails the run on the last attempt.
 */
export async function settleRun(deps: UseCaseDeps, runId: string, attempt: { final: boolean }): Promise<SettleOutcome> {
  const log = deps.log.child({ runId });
  const claimed = await deps.db.transaction(async (tx) => {
    const run = await findRun(tx, runId);
    if (!run) return null;
    await lockHospitalById(tx, run.hospitalId);
    const current = (await findRun(tx, runId))!;
    if (current.status !== 'queued' && current.status !== 'running') return null;
    await updateRun(tx, runId, { status: 'running', startedAt: deps.clock.now(), attempts: current.attempts + 1 });
    return current;
  });
  if (!claimed) {
    log.info('settlement run is not queued or running; nothing to do');
    return 'skipped';
  }
  await yieldToEventLoop();
  const hospital = (await findHospitalById(deps.db, claimed.hospitalId))!;
  log.info({ hospital: hospital.code, period: claimed.period }, 'settling');
  try {
    const computed = await computeRun(deps.db, hospital, claimed);
    await yieldToEventLoop();
    const stored = await deps.db.transaction(async (tx) => {
      await lockHospitalById(tx, claimed.hospitalId);
      const run = (await findRun(tx, runId))!;
      if (run.status !== 'running') return false;
      await storeResult(tx, claimed.hospitalId, run, computed, deps.clock.now());
      return true;
    });
    log.info({ stored }, 'settlement finished');
    return stored ? 'succeeded' : 'skipped';
  } catch (e) {
    if (e instanceof EngineError) {
      log.warn({ code: e.code, path: e.path }, `settlement failed on its data: ${e.message}`);
      await markFailed(deps, claimed, { code: e.code, message: e.message, path: e.path });
      return 'failed';
    }
    log.error({ err: e, final: attempt.final }, 'settlement attempt failed');
    if (attempt.final) await markFailed(deps, claimed, { code: 'internal', message: 'the settlement could not be completed; see the service log' });
    throw e;
  }
}

/** Lets waiting requests run between the job's phases (PGlite's queries never yield on their own). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Computed {
  document: RunDocument;
  /** The stored inputs: a quarter's document, or a year-end's with its quarters' runs. */
  inputs: unknown;
  quarterly?: QuarterOutcome;
  annual?: AnnualResult;
  /** An assessed run's block and lineage, stored with it. */
  assessment?: StoredAssessment | null;
}

async function computeRun(db: Db, hospital: HospitalRow, run: RunRow): Promise<Computed> {
  const document = await runDocument(db, hospital, run);
  if (run.kind === 'quarterly') {
    // the inputs (a large document) are written onto the running run while the engine computes
    const written = writeRunInputs(db, run.id, document.inputsJson!);
    written.catch(() => {}); // a failed write is reported after the computation, not left unhandled
    const validated = validateScenario(document.doc);
    const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, toBank(document.openingBank));
    await written;
    return { document, inputs: document.doc, quarterly: outcome, assessment: storedAssessment(outcome.result.assessment, outcome.assessment) };
  }
  // the year's approved quarters, settled again from their own inputs at full precision
  const outcomes: QuarterOutcome[] = [];
  for (const approved of document.quarterRuns) outcomes.push(await quarterOutcomeOf(db, approved));
  const validated = validateScenario(document.doc);
  const annual = settleYear(validated.hospital, validated.annual!, outcomes);
  return { document, inputs: { ...document.doc, quarterRuns: document.quarterRuns.map((r) => r.id) }, annual, assessment: storedAssessment(annual.assessment, validated.annual!.assessment?.lineage) };
}

/** Stores a computed run's result and marks it succeeded, in the caller's transaction. */
async function storeResult(tx: Tx, hospitalId: number, run: RunRow, computed: Computed, at: Date): Promise<void> {
  const { document } = computed;
  const result = computed.quarterly?.result ?? computed.annual!;
  if (computed.quarterly) {
    const records = new Map((document.doc.periods?.[0]?.individuals ?? []).map((r) => [r.staffId, r as unknown]));
    await insertQuarterLines(tx, run.id, computed.quarterly.result, computed.quarterly.components, records, computed.quarterly.disputeItems);
  } else await insertAnnualLines(tx, run.id, computed.annual!);
  const appeals = await undecidedAppeals(tx, hospitalId, run.period);
  await updateRun(tx, run.id, {
    status: 'succeeded',
    error: null,
    ...(computed.quarterly ? {} : { inputs: computed.inputs }),
    openingBank: document.openingBank,
    schemeVersionId: document.schemeVersionId,
    inputHash: document.inputHash,
    summary: result.summary,
    warnings: [...result.warnings, ...appeals.map((a) => `${appealLabel(a)}: the appeal is undecided; approving this run needs an overrideReason`)],
    flags: computed.annual?.flags ?? null,
    assessment: computed.assessment ?? null,
    finishedAt: at,
  });
  await appendAudit(
    tx,
    hospitalId,
    SYSTEM_CALLER,
    [{ action: 'settlement.succeed', entityType: 'settlement', entityKey: run.id, after: { period: run.period, inputHash: document.inputHash, summary: result.summary } }],
    at,
  );
}

async function markFailed(deps: Deps, run: RunRow, error: { code: string; message: string; path?: string }): Promise<void> {
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await updateRun(tx, run.id, { status: 'failed', error, finishedAt: at });
    await appendAudit(tx, run.hospitalId, SYSTEM_CALLER, [{ action: 'settlement.fail', entityType: 'settlement', entityKey: run.id, after: { period: run.period, error } }], at);
  });
}

// ------------------------------------------------------------------ approval

/**
 * Approval closes the period. The run must have succeeded and still match the stored inputs (its
 * fingerprint, without running the engine); the other runs of the period are superseded; the next
 * quarter's bank comes from this run's lines. The database's partial unique index allows one
 * approved run per hospital and period, whatever races.
 */
export async function approveSettlement(deps: CallerDeps, runId: string, overrideReason?: string): Promise<RunView> {
  const run0 = await findRun(deps.db, runId);
  if (!run0) throw settlementNotFound(runId);
  return deps.db
    .transaction(async (tx) => {
      const hospital = (await lockHospitalById(tx, run0.hospitalId))!;
      const run = (await findRun(tx, runId))!;
      if (run.status === 'approved') throw alreadyApproved(runId);
      if (run.status !== 'succeeded') throw notSucceeded(runId, run.status);
      if (await findApprovedRun(tx, hospital.id, run.period)) throw periodHasApproved(run.period);
      const disputes = await openDisputes(tx, run.id);
      const appeals = (await undecidedAppeals(tx, hospital.id, run.period)).map(appealLabel);
      const reason = overrideReason?.trim() || undefined;
      if (disputes.length > 0 && !reason) throw openReviews(runId, disputes);
      if (appeals.length > 0 && !reason) throw openAppeals(runId, appeals);
      const overridden = disputes.length > 0 || appeals.length > 0;
      // staleness by the stored fingerprint: what the run settled against what the store holds now
      if ((await currentFingerprint(tx, hospital, run)) !== run.inputHash) throw runStale(runId, run.period);
      const at = deps.clock.now();
      await updateRun(tx, run.id, { status: 'approved', approvedBy: deps.caller.actor, approvedAt: at, approvalOverrideReason: overridden ? reason : null });
      await supersedeOthers(tx, run);
      if (run.kind === 'quarterly') await saveBankBalances(tx, hospital.id, run, await departmentLinesOf(tx, run.id));
      await appendAudit(
        tx,
        hospital.id,
        deps.caller,
        [
          {
            action: 'settlement.approve',
            entityType: 'settlement',
            entityKey: run.id,
            before: { status: 'succeeded' },
            after: {
              status: 'approved',
              period: run.period,
              ...(disputes.length > 0 ? { overriddenDisputes: disputes } : {}),
              ...(appeals.length > 0 ? { overriddenAppeals: appeals } : {}),
              ...(overridden ? { overrideReason: reason } : {}),
            },
          },
        ],
        at,
      );
      return runView((await findRun(tx, runId))!, hospital.code);
    })
    .catch((e: unknown) => {
      if (e instanceof AppError) throw e;
      if (isUniqueViolation(e)) throw periodHasApproved(run0.period);
      throw e;
    });
}

// ------------------------------------------------------------------ reading runs

export type RunView = RunViewShape;

/** A run and its result (contract.md §2) once it has one. */
export async function runWithResult(db: Db, runId: string): Promise<{ run: RunRow; hospital: string; result?: QuarterlyResult | AnnualResult }> {
  const run = await findRun(db, runId);
  if (!run) throw settlementNotFound(runId);
  const hospital = await hospitalCodeOf(db, run.hospitalId);
  if (run.status !== 'succeeded' && run.status !== 'approved' && run.status !== 'superseded') return { run, hospital };
  if (run.kind === 'quarterly') {
    const [departments, individuals, assessment] = await together(db, [() => departmentLinesOf(db, run.id), () => resultLinesPage(db, run.id, { limit: 1_000_000 }), () => runAssessment(db, run.id)]);
    return { run, hospital, result: withAssessment(quarterlyResultOf(run, departments, individuals), assessment) };
  }
  const [lines, assessment] = await together(db, [() => annualLinesOf(db, run.id), () => runAssessment(db, run.id)]);
  return { run, hospital, result: withAssessment(annualResultOf(run, lines.departments, lines.individuals), assessment) };
}

/** The result with its assessment block (assessment.md §4), when the run stored one. */
function withAssessment<R extends QuarterlyResult | AnnualResult>(result: R, stored: unknown): R {
  return stored ? { ...result, assessment: (stored as StoredAssessment).block } : result;
}

/** GET /v1/settlements/{id}: a department head reads their departments' lines, not the whole result. */
export async function readSettlement(deps: CallerDeps, runId: string): Promise<RunView> {
  const { run, hospital, result } = await runWithResult(deps.db, runId);
  return runView(run, hospital, readsWholeHospital(deps.caller.principal) ? result : undefined);
}

export async function listSettlements(deps: Deps, code: string, period?: string): Promise<RunView[]> {
  const hospital = await findHospital(deps.db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return (await listRuns(deps.db, hospital.id, period)).map((r) => runView(r, code));
}

export async function hospitalCodeOf(db: Db | Tx, hospitalId: number): Promise<string> {
  return (await findHospitalById(db, hospitalId))!.code;
}

/** A department's line and its people's lines in a quarterly run. */
export async function departmentResult(deps: CallerDeps, runId: string, department: string) {
  assertDepartment(deps.caller.principal, department);
  const run = await findRun(deps.db, runId);
  if (run?.kind !== 'quarterly' || !run.summary) throw notFound(`quarterly settlement result ${runId}`);
  const [line] = await departmentLinesOf(deps.db, runId, department);
  if (!line) throw notFound(`department ${department} in settlement ${runId}`);
  const people = await individualLinesOf(deps.db, runId, { department });
  return { period: run.period, status: run.status, department: departmentLineOf(line), individuals: people.map(individualLineOf) };
}

/**
 * One person's line with every component and the rule behind each figure (why this amount). The
 * common case, a quarterly run's line, is one query (`prefetched`, started with the key's lookup).
 */
export async function personLine(deps: CallerDeps, runId: string, staffId: string, prefetched?: Promise<Awaited<ReturnType<typeof personLineOf>>>) {
  const principal = deps.caller.principal;
  const notHere = `staff ${staffId} in settlement ${runId}`;
  const withInputs = readsTier2Inputs(principal);
  const found = await (prefetched ?? personLineOf(deps.db, runId, staffId));
  if (found?.run.summary) {
    assertPersonVisible(principal, found.line.department, notHere);
    return explainIndividual(found.run.period, found.run.status, found.line, found.department, found.line.inputRecord, withInputs);
  }
  const run = await findRun(deps.db, runId);
  if (!run?.summary) throw resultNotFound(runId);
  if (run.kind === 'annual') {
    const all = (await annualLinesOf(deps.db, runId)).individuals.filter((l) => l.staffId === staffId);
    const lines = principal.role === 'dept_head' ? all.filter((l) => principal.departments.includes(l.department)) : all;
    if (lines.length === 0) throw notFound(notHere);
    return {
      period: run.period,
      kind: 'annual' as const,
      status: run.status,
      lines: lines.map((l) => ({ staffId: l.staffId, name: l.name, department: l.department, weight: l.weight, amount: l.amount, ...(l.riskAward !== null ? { riskAward: l.riskAward } : {}) })),
    };
  }
  const [line] = await individualLinesOf(deps.db, runId, { staffId });
  if (!line) throw notFound(notHere);
  assertPersonVisible(principal, line.department, notHere);
  const [department] = await departmentLinesOf(deps.db, runId, line.department);
  return explainIndividual(run.period, run.status, line, department ?? null, line.inputRecord, withInputs);
}

/** The "why this amount" view of a quarterly person line (allocation-rules §3.9). */
function explainIndividual(
  period: string,
  status: string,
  line: Awaited<ReturnType<typeof individualLinesOf>>[number],
  department: Awaited<ReturnType<typeof departmentLinesOf>>[number] | null,
  /** The stored record (json), as the run settled it; null when the person had none. */
  record: unknown,
  withInputs: boolean,
) {
  const onStudyLeave = line.titlePoints === null;
  const components = onStudyLeave
    ? null
    : {
        title: line.titlePoints,
        position: line.positionPoints,
        workload: line.workloadPoints,
        quality: line.qualityPoints,
        ethics: line.ethicsPoints,
        discipline: line.disciplinePoints,
        penalties: line.penaltyPoints,
      };
  const rules = onStudyLeave
    ? ["on study leave (§3.2): in no department's headcount; paid by the hospital", `studyLeavePay ${line.studyLeavePay} = rate by length × mean tier-2 pay of members of the same title grade (§3.9)`]
    : [
        `rawScore ${line.rawScore} = title ${components!.title} + position ${components!.position} + workload ${components!.workload} + quality ${components!.quality} + ethics ${components!.ethics} + discipline ${components!.discipline} − penalties ${components!.penalties}`,
        `attendance −${line.attendanceDeduction} = rawScore ÷ requiredDays × absentDays; overtime +${line.overtimeAddition} = rawScore ÷ requiredDays × overtimeDays`,
        `effectiveScore ${line.effectiveScore} = (rawScore − attendance + overtime) × payRatio ${line.payRatio}`,
        `tier2Pay ${line.tier2Pay}: department ${line.department}'s final ${department?.final ?? '?'} split by effective scores (largest remainder)`,
      ];
  rules.push(`total ${line.total} = tier2Pay ${line.tier2Pay} + leaderBonus ${line.leaderBonus} + studyLeavePay ${line.studyLeavePay} − finesApplied ${line.finesApplied}`);
  return {
    period,
    status,
    line: individualLineOf(line),
    components,
    department: department ? { code: department.department, name: department.name, final: department.final, headcount: department.headcount } : null,
    ...(withInputs ? { inputs: (record as IndividualInput | null) ?? { note: 'no individual record: every default used (full marks)' } } : {}),
    ...(line.disputeFines !== null ? { disputeFines: line.disputeFines, disputes: (line.disputeItems as { disputeId: string; amount: string }[] | null) ?? [] } : {}),
    rules,
  };
}
