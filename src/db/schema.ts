import { sql } from 'drizzle-orm';
import { EMPLOYMENTS, ROLES as STAFF_ROLES } from '../core/schema.js';
import { json, bigint, bigserial, boolean, index, integer, jsonb, numeric, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * The service's tables. Money and every other decimal are `numeric` (read as strings and turned
 * into Decimal in src/db/decimal.ts only); input decimals are unconstrained `numeric`, which keeps
 * the scale they were given ("0.60" stays "0.60"); result money is numeric(20,2), result scores
 * numeric(40,6) — exactly the strings of the result document.
 */
/** Closed sets of values a column holds (drizzle's text enums: the type says which, the column stays text). */
/** The roles of an API key (src/shared/principal.ts says what each may do). */
export const KEY_ROLES = ['admin', 'finance', 'dept_head', 'auditor', 'assessor'] as const;
export const RUN_KINDS = ['quarterly', 'annual'] as const;
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'approved', 'superseded'] as const;
export const REVIEW_STATUSES = ['pending', 'acknowledged', 'disputed'] as const;
const DEPARTMENT_KINDS = ['clinical', 'admin'] as const;

const money = (name: string) => numeric(name, { precision: 20, scale: 2 });
const score = (name: string) => numeric(name, { precision: 40, scale: 6 });
const decimal = (name: string) => numeric(name);
const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

export const hospitals = pgTable('hospitals', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Scheme parameter overrides, versioned: a version applies from its period on (YYYYQn). */
export const schemeVersions = pgTable(
  'scheme_versions',
  {
    id: serial('id').primaryKey(),
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    effectiveFrom: text('effective_from').notNull(),
    parameters: jsonb('parameters').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('scheme_versions_hospital_period').on(t.hospitalId, t.effectiveFrom)],
);

export const departments = pgTable(
  'departments',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: DEPARTMENT_KINDS }).notNull(),
    adminClass: text('admin_class'),
    riskCoefficient: decimal('risk_coefficient').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.code] })],
);

export const staff = pgTable(
  'staff',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    staffId: text('staff_id').notNull(),
    name: text('name').notNull(),
    department: text('department').notNull(),
    titleGrade: text('title_grade').notNull(),
    position: text('position'),
    employment: text('employment', { enum: EMPLOYMENTS }).notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    licensed: boolean('licensed'),
    payRatioOverride: decimal('pay_ratio_override'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.staffId] })],
);

/** A quarter's hospital figures (全院当季医疗总收入, 规定上班天数, 调节). */
export const quarterInputs = pgTable(
  'quarter_inputs',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    period: text('period').notNull(),
    revenue: decimal('revenue').notNull(),
    workingDays: integer('working_days').notNull(),
    adjustment: decimal('adjustment'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.period] })],
);

export const departmentInputs = pgTable(
  'department_inputs',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    period: text('period').notNull(),
    department: text('department').notNull(),
    workload: jsonb('workload'),
    qualityMedical: decimal('quality_medical'),
    qualityNursing: decimal('quality_nursing'),
    qualityInfectionControl: decimal('quality_infection_control'),
    ethicsDeductions: decimal('ethics_deductions'),
    medicalRevenue: decimal('medical_revenue'),
    drugRevenue: decimal('drug_revenue'),
    totalCost: decimal('total_cost'),
    variableCost: decimal('variable_cost'),
    costQuotaRatio: decimal('cost_quota_ratio'),
    outpatientFeeActual: decimal('outpatient_fee_actual'),
    outpatientFeeTarget: decimal('outpatient_fee_target'),
    inpatientFeeActual: decimal('inpatient_fee_actual'),
    inpatientFeeTarget: decimal('inpatient_fee_target'),
    drugRatioTarget: decimal('drug_ratio_target'),
    inventoryLoss: decimal('inventory_loss'),
    adminDeductions: decimal('admin_deductions'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.period, t.department] })],
);

export const individualInputs = pgTable(
  'individual_inputs',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    period: text('period').notNull(),
    staffId: text('staff_id').notNull(),
    workloadScore: decimal('workload_score'),
    errors: integer('errors'),
    accident: boolean('accident'),
    ethicsDeduction: decimal('ethics_deduction'),
    ethicsZero: boolean('ethics_zero'),
    lateOver5: integer('late_over5'),
    lateOver30: integer('late_over30'),
    absentHalfDays: integer('absent_half_days'),
    absentFullDays: integer('absent_full_days'),
    requiredDays: integer('required_days'),
    absentDays: integer('absent_days'),
    overtimeDays: integer('overtime_days'),
    /** integer or decimal string in the input; kept as text to read back exactly as given. */
    cmeCredits: text('cme_credits'),
    refusedTraining: boolean('refused_training'),
    studyLeaveMonths: text('study_leave_months'),
    department: text('department'),
    managerAssessmentPassed: boolean('manager_assessment_passed'),
    fines: decimal('fines'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.period, t.staffId] })],
);

