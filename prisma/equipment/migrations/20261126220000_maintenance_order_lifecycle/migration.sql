-- A maintenance order's start and cancellation: who and when (and why, for a cancellation).
ALTER TABLE "MaintenanceOrder"
  ADD COLUMN "startedAt" TIMESTAMP(3),
  ADD COLUMN "startedBy" TEXT,
  ADD COLUMN "cancelledAt" TIMESTAMP(3),
  ADD COLUMN "cancelledBy" TEXT,
  ADD COLUMN "cancelReason" TEXT;
