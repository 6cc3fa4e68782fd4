-- A shift's OEE counts the production logs naming it, wherever they were logged (issue 15).
-- CreateIndex
CREATE INDEX "MachineProduction_shiftId_idx" ON "MachineProduction"("shiftId");
