-- Who recorded an inspection (the token's subject). Inspections recorded before were recorded by
-- their inspector as far as anyone knows (the input's name, else the signed-in user).
ALTER TABLE "Inspection" ADD COLUMN "recordedBy" TEXT;
UPDATE "Inspection" SET "recordedBy" = COALESCE("inspector", 'unknown');
ALTER TABLE "Inspection" ALTER COLUMN "recordedBy" SET NOT NULL;
