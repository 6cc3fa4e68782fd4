-- The W3C traceparent of the request that wrote the event (null when tracing is off).
ALTER TABLE "OutboxEvent" ADD COLUMN "traceparent" TEXT;
