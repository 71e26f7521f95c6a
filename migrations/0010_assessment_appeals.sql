CREATE TABLE "assessment_appeals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"hospital_id" integer NOT NULL,
	"kind" text NOT NULL,
	"defect_id" text NOT NULL,
	"defect_version" integer NOT NULL,
	"month" text NOT NULL,
	"department" text NOT NULL,
	"reason" text NOT NULL,
	"appellant" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"decision_reason" text,
	"decided_by" text,
	"decided_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "assessment_appeals" ADD CONSTRAINT "assessment_appeals_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assessment_appeals_month" ON "assessment_appeals" USING btree ("hospital_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_appeals_one_open" ON "assessment_appeals" USING btree ("hospital_id","kind","defect_id") WHERE status = 'open';