/** The year-end inputs: the annual adjustment, per-department factors and failed staff. */
export const annualInputs = pgTable(
  'annual_inputs',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    year: integer('year').notNull(),
    adjustment: decimal('adjustment'),
    departments: jsonb('departments').notNull(),
    failedStaff: jsonb('failed_staff').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.year] })],
);

/**
 * A settlement run. `inputs` is the exact scenario document the engine settled and
 * `opening_bank` the bank it started from, so a run can always be explained and recomputed.
 * The partial unique indexes are the database's own guarantee: at most one queued or running
 * run, and at most one approved run, per hospital and period.
 */
export const settlementRuns = pgTable(
  'settlement_runs',
  {
    id: uuid('id').primaryKey(),
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    period: text('period').notNull(),
    kind: text('kind', { enum: RUN_KINDS }).notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    error: jsonb('error'),
    schemeVersionId: integer('scheme_version_id').references(() => schemeVersions.id),
    inputHash: text('input_hash'),
    // json, not jsonb: the exact text written, and several times cheaper to store for a
    // 10,000-person document (nothing queries inside it)
    inputs: json('inputs'),
    openingBank: jsonb('opening_bank'),
    summary: jsonb('summary'),
    warnings: jsonb('warnings'),
    /** A year-end's dispute flags (disputes-and-awards §4), when the hospital has disputes. */
    flags: jsonb('flags'),
    attempts: integer('attempts').notNull().default(0),
    requestedBy: text('requested_by').notNull(),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true, precision: 3 }),
    approvalOverrideReason: text('approval_override_reason'),
    supersededBy: uuid('superseded_by'),
    /** An assessed run's assessment block and the defects and values behind it (assessment.md §4). */
    assessment: jsonb('assessment'),
  },
  (t) => [
    index('settlement_runs_hospital_period').on(t.hospitalId, t.period),
    uniqueIndex('settlement_runs_one_active').on(t.hospitalId, t.period).where(sql`status in ('queued', 'running')`),
    uniqueIndex('settlement_runs_one_approved').on(t.hospitalId, t.period).where(sql`status = 'approved'`),
  ],
);

export const departmentLines = pgTable(
  'department_lines',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => settlementRuns.id),
    department: text('department').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: DEPARTMENT_KINDS }).notNull(),
    headcount: integer('headcount').notNull(),
    score: score('score').notNull(),
    riskCoefficient: score('risk_coefficient').notNull(),
    gross: money('gross').notNull(),
    penaltyCostQuota: money('penalty_cost_quota').notNull(),
    penaltyOutpatientFee: money('penalty_outpatient_fee').notNull(),
    penaltyInpatientFee: money('penalty_inpatient_fee').notNull(),
    penaltyDrugRatio: money('penalty_drug_ratio').notNull(),
    penaltyInventoryLoss: money('penalty_inventory_loss').notNull(),
    penaltyTotal: money('penalty_total').notNull(),
    net: money('net').notNull(),
    cap: money('cap'),
    bankDeposit: money('bank_deposit').notNull(),
    bankDraw: money('bank_draw').notNull(),
    floorSubsidy: money('floor_subsidy').notNull(),
    final: money('final').notNull(),
    bankBalanceAfter: money('bank_balance_after').notNull(),
    workloadScore: score('workload_score'),
    qualityScore: score('quality_score'),
    ethicsScore: score('ethics_score'),
    costCoefficient: score('cost_coefficient'),
    basePerCapita: score('base_per_capita'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.department] })],
);

