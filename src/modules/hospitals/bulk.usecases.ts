import { and, eq, inArray } from 'drizzle-orm';
import { EngineError, validateScenario } from '../../core/index.js';
import type { IndividualInput, Scenario } from '../../core/schema.js';
import type { Tx } from '../../db/client.js';
import { individualInputs } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Principal } from '../../plugins/access.js';
import type { AuditEntry } from '../audit/audit.repository.js';
import { sameRecord } from '../inputs/inputs.compare.js';
import { individualInputToRow } from '../inputs/inputs.mappers.js';
import { listDepartments, listStaffIn, schemeFor, upsertIndividualInputs, type HospitalRow } from '../inputs/inputs.repository.js';
import { quarterInputs } from '../../db/schema.js';

const MAX_ERRORS = 1000;

interface RowError {
  code: string;
  message: string;
  path: string;
}

/**
 * Many people's tier-2 inputs for one quarter in one transaction: every record is checked on its
 * own (as the engine will read it, with the row number of every invalid one in the 400), then
 * the records that differ from what is stored are written with one INSERT … unnest and one audit
 * event. Nothing is written unless every record is valid.
 */
export async function putIndividualInputs(
  tx: Tx,
  hospital: HospitalRow,
  period: string,
  records: IndividualInput[],
  principal: Principal,
): Promise<{ audit: AuditEntry[]; result: { records: number; written: number; unchanged: number } }> {
  const [quarter] = await tx.select().from(quarterInputs).where(and(eq(quarterInputs.hospitalId, hospital.id), eq(quarterInputs.period, period)));
  if (!quarter) throw new AppError(404, 'not_found', `inputs of ${period} not found (PUT /v1/hospitals/{code}/periods/${period} first)`);
  const ids = [...new Set(records.map((r) => r.staffId))];
  const [departments, people, scheme] = await Promise.all([listDepartments(tx, hospital.id), listStaffIn(tx, hospital.id, ids), schemeFor(tx, hospital.id, period)]);
  const departmentByCode = new Map(departments.map((d) => [d.code, d]));
  const personById = new Map(people.map((p) => [p.staffId, p]));
  const stored = new Map(
    (ids.length ? await tx.select().from(individualInputs).where(and(eq(individualInputs.hospitalId, hospital.id), eq(individualInputs.period, period), inArray(individualInputs.staffId, ids))) : []).map((r) => [r.staffId, r]),
  );

  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, i) => {
    if (errors.length >= MAX_ERRORS) return;
    const at = `records[${i}]`;
    const first = seen.get(record.staffId);
    if (first !== undefined) {
      errors.push({ code: 'duplicate', message: `${at}: staff ${record.staffId} already has a record in this request (records[${first}])`, path: `${at}.staffId` });
      return;
    }
    seen.set(record.staffId, i);
    const person = personById.get(record.staffId);
    const named = [person?.department, record.department ?? undefined].filter((c): c is string => !!c && departmentByCode.has(c));
    const doc = {
      hospital: { code: hospital.code },
      scheme: scheme?.parameters ?? {},
      departments: [...new Set(named)].map((c) => {
        const d = departmentByCode.get(c)!;
        return { code: d.code, name: d.name, kind: d.kind, ...(d.adminClass ? { adminClass: d.adminClass } : {}), riskCoefficient: d.riskCoefficient };
      }),
      staff: person ? [{ id: person.staffId, name: person.name, department: person.department, titleGrade: person.titleGrade, position: person.position, employment: person.employment, role: person.role }] : [],
      periods: [{ period, revenue: quarter.revenue, workingDays: quarter.workingDays, departments: [], individuals: [record] }],
    } as unknown as Scenario;
    try {
      validateScenario(doc);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      const field = e.path.replace(/^periods\[0\]\.individuals\[0\]\.?/, '');
      errors.push({ code: e.code, message: `${at} (staff ${record.staffId}): ${e.message.replace(/^period \S+, staff \S+: /, '')}`, path: field ? `${at}.${field}` : at });
      return;
    }
    if (principal.role === 'dept_head') {
      const touched = [person?.department, record.department, stored.get(record.staffId)?.department].filter((c): c is string => !!c);
      const outside = touched.find((c) => !principal.departments.includes(c));
      if (outside) errors.push({ code: 'forbidden', message: `${at} (staff ${record.staffId}): department ${outside} is not this key's`, path: `${at}.staffId` });
    }
  });
  if (errors.length > 0) {
    const forbidden = errors.every((e) => e.code === 'forbidden');
    throw new AppError(forbidden ? 403 : 400, errors[0]!.code, `${errors.length} of ${records.length} records are invalid; the first: ${errors[0]!.message}`, errors[0]!.path, errors);
  }

  const changed = records.map((r) => individualInputToRow(period, r)).filter((row) => !(stored.has(row.staffId) && sameRecord(stored.get(row.staffId), row)));
  await upsertIndividualInputs(tx, hospital.id, changed);
  const audit: AuditEntry[] = changed.length
    ? [{ action: 'individual_input.bulk_set', entityType: 'individual_input', entityKey: period, after: { records: records.length, written: changed.length, staff: changed.map((r) => r.staffId) } }]
    : [];
  return { audit, result: { records: records.length, written: changed.length, unchanged: records.length - changed.length } };
}
