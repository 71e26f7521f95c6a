import {
  Dec,
  formatMoney,
  annualDepartmentStatement,
  annualPersonStatement,
  departmentStatement,
  personStatement,
  settleYear,
  validateScenario,
  type AnnualDepartmentStatement,
  type AnnualPersonStatement,
  type DepartmentStatement,
  type PersonStatement,
  type QuarterOutcome,
  type YearOutcome,
} from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { canonicalJson } from '../../shared/canonical.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible } from '../access/access.js';
import { findHospitalById } from '../hospitals/hospitals.repository.js';
import { settledRun } from './lines.usecases.js';
import { findRun, runInputs, type RunRow } from './settlements.repository.js';
import { quarterOutcomeOf } from './settlements.usecases.js';
import { withReasonWords, type StatementRun } from './statements.html.js';

type Deps = { db: Db; caller: Caller };

/** A statement with what its printed page shows beside it: the hospital and the run's status and approval. */
export interface StatementOf<S> {
  statement: S;
  hospital: { code: string; name: string };
  run: StatementRun;
}

async function context(db: Db, run: RunRow): Promise<Omit<StatementOf<unknown>, 'statement'>> {
  const hospital = (await findHospitalById(db, run.hospitalId))!;
  return {
    hospital: { code: hospital.code, name: hospital.name },
    run: { status: run.status, approvedBy: run.approvedBy, approvedAt: run.approvedAt, overrideReason: run.approvalOverrideReason },
  };
}

/**
 * A year-end run's engine outcome, settled again from its own inputs and its quarters' runs (the
 * engine is deterministic): refused if it no longer gives the stored result.
 */
async function yearOutcomeOf(db: Db, run: RunRow): Promise<YearOutcome> {
  const { quarterRuns = [], ...doc } = ((await runInputs(db, run.id)) ?? {}) as { quarterRuns?: string[] } & Record<string, unknown>;
  const validated = validateScenario(doc);
  const quarters: QuarterOutcome[] = [];
  for (const id of quarterRuns) {
    const quarter = await findRun(db, id);
    if (!quarter) throw new Error(`run ${run.id} of ${run.period}: its quarter's run ${id} is gone`);
    quarters.push(await quarterOutcomeOf(db, quarter));
  }
  const result = settleYear(validated.hospital, validated.annual!, quarters);
  if (canonicalJson(result.summary) !== canonicalJson(run.summary)) throw new Error(`run ${run.id} of ${run.period} no longer reproduces from its own inputs`);
  return { hospital: validated.hospital, annual: validated.annual!, quarters, result };
}

/** A person's statement: the quarter's (个人绩效工资明细) or the year-end's (个人年终绩效工资明细). */
export async function personStatementOf(deps: Deps, id: string, staffId: string): Promise<StatementOf<PersonStatement | AnnualPersonStatement>> {
  const { db } = deps;
  const run = await settledRun(db, id);
  const what = `staff ${staffId} in settlement ${id}`;
  if (run.kind === 'annual') {
    const statement = annualPersonStatement(await yearOutcomeOf(db, run), staffId);
    if (!statement) throw notFound(what);
    const principal = deps.caller.principal;
    // a department head reads the year-end of a person of their departments, and only those lines
    const visible = principal.role === 'dept_head' ? statement.lines.filter((l) => principal.departments.includes(l.department.code)) : statement.lines;
    if (visible.length === 0) throw notFound(what);
    return { statement: withReasonWords(visible.length === statement.lines.length ? statement : onlyLines(statement, visible)), ...(await context(db, run)) };
  }
  const statement = personStatement(await quarterOutcomeOf(db, run), staffId);
  if (!statement) throw notFound(what);
  assertPersonVisible(deps.caller.principal, statement.department.code, what);
  return { statement: withReasonWords(statement), ...(await context(db, run)) };
}

/** A year-end person statement cut to the lines a department head may read (their departments), the total theirs. */
function onlyLines(s: AnnualPersonStatement, lines: AnnualPersonStatement['lines']): AnnualPersonStatement {
  const codes = new Set(lines.map((l) => l.department.code));
  const total = formatMoney(lines.reduce((acc, l) => acc.plus(l.amount).plus(l.riskAward ?? 0), new Dec(0)));
  const items = s.items
    .filter((i) => codes.has(i.key.split(':')[1] ?? ''))
    .concat(
      s.items.filter((i) => i.key === 'total').map((i) => ({ ...i, value: total, rule: 'Σ the amounts and risk awards of the lines shown', ruleZh: '所列科室年终绩效与风险奖之和', operands: [] })),
    );
  return { ...s, lines, items, total };
}

/** A department's statement: the quarter's (科室绩效核算表) or the year-end's (科室年终绩效核算表). */
export async function departmentStatementOf(deps: Deps, id: string, code: string): Promise<StatementOf<DepartmentStatement | AnnualDepartmentStatement>> {
  const { db } = deps;
  assertDepartment(deps.caller.principal, code);
  const run = await settledRun(db, id);
  const statement = run.kind === 'annual' ? annualDepartmentStatement(await yearOutcomeOf(db, run), code) : departmentStatement(await quarterOutcomeOf(db, run), code);
  if (!statement) throw notFound(`department ${code} in settlement ${id}`);
  return { statement: withReasonWords(statement), ...(await context(db, run)) };
}
