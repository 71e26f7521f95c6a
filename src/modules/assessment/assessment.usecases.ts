import { assessmentContextOf, monthsOf, validateAssessmentRecords } from '../../core/assessment/validate.js';
import { EngineError, validateScenario, type Scenario } from '../../core/index.js';
import { compareKeys } from '../../core/money.js';
import type { AssessmentInput, ScorecardInput } from '../../core/schema.js';
import type { Db, Tx } from '../../db/client.js';
import { canonicalJson } from '../../shared/canonical.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Principal } from '../../shared/principal.js';
import { assertSpeaksFor, readsOwnersEntries } from '../access/access.js';
import { appendAudit, type AuditContext, type AuditEntry } from '../audit/audit.repository.js';
import { closedPeriods, findHospital, isPeriodClosed, lockHospital, type HospitalRow } from '../hospitals/hospitals.repository.js';
import { decimalText } from '../inputs/inputs.compare.js';
import { departmentFromRow, staffFromRow } from '../inputs/inputs.mappers.js';
import { listDepartments, listStaff, schemeFor } from '../inputs/inputs.repository.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import { assessmentPeriodClosed, defectExists, defectNotFound, defectOverturned, defectWithdrawn } from './assessment.errors.js';
import {
  defectRecordOf,
  defectVersions,
  insertDefectVersion,
  latestOf,
  leafOwners,
  listScorecardVersions,
  quarterOf,
  scorecardsFor,
  upsertScorecardVersion,
  upsertValues,
  valueRecordOf,
  valuesIn,
  type DefectKind,
  type DefectRecord,
  type DefectRow,
  type DepartmentDefectRecord,
  type PersonalDefectRecord,
  type ValueRecord,
  type ValueRow,
} from './assessment.repository.js';

export interface AssessmentImportOutcome {
  scorecards: 'created' | 'updated' | 'unchanged';
  values: { written: number; unchanged: number };
  defects: { written: number; unchanged: number };
}

const kindOf = (record: DefectRecord): DefectKind => ('staffId' in record ? 'personal' : 'department');
const subjectOf = (record: DefectRecord): string => ('staffId' in record ? record.staffId : record.department);

/** A defect record as what it means: points by value, an absent optional field the same as a missing one. */
function defectMeaning(kind: DefectKind, record: DefectRecord): string {
  const r = defectRecordOf({ kind, record });
  return canonicalJson({ ...r, points: decimalText(r.points) });
}

const sameValue = (row: ValueRow | undefined, record: ValueRecord): boolean => row !== undefined && decimalText(row.value) === decimalText(record.value);
const valueKey = (v: { indicator: string; department: string; period: string }) => `${v.indicator}\u0000${v.department}\u0000${v.period}`;

// ------------------------------------------------------------------ imports

/**
 * An import's `assessment` (the caller holds the hospital's lock, has validated the document with
 * the engine and appends the audit events): the scorecards become the version in force from the
 * document's first quarter when they differ from the one in force; each value that differs is
 * written; each defect that differs from its current version becomes a new version. Values and
 * defects the document does not name stay as they are. Anything that would change a closed
 * period is a 409.
 */
