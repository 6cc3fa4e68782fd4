-- Audit entries carry the tenant of the row they describe; child rows take their parent's (prisma/kit.sql).
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

DROP TRIGGER IF EXISTS mes_audit ON "LayerConsumption";
CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON "LayerConsumption" FOR EACH ROW EXECUTE FUNCTION mes_audit('StockTransaction', 'transactionId');
UPDATE "AuditLog" a SET "organizationId" = p."organizationId", "plantId" = p."plantId"
  FROM "StockTransaction" p WHERE a.entity = 'LayerConsumption' AND a."plantId" IS NULL AND p.id = (coalesce(a.after, a.before)->>'transactionId')::uuid;
