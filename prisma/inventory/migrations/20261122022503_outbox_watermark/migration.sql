-- CreateTable
CREATE TABLE "OutboxWatermark" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "prunedUpTo" BIGINT NOT NULL,

    CONSTRAINT "OutboxWatermark_pkey" PRIMARY KEY ("id")
);
