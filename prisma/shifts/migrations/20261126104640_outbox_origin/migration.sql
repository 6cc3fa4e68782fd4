-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "actor" TEXT,
ADD COLUMN     "requestId" TEXT;
