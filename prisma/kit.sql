-- The kit's SQL, the same in every subgraph's database: the audit trigger function and the
-- function that attaches it. `pnpm migration` appends this file to a new subgraph's first
-- migration, and ends every migration that creates a table with `SELECT mes_attach_audit();`.

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

-- Reference data (id, organization, plant, status, time window) of the entities other subgraphs
-- may reference, announced as ReferenceChanged events in this database's outbox. A deferred
-- constraint trigger runs at commit, after the transaction's own appendEvent calls, so the outbox
-- lock is taken last as appendEvent requires, and whatever path changed the row announces it.
--   CREATE CONSTRAINT TRIGGER mes_reference AFTER INSERT OR UPDATE OR DELETE ON "Machine"
--     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mes_reference('Machine', 'state', '', '');
-- Arguments: kind, status column, window start column, window end column ('' for none), and
-- optionally the detail columns (space-separated).
-- The fact with a `details` object of the columns named in detail_cols (space-separated; none: no
-- `details` key, so the facts of kinds without details are unchanged).
CREATE OR REPLACE FUNCTION mes_reference_fact(kind text, r jsonb, status_col text, starts_col text, ends_col text, deleted boolean, detail_cols text DEFAULT '') RETURNS jsonb
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
  || CASE WHEN detail_cols <> ''
       THEN jsonb_build_object('details', (SELECT jsonb_object_agg(c, r->c) FROM unnest(string_to_array(detail_cols, ' ')) AS c))
       ELSE '{}'::jsonb END
$$;

-- The trigger's fifth argument, when given, names the detail columns.
CREATE OR REPLACE FUNCTION mes_reference() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  detail_cols text := CASE WHEN TG_NARGS > 4 THEN TG_ARGV[4] ELSE '' END;
  r jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
  fact jsonb := mes_reference_fact(TG_ARGV[0], r, TG_ARGV[1], TG_ARGV[2], TG_ARGV[3], TG_OP = 'DELETE', detail_cols);
BEGIN
  IF TG_OP = 'UPDATE' AND fact = mes_reference_fact(TG_ARGV[0], to_jsonb(OLD), TG_ARGV[1], TG_ARGV[2], TG_ARGV[3], false, detail_cols) THEN
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
CREATE OR REPLACE FUNCTION mes_publish_reference(tbl text, status_col text, starts_col text, ends_col text, detail_cols text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS mes_reference ON %I', tbl);
  EXECUTE format('CREATE CONSTRAINT TRIGGER mes_reference AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mes_reference(%L, %L, %L, %L, %L)',
                 tbl, tbl, status_col, starts_col, ends_col, detail_cols);
  EXECUTE format($q$INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor")
    SELECT (f->>'organizationId')::uuid, (f->>'plantId')::uuid, 'ReferenceChanged', %L || ':' || (f->>'id'), f, 'system'
      FROM (SELECT mes_reference_fact(%L, to_jsonb(t), %L, %L, %L, false, %L) AS f FROM %I t ORDER BY t.id) s$q$,
    tbl, tbl, status_col, starts_col, ends_col, detail_cols, tbl);
END $$;

-- Row-level security: the net under the tenancy choke point of @mes/shared. The services run as the
-- role mes_app (SET ROLE on each connection; a deployment may log in as a member of it instead),
-- which is neither superuser nor owner, so every tenant-owned table's policy applies to it. The
-- policy reads the tenant from settings the service's pool syncs before each statement from the
-- request's scope (subgraphs/shared/src/db.ts): mes.scope 'tenant' with mes.tenant_organization and
-- mes.tenant_plants ('*' = every plant of it), or 'system' for the service's own background work
-- (feed, retention, periodic tasks); anything else sees and writes nothing.
CREATE OR REPLACE FUNCTION mes_row_visible(org uuid, plant uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('mes.scope', true)
    WHEN 'system' THEN true
    WHEN 'tenant' THEN org = nullif(current_setting('mes.tenant_organization', true), '')::uuid
      AND (plant IS NULL OR current_setting('mes.tenant_plants', true) = '*'
           OR plant = ANY (string_to_array(nullif(current_setting('mes.tenant_plants', true), ''), ',')::uuid[]))
    ELSE false END
$$;

-- The application role (cluster-wide; created once, whoever migrates first).
DO $$ BEGIN
  CREATE ROLE mes_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- Enables RLS with the tenant policy on every table with an organizationId that lacks it, and
-- grants mes_app what it needs. `pnpm migration` ends every migration that creates a table with it.
CREATE OR REPLACE FUNCTION mes_attach_rls() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.relname,
      CASE WHEN c.relname = 'Plant' THEN 'id'
           WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'plantId' AND NOT a.attisdropped) THEN '"plantId"'
           ELSE 'NULL::uuid' END AS plant
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organizationId' AND NOT a.attisdropped)
      AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'mes_tenant')
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
    EXECUTE format('CREATE POLICY mes_tenant ON %I USING (mes_row_visible("organizationId", %s)) WITH CHECK (mes_row_visible("organizationId", %s))',
                   t.relname, t.plant, t.plant);
  END LOOP;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO mes_app', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO mes_app', current_schema());
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO mes_app', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mes_app', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO mes_app', current_schema());
  -- The migration history is the migrator's: the services only read it (readiness).
  IF to_regclass('_prisma_migrations') IS NOT NULL THEN
    REVOKE INSERT, UPDATE, DELETE ON _prisma_migrations FROM mes_app;
  END IF;
  -- A login that is not superuser needs membership to SET ROLE mes_app.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    EXECUTE format('GRANT mes_app TO %I', session_user);
  END IF;
END $$;

-- The triggers write the audit trail and the outbox for whichever row changed: they run as their
-- owner, so the policies (meant for the application's own statements) do not stand in their way.
ALTER FUNCTION mes_reference() SECURITY DEFINER;
