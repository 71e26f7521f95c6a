import { randomUUID } from 'node:crypto';
import {
  EngineError,
  settleQuarter,
  settleYear,
  validateScenario,
  type AnnualResult,
  type QuarterOutcome,
  type QuarterlyResult,
  type Scenario,
  type ScoreComponents,
} from '../../core/index.js';
import type { Dec } from '../../core/money.js';
import type { Db, Tx } from '../../db/client.js';
import { together } from '../../shared/db/together.js';
import { decimalOf } from '../../shared/db/decimal.js';
import { AppError, conflict, notFound } from '../../shared/errors.js';
import { appendAudit, type AuditContext } from '../audit/audit.repository.js';
import { canonicalJson, sha256 } from '../../shared/canonical.js';
import {
  buildScenario,
  closedPeriods,
  findHospital,
  findHospitalById,
  loadPeriod,
  lockHospital,
  lockHospitalById,
  quarterPeriods,
  schemeFor,
  type HospitalRow,
} from '../inputs/inputs.repository.js';
import {
  annualLinesOf,
  departmentLinesOf,
  findActiveRun,
  findApprovedRun,
  findLatestSucceededRun,
  findRun,
  individualLinesOf,
  resultLinesPage,
  insertAnnualLines,
  insertQuarterLines,
  insertRun,
  runInputs,
  saveBankBalances,
  supersedeOthers,
  updateRun,
  type RunRow,
} from './settlements.repository.js';
import { annualResultOf, quarterlyResultOf } from './settlements.mappers.js';
import { openDisputes } from './reviews.usecases.js';

export const QUARTER = /^[0-9]{4}Q[1-4]$/;
export const YEAR = /^[0-9]{4}$/;

export interface Deps {
  db: Db;
  now: () => Date;
}

export interface EnqueueRequest {
  runId: string;
  hospital: string;
  period: string;
}

/**
 * POST /v1/hospitals/{code}/settlements. Under the hospital's lock: a queued or running run of the
 * period is returned as it is (created false); so is the latest succeeded run when the period's
 * inputs, scheme and opening bank are unchanged since it ran (its input fingerprint still
 * matches), unless `force` asks for a new run anyway. Otherwise a new queued run is stored and
 * audited. The caller enqueues it after the commit.
 */
export async function triggerSettlement(
  deps: Deps & { ctx: AuditContext },
  hospitalCode: string,
  period: string,
  options: { force?: boolean } = {},
): Promise<{ run: RunRow; created: boolean }> {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, hospitalCode);
    if (!hospital) throw notFound(`hospital ${hospitalCode}`);
    const existing = await findActiveRun(tx, hospital.id, period);
    if (existing) return { run: existing, created: false };
    const closed = await closedPeriods(tx, hospital.id);
    if (closed.has(period) || closed.has(period.slice(0, 4))) {
      throw conflict('period_closed', `${period} is closed: its settlement is approved`, 'period');
    }
    if (QUARTER.test(period) ? !(await loadPeriod(tx, hospital.id, period)) : (await quarterPeriods(tx, hospital.id, Number(period))).length === 0) {
      throw conflict('no_inputs', `hospital ${hospitalCode} has no inputs for ${period}`, 'period');
    }
    if (!options.force) {
      const latest = await findLatestSucceededRun(tx, hospital.id, period);
      if (latest && latest.inputHash !== null && latest.inputHash === (await currentFingerprint(tx, hospital, latest))) return { run: latest, created: false };
    }
    const run = await insertRun(tx, {
      id: randomUUID(),
      hospitalId: hospital.id,
      period,
      kind: QUARTER.test(period) ? 'quarterly' : 'annual',
      status: 'queued',
      requestedBy: deps.ctx.actor,
      createdAt: deps.now(),
    });
    await appendAudit(tx, hospital.id, deps.ctx, [{ action: 'settlement.trigger', entityType: 'settlement', entityKey: run.id, after: { period, status: 'queued', ...(options.force ? { force: true } : {}) } }], deps.now());
    return { run, created: true };
  });
}

interface Computed {
  inputs: unknown;
  /** true when `onInputs` already stored the inputs on the run (they are not written again). */
  inputsStored?: boolean;
  openingBank: Record<string, string>;
  schemeVersionId: number | null;
  inputHash: string;
  quarterly?: { result: QuarterlyResult; components: Map<string, ScoreComponents>; disputeItems: QuarterOutcome['disputeItems'] };
  annual?: AnnualResult;
}

