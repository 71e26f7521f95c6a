import { departmentStatement, personStatement, type DepartmentStatement, type PersonStatement } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { assertDepartment, assertPersonVisible } from '../access/access.js';
import { settledRun } from './lines.usecases.js';
import { notQuarterly } from './settlements.errors.js';
import type { RunRow } from './settlements.repository.js';
import { hospitalCodeOf, quarterOutcomeOf } from './settlements.usecases.js';

type Deps = { db: Db; caller: Caller };

async function quarterlyRun(db: Db, id: string): Promise<RunRow> {
  const run = await settledRun(db, id);
  if (run.kind !== 'quarterly') throw notQuarterly(id, run.period);
  return run;
}

export async function personStatementOf(deps: Deps, id: string, staffId: string): Promise<{ statement: PersonStatement; hospital: string }> {
  const { db } = deps;
  const run = await quarterlyRun(db, id);
  const statement = personStatement(await quarterOutcomeOf(db, run), staffId);
  if (!statement) throw notFound(`staff ${staffId} in settlement ${id}`);
  assertPersonVisible(deps.caller.principal, statement.department.code, `staff ${staffId} in settlement ${id}`);
  return { statement, hospital: await hospitalCodeOf(db, run.hospitalId) };
}

export async function departmentStatementOf(deps: Deps, id: string, code: string): Promise<{ statement: DepartmentStatement; hospital: string }> {
  const { db } = deps;
  assertDepartment(deps.caller.principal, code);
  const run = await quarterlyRun(db, id);
  const statement = departmentStatement(await quarterOutcomeOf(db, run), code);
  if (!statement) throw notFound(`department ${code} in settlement ${id}`);
  return { statement, hospital: await hospitalCodeOf(db, run.hospitalId) };
}
