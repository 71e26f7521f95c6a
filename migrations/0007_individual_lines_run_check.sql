ALTER TABLE "individual_lines" DROP CONSTRAINT "individual_lines_run_id_settlement_runs_id_fk";
--> statement-breakpoint
-- A result line must name an existing run, as the foreign key dropped above required; it is now
-- checked once per statement over the statement's rows (a run's 10,000 lines arrive in one COPY)
-- instead of by one lookup per row. As the key's check did, one query both finds the runs named
-- and locks them FOR KEY SHARE, so a run found is a run locked: a concurrent delete of it waits
-- for the lines' transaction, and a run not yet committed is not found.
CREATE FUNCTION individual_lines_check_run() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  named integer;
  locked integer;
  missing uuid;
BEGIN
  SELECT count(DISTINCT a.run_id) INTO named FROM added a;
  SELECT count(*) INTO locked FROM (
    SELECT 1 FROM settlement_runs r WHERE r.id IN (SELECT a.run_id FROM added a) FOR KEY SHARE OF r
  ) found;
  IF locked < named THEN
    SELECT a.run_id INTO missing FROM added a
      WHERE NOT EXISTS (SELECT 1 FROM settlement_runs r WHERE r.id = a.run_id) LIMIT 1;
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
-- ... and a run with lines cannot be removed or renumbered (the key's ON DELETE / ON UPDATE NO
-- ACTION). A settled run (succeeded, approved, superseded) is refused outright: its lines were
-- written in the transaction that set its status, so even a transaction whose snapshot predates
-- those lines (REPEATABLE READ) cannot delete it. To empty the tables, truncate individual_lines
-- first.
CREATE FUNCTION settlement_runs_keep_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM individual_lines) THEN
      RAISE EXCEPTION 'cannot truncate settlement_runs: individual_lines refers to its runs (truncate individual_lines first)'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'individual_lines_run_check';
    END IF;
    RETURN NULL;
  END IF;
  IF OLD.status IN ('succeeded', 'approved', 'superseded') OR EXISTS (SELECT 1 FROM individual_lines l WHERE l.run_id = OLD.id) THEN
    RAISE EXCEPTION '% on table "settlement_runs" violates the run check: settlement run % is settled or has individual lines', TG_OP, OLD.id
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
