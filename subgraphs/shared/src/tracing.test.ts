import { TraceFlags } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { extractContext, samplerFrom, sqlSpanName, startRequestSpan, traceparentOf, tracingEnabled, tracingMode } from "./tracing.ts";

describe("tracingMode", () => {
  it("is off unless an exporter or an OTLP endpoint is configured", () => {
    expect(tracingMode({})).toBe("off");
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318" })).toBe("otlp");
    expect(tracingMode({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318/v1/traces" })).toBe("otlp");
    expect(tracingMode({ OTEL_TRACES_EXPORTER: "console" })).toBe("console");
    expect(tracingMode({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318" })).toBe("off");
    expect(tracingMode({ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" })).toBe("off");
  });
});

describe("samplerFrom", () => {
  it("follows the specification's names, defaulting to the parent's decision", () => {
    expect(samplerFrom({}).toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(samplerFrom({ OTEL_TRACES_SAMPLER: "always_off" }).toString()).toBe("AlwaysOffSampler");
    expect(samplerFrom({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: 0.25 }).toString()).toMatch(
      /root=TraceIdRatioBased\{0\.25\}/,
    );
  });
});

describe("W3C trace context", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  it("writes traceparent as version-traceid-spanid-flags", () => {
    expect(traceparentOf({ traceId, spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED })).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
  });

  it("with tracing off, a request keeps the caller's trace id, or gets a fresh one", () => {
    expect(tracingEnabled()).toBe(false);
    const given = startRequestSpan("unit", "POST /graphql", { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(given.span.spanContext().traceId).toBe(traceId);
    expect(given.span.isRecording()).toBe(false);
    const fresh = startRequestSpan("unit", "POST /graphql", { traceparent: "garbage" });
    expect(fresh.span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.span.spanContext().traceId).not.toBe(traceId);
    expect(extractContext({})).toBeDefined();
  });
});

describe("sqlSpanName", () => {
  it("names a statement by its verb, past a WITH", () => {
    expect(sqlSpanName('SELECT "id" FROM "WorkOrder"')).toBe("pg SELECT");
    expect(sqlSpanName('  insert into "OutboxEvent" values (1)')).toBe("pg INSERT");
    expect(sqlSpanName(`WITH gone AS (DELETE FROM "OutboxEvent" RETURNING id) SELECT count(*) FROM gone`)).toBe("pg SELECT");
    expect(sqlSpanName("")).toBe("pg query");
  });
});
