-- CreateEnum
CREATE TYPE "NcrDisposition" AS ENUM ('USE_AS_IS', 'REWORK', 'SCRAP', 'RETURN_TO_SUPPLIER');

-- AlterTable
ALTER TABLE "InspectionPlan" ADD COLUMN     "workCenterId" UUID;

-- AlterTable
ALTER TABLE "Ncr" ADD COLUMN     "assignee" TEXT,
ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "containmentAction" TEXT,
ADD COLUMN     "disposition" "NcrDisposition",
ADD COLUMN     "dispositionQuantity" DECIMAL(18,4),
ADD COLUMN     "dispositionedAt" TIMESTAMP(3),
ADD COLUMN     "locationId" UUID,
ADD COLUMN     "lotHoldRequested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "rootCause" TEXT;

-- CreateTable
CREATE TABLE "InspectionMeasurement" (
    "id" UUID NOT NULL,
    "inspectionId" UUID NOT NULL,
    "characteristicId" UUID NOT NULL,
    "value" DECIMAL(18,6),
    "passed" BOOLEAN NOT NULL,

    CONSTRAINT "InspectionMeasurement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NcrDefect" (
    "id" UUID NOT NULL,
    "ncrId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "quantity" DECIMAL(18,4) NOT NULL,

    CONSTRAINT "NcrDefect_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InspectionMeasurement_inspectionId_characteristicId_key" ON "InspectionMeasurement"("inspectionId", "characteristicId");

-- AddForeignKey
ALTER TABLE "InspectionMeasurement" ADD CONSTRAINT "InspectionMeasurement_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionMeasurement" ADD CONSTRAINT "InspectionMeasurement_characteristicId_fkey" FOREIGN KEY ("characteristicId") REFERENCES "Characteristic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NcrDefect" ADD CONSTRAINT "NcrDefect_ncrId_fkey" FOREIGN KEY ("ncrId") REFERENCES "Ncr"("id") ON DELETE CASCADE ON UPDATE CASCADE;
