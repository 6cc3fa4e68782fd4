-- A coverage requirement's unique key includes the organization: a row of another organization
-- naming our plant and work center can no longer block our own supervisor (issue 12).
-- DropIndex
DROP INDEX "CoverageRequirement_plantId_workCenterId_key";

-- CreateIndex
CREATE UNIQUE INDEX "CoverageRequirement_organizationId_plantId_workCenterId_key" ON "CoverageRequirement"("organizationId", "plantId", "workCenterId");
