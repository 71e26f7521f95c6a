import type { AnnualInput, DepartmentInput, DepartmentRecord, IndividualInput, PeriodInput, StaffRecord } from '../../core/schema.js';
import type { annualInputs, departmentInputs, departments, individualInputs, quarterInputs, staff } from '../../db/schema.js';

/**
 * The one translation between the scenario document's records and the database rows. Each pair
 * is exact both ways: a record written and read back is the record (absent optional fields stay
 * absent), so an import of the same document compares equal and changes nothing.
 */
type Row<T extends { $inferInsert: unknown }> = Omit<T['$inferInsert'], 'hospitalId' | 'updatedAt'>;
export type DepartmentRow = Row<typeof departments>;
export type StaffRow = Row<typeof staff>;
export type QuarterRow = Row<typeof quarterInputs>;
export type DepartmentInputRow = Row<typeof departmentInputs>;
export type IndividualInputRow = Row<typeof individualInputs>;
export type AnnualRow = Row<typeof annualInputs>;

const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
/** Drops null and undefined fields, so a row reads back as the record that was written. */
function present<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const key in o) if (o[key] !== null && o[key] !== undefined) out[key] = o[key];
  return out as T;
}

export function departmentToRow(d: DepartmentRecord): DepartmentRow {
  return { code: d.code, name: d.name, kind: d.kind, adminClass: opt(d.adminClass ?? undefined), riskCoefficient: d.riskCoefficient };
}

export function departmentFromRow(r: DepartmentRow): DepartmentRecord {
  return present({ code: r.code, name: r.name, kind: r.kind as DepartmentRecord['kind'], adminClass: r.adminClass as DepartmentRecord['adminClass'], riskCoefficient: r.riskCoefficient });
}

export function staffToRow(s: StaffRecord): StaffRow {
  return {
    staffId: s.id,
    name: s.name,
    department: s.department,
    titleGrade: s.titleGrade,
    position: opt(s.position ?? undefined),
    employment: s.employment,
    role: s.role,
    licensed: opt(s.licensed),
    payRatioOverride: opt(s.payRatioOverride ?? undefined),
  };
}

export function staffFromRow(r: StaffRow): StaffRecord {
  return {
    ...present({
      id: r.staffId,
      name: r.name,
      department: r.department,
      titleGrade: r.titleGrade as StaffRecord['titleGrade'],
      employment: r.employment as StaffRecord['employment'],
      role: r.role as StaffRecord['role'],
      licensed: r.licensed ?? undefined,
      payRatioOverride: r.payRatioOverride ?? undefined,
    }),
    position: (r.position ?? null) as StaffRecord['position'],
  };
}

export function quarterToRow(p: Pick<PeriodInput, 'period' | 'revenue' | 'workingDays' | 'adjustment'>): QuarterRow {
  return { period: p.period, revenue: p.revenue, workingDays: p.workingDays, adjustment: opt(p.adjustment ?? undefined) };
}

export function departmentInputToRow(period: string, d: DepartmentInput): DepartmentInputRow {
  const q = d.qualityDeductions;
  return {
    period,
    department: d.code,
    workload: opt(d.workload),
    qualityMedical: opt(q?.medical),
    qualityNursing: opt(q?.nursing),
    qualityInfectionControl: opt(q?.infectionControl),
    ethicsDeductions: opt(d.ethicsDeductions),
    medicalRevenue: opt(d.medicalRevenue),
    drugRevenue: opt(d.drugRevenue),
    totalCost: opt(d.totalCost),
    variableCost: opt(d.variableCost),
    costQuotaRatio: opt(d.costQuotaRatio),
    outpatientFeeActual: opt(d.outpatientFee?.actual),
    outpatientFeeTarget: opt(d.outpatientFee?.target),
    inpatientFeeActual: opt(d.inpatientFee?.actual),
    inpatientFeeTarget: opt(d.inpatientFee?.target),
    drugRatioTarget: opt(d.drugRatioTarget),
    inventoryLoss: opt(d.inventoryLoss),
    adminDeductions: opt(d.adminDeductions),
  };
}

