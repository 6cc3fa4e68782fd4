-- Reference data may carry a kind's details: named columns of the owner's row, as they are, for
-- the subgraphs that compute with them (equipment places a shift's breaks from its pattern's).
ALTER TABLE "ReferenceEntity" ADD COLUMN "details" JSONB;

-- The fact with a `details` object of the columns named in detail_cols (space-separated; none: no
-- `details` key, so the facts of kinds without details are unchanged).
DROP FUNCTION mes_reference_fact(text, jsonb, text, text, text, boolean);
CREATE FUNCTION mes_reference_fact(kind text, r jsonb, status_col text, starts_col text, ends_col text, deleted boolean, detail_cols text DEFAULT '') RETURNS jsonb
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
DROP FUNCTION mes_publish_reference(text, text, text, text);
CREATE FUNCTION mes_publish_reference(tbl text, status_col text, starts_col text, ends_col text, detail_cols text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS mes_reference ON %I', tbl);
  EXECUTE format('CREATE CONSTRAINT TRIGGER mes_reference AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mes_reference(%L, %L, %L, %L, %L)',
                 tbl, tbl, status_col, starts_col, ends_col, detail_cols);
  EXECUTE format($q$INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor")
    SELECT (f->>'organizationId')::uuid, (f->>'plantId')::uuid, 'ReferenceChanged', %L || ':' || (f->>'id'), f, 'system'
      FROM (SELECT mes_reference_fact(%L, to_jsonb(t), %L, %L, %L, false, %L) AS f FROM %I t ORDER BY t.id) s$q$,
    tbl, tbl, status_col, starts_col, ends_col, detail_cols, tbl);
END $$;