/**
 * What a run of a period settles, read from the store, without running the engine: the scenario
 * document, the opening bank (a quarter) or the approved quarters' runs (a year-end), the scheme
 * version, and the fingerprint of all of it. A trigger and an approval compare fingerprints.
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
    const [doc, openingBank] = await together(db, [
      () => buildScenario(db, hospital, { periods: [run.period], schemeParameters: scheme?.parameters ?? {}, withDisputes: true }),
      () => openingBankFor(db, hospital.id, run.period, year),
    ]);
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
  const doc = await buildScenario(db, hospital, { periods: [], annualYear: year, schemeParameters: scheme?.parameters ?? {}, withDisputes: true });
  const runIds = quarterRuns.map((r) => r.id);
  return { doc, openingBank: {}, schemeVersionId: scheme?.id ?? null, inputHash: inputHashOf({ doc, runIds }), quarterRuns };
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

/** What a run settles, and the engine's result of it. */
export async function computeRun(
  db: Db | Tx,
  hospital: HospitalRow,
  run: Pick<RunRow, 'period' | 'kind'>,
  options: {
    /**
     * Called with a quarter's inputs as JSON text once they are read, before the engine runs; a
     * promise it returns (the worker's write of the inputs onto the run) runs alongside the
     * computation.
     */
    onInputs?: (inputsJson: string) => Promise<void>;
  } = {},
): Promise<Computed> {
  const d = await runDocument(db, hospital, run);
  if (run.kind === 'quarterly') {
    const written = options.onInputs?.(d.inputsJson!);
    // a rejected write is reported after the computation (never left unhandled)
    written?.catch(() => {});
    const validated = validateScenario(d.doc);
    const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, toBank(d.openingBank));
    if (written) await written;
    return {
      inputs: d.doc,
      inputsStored: written !== undefined,
      openingBank: d.openingBank,
      schemeVersionId: d.schemeVersionId,
      inputHash: d.inputHash,
      quarterly: { result: outcome.result, components: outcome.components, disputeItems: outcome.disputeItems },
    };
  }
  const outcomes = await approvedQuarterOutcomes(db, d.quarterRuns);
  const validated = validateScenario(d.doc);
  const annual = settleYear(validated.hospital, validated.annual!, outcomes);
  return {
    inputs: { ...d.doc, quarterRuns: d.quarterRuns.map((r) => r.id) },
    openingBank: {},
    schemeVersionId: d.schemeVersionId,
    inputHash: d.inputHash,
    annual,
  };
}

/**
 * The fingerprint of what a run settles. buildScenario writes its documents in one fixed order
 * (rows sorted, fields in mapper order), so plain JSON is already canonical here, and much
 * cheaper than re-sorting every key of a 10,000-person document.
 */
function inputHashOf(value: unknown): string {
  return sha256(JSON.stringify(value));
}

/** §3.8: the bank carried from the previous quarter of the year, which must be approved if it has inputs. */
async function openingBankFor(db: Db | Tx, hospitalId: number, period: string, year: number): Promise<Record<string, string>> {
  const previous = (await quarterPeriods(db, hospitalId, year)).filter((p) => p < period);
  let bank: Record<string, string> = {};
  for (const p of previous) {
    const approved = await findApprovedRun(db, hospitalId, p);
    if (!approved) {
      throw new EngineError('previous_quarter_not_settled', `period ${p} has inputs but no approved settlement; approve it before settling ${period}`, 'period');
    }
    bank = Object.fromEntries((await departmentLinesOf(db, approved.id)).map((l) => [l.department, l.bankBalanceAfter]));
  }
  return bank;
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
 * The year's approved quarters, settled again by the engine from the inputs and opening bank
 * each run kept: the same figures the approved runs hold, at full precision for the year-end.
 */
async function approvedQuarterOutcomes(db: Db | Tx, runs: RunRow[]): Promise<QuarterOutcome[]> {
  const outcomes: QuarterOutcome[] = [];
  for (const approved of runs) {
    const period = approved.period;
    const validated = validateScenario(await runInputs(db, approved.id));
    const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, toBank(approved.openingBank as Record<string, string>));
    if (canonicalJson(outcome.result.summary) !== canonicalJson(approved.summary)) {
      throw new Error(`the approved run ${approved.id} of ${period} no longer reproduces from its own inputs`);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * A quarterly run's engine outcome, settled again from the run's own inputs and opening bank
 * (the engine is deterministic), for statements; refused if it no longer gives the stored result.
 */
export async function quarterOutcomeOf(db: Db, run: RunRow): Promise<QuarterOutcome> {
  const validated = validateScenario(await runInputs(db, run.id));
  const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, toBank((run.openingBank ?? {}) as Record<string, string>));
  if (canonicalJson(outcome.result.summary) !== canonicalJson(run.summary)) {
    throw new Error(`run ${run.id} of ${run.period} no longer reproduces from its own inputs`);
  }
  return outcome;
}

/** Stores a computed run's result and marks it succeeded, in one transaction. */
export async function storeResult(tx: Tx, hospitalId: number, run: RunRow, computed: Computed, ctx: AuditContext, now: Date): Promise<void> {
  const result = computed.quarterly?.result ?? computed.annual!;
  if (computed.quarterly) {
    const records = new Map(((computed.inputs as Scenario).periods?.[0]?.individuals ?? []).map((r) => [r.staffId, r as unknown]));
    await insertQuarterLines(tx, run.id, computed.quarterly.result, computed.quarterly.components, records, computed.quarterly.disputeItems);
  }
  else await insertAnnualLines(tx, run.id, computed.annual!);
  await updateRun(tx, run.id, {
    status: 'succeeded',
    error: null,
    ...(computed.inputsStored ? {} : { inputs: computed.inputs }),
    openingBank: computed.openingBank,
    schemeVersionId: computed.schemeVersionId,
    inputHash: computed.inputHash,
    summary: result.summary,
    warnings: result.warnings,
    flags: computed.annual?.flags ?? null,
    finishedAt: now,
  });
  await appendAudit(tx, hospitalId, ctx, [{ action: 'settlement.succeed', entityType: 'settlement', entityKey: run.id, after: { period: run.period, inputHash: computed.inputHash, summary: result.summary } }], now);
}

export async function markFailed(db: Db, run: RunRow, error: { code: string; message: string; path?: string }, ctx: AuditContext, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await updateRun(tx, run.id, { status: 'failed', error, finishedAt: now });
    await appendAudit(tx, run.hospitalId, ctx, [{ action: 'settlement.fail', entityType: 'settlement', entityKey: run.id, after: { period: run.period, error } }], now);
  });
}

