-- CreateEnum
CREATE TYPE "CharacteristicKind" AS ENUM ('NUMERIC', 'ATTRIBUTE');

-- CreateEnum
CREATE TYPE "InspectionResult" AS ENUM ('PENDING', 'PASS', 'FAIL');

-- CreateEnum
CREATE TYPE "NcrStatus" AS ENUM ('OPEN', 'UNDER_REVIEW', 'DISPOSITIONED', 'CLOSED');

-- CreateEnum
CREATE TYPE "NcrSeverity" AS ENUM ('MINOR', 'MAJOR', 'CRITICAL');

-- CreateTable
CREATE TABLE "InspectionPlan" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "productId" UUID,
    "materialId" UUID,
    "operationSequence" INTEGER,
    "sampleSize" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "InspectionPlan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Characteristic" (
    "id" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "CharacteristicKind" NOT NULL,
    "nominal" DECIMAL(18,6),
    "lowerLimit" DECIMAL(18,6),
    "upperLimit" DECIMAL(18,6),
    "unit" TEXT,

    CONSTRAINT "Characteristic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Inspection" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "workOrderId" UUID,
    "materialId" UUID,
    "lotId" UUID,
    "quantityInspected" INTEGER NOT NULL DEFAULT 1,
    "result" "InspectionResult" NOT NULL DEFAULT 'PENDING',
    "inspector" TEXT,
    "inspectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Inspection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ncr" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "severity" "NcrSeverity" NOT NULL,
    "status" "NcrStatus" NOT NULL DEFAULT 'OPEN',
    "workOrderId" UUID,
    "materialId" UUID,
    "lotId" UUID,
    "inspectionId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Ncr_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InspectionPlan_organizationId_plantId_code_key" ON "InspectionPlan"("organizationId", "plantId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Characteristic_planId_name_key" ON "Characteristic"("planId", "name");

-- CreateIndex
CREATE INDEX "Inspection_organizationId_workOrderId_idx" ON "Inspection"("organizationId", "workOrderId");

-- CreateIndex
CREATE INDEX "Inspection_organizationId_plantId_inspectedAt_idx" ON "Inspection"("organizationId", "plantId", "inspectedAt");

-- CreateIndex
CREATE INDEX "Ncr_organizationId_plantId_status_idx" ON "Ncr"("organizationId", "plantId", "status");

-- CreateIndex
CREATE INDEX "Ncr_organizationId_workOrderId_idx" ON "Ncr"("organizationId", "workOrderId");

-- CreateIndex
CREATE UNIQUE INDEX "Ncr_organizationId_number_key" ON "Ncr"("organizationId", "number");

-- AddForeignKey
ALTER TABLE "Characteristic" ADD CONSTRAINT "Characteristic_planId_fkey" FOREIGN KEY ("planId") REFERENCES "InspectionPlan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_planId_fkey" FOREIGN KEY ("planId") REFERENCES "InspectionPlan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ncr" ADD CONSTRAINT "Ncr_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE SET NULL ON UPDATE CASCADE;
