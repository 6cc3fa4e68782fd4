-- Reference data of other subgraphs, copied from their feeds (prisma/kit.prisma ReferenceEntity).
CREATE TABLE "ReferenceEntity" (
    "kind" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID,
    "status" TEXT,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "version" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferenceEntity_pkey" PRIMARY KEY ("kind","id")
);

-- CreateIndex
CREATE INDEX "ReferenceEntity_kind_organizationId_plantId_startsAt_idx" ON "ReferenceEntity"("kind", "organizationId", "plantId", "startsAt");

-- CreateIndex
CREATE INDEX "OutboxEvent_type_aggregateId_id_idx" ON "OutboxEvent"("type", "aggregateId", "id");

-- The kit's audit attachment skips the reference copy (prisma/kit.sql).
-- Attaches the audit trigger to every domain table that lacks it (the kit's own tables excepted).
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
END $$;

-- Reference data (id, organization, plant, status, time window) of the entities other subgraphs
-- may reference, announced as ReferenceChanged events in this database's outbox. A deferred
-- constraint trigger runs at commit, after the transaction's own appendEvent calls, so the outbox
-- lock is taken last as appendEvent requires, and whatever path changed the row announces it.
--   CREATE CONSTRAINT TRIGGER mes_reference AFTER INSERT OR UPDATE OR DELETE ON "Machine"
--     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mes_reference('Machine', 'state', '', '');
-- Arguments: kind, status column, window start column, window end column ('' for none).
CREATE OR REPLACE FUNCTION mes_reference_fact(kind text, r jsonb, status_col text, starts_col text, ends_col text, deleted boolean) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'kind', kind,
    'id', r->>'id',
    'organizationId', r->>'organizationId',
    'plantId', CASE WHEN kind = 'Plant' THEN r->>'id' ELSE r->>'plantId' END,
    'status', CASE WHEN status_col <> '' THEN r->>status_col END,
    'startsAt', CASE WHEN starts_col <> '' AND r->>starts_col IS NOT NULL THEN (r->>starts_col) || 'Z' END,
    'endsAt', CASE WHEN ends_col <> '' AND r->>ends_col IS NOT NULL THEN (r->>ends_col) || 'Z' END,
    'deleted', deleted)
$$;

CREATE OR REPLACE FUNCTION mes_reference() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
  fact jsonb := mes_reference_fact(TG_ARGV[0], r, TG_ARGV[1], TG_ARGV[2], TG_ARGV[3], TG_OP = 'DELETE');
BEGIN
  IF TG_OP = 'UPDATE' AND fact = mes_reference_fact(TG_ARGV[0], to_jsonb(OLD), TG_ARGV[1], TG_ARGV[2], TG_ARGV[3], false) THEN
    RETURN NULL; -- nothing other subgraphs keep has changed
  END IF;
  PERFORM pg_advisory_xact_lock(1296388959); -- the outbox lock of appendEvent (0x4d45535f)
  INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor", "requestId")
  VALUES ((fact->>'organizationId')::uuid, (fact->>'plantId')::uuid, 'ReferenceChanged', TG_ARGV[0] || ':' || (r->>'id'), fact,
          coalesce(nullif(current_setting('mes.actor', true), ''), 'system'), nullif(current_setting('mes.request_id', true), ''));
  PERFORM pg_notify('outbox', 'ReferenceChanged');
  RETURN NULL;
END $$;

-- Publishes a table's reference data: the trigger, and one ReferenceChanged per existing row.
CREATE OR REPLACE FUNCTION mes_publish_reference(tbl text, status_col text, starts_col text, ends_col text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS mes_reference ON %I', tbl);
  EXECUTE format('CREATE CONSTRAINT TRIGGER mes_reference AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mes_reference(%L, %L, %L, %L)',
                 tbl, tbl, status_col, starts_col, ends_col);
  EXECUTE format($q$INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor")
    SELECT (f->>'organizationId')::uuid, (f->>'plantId')::uuid, 'ReferenceChanged', %L || ':' || (f->>'id'), f, 'system'
      FROM (SELECT mes_reference_fact(%L, to_jsonb(t), %L, %L, %L, false) AS f FROM %I t ORDER BY t.id) s$q$,
    tbl, tbl, status_col, starts_col, ends_col, tbl);
END $$;

-- What this subgraph publishes for others to reference (subgraphs/shared/src/references/catalogue.ts).
SELECT mes_publish_reference('Material', '', '', '');
SELECT mes_publish_reference('Location', '', '', '');
SELECT mes_publish_reference('Lot', 'status', '', '');
