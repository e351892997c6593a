-- Custom migration (drizzle-kit generate --custom): the audit trail becomes append-only.
-- audit_events, audit_chain and audit_anchors refuse UPDATE, DELETE and TRUNCATE; the one way to
-- delete is the retention purge function audit_purge below. See docs/SECURITY.md "Tamper-evident
-- audit log" for what this protects against (accidents, the application role when migrations run
-- under a separate DATABASE_MIGRATION_URL role) and what it cannot (a database superuser).

-- The sealer looks for unchained events from the head event's xid upwards (chain.repo.ts).
CREATE INDEX IF NOT EXISTS "audit_events_xid_idx" ON "audit_events" USING btree ("xid");
--> statement-breakpoint
-- The retention purge: deletes a prefix of the chain (links and their events; personal values
-- follow by ON DELETE CASCADE) below the first link whose event is at or after `cutoff`. The head
-- link is always kept so new links continue from it. Returns how many events went (or would go,
-- with dry_run) and the cut (the first position kept). The caller records a 'purge' anchor with
-- purged_below = the cut in the same transaction (src/features/audit/chain/audit-purge.ts).
-- SECURITY DEFINER: it runs as its owner (the migration role), which the trigger checks.
CREATE FUNCTION audit_purge(cutoff timestamptz, dry_run boolean DEFAULT false)
RETURNS TABLE (events bigint, purged_below bigint)
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  head bigint;
  cut bigint;
  n bigint;
BEGIN
  SELECT max(c.position) INTO head FROM audit_chain c;
  IF head IS NULL THEN
    RETURN QUERY SELECT 0::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT min(c.position) INTO cut FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE e.at >= cutoff;
  cut := least(coalesce(cut, head), head);
  IF dry_run THEN
    SELECT count(*) INTO n FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE c.position < cut;
    RETURN QUERY SELECT n, cut;
    RETURN;
  END IF;
  -- lets audit_refuse_change() allow these deletes; transaction-local and switched off again below
  PERFORM set_config('crm.audit_purge', 'on', true);
  DELETE FROM audit_events e USING audit_chain c WHERE c.event_id = e.id AND c.position < cut;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM audit_chain c WHERE c.position < cut;
  PERFORM set_config('crm.audit_purge', 'off', true);
  RETURN QUERY SELECT n, cut;
END
$$;
--> statement-breakpoint
-- Pin the function's search_path to the schema the tables live in (and pg_temp last), as a
-- SECURITY DEFINER function must, so no one can shadow audit_events with their own table.
DO $$ BEGIN
  EXECUTE format('ALTER FUNCTION audit_purge(timestamptz, boolean) SET search_path = %I, pg_temp', current_schema());
END $$;
--> statement-breakpoint
-- Refuses every UPDATE and DELETE on the audit tables, except the deletes audit_purge makes:
-- those run with the transaction-local flag it sets AND as the role owning audit_purge (inside a
-- SECURITY DEFINER function current_user is its owner). With one database role for migrations and
-- runtime the flag only stops accidents; with a separate migration role (DATABASE_MIGRATION_URL)
-- the runtime role cannot pass the owner check, nor drop this trigger (only the owner can).
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  purge_owner name;
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('audit_events', 'audit_chain')
     AND current_setting('crm.audit_purge', true) = 'on' THEN
    SELECT pg_get_userbyid(p.proowner) INTO purge_owner FROM pg_proc p
      WHERE p.oid = to_regprocedure(quote_ident(TG_TABLE_SCHEMA) || '.audit_purge(timestamptz, boolean)');
    IF purge_owner IS NOT NULL AND current_user = purge_owner THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'old audit events are deleted only by the retention purge (audit_purge); personal values live in audit_personal_values, which stays deletable';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_anchors FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
-- TRUNCATE fires no row trigger: refuse it per statement.
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