export const individualLines = pgTable(
  'individual_lines',
  {
    /**
     * The run: checked once per statement by the database (migration 0007), not by a foreign key,
     * whose row-by-row check cost a 10,000-line run a seventh of its settlement time.
     */
    runId: uuid('run_id').notNull(),
    staffId: text('staff_id').notNull(),
    name: text('name').notNull(),
    department: text('department').notNull(),
    titlePoints: score('title_points'),
    positionPoints: score('position_points'),
    workloadPoints: score('workload_points'),
    qualityPoints: score('quality_points'),
    ethicsPoints: score('ethics_points'),
    disciplinePoints: score('discipline_points'),
    penaltyPoints: score('penalty_points'),
    rawScore: score('raw_score').notNull(),
    attendanceDeduction: score('attendance_deduction').notNull(),
    overtimeAddition: score('overtime_addition').notNull(),
    payRatio: score('pay_ratio').notNull(),
    effectiveScore: score('effective_score').notNull(),
    tier2Pay: money('tier2_pay').notNull(),
    leaderBonus: money('leader_bonus').notNull(),
    studyLeavePay: money('study_leave_pay').notNull(),
    finesApplied: money('fines_applied').notNull(),
    total: money('total').notNull(),
    /** The person's individual record as the run settled it (null: no record, every default). */
    inputRecord: json('input_record'),
    /** The quarter's dispute liabilities in this person's fines, and by dispute (null without disputes). */
    disputeFines: money('dispute_fines'),
    disputeItems: json('dispute_items'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.staffId] }), index('individual_lines_department').on(t.runId, t.department)],
);

export const annualDepartmentLines = pgTable(
  'annual_department_lines',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => settlementRuns.id),
    department: text('department').notNull(),
    name: text('name').notNull(),
    score: score('score').notNull(),
    amount: money('amount').notNull(),
    bankExpired: money('bank_expired').notNull(),
    riskAward: money('risk_award'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.department] })],
);

export const annualIndividualLines = pgTable(
  'annual_individual_lines',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => settlementRuns.id),
    staffId: text('staff_id').notNull(),
    department: text('department').notNull(),
    name: text('name').notNull(),
    weight: score('weight').notNull(),
    amount: money('amount').notNull(),
    riskAward: money('risk_award'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.staffId, t.department] })],
);

/** Each department's bank balance per year, as of the latest approved quarter. */
export const bankBalances = pgTable(
  'bank_balances',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    year: integer('year').notNull(),
    department: text('department').notNull(),
    balance: money('balance').notNull(),
    asOfPeriod: text('as_of_period').notNull(),
    runId: uuid('run_id')
      .notNull()
      .references(() => settlementRuns.id),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.year, t.department] })],
);

/**
 * The audit trail: append-only (a trigger rejects UPDATE and DELETE, see the migrations) and
 * hash-chained per hospital: hash = SHA-256(previous hash + the event's canonical JSON).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    occurredAt: text('occurred_at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityKey: text('entity_key').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [uniqueIndex('audit_events_hospital_seq').on(t.hospitalId, t.seq), index('audit_events_hospital_entity').on(t.hospitalId, t.entityType)],
);

/**
 * Each hospital's audit chain head: the last event's seq and hash, kept by a trigger on every
 * event insert (migration 0008). It is the chain's anchor: events deleted from the chain's end,
 * or a chain deleted whole, leave a head that no longer matches, which /audit/verify reports.
 * A trigger of its own lets it only move forward, and refuses DELETE and TRUNCATE.
 */
export const auditHeads = pgTable('audit_heads', {
  hospitalId: integer('hospital_id')
    .primaryKey()
    .references(() => hospitals.id),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/**
 * Sessions of the review pages (/ui): the browser holds a random session id; only its SHA-256 is
 * stored here, with the hash of the API key it signed in with (looked up again on every page, so
 * a revoked key ends its sessions). A session expires, and signing out revokes it.
 */
export const uiSessions = pgTable('ui_sessions', {
  idHash: text('id_hash').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
});

/**
 * API keys: a role, one hospital, and for department heads their departments. Only the SHA-256
 * of the token is stored (tokens carry 256 bits of randomness, so a fast hash is enough); the
 * prefix lets people tell their keys apart. Revocation takes effect on the next call.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    role: text('role', { enum: KEY_ROLES }).notNull(),
    departments: jsonb('departments').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    tokenPrefix: text('token_prefix').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('api_keys_hospital').on(t.hospitalId)],
);

/** A department head's review of a succeeded run for their department: acknowledged or disputed. */
export const settlementReviews = pgTable(
  'settlement_reviews',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => settlementRuns.id),
    department: text('department').notNull(),
    status: text('status', { enum: REVIEW_STATUSES }).notNull(),
    reason: text('reason'),
    actor: text('actor').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.department] })],
);

/**
 * Idempotency keys of POST requests: the first answer to a (caller, key) is kept and replayed to
 * a retry with the same body; the same key with another body is refused.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    actor: text('actor').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.actor, t.key] })],
);

/**
 * Medical disputes (disputes-and-awards.md §1), one row per version: a correction adds a
 * version, never changes one. The current record is the highest version.
 */
