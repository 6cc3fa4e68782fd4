-- Costing methods per material (FIFO, moving average), layer values to the cent, and work order cost settlement.
-- CreateEnum
CREATE TYPE "CostingMethod" AS ENUM ('FIFO', 'MOVING_AVERAGE');

-- AlterEnum
ALTER TYPE "StockTransactionType" ADD VALUE 'SETTLEMENT';

-- AlterTable
ALTER TABLE "CostLayer" ADD COLUMN     "remainingValue" DECIMAL(18,4) NOT NULL DEFAULT 0;

-- Layers written before values were tracked: what is left of them at their unit cost, to the cent
-- (round() on numeric rounds half away from zero: half-up for these non-negative values).
UPDATE "CostLayer" SET "remainingValue" = round("remainingQuantity" * "unitCost", 2);

-- AlterTable
ALTER TABLE "LayerConsumption" ADD COLUMN     "value" DECIMAL(18,4);

-- AlterTable
ALTER TABLE "Material" ADD COLUMN     "costingMethod" "CostingMethod" NOT NULL DEFAULT 'FIFO';

-- AlterTable
ALTER TABLE "StockTransaction" ADD COLUMN     "settlesTransactionId" UUID,
ADD COLUMN     "variance" DECIMAL(18,4);

-- CreateTable
CREATE TABLE "WorkOrderSettlement" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "settledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkOrderSettlement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WorkOrderSettlement_workOrderId_key" ON "WorkOrderSettlement"("workOrderId");

-- CreateIndex
CREATE INDEX "WorkOrderSettlement_organizationId_plantId_idx" ON "WorkOrderSettlement"("organizationId", "plantId");

-- CreateIndex
CREATE INDEX "CostLayer_organizationId_plantId_materialId_idx" ON "CostLayer"("organizationId", "plantId", "materialId");

-- CreateIndex
CREATE INDEX "CostLayer_sourceTransactionId_idx" ON "CostLayer"("sourceTransactionId");

-- CreateIndex
CREATE INDEX "StockTransaction_settlesTransactionId_idx" ON "StockTransaction"("settlesTransactionId");

-- Audit every new domain table (prisma/kit.sql).
SELECT mes_attach_audit();
