-- A child row moved to another parent announces the old parent's tenant too (prisma/kit.sql; found
-- by the read-cache probe: a plant-limited reader kept the moved row).
CREATE OR REPLACE FUNCTION mes_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  r jsonb := coalesce(new_row, old_row);
  org uuid := (r->>'organizationId')::uuid;
  plant uuid := CASE WHEN TG_TABLE_NAME = 'Plant' THEN r->>'id' ELSE r->>'plantId' END::uuid;
  old_org uuid;
  old_plant uuid;
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
  -- A child row moved to another parent leaves the old parent's tenant too.
  IF TG_OP = 'UPDATE' AND TG_NARGS = 2 AND old_row->>TG_ARGV[1] IS DISTINCT FROM new_row->>TG_ARGV[1] THEN
    EXECUTE format('SELECT "organizationId", "plantId" FROM %I WHERE id = $1', TG_ARGV[0]) INTO old_org, old_plant USING (old_row->>TG_ARGV[1])::uuid;
    PERFORM mes_announce_change(TG_TABLE_NAME, old_org::text, old_plant::text);
  END IF;
  RETURN NULL;
END $$;