/**
 * POST /v1/settlements/{id}/approve: closes the period. The run must have succeeded and still
 * match the stored inputs; the other runs of the period are superseded; a quarter's bank
 * balances become the ones the next quarter carries. The database's partial unique index
 * allows one approved run per hospital and period, whatever races.
 */
export async function approveSettlement(deps: Deps & { ctx: AuditContext }, runId: string, overrideReason?: string): Promise<RunRow> {
  const run0 = await findRun(deps.db, runId);
  if (!run0) throw notFound(`settlement ${runId}`);
  return deps.db.transaction(async (tx) => {
    const hospital = (await lockHospitalById(tx, run0.hospitalId))!;
    const run = (await findRun(tx, runId))!;
    if (run.status === 'approved') throw conflict('already_approved', `settlement ${runId} is already approved`);
    if (run.status !== 'succeeded') throw conflict('not_succeeded', `settlement ${runId} is ${run.status}; only a succeeded run can be approved`);
    if (await findApprovedRun(tx, hospital.id, run.period)) throw conflict('period_closed', `${run.period} already has an approved settlement`);
    const disputes = await openDisputes(tx, run.id);
    const reason = overrideReason?.trim() || undefined;
    if (disputes.length > 0 && !reason) {
      throw conflict('open_disputes', `department(s) ${disputes.join(', ')} dispute settlement ${runId}; approving it anyway needs an overrideReason`);
    }
    // staleness by the stored fingerprint: what the run settled against what the store holds now
    const current = await currentFingerprint(tx, hospital, run);
    if (current !== run.inputHash) {
      throw conflict('run_stale', `the inputs of ${run.period} changed after settlement ${runId} ran; run the settlement again and approve the new run`);
    }
    const now = deps.now();
    await updateRun(tx, run.id, { status: 'approved', approvedBy: deps.ctx.actor, approvedAt: now, approvalOverrideReason: disputes.length > 0 ? reason : null });
    await supersedeOthers(tx, run);
    if (run.kind === 'quarterly') await saveBankBalances(tx, hospital.id, run, await departmentLinesOf(tx, run.id));
    await appendAudit(tx, hospital.id, deps.ctx, [{ action: 'settlement.approve', entityType: 'settlement', entityKey: run.id, before: { status: 'succeeded' }, after: { status: 'approved', period: run.period, ...(disputes.length > 0 ? { overriddenDisputes: disputes, overrideReason: reason } : {}) } }], now);
    return (await findRun(tx, runId))!;
  }).catch((e: unknown) => {
    if (e instanceof AppError) throw e;
    if (isUniqueViolation(e)) throw conflict('period_closed', `${run0.period} already has an approved settlement`);
    throw e;
  });
}

export function isUniqueViolation(e: unknown): boolean {
  for (let x: unknown = e; x && typeof x === 'object'; x = (x as { cause?: unknown }).cause) {
    if ((x as { code?: string }).code === '23505') return true;
  }
  return false;
}

/** GET /v1/settlements/{id}: the run, and its result in the contract's format once it has one. */
export async function readSettlement(db: Db, runId: string): Promise<{ run: RunRow; hospital: string; result?: QuarterlyResult | AnnualResult }> {
  const run = await findRun(db, runId);
  if (!run) throw notFound(`settlement ${runId}`);
  const hospital = await hospitalCodeOf(db, run.hospitalId);
  if (run.status !== 'succeeded' && run.status !== 'approved' && run.status !== 'superseded') return { run, hospital };
  if (run.kind === 'quarterly') {
    const [departments, individuals] = await together(db, [() => departmentLinesOf(db, run.id), () => resultLinesPage(db, run.id, { limit: 1_000_000 })]);
    return { run, hospital, result: quarterlyResultOf(run, departments, individuals) };
  }
  const lines = await annualLinesOf(db, run.id);
  return { run, hospital, result: annualResultOf(run, lines.departments, lines.individuals) };
}

export async function hospitalCodeOf(db: Db, hospitalId: number): Promise<string> {
  return (await findHospitalById(db, hospitalId))!.code;
}

export async function requireHospital(db: Db, code: string): Promise<HospitalRow> {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

export type { Scenario };
