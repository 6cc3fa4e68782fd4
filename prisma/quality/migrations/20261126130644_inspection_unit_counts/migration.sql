-- Unit counts for first pass yield and capability: units passed per inspection, the inspection a
-- re-inspection repeats, every unit's reading and defective units per characteristic.
-- AlterTable
ALTER TABLE "Inspection" ADD COLUMN     "quantityPassed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reinspectionOfId" UUID;

-- AlterTable
ALTER TABLE "InspectionMeasurement" ADD COLUMN     "defectiveUnits" INTEGER,
ADD COLUMN     "values" DECIMAL(18,6)[] DEFAULT ARRAY[]::DECIMAL(18,6)[];

-- CreateIndex
CREATE INDEX "Ncr_organizationId_plantId_createdAt_idx" ON "Ncr"("organizationId", "plantId", "createdAt");

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_reinspectionOfId_fkey" FOREIGN KEY ("reinspectionOfId") REFERENCES "Inspection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Inspections recorded before had no unit counts: a pass passed all its units, a fail none (as
-- first pass yield counted them until now).
UPDATE "Inspection" SET "quantityPassed" = "quantityInspected" WHERE "result" = 'PASS';
