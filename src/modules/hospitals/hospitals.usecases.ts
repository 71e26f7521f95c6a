import { validateScenario } from '../../core/index.js';
import type { Db, Tx } from '../../db/client.js';
import { conflict, notFound } from '../../shared/errors.js';
import { appendAudit, type AuditContext, type AuditEntry } from '../audit/audit.repository.js';
import { buildScenario, closedPeriods, lockHospital, schemeFor, type HospitalRow, type ScenarioFocus } from '../inputs/inputs.repository.js';

export interface WriteScope {
  /** The quarter the write changes (checked against closed periods and validated), if any. */
  period?: string;
  /** The year whose year-end inputs the write changes, if any. */
  year?: number;
  /**
   * A write of one record (a person, a person's or a department's quarter inputs) is validated
   * with every department and only the records it touches; without a focus, the whole hospital.
   */
  focus?: ScenarioFocus;
}

/**
 * Every granular write: under the hospital's lock, refuse a closed period (409), apply the
 * change, then validate the hospital's resulting inputs exactly as the engine will read them —
 * a change that would make the scenario invalid rolls back with the engine's error (400) — and
 * append the audit events, all in one transaction.
 */
export async function writeInputs<T>(
  deps: { db: Db; now: () => Date; ctx: AuditContext },
  hospitalCode: string,
  scope: WriteScope,
  change: (tx: Tx, hospital: HospitalRow) => Promise<{ audit: AuditEntry[]; result: T }>,
): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, hospitalCode);
    if (!hospital) throw notFound(`hospital ${hospitalCode}`);
    const closed = await closedPeriods(tx, hospital.id);
    if (scope.period && (closed.has(scope.period) || closed.has(scope.period.slice(0, 4)))) {
      throw conflict('period_closed', `${scope.period} is closed (its settlement is approved); its inputs cannot change`, 'period');
    }
    if (scope.year !== undefined && closed.has(String(scope.year))) {
      throw conflict('period_closed', `year ${scope.year} is closed (its year-end settlement is approved)`, 'year');
    }
    const { audit, result } = await change(tx, hospital);
    const scheme = await schemeFor(tx, hospital.id, scope.period ?? `${scope.year ?? 9999}Q4`);
    const doc = await buildScenario(tx, hospital, {
      periods: scope.period ? [scope.period] : [],
      annualYear: scope.year,
      schemeParameters: scheme?.parameters ?? {},
      focus: scope.focus,
    });
    validateScenario(doc);
    await appendAudit(tx, hospital.id, deps.ctx, audit, deps.now());
    return result;
  });
}
