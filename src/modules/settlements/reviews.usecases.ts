import { compiledOnUse } from '../../shared/schemas.js';
import { settleQuarter, validateScenario, type QuarterlyResult, type Scenario } from '../../core/index.js';
import type { IndividualInput } from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { decimalOf } from '../../shared/db/decimal.js';
import { badRequest, conflict, notFound } from '../../shared/errors.js';
import type { Clock } from '../../shared/context.js';
import type { Caller } from '../../shared/principal.js';
import { assertDepartment } from '../access/access.js';
import { findReview, reviewsOfRun, upsertReview } from './reviews.repository.js';
import { notReviewable, reviewInvalid, settlementNotFound } from './settlements.errors.js';
import { checkValue } from '../../shared/text.js';
import { mergePatch } from '../../shared/patch.js';
import { schemaError } from '../../core/index.js';
import { Type, type Static } from '@sinclair/typebox';
import { appendAudit } from '../audit/audit.repository.js';
import { lockHospitalById } from '../hospitals/hospitals.repository.js';
import { departmentLinesOf, findRun, runInputs, type RunRow } from './settlements.repository.js';

/** A review as the API and the review page both take it: one schema, one check, for both. */
export const ReviewBody = Type.Object(
  {
    status: Type.Union([Type.Literal('acknowledged'), Type.Literal('disputed')], { 'x-kind': 'enum', 'x-values': ['acknowledged', 'disputed'] }),
    reason: Type.Optional(Type.String({ maxLength: 2000, description: 'why the department disputes the run (needed for a dispute)' })),
  },
  { additionalProperties: false },
);
export type ReviewDecision = Static<typeof ReviewBody>;
export type ReviewStatus = ReviewDecision['status'];
const checkReview = compiledOnUse(() => ReviewBody);

/** Refuses what the API's schema refuses (an unknown status, a reason over 2,000 characters, bad text), naming the field. */
export function checkReviewDecision(decision: unknown): ReviewDecision {
  const problem = checkValue(decision);
  if (problem) throw problem;
  if (!checkReview().Check(decision)) {
    const e = schemaError(decision, checkReview().Errors(decision));
    throw reviewInvalid(e);
  }
  return decision;
}

/** Every department's review of a run: acknowledged, disputed (with the reason) or pending. */
export async function reviewsOf(db: Db | Tx, run: RunRow) {
  const byDepartment = new Map((await reviewsOfRun(db, run.id)).map((r) => [r.department, r]));
  const departments = run.kind === 'quarterly' ? (await departmentLinesOf(db, run.id)).map((l) => l.department) : [];
  return departments.map((department) => {
    const r = byDepartment.get(department);
    return r
      ? { department, status: r.status as 'acknowledged' | 'disputed', reason: r.reason, by: r.actor, at: r.updatedAt.toISOString() }
      : { department, status: 'pending' as const, reason: null, by: null, at: null };
  });
}

/** A run's reviews as a caller sees them: a department head, their own departments' only. */
export async function reviewsFor(deps: { db: Db; caller: Caller }, runId: string) {
  const run = await findRun(deps.db, runId);
  if (!run) throw settlementNotFound(runId);
  const p = deps.caller.principal;
  const reviews = await reviewsOf(deps.db, run);
  return p.role === 'dept_head' ? reviews.filter((r) => p.departments.includes(r.department)) : reviews;
}

