import type { Scenario } from '../../core/schema.js';
import { validateScenario } from '../../core/validate.js';
import { conflict } from '../../shared/errors.js';
import { assessmentForbidden, individualsForbidden, schemeChangeForbidden } from './imports.errors.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import { appendAudit, type AuditEntry } from '../audit/audit.repository.js';
import { importDisputes } from '../disputes/disputes.usecases.js';
import { importAssessment, type AssessmentImportOutcome } from '../assessment/assessment.usecases.js';
import { canonicalJson, sha256 } from '../../shared/canonical.js';
import { annualToRow, departmentInputToRow, departmentToRow, individualInputToRow, quarterToRow, staffToRow } from '../inputs/inputs.mappers.js';
import { auditable } from '../inputs/inputs.mappers.js';
import { normalizedJson, sameRecord } from '../inputs/inputs.compare.js';
import {
  listDepartments,
  listStaff,
  loadAnnual,
  loadPeriod,
  replacePeriod,
  schemeFor,
  upsertAnnual,
  upsertDepartments,
  upsertSchemeVersion,
  upsertStaff,
  type StoredPeriod,
} from '../inputs/inputs.repository.js';
import { closedPeriods, createHospitalLocked, isPeriodClosed } from '../hospitals/hospitals.repository.js';

export interface ImportOutcome {
  hospital: string;
  changed: boolean;
  scheme: 'created' | 'updated' | 'unchanged';
  departments: { created: number; updated: number; unchanged: number };
  staff: { created: number; updated: number; unchanged: number };
  periods: { changed: string[]; unchanged: string[] };
  annual: 'changed' | 'unchanged' | 'absent';
  /** Disputes written as a new version (new or different) and those already stored as they are. */
  disputes: { written: number; unchanged: number };
  /** With an `assessment`: what became of its scorecards, values and defects. */
  assessment?: AssessmentImportOutcome;
}

/**
 * POST /v1/imports: the whole scenario document, all or nothing. The document is validated by
 * the engine's own validator first; then, in one transaction holding the hospital's lock, every
 * record that differs from what is stored is written and audited. Importing the same document
 * again finds nothing different and writes nothing. Changing a closed period's inputs is a 409
 * and rolls the whole import back.
 */