export async function importAssessment(
  tx: Tx,
  hospital: HospitalRow,
  input: AssessmentInput,
  effectiveFrom: string,
  closed: Set<string>,
  ctx: AuditContext,
  now: Date,
): Promise<{ outcome: AssessmentImportOutcome; audit: AuditEntry[] }> {
  const audit: AuditEntry[] = [];
  const outcome: AssessmentImportOutcome = { scorecards: 'unchanged', values: { written: 0, unchanged: 0 }, defects: { written: 0, unchanged: 0 } };

  const scorecards = input.scorecards ?? [];
  const inForce = await scorecardsFor(tx, hospital.id, effectiveFrom);
  if (!inForce || canonicalJson(inForce.scorecards) !== canonicalJson(scorecards)) {
    const closedAfter = [...closed].filter((p) => p >= effectiveFrom.slice(0, p.length)).sort();
    if (closedAfter.length > 0) throw assessmentPeriodClosed(closedAfter.join(', '), `the scorecards in force from ${effectiveFrom}`, 'assessment.scorecards');
    const before = inForce?.effectiveFrom === effectiveFrom ? inForce.scorecards : null;
    await upsertScorecardVersion(tx, { hospitalId: hospital.id, effectiveFrom, scorecards, actor: ctx.actor, createdAt: now });
    outcome.scorecards = before === null ? 'created' : 'updated';
    audit.push({ action: 'scorecards.set', entityType: 'scorecards', entityKey: effectiveFrom, before, after: scorecards });
  }

  const records = input.values ?? [];
  if (records.length > 0) {
    const stored = new Map((await valuesIn(tx, hospital.id, { periods: [...new Set(records.map((v) => v.period))] })).map((r) => [valueKey(r), r]));
    const written = changedValues(records, stored, closed, (i) => `assessment.values[${i}]`);
    await upsertValues(
      tx,
      hospital.id,
      written.map((w) => ({ record: w.record, actor: ctx.actor, at: now })),
    );
    outcome.values = { written: written.length, unchanged: records.length - written.length };
    if (written.length > 0) audit.push(valuesEvent(written));
  }

  const defects: DefectRecord[] = [...(input.departmentDefects ?? []), ...(input.personalDefects ?? [])];
  const pathOf = (record: DefectRecord) => (kindOf(record) === 'department' ? 'assessment.departmentDefects' : 'assessment.personalDefects');
  const written = await writeDefectRecords(tx, hospital.id, defects, { closed, actor: ctx.actor, at: now, source: 'import', pathOf });
  outcome.defects = { written: written.written, unchanged: written.unchanged };
  return { outcome, audit: [...audit, ...written.audit] };
}

/**
 * Defect records as an import or a stream gives them: a new id is booked, one that differs from
 * its current version is corrected (the reason names the source), an equal one is left as it is.
 */
async function writeDefectRecords(
  tx: Tx,
  hospitalId: number,
  defects: DefectRecord[],
  options: { closed: Set<string>; actor: string; at: Date; source: string; pathOf: (record: DefectRecord, i: number) => string },
): Promise<{ written: number; unchanged: number; audit: AuditEntry[] }> {
  const out = { written: 0, unchanged: 0, audit: [] as AuditEntry[] };
  if (defects.length === 0) return out;
  const latest = latestOf(await defectVersions(tx, hospitalId));
  for (const [i, record] of defects.entries()) {
    const kind = kindOf(record);
    const before = latest.get(`${kind}:${record.id}`);
    if (before && before.status !== 'withdrawn' && defectMeaning(kind, before.record as DefectRecord) === defectMeaning(kind, record)) {
      out.unchanged += 1;
      continue;
    }
    // an appeal's decision stands: an import or a stream does not make an overturned defect count again
    if (before?.status === 'overturned') throw defectOverturned(kind, record.id, options.pathOf(record, i));
    assertDefectOpen(options.closed, kind, record, before, options.pathOf(record, i));
    out.audit.push(await writeDefectVersion(tx, hospitalId, { kind, record, before, status: before ? 'corrected' : 'booked', reason: before ? options.source : null }, options.actor, options.at));
    out.written += 1;
  }
  return out;
}

/** An NDJSON stream's assessment lines, each record with the path the stream names it by (`lines[4].record`). */
export interface StreamedAssessment {
  values: { record: ValueRecord; path: string }[];
  departmentDefects: { record: DepartmentDefectRecord; path: string }[];
  personalDefects: { record: PersonalDefectRecord; path: string }[];
}

/**
 * A stream's indicator values and defects, in the stream's transaction (the caller holds the
 * hospital's lock and appends the audit events): every record of the stream's quarter (a yearly
 * value: of its year), checked by the engine's rules against the scorecards in force, an error
 * naming the line; values that differ are written, defects booked or corrected as an import's.
 */
