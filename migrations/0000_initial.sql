CREATE TABLE "annual_department_lines" (
	"run_id" uuid NOT NULL,
	"department" text NOT NULL,
	"name" text NOT NULL,
	"score" numeric(40, 6) NOT NULL,
	"amount" numeric(20, 2) NOT NULL,
	"bank_expired" numeric(20, 2) NOT NULL,
	CONSTRAINT "annual_department_lines_run_id_department_pk" PRIMARY KEY("run_id","department")
);
--> statement-breakpoint
CREATE TABLE "annual_individual_lines" (
	"run_id" uuid NOT NULL,
	"staff_id" text NOT NULL,
	"department" text NOT NULL,
	"name" text NOT NULL,
	"weight" numeric(40, 6) NOT NULL,
	"amount" numeric(20, 2) NOT NULL,
	CONSTRAINT "annual_individual_lines_run_id_staff_id_department_pk" PRIMARY KEY("run_id","staff_id","department")
);
--> statement-breakpoint
CREATE TABLE "annual_inputs" (
	"hospital_id" integer NOT NULL,
	"year" integer NOT NULL,
	"adjustment" numeric,
	"departments" jsonb NOT NULL,
	"failed_staff" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annual_inputs_hospital_id_year_pk" PRIMARY KEY("hospital_id","year")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hospital_id" integer NOT NULL,
	"seq" bigint NOT NULL,
	"occurred_at" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_key" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_balances" (
	"hospital_id" integer NOT NULL,
	"year" integer NOT NULL,
	"department" text NOT NULL,
	"balance" numeric(20, 2) NOT NULL,
	"as_of_period" text NOT NULL,
	"run_id" uuid NOT NULL,
	CONSTRAINT "bank_balances_hospital_id_year_department_pk" PRIMARY KEY("hospital_id","year","department")
);
--> statement-breakpoint
CREATE TABLE "department_inputs" (
	"hospital_id" integer NOT NULL,
	"period" text NOT NULL,
	"department" text NOT NULL,
	"workload" jsonb,
	"quality_medical" numeric,
	"quality_nursing" numeric,
	"quality_infection_control" numeric,
	"ethics_deductions" numeric,
	"medical_revenue" numeric,
	"drug_revenue" numeric,
	"total_cost" numeric,
	"variable_cost" numeric,
	"cost_quota_ratio" numeric,
	"outpatient_fee_actual" numeric,
	"outpatient_fee_target" numeric,
	"inpatient_fee_actual" numeric,
	"inpatient_fee_target" numeric,
	"drug_ratio_target" numeric,
	"inventory_loss" numeric,
	"admin_deductions" numeric,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "department_inputs_hospital_id_period_department_pk" PRIMARY KEY("hospital_id","period","department")
);
--> statement-breakpoint
CREATE TABLE "department_lines" (
	"run_id" uuid NOT NULL,
	"department" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"headcount" integer NOT NULL,
	"score" numeric(40, 6) NOT NULL,
	"risk_coefficient" numeric(40, 6) NOT NULL,
	"gross" numeric(20, 2) NOT NULL,
	"penalty_cost_quota" numeric(20, 2) NOT NULL,
	"penalty_outpatient_fee" numeric(20, 2) NOT NULL,
	"penalty_inpatient_fee" numeric(20, 2) NOT NULL,
	"penalty_drug_ratio" numeric(20, 2) NOT NULL,
	"penalty_inventory_loss" numeric(20, 2) NOT NULL,
	"penalty_total" numeric(20, 2) NOT NULL,
	"net" numeric(20, 2) NOT NULL,
	"cap" numeric(20, 2),
	"bank_deposit" numeric(20, 2) NOT NULL,
	"bank_draw" numeric(20, 2) NOT NULL,
	"floor_subsidy" numeric(20, 2) NOT NULL,
	"final" numeric(20, 2) NOT NULL,
	"bank_balance_after" numeric(20, 2) NOT NULL,
	"workload_score" numeric(40, 6),
	"quality_score" numeric(40, 6),
	"ethics_score" numeric(40, 6),
	"cost_coefficient" numeric(40, 6),
	"base_per_capita" numeric(40, 6),
	CONSTRAINT "department_lines_run_id_department_pk" PRIMARY KEY("run_id","department")
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"hospital_id" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"admin_class" text,
	"risk_coefficient" numeric NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "departments_hospital_id_code_pk" PRIMARY KEY("hospital_id","code")
);
--> statement-breakpoint
CREATE TABLE "hospitals" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hospitals_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "individual_inputs" (
	"hospital_id" integer NOT NULL,
	"period" text NOT NULL,
	"staff_id" text NOT NULL,
	"workload_score" numeric,
	"errors" integer,
	"accident" boolean,
	"ethics_deduction" numeric,
	"ethics_zero" boolean,
	"late_over5" integer,
	"late_over30" integer,
	"absent_half_days" integer,
	"absent_full_days" integer,
	"required_days" integer,
	"absent_days" integer,
	"overtime_days" integer,
	"cme_credits" text,
	"refused_training" boolean,
	"study_leave_months" text,
	"department" text,
	"manager_assessment_passed" boolean,
	"fines" numeric,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "individual_inputs_hospital_id_period_staff_id_pk" PRIMARY KEY("hospital_id","period","staff_id")
);
--> statement-breakpoint
CREATE TABLE "individual_lines" (
	"run_id" uuid NOT NULL,
	"staff_id" text NOT NULL,
	"name" text NOT NULL,
	"department" text NOT NULL,
	"title_points" numeric(40, 6),
	"position_points" numeric(40, 6),
	"workload_points" numeric(40, 6),
	"quality_points" numeric(40, 6),
	"ethics_points" numeric(40, 6),
	"discipline_points" numeric(40, 6),
	"penalty_points" numeric(40, 6),
	"raw_score" numeric(40, 6) NOT NULL,
	"attendance_deduction" numeric(40, 6) NOT NULL,
	"overtime_addition" numeric(40, 6) NOT NULL,
	"pay_ratio" numeric(40, 6) NOT NULL,
	"effective_score" numeric(40, 6) NOT NULL,
	"tier2_pay" numeric(20, 2) NOT NULL,
	"leader_bonus" numeric(20, 2) NOT NULL,
	"study_leave_pay" numeric(20, 2) NOT NULL,
	"fines_applied" numeric(20, 2) NOT NULL,
	"total" numeric(20, 2) NOT NULL,
	CONSTRAINT "individual_lines_run_id_staff_id_pk" PRIMARY KEY("run_id","staff_id")
);
--> statement-breakpoint
CREATE TABLE "quarter_inputs" (
	"hospital_id" integer NOT NULL,
	"period" text NOT NULL,
	"revenue" numeric NOT NULL,
	"working_days" integer NOT NULL,
	"adjustment" numeric,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quarter_inputs_hospital_id_period_pk" PRIMARY KEY("hospital_id","period")
);
--> statement-breakpoint
CREATE TABLE "scheme_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"hospital_id" integer NOT NULL,
	"effective_from" text NOT NULL,
	"parameters" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"hospital_id" integer NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"error" jsonb,
	"scheme_version_id" integer,
	"input_hash" text,
	"inputs" jsonb,
	"opening_bank" jsonb,
	"summary" jsonb,
	"warnings" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	"approved_by" text,
	"approved_at" timestamp (3) with time zone,
	"superseded_by" uuid
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"hospital_id" integer NOT NULL,
	"staff_id" text NOT NULL,
	"name" text NOT NULL,
	"department" text NOT NULL,
	"title_grade" text NOT NULL,
	"position" text,
	"employment" text NOT NULL,
	"role" text NOT NULL,
	"licensed" boolean,
	"pay_ratio_override" numeric,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_hospital_id_staff_id_pk" PRIMARY KEY("hospital_id","staff_id")
);
--> statement-breakpoint
ALTER TABLE "annual_department_lines" ADD CONSTRAINT "annual_department_lines_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annual_individual_lines" ADD CONSTRAINT "annual_individual_lines_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annual_inputs" ADD CONSTRAINT "annual_inputs_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_balances" ADD CONSTRAINT "bank_balances_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_balances" ADD CONSTRAINT "bank_balances_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_inputs" ADD CONSTRAINT "department_inputs_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_lines" ADD CONSTRAINT "department_lines_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "individual_inputs" ADD CONSTRAINT "individual_inputs_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "individual_lines" ADD CONSTRAINT "individual_lines_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quarter_inputs" ADD CONSTRAINT "quarter_inputs_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheme_versions" ADD CONSTRAINT "scheme_versions_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD CONSTRAINT "settlement_runs_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD CONSTRAINT "settlement_runs_scheme_version_id_scheme_versions_id_fk" FOREIGN KEY ("scheme_version_id") REFERENCES "public"."scheme_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_hospital_seq" ON "audit_events" USING btree ("hospital_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_hospital_entity" ON "audit_events" USING btree ("hospital_id","entity_type");--> statement-breakpoint
CREATE INDEX "individual_lines_department" ON "individual_lines" USING btree ("run_id","department");--> statement-breakpoint
CREATE UNIQUE INDEX "scheme_versions_hospital_period" ON "scheme_versions" USING btree ("hospital_id","effective_from");--> statement-breakpoint
CREATE INDEX "settlement_runs_hospital_period" ON "settlement_runs" USING btree ("hospital_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_runs_one_active" ON "settlement_runs" USING btree ("hospital_id","period") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_runs_one_approved" ON "settlement_runs" USING btree ("hospital_id","period") WHERE status = 'approved';