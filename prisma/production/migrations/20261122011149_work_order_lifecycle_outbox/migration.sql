-- CreateEnum
CREATE TYPE "ProblemKind" AS ENUM ('MATERIAL_MISSING', 'MACHINE_FAULT', 'QUALITY_CONCERN', 'OTHER');

-- CreateEnum
CREATE TYPE "ProblemStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');

-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "completedAt" TIMESTAMP(3),
ADD COLUMN     "goodQuantity" DECIMAL(18,4) NOT NULL DEFAULT 0,
ADD COLUMN     "operatorId" TEXT,
ADD COLUMN     "scrapQuantity" DECIMAL(18,4) NOT NULL DEFAULT 0,
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WorkOrder" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "completedAt" TIMESTAMP(3),
ADD COLUMN     "releasedAt" TIMESTAMP(3),
ADD COLUMN     "startedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "WorkOrderTransition" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "fromStatus" "WorkOrderStatus",
    "toStatus" "WorkOrderStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkOrderTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkOrderHold" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "placedBy" TEXT NOT NULL,
    "placedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedBy" TEXT,
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "WorkOrderHold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductionLog" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "operationId" UUID NOT NULL,
    "workOrderId" UUID NOT NULL,
    "machineId" UUID,
    "operatorId" TEXT,
    "shiftId" UUID,
    "goodQuantity" DECIMAL(18,4) NOT NULL,
    "scrapQuantity" DECIMAL(18,4) NOT NULL,
    "loggedBy" TEXT NOT NULL,
    "loggedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductionLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemReport" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plantId" UUID NOT NULL,
    "operationId" UUID NOT NULL,
    "kind" "ProblemKind" NOT NULL,
    "description" TEXT NOT NULL,
    "status" "ProblemStatus" NOT NULL DEFAULT 'OPEN',
    "reportedBy" TEXT NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "resolution" TEXT,

    CONSTRAINT "ProblemReport_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "WorkOrderTransition_workOrderId_at_idx" ON "WorkOrderTransition"("workOrderId", "at");

-- CreateIndex
CREATE INDEX "WorkOrderHold_workOrderId_releasedAt_idx" ON "WorkOrderHold"("workOrderId", "releasedAt");

-- CreateIndex
CREATE INDEX "ProductionLog_operationId_idx" ON "ProductionLog"("operationId");

-- CreateIndex
CREATE INDEX "ProductionLog_organizationId_plantId_loggedAt_idx" ON "ProductionLog"("organizationId", "plantId", "loggedAt");

-- CreateIndex
CREATE INDEX "ProductionLog_shiftId_idx" ON "ProductionLog"("shiftId");

-- CreateIndex
CREATE INDEX "ProblemReport_organizationId_plantId_status_idx" ON "ProblemReport"("organizationId", "plantId", "status");

-- CreateIndex
CREATE INDEX "ProblemReport_operationId_idx" ON "ProblemReport"("operationId");

-- CreateIndex
CREATE INDEX "OutboxEvent_type_id_idx" ON "OutboxEvent"("type", "id");

-- CreateIndex
CREATE INDEX "WorkOrder_organizationId_plantId_completedAt_idx" ON "WorkOrder"("organizationId", "plantId", "completedAt");

-- AddForeignKey
ALTER TABLE "WorkOrderTransition" ADD CONSTRAINT "WorkOrderTransition_workOrderId_fkey" FOREIGN KEY ("workOrderId") REFERENCES "WorkOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkOrderHold" ADD CONSTRAINT "WorkOrderHold_workOrderId_fkey" FOREIGN KEY ("workOrderId") REFERENCES "WorkOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductionLog" ADD CONSTRAINT "ProductionLog_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemReport" ADD CONSTRAINT "ProblemReport_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
