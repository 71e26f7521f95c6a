ALTER TABLE "individual_lines" DROP CONSTRAINT "individual_lines_run_id_settlement_runs_id_fk";
--> statement-breakpoint
-- A result line must name an existing run, as the foreign key dropped above required; it is now
-- checked once per statement over the statement's rows (a run's 10,000 lines arrive in one COPY)
-- instead of by one lookup per row. The runs named are locked FOR KEY SHARE, as the foreign key
-- locked them, so a concurrent delete of the run waits for the lines' transaction.
CREATE FUNCTION individual_lines_check_run() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing uuid;
BEGIN
  PERFORM 1 FROM settlement_runs r WHERE r.id IN (SELECT DISTINCT a.run_id FROM added a) FOR KEY SHARE;
  SELECT a.run_id INTO missing FROM (SELECT DISTINCT run_id FROM added) a
    WHERE NOT EXISTS (SELECT 1 FROM settlement_runs r WHERE r.id = a.run_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "individual_lines" violates the run check: settlement run % does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'individual_lines', COLUMN = 'run_id', CONSTRAINT = 'individual_lines_run_check';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER individual_lines_run_on_insert AFTER INSERT ON individual_lines REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION individual_lines_check_run();
--> statement-breakpoint
CREATE TRIGGER individual_lines_run_on_update AFTER UPDATE ON individual_lines REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION individual_lines_check_run();
--> statement-breakpoint
-- ... and a run with lines cannot be removed or renumbered (the foreign key's ON DELETE / ON UPDATE NO ACTION)
CREATE FUNCTION settlement_runs_keep_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM individual_lines) THEN
      RAISE EXCEPTION 'cannot truncate settlement_runs: individual_lines refers to its runs' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'individual_lines_run_check';
    END IF;
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM individual_lines l WHERE l.run_id = OLD.id) THEN
    RAISE EXCEPTION '% on table "settlement_runs" violates the run check: settlement run % still has individual lines', TG_OP, OLD.id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'settlement_runs', CONSTRAINT = 'individual_lines_run_check';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER settlement_runs_keep_lines_on_delete BEFORE DELETE ON settlement_runs FOR EACH ROW EXECUTE FUNCTION settlement_runs_keep_lines();
--> statement-breakpoint
CREATE TRIGGER settlement_runs_keep_lines_on_update BEFORE UPDATE OF id ON settlement_runs FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION settlement_runs_keep_lines();
--> statement-breakpoint
CREATE TRIGGER settlement_runs_keep_lines_on_truncate BEFORE TRUNCATE ON settlement_runs FOR EACH STATEMENT EXECUTE FUNCTION settlement_runs_keep_lines();
