CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"hospital_id" integer NOT NULL,
	"role" text NOT NULL,
	"departments" jsonb NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "settlement_reviews" (
	"run_id" uuid NOT NULL,
	"department" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"actor" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_reviews_run_id_department_pk" PRIMARY KEY("run_id","department")
);
--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD COLUMN "approval_override_reason" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_reviews" ADD CONSTRAINT "settlement_reviews_run_id_settlement_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."settlement_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_hospital" ON "api_keys" USING btree ("hospital_id");