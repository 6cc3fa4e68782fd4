-- CreateEnum
CREATE TYPE "LocationType" AS ENUM ('WAREHOUSE', 'LINE_SIDE', 'QUARANTINE', 'SHIPPING');

-- CreateEnum
CREATE TYPE "LotStatus" AS ENUM ('AVAILABLE', 'ON_HOLD', 'CONSUMED');

-- CreateTable
CREATE TABLE "Material" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "unitOfMeasure" TEXT NOT NULL,
    "reorderPoint" DECIMAL(18,4) NOT NULL DEFAULT 0,
    "safetyStock" DECIMAL(18,4) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Material_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Location" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "LocationType" NOT NULL DEFAULT 'WAREHOUSE',

    CONSTRAINT "Location_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lot" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "lotNumber" TEXT NOT NULL,
    "status" "LotStatus" NOT NULL DEFAULT 'AVAILABLE',
    "supplier" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "Lot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Stock" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "locationId" UUID NOT NULL,
    "lotId" UUID NOT NULL,
    "quantity" DECIMAL(18,4) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Stock_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Material_organizationId_code_key" ON "Material"("organizationId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Location_organizationId_plantId_code_key" ON "Location"("organizationId", "plantId", "code");

-- CreateIndex
CREATE INDEX "Lot_organizationId_plantId_idx" ON "Lot"("organizationId", "plantId");

-- CreateIndex
CREATE UNIQUE INDEX "Lot_organizationId_materialId_lotNumber_key" ON "Lot"("organizationId", "materialId", "lotNumber");

-- CreateIndex
CREATE INDEX "Stock_organizationId_plantId_materialId_idx" ON "Stock"("organizationId", "plantId", "materialId");

-- CreateIndex
CREATE UNIQUE INDEX "Stock_materialId_locationId_lotId_key" ON "Stock"("materialId", "locationId", "lotId");

-- AddForeignKey
ALTER TABLE "Lot" ADD CONSTRAINT "Lot_materialId_fkey" FOREIGN KEY ("materialId") REFERENCES "Material"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stock" ADD CONSTRAINT "Stock_materialId_fkey" FOREIGN KEY ("materialId") REFERENCES "Material"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stock" ADD CONSTRAINT "Stock_locationId_fkey" FOREIGN KEY ("locationId") REFERENCES "Location"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stock" ADD CONSTRAINT "Stock_lotId_fkey" FOREIGN KEY ("lotId") REFERENCES "Lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
