-- CreateEnum
CREATE TYPE "MachineState" AS ENUM ('RUNNING', 'IDLE', 'SETUP', 'DOWN', 'MAINTENANCE');

-- CreateEnum
CREATE TYPE "DowntimeKind" AS ENUM ('PLANNED', 'UNPLANNED');

-- CreateTable
CREATE TABLE "Plant" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,

    CONSTRAINT "Plant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Area" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Area_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkCenter" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "areaId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "WorkCenter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Machine" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "workCenterId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "state" "MachineState" NOT NULL DEFAULT 'IDLE',
    "stateSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idealCycleSeconds" DECIMAL(10,2) NOT NULL,

    CONSTRAINT "Machine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MachineStatusChange" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "state" "MachineState" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "MachineStatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DowntimeReason" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "kind" "DowntimeKind" NOT NULL,

    CONSTRAINT "DowntimeReason_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Downtime" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "reasonId" UUID NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "note" TEXT,

    CONSTRAINT "Downtime_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Plant_organizationId_code_key" ON "Plant"("organizationId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Area_plantId_code_key" ON "Area"("plantId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "WorkCenter_plantId_code_key" ON "WorkCenter"("plantId", "code");

-- CreateIndex
CREATE INDEX "Machine_organizationId_plantId_state_idx" ON "Machine"("organizationId", "plantId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Machine_plantId_code_key" ON "Machine"("plantId", "code");

-- CreateIndex
CREATE INDEX "MachineStatusChange_machineId_startedAt_idx" ON "MachineStatusChange"("machineId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DowntimeReason_organizationId_code_key" ON "DowntimeReason"("organizationId", "code");

-- CreateIndex
CREATE INDEX "Downtime_machineId_startedAt_idx" ON "Downtime"("machineId", "startedAt");

-- AddForeignKey
ALTER TABLE "Area" ADD CONSTRAINT "Area_plantId_fkey" FOREIGN KEY ("plantId") REFERENCES "Plant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkCenter" ADD CONSTRAINT "WorkCenter_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Machine" ADD CONSTRAINT "Machine_workCenterId_fkey" FOREIGN KEY ("workCenterId") REFERENCES "WorkCenter"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MachineStatusChange" ADD CONSTRAINT "MachineStatusChange_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Downtime" ADD CONSTRAINT "Downtime_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Downtime" ADD CONSTRAINT "Downtime_reasonId_fkey" FOREIGN KEY ("reasonId") REFERENCES "DowntimeReason"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
