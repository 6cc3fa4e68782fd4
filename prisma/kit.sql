-- The kit's SQL, the same in every subgraph's database: the audit trigger function and the
-- function that attaches it. `pnpm migration` appends this file to a new subgraph's first
-- migration, and ends every migration that creates a table with `SELECT mes_attach_audit();`.

-- The audit trigger: one AuditLog row per changed row, in the same transaction as the change.
-- Who and which mutation come from session settings that @mes/shared sets for each request.
-- Every entry carries the tenant of the row it describes: its own organizationId and plantId, or,
-- for a child table without them, its parent's, named by the trigger's arguments:
--   CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON "Child" FOR EACH ROW
--     EXECUTE FUNCTION mes_audit('Parent', 'parentId');
CREATE OR REPLACE FUNCTION mes_audit() RETURNS trigger LANGUAGE plpgsql AS $$
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
  INSERT INTO "AuditLog" ("organizationId", "plantId", "actor", "operation", "requestId", "entity", "entityId", "action", "before", "after")
  VALUES (
    coalesce(org, nullif(current_setting('mes.organization_id', true), '')::uuid),
    plant,
    coalesce(nullif(current_setting('mes.actor', true), ''), 'system'),
    nullif(current_setting('mes.operation', true), ''),
    nullif(current_setting('mes.request_id', true), ''),
    TG_TABLE_NAME, r->>'id', TG_OP, old_row, new_row);
  RETURN NULL;
END $$;

-- Attaches the audit trigger to every domain table that lacks it (the kit's own tables excepted).
CREATE OR REPLACE FUNCTION mes_attach_audit() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND c.relname NOT IN ('AuditLog', 'OutboxEvent', 'EventCursor', 'OutboxWatermark', 'IdempotencyKey', '_prisma_migrations')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'mes_audit')
  LOOP
    EXECUTE format('CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION mes_audit()', t);
  END LOOP;
END $$;