export async function writeStreamedAssessment(tx: Tx, hospital: HospitalRow, quarter: string, lines: StreamedAssessment, actor: string, at: Date) {
  const year = quarter.slice(0, 4);
  const outside = (path: string, what: string) => new AppError(400, 'invalid_value', `${path}: ${what} is not of the stream's quarter ${quarter}`, path);
  for (const { record, path } of lines.values) if (quarterOf(record.period) !== quarter && record.period !== year) throw outside(`${path}.period`, record.period);
  const defects = [...lines.departmentDefects, ...lines.personalDefects];
  for (const { record, path } of defects) if (quarterOf(record.month) !== quarter) throw outside(`${path}.month`, record.month);
  const groups: (StreamedAssessment & { period: string })[] = [
    { ...lines, period: quarter, values: lines.values.filter((v) => v.record.period !== year) },
    { period: year, values: lines.values.filter((v) => v.record.period === year), departmentDefects: [], personalDefects: [] },
  ];
  for (const group of groups) {
    if (group.values.length + group.departmentDefects.length + group.personalDefects.length === 0) continue;
    const records = { values: group.values.map((v) => v.record), departmentDefects: group.departmentDefects.map((d) => d.record), personalDefects: group.personalDefects.map((d) => d.record) };
    await checkRecords(tx, hospital, group.period, records, (path) => {
      const m = /^assessment\.(values|departmentDefects|personalDefects)\[(\d+)\]\.?(.*)$/.exec(path);
      const line = m ? group[m[1] as 'values' | 'departmentDefects' | 'personalDefects'][Number(m[2])] : undefined;
      return line ? fieldPath(line.path, m![3]!) : path;
    });
  }
  const closed = await closedPeriods(tx, hospital.id);
  const values = lines.values.map((v) => v.record);
  const stored = new Map((await valuesIn(tx, hospital.id, { periods: [...new Set(values.map((v) => v.period))] })).map((r) => [valueKey(r), r]));
  const changed = changedValues(values, stored, closed, (i) => lines.values[i]!.path);
  await upsertValues(
    tx,
    hospital.id,
    changed.map((w) => ({ record: w.record, actor, at })),
  );
  const written = await writeDefectRecords(
    tx,
    hospital.id,
    defects.map((d) => d.record),
    { closed, actor, at, source: 'stream', pathOf: (_r, i) => defects[i]!.path },
  );
  return {
    audit: [...(changed.length > 0 ? [valuesEvent(changed)] : []), ...written.audit],
    result: {
      indicatorValues: { records: values.length, written: changed.length, unchanged: values.length - changed.length },
      defects: { records: defects.length, written: written.written, unchanged: written.unchanged },
    },
  };
}

/** The values that differ from the stored ones; a change to a closed period is a 409 naming the record. */
function changedValues(records: ValueRecord[], stored: Map<string, ValueRow>, closed: Set<string>, pathOf: (i: number) => string) {
  const written: { record: ValueRecord; before: string | null }[] = [];
  records.forEach((record, i) => {
    const before = stored.get(valueKey(record));
    if (sameValue(before, record)) return;
    const period = quarterOf(record.period);
    if (isPeriodClosed(closed, period)) throw assessmentPeriodClosed(period, `the value of ${record.indicator} for ${record.department} in ${record.period}`, pathOf(i));
    written.push({ record, before: before?.value ?? null });
  });
  return written;
}

function valuesEvent(written: { record: ValueRecord; before: string | null }[]): AuditEntry {
  const periods = [...new Set(written.map((w) => w.record.period))].sort(compareKeys);
  return {
    action: 'indicator_values.set',
    entityType: 'indicator_values',
    entityKey: periods.join(','),
    before: written.map((w) => ({ indicator: w.record.indicator, department: w.record.department, period: w.record.period, value: w.before })),
    after: written.map((w) => w.record),
  };
}

/** A defect may change only while the quarter of its month (and of its month before) is open. */
export function assertDefectOpen(closed: Set<string>, kind: DefectKind, record: DefectRecord, before: DefectRow | undefined, path: string): void {
  for (const month of new Set([record.month, ...(before ? [before.month] : [])])) {
    const period = quarterOf(month);
    if (isPeriodClosed(closed, period)) throw assessmentPeriodClosed(period, `${kind} defect ${record.id} of ${month}`, path);
  }
}

