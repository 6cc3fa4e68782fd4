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
