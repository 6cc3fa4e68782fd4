-- Downtime records of one machine never overlap in time, and none ends before it starts.
-- A trigger, not an EXCLUDE constraint: Prisma 6.19 cannot declare an exclusion constraint, so one
-- made here would differ from what prisma/equipment/schema describes (test/migrations.test.ts
-- compares constraints). It takes the machine's row lock, the same one setMachineState and
-- logDowntime take, so concurrent writers of one machine are checked one after the other. It runs
-- as its owner, so it sees every downtime of the machine whatever a row-level policy lets the caller see.
CREATE OR REPLACE FUNCTION equipment_downtime_no_overlap() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."endedAt" IS NOT NULL AND NEW."endedAt" < NEW."startedAt" THEN
    RAISE EXCEPTION 'Downtime % ends before it starts', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  PERFORM 1 FROM "Machine" WHERE id = NEW."machineId" FOR UPDATE;
  IF EXISTS (
    SELECT 1 FROM "Downtime" d
     WHERE d."machineId" = NEW."machineId" AND d.id <> NEW.id
       AND d."startedAt" < COALESCE(NEW."endedAt", 'infinity'::timestamp)
       AND COALESCE(d."endedAt", 'infinity'::timestamp) > NEW."startedAt"
  ) THEN
    RAISE EXCEPTION 'Downtime % overlaps another downtime of machine %', NEW.id, NEW."machineId"
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER equipment_downtime_no_overlap
  BEFORE INSERT OR UPDATE OF "machineId", "startedAt", "endedAt" ON "Downtime"
  FOR EACH ROW EXECUTE FUNCTION equipment_downtime_no_overlap();