/** A department head acknowledges or disputes a succeeded run for a department; audited. */
export async function review(
  deps: { db: Db; clock: Clock; caller: Caller },
  runId: string,
  department: string,
  input: unknown,
): Promise<{ department: string; status: ReviewStatus; reason: string | null }> {
  assertDepartment(deps.caller.principal, department);
  const decision = checkReviewDecision(input);
  if (decision.status === 'disputed' && !decision.reason?.trim()) throw badRequest('missing_field', 'a dispute needs a reason', 'reason');
  const run0 = await findRun(deps.db, runId);
  if (!run0) throw settlementNotFound(runId);
  return deps.db.transaction(async (tx) => {
    await lockHospitalById(tx, run0.hospitalId);
    const run = (await findRun(tx, runId))!;
    if (run.kind !== 'quarterly' || run.status !== 'succeeded') throw notReviewable(runId, run.status);
    if ((await departmentLinesOf(tx, runId, department)).length === 0) throw notFound(`department ${department} in settlement ${runId}`);
    const before = await findReview(tx, runId, department);
    const reason = decision.reason?.trim() || null;
    const now = deps.clock.now();
    await upsertReview(tx, { runId, department, status: decision.status, reason, actor: deps.caller.actor, updatedAt: now });
    await appendAudit(
      tx,
      run.hospitalId,
      deps.caller,
      [
        {
          action: decision.status === 'disputed' ? 'settlement.dispute' : 'settlement.acknowledge',
          entityType: 'settlement',
          entityKey: `${runId}/${department}`,
          before: before ? { status: before.status, reason: before.reason } : null,
          after: { status: decision.status, reason },
        },
      ],
      now,
    );
    return { department, status: decision.status, reason };
  });
}

/**
 * A department head's what-if: the run's own inputs and opening bank, with their proposals for
 * the department's people (each a JSON merge patch over the person's record in the run), settled
 * by the engine — stored nowhere.
 */
export async function whatIf(deps: { db: Db; caller: Caller }, runId: string, department: string, proposed: { staffId: string }[]) {
  assertDepartment(deps.caller.principal, department);
  const { db } = deps;
  const run = await findRun(db, runId);
  if (!run) throw settlementNotFound(runId);
  const stored = run.kind === 'quarterly' ? await runInputs(db, run.id) : null;
  if (!stored) throw conflict('not_available', `settlement ${run.id} has no quarterly result to start from`);
  const inputs = structuredClone(stored) as Scenario;
  const period = inputs.periods![0]!;
  const homes = new Map(inputs.staff.map((s) => [s.id, s.department]));
  const current = new Map((period.individuals ?? []).map((r) => [r.staffId, r]));
  const seen = new Set<string>();
  for (const [i, record] of proposed.entries()) {
    const path = `individuals[${i}]`;
    if (seen.has(record.staffId)) throw badRequest('duplicate', `staff ${record.staffId} is proposed twice`, `${path}.staffId`);
    seen.add(record.staffId);
    const home = homes.get(record.staffId);
    if (!home) throw badRequest('unknown_reference', `staff ${record.staffId} is not on the staff list`, `${path}.staffId`);
    const inDepartment = (current.get(record.staffId)?.department ?? home) === department;
    if (!inDepartment) throw badRequest('not_applicable', `staff ${record.staffId} is not in department ${department} in ${period.period}`, `${path}.staffId`);
    if ('department' in record) throw badRequest('not_applicable', 'a what-if cannot move people between departments', `${path}.department`);
    // a proposal is a merge patch over the record the run settled (fields not named keep their
    // value); the person stays where the run placed them
    current.set(record.staffId, mergePatch<IndividualInput>(current.get(record.staffId) ?? { staffId: record.staffId }, record));
  }
  period.individuals = [...current.values()];
  const validated = validateScenario(inputs);
  const bank = new Map(Object.entries((run.openingBank ?? {}) as Record<string, string>).map(([code, balance]) => [code, decimalOf(balance)]));
  const outcome = settleQuarter(validated.hospital, validated.quarters[0]!, bank);
  const result: QuarterlyResult = outcome.result;
  return {
    period: period.period,
    basedOn: run.id,
    department: result.departments.find((d) => d.code === department) ?? null,
    individuals: result.individuals.filter((i) => i.department === department),
    note: "a what-if: computed on the run's inputs with the proposed records, stored nowhere",
  };
}
