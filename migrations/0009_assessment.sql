CREATE TABLE "assessment_defects" (
	"hospital_id" integer NOT NULL,
	"kind" text NOT NULL,
	"defect_id" text NOT NULL,
	"version" integer NOT NULL,
	"month" text NOT NULL,
	"owner" text NOT NULL,
	"subject" text NOT NULL,
	"status" text NOT NULL,
	"record" jsonb NOT NULL,
	"reason" text,
	"actor" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assessment_defects_hospital_id_kind_defect_id_version_pk" PRIMARY KEY("hospital_id","kind","defect_id","version")
);
--> statement-breakpoint
CREATE TABLE "indicator_values" (
	"hospital_id" integer NOT NULL,
	"indicator" text NOT NULL,
	"department" text NOT NULL,
	"period" text NOT NULL,
	"value" numeric NOT NULL,
	"actor" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_values_hospital_id_indicator_department_period_pk" PRIMARY KEY("hospital_id","indicator","department","period")
);
--> statement-breakpoint
CREATE TABLE "scorecard_versions" (
	"hospital_id" integer NOT NULL,
	"effective_from" text NOT NULL,
	"scorecards" jsonb NOT NULL,
	"owners" jsonb NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scorecard_versions_hospital_id_effective_from_pk" PRIMARY KEY("hospital_id","effective_from")
);
--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD COLUMN "assessment" jsonb;--> statement-breakpoint
ALTER TABLE "assessment_defects" ADD CONSTRAINT "assessment_defects_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD CONSTRAINT "indicator_values_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scorecard_versions" ADD CONSTRAINT "scorecard_versions_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assessment_defects_month" ON "assessment_defects" USING btree ("hospital_id","month");--> statement-breakpoint
CREATE INDEX "indicator_values_period" ON "indicator_values" USING btree ("hospital_id","period");--> statement-breakpoint
-- A defect is never changed or removed: a correction or a withdrawal is a new version.
CREATE FUNCTION assessment_defects_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'assessment_defects is append-only (correct or withdraw a defect as a new version): % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER assessment_defects_no_update BEFORE UPDATE ON assessment_defects FOR EACH ROW EXECUTE FUNCTION assessment_defects_append_only();
--> statement-breakpoint
CREATE TRIGGER assessment_defects_no_delete BEFORE DELETE ON assessment_defects FOR EACH ROW EXECUTE FUNCTION assessment_defects_append_only();
