CREATE TABLE "dispute_flags" (
	"hospital_id" integer NOT NULL,
	"year" integer NOT NULL,
	"staff_id" text,
	"department" text,
	"flag" text NOT NULL,
	"dispute_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"hospital_id" integer NOT NULL,
	"dispute_id" text NOT NULL,
	"version" integer NOT NULL,
	"booked_in" text NOT NULL,
	"record" jsonb NOT NULL,
	"reason" text,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disputes_hospital_id_dispute_id_version_pk" PRIMARY KEY("hospital_id","dispute_id","version")
);
--> statement-breakpoint
ALTER TABLE "annual_department_lines" ADD COLUMN "risk_award" numeric(20, 2);--> statement-breakpoint
ALTER TABLE "annual_individual_lines" ADD COLUMN "risk_award" numeric(20, 2);--> statement-breakpoint
ALTER TABLE "individual_lines" ADD COLUMN "dispute_fines" numeric(20, 2);--> statement-breakpoint
ALTER TABLE "individual_lines" ADD COLUMN "dispute_items" json;--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD COLUMN "flags" jsonb;--> statement-breakpoint
ALTER TABLE "dispute_flags" ADD CONSTRAINT "dispute_flags_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dispute_flags_year" ON "dispute_flags" USING btree ("hospital_id","year");--> statement-breakpoint
CREATE INDEX "disputes_booked_in" ON "disputes" USING btree ("hospital_id","booked_in");