export async function writeDefectVersion(
  tx: Tx,
  hospitalId: number,
  change: { kind: DefectKind; record: DefectRecord; before: DefectRow | undefined; status: DefectRow['status']; reason: string | null },
  actor: string,
  at: Date,
): Promise<AuditEntry> {
  const { kind, record, before, status, reason } = change;
  const version = (before?.version ?? 0) + 1;
  await insertDefectVersion(tx, { hospitalId, kind, defectId: record.id, version, month: record.month, owner: record.owner, subject: subjectOf(record), status, record, reason, actor, createdAt: at });
  return {
    action: `defect.${({ booked: 'book', corrected: 'correct', withdrawn: 'withdraw', overturned: 'overturn' } as const)[status]}`,
    entityType: `${kind}_defect`,
    entityKey: record.id,
    before: before ? { version: before.version, status: before.status, record: defectRecordOf(before) } : null,
    after: { version, status, record, ...(reason !== null ? { reason } : {}) },
  };
}

// ------------------------------------------------------------------ granular writes

type Deps = WriteDeps;

async function hospitalNamed(db: Db | Tx, code: string): Promise<HospitalRow> {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  return hospital;
}

/**
 * Records checked by the engine's own rules (assessment.md §1, §5) against the hospital's
 * departments and staff and the scorecards in force for their quarter; an error names the
 * request's field (`values[3].value`), as `rename` maps the engine's path.
 */
async function checkRecords(tx: Tx, hospital: HospitalRow, quarter: string, records: Omit<AssessmentInput, 'scorecards'>, rename: (path: string) => string): Promise<void> {
  const year = Number.parseInt(quarter.slice(0, 4), 10);
  const inForceFor = quarter.length === 4 ? `${quarter}Q4` : quarter;
  const [departments, people, scheme, version] = [
    await listDepartments(tx, hospital.id),
    await listStaff(tx, hospital.id),
    await schemeFor(tx, hospital.id, inForceFor),
    await scorecardsFor(tx, hospital.id, inForceFor),
  ];
  const doc = {
    hospital: { code: hospital.code, name: hospital.name },
    scheme: scheme?.parameters ?? {},
    departments: departments.map(departmentFromRow),
    staff: people.map(staffFromRow),
    periods: [],
  } as unknown as Scenario;
  try {
    const validated = validateScenario(doc);
    validateAssessmentRecords(
      { scorecards: (version?.scorecards ?? []) as ScorecardInput[], ...records },
      assessmentContextOf(
        new Map(validated.hospital.departments.map((d) => [d.code, d])),
        new Map(validated.hospital.staff.map((s) => [s.id, s])),
        new Set([inForceFor]),
        quarter.length === 4 ? year : null,
      ),
    );
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    throw new AppError(400, e.code, e.message, rename(e.path), e.details);
  }
}

/** A record's path (`values[3]`, or '' for the one record of a single write) joined to a field's. */
const fieldPath = (record: string, field: string): string => (record && field ? `${record}.${field}` : record || field);

/**
 * PUT values, one or many (a bulk write is all or nothing): each checked by the engine's rules,
 * refused with 409 when its quarter (or year) is closed; those that differ from the stored ones
 * are written with who and when, in one transaction with one audit event.
 */
export async function putValues(deps: Deps, code: string, records: ValueRecord[], pathOf: (i: number) => string = () => ''): Promise<{ written: number; unchanged: number }> {
  const dup = new Set<string>();
  records.forEach((r, i) => {
    if (dup.has(valueKey(r))) throw new AppError(400, 'duplicate', `the value of ${r.indicator} for ${r.department} in ${r.period} is given twice`, pathOf(i) || 'body');
    dup.add(valueKey(r));
  });
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, code);
    if (!hospital) throw notFound(`hospital ${code}`);
    const byQuarter = new Map<string, number[]>();
    records.forEach((r, i) => {
      const q = quarterOf(r.period);
      byQuarter.set(q, [...(byQuarter.get(q) ?? []), i]);
    });
    for (const [quarter, indexes] of byQuarter) {
      await checkRecords(tx, hospital, quarter, { values: indexes.map((i) => records[i]!) }, (path) => {
        const m = /^assessment\.values\[(\d+)\]\.?(.*)$/.exec(path);
        return m ? fieldPath(pathOf(indexes[Number(m[1])]!), m[2]!) || 'body' : path;
      });
      if (deps.caller.principal.role === 'assessor') await assertOwnsIndicators(tx, hospital, quarter, indexes, records, deps.caller.principal, pathOf);
    }
    const stored = new Map((await valuesIn(tx, hospital.id, { periods: [...new Set(records.map((v) => v.period))] })).map((r) => [valueKey(r), r]));
    const written = changedValues(records, stored, await closedPeriods(tx, hospital.id), (i) => pathOf(i) || 'period');
    const now = deps.clock.now();
    await upsertValues(
      tx,
      hospital.id,
      written.map((w) => ({ record: w.record, actor: deps.caller.actor, at: now })),
    );
    if (written.length > 0) await appendAudit(tx, hospital.id, deps.caller, [valuesEvent(written)], now);
    return { written: written.length, unchanged: records.length - written.length };
  });
}

