-- CreateEnum
CREATE TYPE "StockTransactionType" AS ENUM ('RECEIPT', 'ISSUE', 'ADJUSTMENT', 'TRANSFER', 'SCRAP', 'RETURN');

-- CreateEnum
CREATE TYPE "StockAlertSeverity" AS ENUM ('BELOW_REORDER_POINT', 'BELOW_SAFETY_STOCK', 'STOCKOUT');

-- AlterTable
ALTER TABLE "Lot" ADD COLUMN     "holdReason" TEXT,
ADD COLUMN     "producedByWorkOrderId" UUID;

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" BIGSERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID,
    "type" TEXT NOT NULL,
    "aggregateId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventCursor" (
    "consumer" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EventCursor_pkey" PRIMARY KEY ("consumer")
);

-- CreateTable
CREATE TABLE "StockTransaction" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "documentId" UUID NOT NULL,
    "type" "StockTransactionType" NOT NULL,
    "materialId" UUID NOT NULL,
    "lotId" UUID NOT NULL,
    "locationId" UUID NOT NULL,
    "toLocationId" UUID,
    "quantity" DECIMAL(18,4) NOT NULL,
    "totalCost" DECIMAL(18,4) NOT NULL,
    "workOrderId" UUID,
    "reason" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StockTransaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostLayer" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "sourceTransactionId" UUID NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "originalQuantity" DECIMAL(18,4) NOT NULL,
    "remainingQuantity" DECIMAL(18,4) NOT NULL,
    "unitCost" DECIMAL(18,6) NOT NULL,

    CONSTRAINT "CostLayer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LayerConsumption" (
    "id" UUID NOT NULL,
    "transactionId" UUID NOT NULL,
    "layerId" UUID NOT NULL,
    "quantity" DECIMAL(18,4) NOT NULL,
    "unitCost" DECIMAL(18,6) NOT NULL,

    CONSTRAINT "LayerConsumption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reservation" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "quantity" DECIMAL(18,4) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Reservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StockAlert" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "materialId" UUID NOT NULL,
    "severity" "StockAlertSeverity" NOT NULL,
    "available" DECIMAL(18,4) NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" TIMESTAMP(3),

    CONSTRAINT "StockAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboxEvent_type_id_idx" ON "OutboxEvent"("type", "id");

-- CreateIndex
CREATE INDEX "StockTransaction_workOrderId_type_idx" ON "StockTransaction"("workOrderId", "type");

-- CreateIndex
CREATE INDEX "StockTransaction_lotId_type_idx" ON "StockTransaction"("lotId", "type");

-- CreateIndex
CREATE INDEX "StockTransaction_organizationId_plantId_materialId_createdA_idx" ON "StockTransaction"("organizationId", "plantId", "materialId", "createdAt");

-- CreateIndex
CREATE INDEX "CostLayer_materialId_plantId_receivedAt_idx" ON "CostLayer"("materialId", "plantId", "receivedAt");

-- CreateIndex
CREATE INDEX "LayerConsumption_transactionId_idx" ON "LayerConsumption"("transactionId");

-- CreateIndex
CREATE INDEX "Reservation_materialId_plantId_idx" ON "Reservation"("materialId", "plantId");

-- CreateIndex
CREATE UNIQUE INDEX "Reservation_workOrderId_materialId_key" ON "Reservation"("workOrderId", "materialId");

-- CreateIndex
CREATE INDEX "StockAlert_organizationId_plantId_clearedAt_idx" ON "StockAlert"("organizationId", "plantId", "clearedAt");

-- CreateIndex
CREATE INDEX "StockAlert_materialId_plantId_clearedAt_idx" ON "StockAlert"("materialId", "plantId", "clearedAt");

-- CreateIndex
CREATE INDEX "Lot_producedByWorkOrderId_idx" ON "Lot"("producedByWorkOrderId");

-- AddForeignKey
ALTER TABLE "LayerConsumption" ADD CONSTRAINT "LayerConsumption_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "StockTransaction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LayerConsumption" ADD CONSTRAINT "LayerConsumption_layerId_fkey" FOREIGN KEY ("layerId") REFERENCES "CostLayer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
