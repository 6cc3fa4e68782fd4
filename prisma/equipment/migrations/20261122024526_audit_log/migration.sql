-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "organizationId" UUID,
    "plantId" UUID,
    "actor" TEXT NOT NULL,
    "operation" TEXT,
    "requestId" TEXT,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditLog_organizationId_entity_entityId_idx" ON "AuditLog"("organizationId", "entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_organizationId_at_idx" ON "AuditLog"("organizationId", "at");

-- The audit trigger: one AuditLog row per changed row, in the same transaction as the change.
-- Who and which mutation come from session settings that @mes/shared sets for each request.
CREATE FUNCTION mes_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  r jsonb := coalesce(new_row, old_row);
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  INSERT INTO "AuditLog" ("organizationId", "plantId", "actor", "operation", "requestId", "entity", "entityId", "action", "before", "after")
  VALUES (
    coalesce(r->>'organizationId', nullif(current_setting('mes.organization_id', true), ''))::uuid,
    CASE WHEN TG_TABLE_NAME = 'Plant' THEN r->>'id' ELSE r->>'plantId' END::uuid,
    coalesce(nullif(current_setting('mes.actor', true), ''), 'system'),
    nullif(current_setting('mes.operation', true), ''),
    nullif(current_setting('mes.request_id', true), ''),
    TG_TABLE_NAME, r->>'id', TG_OP, old_row, new_row);
  RETURN NULL;
END $$;

-- Every domain table; a later migration that adds a table adds its trigger too (test/security.test.ts checks).
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
    AND tablename NOT IN ('AuditLog', 'OutboxEvent', 'EventCursor', 'OutboxWatermark', '_prisma_migrations')
  LOOP
    EXECUTE format('CREATE TRIGGER mes_audit AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION mes_audit()', t);
  END LOOP;
END $$;
