import { departmentStatement, personStatement, type DepartmentStatement, type PersonStatement } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible } from '../access/access.js';
import { findHospitalById } from '../hospitals/hospitals.repository.js';
import { settledRun } from './lines.usecases.js';
import { notQuarterly } from './settlements.errors.js';
import type { RunRow } from './settlements.repository.js';
import { quarterOutcomeOf } from './settlements.usecases.js';
import { withReasonWords, type StatementRun } from './statements.html.js';

type Deps = { db: Db; caller: Caller };

/** A statement with what its printed page shows beside it: the hospital and the run's status and approval. */
export interface StatementOf<S> {
  statement: S;
  hospital: { code: string; name: string };
  run: StatementRun;
}

async function quarterlyRun(db: Db, id: string): Promise<RunRow> {
  const run = await settledRun(db, id);
  if (run.kind !== 'quarterly') throw notQuarterly(id, run.period);
  return run;
}

async function context(db: Db, run: RunRow): Promise<Omit<StatementOf<unknown>, 'statement'>> {
  const hospital = (await findHospitalById(db, run.hospitalId))!;
  return {
    hospital: { code: hospital.code, name: hospital.name },
    run: { status: run.status, approvedBy: run.approvedBy, approvedAt: run.approvedAt, overrideReason: run.approvalOverrideReason },
  };
}

export async function personStatementOf(deps: Deps, id: string, staffId: string): Promise<StatementOf<PersonStatement>> {
  const { db } = deps;
  const run = await quarterlyRun(db, id);
  const statement = personStatement(await quarterOutcomeOf(db, run), staffId);
  if (!statement) throw notFound(`staff ${staffId} in settlement ${id}`);
  assertPersonVisible(deps.caller.principal, statement.department.code, `staff ${staffId} in settlement ${id}`);
  return { statement: withReasonWords(statement), ...(await context(db, run)) };
}

export async function departmentStatementOf(deps: Deps, id: string, code: string): Promise<StatementOf<DepartmentStatement>> {
  const { db } = deps;
  assertDepartment(deps.caller.principal, code);
  const run = await quarterlyRun(db, id);
  const statement = departmentStatement(await quarterOutcomeOf(db, run), code);
  if (!statement) throw notFound(`department ${code} in settlement ${id}`);
  return { statement: withReasonWords(statement), ...(await context(db, run)) };
}