export async function importScenario(deps: WriteDeps, doc: unknown): Promise<ImportOutcome> {
  // the scheme and people's tier-2 records are the admin's; a finance import may not change them
  const permissions = { mayChangeScheme: deps.caller.principal.role === 'admin', mayChangeIndividuals: deps.caller.principal.role === 'admin' };
  const ctx = deps.caller;
  const now = () => deps.clock.now();
  validateScenario(doc);
  const scenario = doc as Scenario;
  return deps.db.transaction(async (tx) => {
    const audit: AuditEntry[] = [];
    const { hospital, created } = await createHospitalLocked(tx, scenario.hospital.code, scenario.hospital.name ?? '');
    if (created) audit.push({ action: 'hospital.create', entityType: 'hospital', entityKey: hospital.code, after: { code: hospital.code, name: hospital.name } });
    const closed = await closedPeriods(tx, hospital.id);
    const isClosed = (period: string) => isPeriodClosed(closed, period);
    const outcome: ImportOutcome = {
      hospital: hospital.code,
      changed: false,
      scheme: 'unchanged',
      departments: { created: 0, updated: 0, unchanged: 0 },
      staff: { created: 0, updated: 0, unchanged: 0 },
      periods: { changed: [], unchanged: [] },
      annual: scenario.annual ? 'unchanged' : 'absent',
      disputes: { written: 0, unchanged: 0 },
    };

    // The document's scheme applies from its first quarter (or its year-end's year) on.
    const quarters = (scenario.periods ?? []).map((p) => p.period).sort();
    const effectiveFrom = quarters[0] ?? (scenario.annual ? `${scenario.annual.year}Q1` : '0000Q1');
    const parameters = scenario.scheme ?? {};
    const inForce = await schemeFor(tx, hospital.id, effectiveFrom);
    if (!inForce || canonicalJson(inForce.parameters) !== canonicalJson(parameters)) {
      const closedAfter = [...closed].filter((p) => p >= effectiveFrom.slice(0, p.length)).sort();
      if (!permissions.mayChangeScheme) {
        throw schemeChangeForbidden(effectiveFrom);
      }
      if (closedAfter.length > 0) {
        throw conflict('period_closed', `the scheme differs from the one in force for ${effectiveFrom}, and ${closedAfter.join(', ')} is already closed`, 'scheme');
      }
      const before = inForce?.effectiveFrom === effectiveFrom ? inForce.parameters : null;
      await upsertSchemeVersion(tx, hospital.id, effectiveFrom, parameters);
      outcome.scheme = before === null ? 'created' : 'updated';
      audit.push({ action: 'scheme.set', entityType: 'scheme', entityKey: effectiveFrom, before, after: parameters });
    }

    const storedDepartments = new Map((await listDepartments(tx, hospital.id)).map((r) => [r.code, r]));
    const departmentWrites = [];
    for (const d of scenario.departments) {
      const row = departmentToRow(d);
      const before = storedDepartments.get(d.code);
      if (before && sameRecord(before, row)) {
        outcome.departments.unchanged += 1;
        continue;
      }
      departmentWrites.push(row);
      outcome.departments[before ? 'updated' : 'created'] += 1;
      audit.push({ action: before ? 'department.update' : 'department.create', entityType: 'department', entityKey: d.code, before: auditable(before), after: row });
    }
    await upsertDepartments(tx, hospital.id, departmentWrites);

    const storedStaff = new Map((await listStaff(tx, hospital.id)).map((r) => [r.staffId, r]));
    const staffWrites = [];
    for (const s of scenario.staff) {
      const row = staffToRow(s);
      const before = storedStaff.get(s.id);
      if (before && sameRecord(before, row)) {
        outcome.staff.unchanged += 1;
        continue;
      }
      staffWrites.push(row);
      outcome.staff[before ? 'updated' : 'created'] += 1;
      audit.push({ action: before ? 'staff.update' : 'staff.create', entityType: 'staff', entityKey: s.id, before: auditable(before), after: row });
    }
    await upsertStaff(tx, hospital.id, staffWrites);

    for (const [index, p] of (scenario.periods ?? []).entries()) {
      const incoming: StoredPeriod = {
        quarter: quarterToRow(p),
        departments: p.departments.map((d) => departmentInputToRow(p.period, d)).sort((a, b) => (a.department < b.department ? -1 : 1)),
        individuals: (p.individuals ?? []).map((r) => individualInputToRow(p.period, r)).sort((a, b) => (a.staffId < b.staffId ? -1 : 1)),
      };
      const stored = await loadPeriod(tx, hospital.id, p.period);
      if (!permissions.mayChangeIndividuals) {
        // people's tier-2 inputs are the admin's and the department heads' (as on PUT …/individuals
        // and the stream): a finance import leaves them as they are. Without `individuals` the
        // stored records stay; with them, they must be the stored ones exactly.
        const kept = stored?.individuals ?? [];
        if (p.individuals !== undefined && !sameRecord(kept, incoming.individuals)) {
          throw individualsForbidden(p.period, index);
        }
        incoming.individuals = kept;
      }
      if (stored && sameRecord(stored, incoming)) {
        outcome.periods.unchanged.push(p.period);
        continue;
      }
      if (isClosed(p.period)) {
        throw conflict('period_closed', `period ${p.period} is closed (its settlement is approved); its inputs cannot change`, `periods[${index}]`);
      }
      await replacePeriod(tx, hospital.id, incoming);
      outcome.periods.changed.push(p.period);
      audit.push({ action: 'period.replace', entityType: 'period', entityKey: p.period, before: stored ? periodDigest(stored) : null, after: periodDigest(incoming) });
    }

    if (scenario.annual) {
      const row = annualToRow(scenario.annual);
      const stored = await loadAnnual(tx, hospital.id, scenario.annual.year);
      const storedRow = stored ? annualToRow(stored) : null;
      if (!storedRow || !sameRecord(storedRow, row)) {
        if (closed.has(String(scenario.annual.year))) {
          throw conflict('period_closed', `year ${scenario.annual.year} is closed (its year-end settlement is approved)`, 'annual');
        }
        await upsertAnnual(tx, hospital.id, row);
        outcome.annual = 'changed';
        audit.push({ action: 'annual.set', entityType: 'annual', entityKey: String(row.year), before: storedRow, after: row });
      }
    }

    const disputeRecords = [...(scenario.priorDisputes ?? []), ...(scenario.disputes ?? [])];
    if (disputeRecords.length > 0) {
      const events = await importDisputes(tx, hospital, disputeRecords, closed, ctx, now());
      outcome.disputes = { written: events.length, unchanged: disputeRecords.length - events.length };
      audit.push(...events);
    }

    if (scenario.assessment) {
      const imported = await importAssessment(tx, hospital, scenario.assessment, effectiveFrom, closed, ctx, now());
      // the assessment derives people's tier-2 inputs and the year-end factors: the admin's, as the scheme is
      if (imported.audit.length > 0 && !permissions.mayChangeScheme) {
        throw assessmentForbidden();
      }
      outcome.assessment = imported.outcome;
      audit.push(...imported.audit);
    }

    outcome.changed = audit.length > 0;
    await appendAudit(tx, hospital.id, ctx, audit, now());
    return outcome;
  });
}

/** A period's inputs in an audit event: its hospital figures, record counts and a digest of the rest. */
export function periodDigest(p: StoredPeriod): unknown {
  const { quarter } = p;
  return {
    revenue: quarter.revenue,
    workingDays: quarter.workingDays,
    adjustment: quarter.adjustment ?? null,
    departmentRecords: p.departments.length,
    individualRecords: p.individuals.length,
    sha256: sha256(normalizedJson({ departments: p.departments, individuals: p.individuals })),
  };
}