export const disputes = pgTable(
  'disputes',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    disputeId: text('dispute_id').notNull(),
    version: integer('version').notNull(),
    bookedIn: text('booked_in').notNull(),
    record: jsonb('record').notNull(),
    reason: text('reason'),
    actor: text('actor').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.disputeId, t.version] }), index('disputes_booked_in').on(t.hospitalId, t.bookedIn)],
);

/** The flags of each person (or department) and year, as the engine derives them from the year's disputes. */
export const disputeFlags = pgTable(
  'dispute_flags',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    year: integer('year').notNull(),
    staffId: text('staff_id'),
    department: text('department'),
    flag: text('flag').notNull(),
    disputeId: text('dispute_id').notNull(),
  },
  (t) => [index('dispute_flags_year').on(t.hospitalId, t.year)],
);

/**
 * What became of an assessment defect's version: booked (the first), corrected (a new version with
 * a reason), withdrawn (stops counting) or overturned (stops counting: an appeal succeeded).
 */
export const DEFECT_STATUSES = ['booked', 'corrected', 'withdrawn', 'overturned'] as const;
export const DEFECT_KINDS = ['department', 'personal'] as const;

/**
 * The scorecards (assessment.md §1.1), versioned like the scheme: a version is the whole list,
 * in force from its quarter on; `owners` lists the functional departments that score its leaves.
 */
export const scorecardVersions = pgTable(
  'scorecard_versions',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    effectiveFrom: text('effective_from').notNull(),
    scorecards: jsonb('scorecards').notNull(),
    owners: jsonb('owners').notNull(),
    actor: text('actor').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.effectiveFrom] })],
);

/** A leaf's raw figure for one department and cadence period (YYYY-MM, YYYYQn or YYYY), with who wrote it and when. */
export const indicatorValues = pgTable(
  'indicator_values',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    indicator: text('indicator').notNull(),
    department: text('department').notNull(),
    period: text('period').notNull(),
    value: decimal('value').notNull(),
    actor: text('actor').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.indicator, t.department, t.period] }), index('indicator_values_period').on(t.hospitalId, t.period)],
);

/**
 * Department and personal defects (assessment.md §1.4), one row per version as disputes are: a
 * correction or a withdrawal adds a version, nothing is updated or deleted. The current record is
 * the highest version; a withdrawn one no longer counts.
 */
export const assessmentDefects = pgTable(
  'assessment_defects',
  {
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    kind: text('kind', { enum: DEFECT_KINDS }).notNull(),
    defectId: text('defect_id').notNull(),
    version: integer('version').notNull(),
    month: text('month').notNull(),
    owner: text('owner').notNull(),
    /** The department (a department defect) or the staff id (a personal one) it is booked against. */
    subject: text('subject').notNull(),
    status: text('status', { enum: DEFECT_STATUSES }).notNull(),
    record: jsonb('record').notNull(),
    reason: text('reason'),
    actor: text('actor').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.hospitalId, t.kind, t.defectId, t.version] }), index('assessment_defects_month').on(t.hospitalId, t.month)],
);

/** An appeal's state: open until an admin decides it, then upheld (the defect stands) or overturned (it stops counting). */
export const APPEAL_STATUSES = ['open', 'upheld', 'overturned'] as const;

/**
 * Appeals (申诉) of assessment defects: a department head's, with a reason, against a defect booked
 * against their department or people; an admin's decision, with a reason. At most one open appeal
 * a defect. An overturned defect gets a new version (the defects stay append-only).
 */
export const assessmentAppeals = pgTable(
  'assessment_appeals',
  {
    id: uuid('id').primaryKey(),
    hospitalId: integer('hospital_id')
      .notNull()
      .references(() => hospitals.id),
    kind: text('kind', { enum: DEFECT_KINDS }).notNull(),
    defectId: text('defect_id').notNull(),
    /** The defect's version appealed against, and its month (which quarter the appeal holds up). */
    defectVersion: integer('defect_version').notNull(),
    month: text('month').notNull(),
    /** The department appealing: the defect's department, or the department of the person it is booked against. */
    department: text('department').notNull(),
    reason: text('reason').notNull(),
    appellant: text('appellant').notNull(),
    createdAt: createdAt(),
    status: text('status', { enum: APPEAL_STATUSES }).notNull(),
    decisionReason: text('decision_reason'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('assessment_appeals_month').on(t.hospitalId, t.month), uniqueIndex('assessment_appeals_one_open').on(t.hospitalId, t.kind, t.defectId).where(sql`status = 'open'`)],
);
