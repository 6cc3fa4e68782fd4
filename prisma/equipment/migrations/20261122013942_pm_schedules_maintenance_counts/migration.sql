-- CreateEnum
CREATE TYPE "PmTrigger" AS ENUM ('CALENDAR', 'RUN_HOURS', 'CYCLES');

-- CreateEnum
CREATE TYPE "MaintenanceOrderStatus" AS ENUM ('OPEN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED');

-- AlterTable
ALTER TABLE "Downtime" ADD COLUMN     "recordedBy" TEXT NOT NULL DEFAULT 'system';

-- CreateTable
CREATE TABLE "PmSchedule" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "trigger" "PmTrigger" NOT NULL,
    "interval" DECIMAL(18,4) NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "lastResetAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "PmSchedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceOrder" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "scheduleId" UUID,
    "generation" INTEGER,
    "number" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" "MaintenanceOrderStatus" NOT NULL DEFAULT 'OPEN',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "completedBy" TEXT,

    CONSTRAINT "MaintenanceOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MachineProduction" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "shiftId" UUID,
    "goodQuantity" DECIMAL(18,4) NOT NULL,
    "scrapQuantity" DECIMAL(18,4) NOT NULL,
    "loggedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MachineProduction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PmSchedule_organizationId_plantId_idx" ON "PmSchedule"("organizationId", "plantId");

-- CreateIndex
CREATE INDEX "MaintenanceOrder_organizationId_plantId_status_idx" ON "MaintenanceOrder"("organizationId", "plantId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "MaintenanceOrder_scheduleId_generation_key" ON "MaintenanceOrder"("scheduleId", "generation");

-- CreateIndex
CREATE UNIQUE INDEX "MaintenanceOrder_organizationId_number_key" ON "MaintenanceOrder"("organizationId", "number");

-- CreateIndex
CREATE INDEX "MachineProduction_machineId_loggedAt_idx" ON "MachineProduction"("machineId", "loggedAt");

-- AddForeignKey
ALTER TABLE "PmSchedule" ADD CONSTRAINT "PmSchedule_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceOrder" ADD CONSTRAINT "MaintenanceOrder_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceOrder" ADD CONSTRAINT "MaintenanceOrder_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "PmSchedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