/** An assessor writes only the leaves its offices own in the scorecards in force for the quarter (403 naming the record). */
async function assertOwnsIndicators(tx: Tx, hospital: HospitalRow, quarter: string, indexes: number[], records: ValueRecord[], principal: Principal, pathOf: (i: number) => string): Promise<void> {
  const version = await scorecardsFor(tx, hospital.id, quarter.length === 4 ? `${quarter}Q4` : quarter);
  const owners = leafOwners((version?.scorecards ?? []) as ScorecardInput[]);
  for (const i of indexes) {
    const { indicator } = records[i]!;
    assertSpeaksFor(principal, owners.get(indicator) ?? [], `indicator ${indicator}`, fieldPath(pathOf(i), 'indicator'));
  }
}

/** The stored values; an assessor reads those of the leaves its offices own (in the scorecards in force for each value's quarter). */
export async function listValues(deps: { db: Db; caller: { principal: Principal } }, code: string, filter: { period?: string; department?: string }) {
  const hospital = await hospitalNamed(deps.db, code);
  const rows = await valuesIn(deps.db, hospital.id, { ...(filter.period ? { periods: periodsOf(filter.period) } : {}), department: filter.department });
  const readable = await ownedLeaves(deps.db, hospital, deps.caller.principal);
  return rows.filter((r) => readable(r.indicator, quarterOf(r.period))).map((r) => ({ ...valueRecordOf(r), by: r.actor, at: r.updatedAt.toISOString() }));
}

/** Whether a caller reads a leaf's values in a quarter (or year): everyone, but an assessor only its offices' leaves. */
async function ownedLeaves(db: Db, hospital: HospitalRow, principal: Principal): Promise<(indicator: string, quarter: string) => boolean> {
  if (principal.role !== 'assessor') return () => true;
  const versions = (await listScorecardVersions(db, hospital.id)).map((v) => ({ from: v.effectiveFrom, owners: leafOwners(v.scorecards as ScorecardInput[]) }));
  return (indicator, quarter) => {
    const inForce = versions.filter((v) => v.from <= (quarter.length === 4 ? `${quarter}Q4` : quarter)).at(-1);
    return (inForce?.owners.get(indicator) ?? []).some((o) => readsOwnersEntries(principal, o));
  };
}

/** The cadence periods a filter names: a quarter's months and itself, a year's months, quarters and itself, or one month. */
function periodsOf(period: string): string[] {
  if (period.length === 7) return [period];
  const quarters = period.length === 6 ? [period] : [1, 2, 3, 4].map((n) => `${period}Q${n}`);
  return [...quarters.flatMap(monthsOf), ...quarters, ...(period.length === 4 ? [period] : [])];
}

type DefectChange = { kind: 'book' } | { kind: 'correct'; reason: string } | { kind: 'withdraw'; reason: string };

/**
 * Book, correct or withdraw a defect: under the hospital's lock, refused with 409 when the quarter
 * of its month (now or before) is closed; every change is a new version with who and when (a
 * correction and a withdrawal with their reason), audited in the same transaction.
 */
