ALTER TABLE "individual_lines" ALTER COLUMN "input_record" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "settlement_runs" ALTER COLUMN "inputs" SET DATA TYPE json;--> statement-breakpoint
-- lz4 compresses a run's 10,000-person input document several times faster than the default
-- pglz; PGlite (and a PostgreSQL built without lz4) keeps the default
DO $$ BEGIN
  ALTER TABLE "settlement_runs" ALTER COLUMN "inputs" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN NULL;
END $$;
