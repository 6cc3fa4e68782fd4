-- Change notifications for the subgraphs' read caches (subgraphs/shared/src/read-cache.ts): every
-- committed change to a domain table, whatever made it (a request, a follower, a periodic task, SQL
-- by hand), tells each service's one LISTEN connection which table changed for which tenant:
-- channel mes_changed, payload '<table> <organizationId> <plantId>' (either may be empty: every
-- organization or plant). PostgreSQL delivers it after the commit, once per distinct payload per
-- transaction, so a bulk write is a handful of notifications, not one per row.
CREATE OR REPLACE FUNCTION mes_announce_change(tbl text, org text, plant text) RETURNS void LANGUAGE sql AS $$
  SELECT pg_notify('mes_changed', tbl || ' ' || coalesce(org, '') || ' ' || coalesce(plant, ''))
$$;

-- The audit trigger: one AuditLog row per changed row, in the same transaction as the change, and
-- the change notification. Who and which mutation come from session settings that @mes/shared
-- sets for each request. Every entry carries the tenant of the row it describes: its own
-- organizationId and plantId, or, for a child table without them, its parent's, named by the
-- trigger's arguments:
--   CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON "Child" FOR EACH ROW
--     EXECUTE FUNCTION mes_audit('Parent', 'parentId');
CREATE OR REPLACE FUNCTION mes_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  r jsonb := coalesce(new_row, old_row);
  org uuid := (r->>'organizationId')::uuid;
  plant uuid := CASE WHEN TG_TABLE_NAME = 'Plant' THEN r->>'id' ELSE r->>'plantId' END::uuid;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  IF TG_NARGS = 2 AND plant IS NULL THEN
    EXECUTE format('SELECT "organizationId", "plantId" FROM %I WHERE id = $1', TG_ARGV[0]) INTO org, plant USING (r->>TG_ARGV[1])::uuid;
  END IF;
  org := coalesce(org, nullif(current_setting('mes.organization_id', true), '')::uuid);
  INSERT INTO "AuditLog" ("organizationId", "plantId", "actor", "operation", "requestId", "entity", "entityId", "action", "before", "after")
  VALUES (
    org,
    plant,
    coalesce(nullif(current_setting('mes.actor', true), ''), 'system'),
    nullif(current_setting('mes.operation', true), ''),
    nullif(current_setting('mes.request_id', true), ''),
    TG_TABLE_NAME, r->>'id', TG_OP, old_row, new_row);
  -- A child row takes its parent's tenant as above; the old tenant too when a row moves.
  PERFORM mes_announce_change(TG_TABLE_NAME, org::text, plant::text);
  IF TG_OP = 'UPDATE' AND TG_NARGS = 0 AND (old_row->>'organizationId' IS DISTINCT FROM new_row->>'organizationId'
      OR old_row->>'plantId' IS DISTINCT FROM new_row->>'plantId') THEN
    PERFORM mes_announce_change(TG_TABLE_NAME, old_row->>'organizationId', old_row->>'plantId');
  END IF;
  RETURN NULL;
END $$;

-- The change notification of a table that is not audited (ReferenceEntity, the copies of other
-- subgraphs' reference data), and of TRUNCATE (statement level: every tenant).
CREATE OR REPLACE FUNCTION mes_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM mes_announce_change(TG_TABLE_NAME, NULL, NULL);
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM mes_announce_change(TG_TABLE_NAME, OLD."organizationId"::text, OLD."plantId"::text);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM mes_announce_change(TG_TABLE_NAME, NEW."organizationId"::text, NEW."plantId"::text);
  END IF;
  RETURN NULL;
END $$;

-- Attaches the audit trigger (and the TRUNCATE notification) to every domain table that lacks it
-- (the kit's own tables excepted).
CREATE OR REPLACE FUNCTION mes_attach_audit() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND c.relname NOT IN ('AuditLog', 'OutboxEvent', 'EventCursor', 'OutboxWatermark', 'IdempotencyKey', 'ReferenceEntity', '_prisma_migrations')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'mes_audit')
  LOOP
    EXECUTE format('CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION mes_audit()', t);
  END LOOP;
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'mes_audit')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'mes_truncated')
  LOOP
    EXECUTE format('CREATE TRIGGER mes_truncated AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION mes_changed()', t);
  END LOOP;
  -- The copies of other subgraphs' reference data are read by requests too.
  IF to_regclass('"ReferenceEntity"') IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = '"ReferenceEntity"'::regclass AND g.tgname = 'mes_changed') THEN
    CREATE TRIGGER mes_changed AFTER INSERT OR UPDATE OR DELETE ON "ReferenceEntity" FOR EACH ROW EXECUTE FUNCTION mes_changed();
    CREATE TRIGGER mes_truncated AFTER TRUNCATE ON "ReferenceEntity" FOR EACH STATEMENT EXECUTE FUNCTION mes_changed();
  END IF;
END $$;

SELECT mes_attach_audit();