export async function writeDefect(deps: Deps, code: string, kind: DefectKind, id: string, change: DefectChange, record?: DefectRecord) {
  return deps.db.transaction(async (tx) => {
    const hospital = await lockHospital(tx, code);
    if (!hospital) throw notFound(`hospital ${code}`);
    const before = (await defectVersions(tx, hospital.id, { kind, defectId: id })).at(-1);
    if (change.kind === 'book' && before) throw defectExists(kind, id, before.version);
    if (change.kind !== 'book' && !before) throw defectNotFound(kind, id);
    if (change.kind !== 'book' && before!.status === 'overturned') throw defectOverturned(kind, id);
    if (change.kind === 'withdraw' && before!.status === 'withdrawn') throw defectWithdrawn(kind, id);
    const next = change.kind === 'withdraw' ? defectRecordOf(before!) : record!;
    for (const owner of new Set([next.owner, ...(before ? [before.owner] : [])])) assertSpeaksFor(deps.caller.principal, [owner], `${kind} defect ${id}`, 'owner');
    assertDefectOpen(await closedPeriods(tx, hospital.id), kind, next, before, change.kind === 'withdraw' ? 'id' : 'month');
    if (change.kind !== 'withdraw') {
      const list = kind === 'department' ? 'departmentDefects' : 'personalDefects';
      await checkRecords(tx, hospital, quarterOf(next.month), { [list]: [next] }, (path) => path.replace(new RegExp(`^assessment\\.${list}\\[0\\]\\.?`), '') || 'body');
    }
    const status: DefectRow['status'] = change.kind === 'book' ? 'booked' : change.kind === 'correct' ? 'corrected' : 'withdrawn';
    const reason = change.kind === 'book' ? null : change.reason;
    const now = deps.clock.now();
    const event = await writeDefectVersion(tx, hospital.id, { kind, record: next, before, status, reason }, deps.caller.actor, now);
    await appendAudit(tx, hospital.id, deps.caller, [event], now);
    return { id, kind, version: (before?.version ?? 0) + 1, status, record: next, reason, by: deps.caller.actor, at: now.toISOString() };
  });
}

const versionView = (r: DefectRow) => ({
  id: r.defectId,
  kind: r.kind,
  version: r.version,
  status: r.status,
  record: defectRecordOf(r),
  reason: r.reason,
  by: r.actor,
  at: r.createdAt.toISOString(),
});

type ReadDeps = { db: Db; caller: { principal: Principal } };

/** A defect an assessor reads: one whose current version its offices own. */
const readsDefect = (principal: Principal, current: DefectRow): boolean => readsOwnersEntries(principal, current.owner);

/** The defects (current versions, or every version with history), optionally of one quarter's months; an assessor's offices' only. */
export async function listDefects(deps: ReadDeps, code: string, kind: DefectKind, filter: { quarter?: string; history?: boolean }) {
  const hospital = await hospitalNamed(deps.db, code);
  const rows = await defectVersions(deps.db, hospital.id, { kind });
  const latest = latestOf(rows);
  // a quarter's defects are those whose current version is booked in its months (a correction may move one)
  const months = filter.quarter ? new Set(periodsOf(filter.quarter).filter((p) => p.length === 7)) : null;
  const current = (r: DefectRow) => latest.get(`${r.kind}:${r.defectId}`)!;
  const shown = (r: DefectRow) => readsDefect(deps.caller.principal, current(r)) && (months === null || months.has(current(r).month));
  return (filter.history ? rows : [...latest.values()]).filter(shown).map(versionView);
}

/** One defect with every version; another office's is unknown to an assessor (404). */
export async function defectHistory(deps: ReadDeps, code: string, kind: DefectKind, id: string) {
  const hospital = await hospitalNamed(deps.db, code);
  const rows = await defectVersions(deps.db, hospital.id, { kind, defectId: id });
  if (rows.length === 0 || !readsDefect(deps.caller.principal, rows.at(-1)!)) throw defectNotFound(kind, id);
  return { id, kind, versions: rows.map(versionView) };
}

/** Every version of the hospital's scorecards, oldest first. */
export async function listScorecards(deps: { db: Db }, code: string) {
  const hospital = await hospitalNamed(deps.db, code);
  return (await listScorecardVersions(deps.db, hospital.id)).map((v) => ({
    effectiveFrom: v.effectiveFrom,
    scorecards: v.scorecards as ScorecardInput[],
    owners: v.owners as string[],
    by: v.actor,
    at: v.createdAt.toISOString(),
  }));
}
