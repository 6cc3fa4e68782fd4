-- Row-level security on every tenant-owned table (prisma/kit.sql).

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
ALTER FUNCTION mes_audit() SECURITY DEFINER;
ALTER FUNCTION mes_reference() SECURITY DEFINER;

SELECT mes_attach_rls();
