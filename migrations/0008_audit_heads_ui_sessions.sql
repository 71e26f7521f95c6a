CREATE TABLE "audit_heads" (
	"hospital_id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ui_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "audit_heads" ADD CONSTRAINT "audit_heads_hospital_id_hospitals_id_fk" FOREIGN KEY ("hospital_id") REFERENCES "public"."hospitals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The chain's anchor: every inserted event moves its hospital's head to it. Deleting events (even
-- with audit_events' own triggers disabled) leaves the head where it was, so /audit/verify sees
-- a chain that ends before its head, or a head with no chain.
CREATE FUNCTION audit_heads_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_heads (hospital_id, seq, hash) VALUES (NEW.hospital_id, NEW.seq, NEW.hash)
  ON CONFLICT (hospital_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash WHERE audit_heads.seq < EXCLUDED.seq;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_heads_follow();
--> statement-breakpoint
-- A head only moves forward: no rewinding it to match a truncated chain, no removing it.
CREATE FUNCTION audit_heads_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.hospital_id = OLD.hospital_id AND NEW.seq > OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_heads only moves forward: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_heads_no_rewind BEFORE UPDATE ON audit_heads FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only();
--> statement-breakpoint
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only();
--> statement-breakpoint
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads FOR EACH STATEMENT EXECUTE FUNCTION audit_heads_forward_only();
--> statement-breakpoint
INSERT INTO audit_heads (hospital_id, seq, hash)
  SELECT DISTINCT ON (hospital_id) hospital_id, seq, hash FROM audit_events ORDER BY hospital_id, seq DESC;
--> statement-breakpoint
-- A new API key's token was kept in the idempotency store to replay its creation: no longer.
UPDATE idempotency_keys
  SET response = (response - 'token') || '{"note": "this is a replay of an earlier request with the same Idempotency-Key: the secret it created was shown in the first answer only and is not shown again"}'::jsonb
  WHERE jsonb_typeof(response) = 'object' AND response ? 'token';