export function departmentInputFromRow(r: DepartmentInputRow): DepartmentInput {
  const quality = present({ medical: r.qualityMedical, nursing: r.qualityNursing, infectionControl: r.qualityInfectionControl });
  const fee = (actual: string | null | undefined, target: string | null | undefined) => (actual != null && target != null ? { actual, target } : undefined);
  return present({
    code: r.department,
    workload: (r.workload ?? undefined) as DepartmentInput['workload'],
    qualityDeductions: Object.keys(quality).length > 0 ? (quality as DepartmentInput['qualityDeductions']) : undefined,
    ethicsDeductions: r.ethicsDeductions,
    medicalRevenue: r.medicalRevenue,
    drugRevenue: r.drugRevenue,
    totalCost: r.totalCost,
    variableCost: r.variableCost,
    costQuotaRatio: r.costQuotaRatio,
    outpatientFee: fee(r.outpatientFeeActual, r.outpatientFeeTarget),
    inpatientFee: fee(r.inpatientFeeActual, r.inpatientFeeTarget),
    drugRatioTarget: r.drugRatioTarget,
    inventoryLoss: r.inventoryLoss,
    adminDeductions: r.adminDeductions,
  }) as DepartmentInput;
}

const INDIVIDUAL_FIELDS = [
  'workloadScore',
  'errors',
  'accident',
  'ethicsDeduction',
  'ethicsZero',
  'lateOver5',
  'lateOver30',
  'absentHalfDays',
  'absentFullDays',
  'requiredDays',
  'absentDays',
  'overtimeDays',
  'refusedTraining',
  'department',
  'managerAssessmentPassed',
  'fines',
] as const;

/** cmeCredits and studyLeaveMonths may be a JSON integer or a decimal string: kept as JSON text. */
export function individualInputToRow(period: string, r: IndividualInput): IndividualInputRow {
  const row: Record<string, unknown> = { period, staffId: r.staffId };
  for (const f of INDIVIDUAL_FIELDS) row[f] = opt(r[f]);
  row.cmeCredits = r.cmeCredits === undefined ? null : JSON.stringify(r.cmeCredits);
  row.studyLeaveMonths = r.studyLeaveMonths === undefined ? null : JSON.stringify(r.studyLeaveMonths);
  return row as IndividualInputRow;
}

export function individualInputFromRow(row: IndividualInputRow): IndividualInput {
  const r = row as Record<string, unknown>;
  const out: Record<string, unknown> = { staffId: row.staffId };
  for (const f of INDIVIDUAL_FIELDS) if (r[f] !== null && r[f] !== undefined) out[f] = r[f];
  if (row.cmeCredits != null) out.cmeCredits = JSON.parse(row.cmeCredits);
  if (row.studyLeaveMonths != null) out.studyLeaveMonths = JSON.parse(row.studyLeaveMonths);
  return out as IndividualInput;
}

export function annualToRow(a: AnnualInput): AnnualRow {
  return { year: a.year, adjustment: opt(a.adjustment ?? undefined), departments: a.departments ?? [], failedStaff: a.failedStaff ?? [] };
}

export function annualFromRow(r: AnnualRow): AnnualInput {
  return present({
    year: r.year,
    adjustment: r.adjustment,
    departments: r.departments as AnnualInput['departments'],
    failedStaff: r.failedStaff as string[],
  }) as AnnualInput;
}

/** A stored row as an audit event shows it: the record's own fields, not the bookkeeping columns. */
export function auditable<T extends object | null | undefined>(row: T): Record<string, unknown> | null {
  if (!row) return null;
  const { hospitalId: _h, updatedAt: _u, ...fields } = row as Record<string, unknown>;
  return fields;
}
