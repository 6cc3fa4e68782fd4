-- CreateEnum
CREATE TYPE "WorkOrderStatus" AS ENUM ('PLANNED', 'RELEASED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CLOSED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "OperationStatus" AS ENUM ('PENDING', 'READY', 'IN_PROGRESS', 'PAUSED', 'COMPLETED');

-- CreateTable
CREATE TABLE "Product" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "unitOfMeasure" TEXT NOT NULL DEFAULT 'EA',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoutingStep" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "productId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "workCenterId" UUID NOT NULL,
    "setupMinutes" DECIMAL(10,2) NOT NULL DEFAULT 0,
    "cycleTimeSeconds" DECIMAL(10,2) NOT NULL,
    "parallel" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "RoutingStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BomLine" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "productId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "quantityPer" DECIMAL(18,4) NOT NULL,

    CONSTRAINT "BomLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkOrder" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "productId" UUID NOT NULL,
    "quantity" DECIMAL(18,4) NOT NULL,
    "dueDate" TIMESTAMP(3) NOT NULL,
    "plannedStart" TIMESTAMP(3),
    "plannedEnd" TIMESTAMP(3),
    "status" "WorkOrderStatus" NOT NULL DEFAULT 'PLANNED',
    "priority" INTEGER NOT NULL DEFAULT 3,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "workCenterId" UUID NOT NULL,
    "machineId" UUID,
    "parallel" BOOLEAN NOT NULL DEFAULT false,
    "status" "OperationStatus" NOT NULL DEFAULT 'PENDING',
    "plannedStart" TIMESTAMP(3),
    "plannedEnd" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Product_organizationId_plantId_idx" ON "Product"("organizationId", "plantId");

-- CreateIndex
CREATE UNIQUE INDEX "Product_organizationId_plantId_code_key" ON "Product"("organizationId", "plantId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "RoutingStep_productId_sequence_key" ON "RoutingStep"("productId", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "BomLine_productId_materialId_key" ON "BomLine"("productId", "materialId");

-- CreateIndex
CREATE INDEX "WorkOrder_organizationId_plantId_status_dueDate_idx" ON "WorkOrder"("organizationId", "plantId", "status", "dueDate");

-- CreateIndex
CREATE UNIQUE INDEX "WorkOrder_organizationId_number_key" ON "WorkOrder"("organizationId", "number");

-- CreateIndex
CREATE INDEX "Operation_organizationId_plantId_machineId_plannedStart_idx" ON "Operation"("organizationId", "plantId", "machineId", "plannedStart");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_workOrderId_sequence_key" ON "Operation"("workOrderId", "sequence");

-- AddForeignKey
ALTER TABLE "RoutingStep" ADD CONSTRAINT "RoutingStep_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BomLine" ADD CONSTRAINT "BomLine_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkOrder" ADD CONSTRAINT "WorkOrder_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_workOrderId_fkey" FOREIGN KEY ("workOrderId") REFERENCES "WorkOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;
