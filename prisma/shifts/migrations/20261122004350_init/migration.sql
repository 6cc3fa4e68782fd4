-- CreateTable
CREATE TABLE "ShiftPattern" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "startMinute" INTEGER NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "breaks" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "ShiftPattern_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shift" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "patternId" UUID NOT NULL,
    "businessDate" DATE NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shift_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Crew" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Crew_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrewMember" (
    "id" UUID NOT NULL,
    "crewId" UUID NOT NULL,
    "personId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,

    CONSTRAINT "CrewMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrewAssignment" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "shiftId" UUID NOT NULL,
    "crewId" UUID NOT NULL,
    "workCenterId" UUID,

    CONSTRAINT "CrewAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Handover" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "shiftId" UUID NOT NULL,
    "notes" TEXT NOT NULL,
    "openIssues" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMP(3),

    CONSTRAINT "Handover_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ShiftPattern_organizationId_plantId_name_key" ON "ShiftPattern"("organizationId", "plantId", "name");

-- CreateIndex
CREATE INDEX "Shift_organizationId_plantId_startsAt_idx" ON "Shift"("organizationId", "plantId", "startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "Shift_patternId_businessDate_key" ON "Shift"("patternId", "businessDate");

-- CreateIndex
CREATE UNIQUE INDEX "Crew_organizationId_plantId_name_key" ON "Crew"("organizationId", "plantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CrewMember_crewId_personId_key" ON "CrewMember"("crewId", "personId");

-- CreateIndex
CREATE UNIQUE INDEX "CrewAssignment_shiftId_crewId_key" ON "CrewAssignment"("shiftId", "crewId");

-- CreateIndex
CREATE INDEX "Handover_organizationId_plantId_acknowledgedAt_idx" ON "Handover"("organizationId", "plantId", "acknowledgedAt");

-- AddForeignKey
ALTER TABLE "Shift" ADD CONSTRAINT "Shift_patternId_fkey" FOREIGN KEY ("patternId") REFERENCES "ShiftPattern"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrewMember" ADD CONSTRAINT "CrewMember_crewId_fkey" FOREIGN KEY ("crewId") REFERENCES "Crew"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrewAssignment" ADD CONSTRAINT "CrewAssignment_shiftId_fkey" FOREIGN KEY ("shiftId") REFERENCES "Shift"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrewAssignment" ADD CONSTRAINT "CrewAssignment_crewId_fkey" FOREIGN KEY ("crewId") REFERENCES "Crew"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Handover" ADD CONSTRAINT "Handover_shiftId_fkey" FOREIGN KEY ("shiftId") REFERENCES "Shift"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
