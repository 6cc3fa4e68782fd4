import { describe, expect, it } from "vitest";
import { metricsExposure, operationLabel, ServiceMetrics } from "./metrics.ts";

describe("metricsExposure", () => {
  const base = { NODE_ENV: "production", METRICS_ENABLED: true };
  it("is open on the service's own port in development and test (the dev default)", () => {
    expect(metricsExposure({ ...base, NODE_ENV: "development" })).toEqual({ mode: "same-port", token: null });
    expect(metricsExposure({ ...base, NODE_ENV: "test" })).toEqual({ mode: "same-port", token: null });
  });
  it("needs a token or a separate port in production, and is off without either", () => {
    expect(metricsExposure(base)).toMatchObject({ mode: "off" });
    expect(metricsExposure({ ...base, METRICS_TOKEN: "s3cret-s3cret-s3cret" })).toEqual({ mode: "same-port", token: "s3cret-s3cret-s3cret" });
    expect(metricsExposure({ ...base, METRICS_PORT: 9464 })).toEqual({ mode: "separate-port", port: 9464, token: null });
    expect(metricsExposure({ ...base, METRICS_PORT: 9464, METRICS_TOKEN: "s3cret-s3cret-s3cret" })).toEqual({
      mode: "separate-port",
      port: 9464,
      token: "s3cret-s3cret-s3cret",
    });
  });
  it("is off when disabled, whatever else is set", () => {
    expect(metricsExposure({ ...base, NODE_ENV: "development", METRICS_ENABLED: false, METRICS_PORT: 9464 })).toMatchObject({ mode: "off" });
  });
});

describe("operationLabel", () => {
  it("names anonymous operations, refuses odd names and caps distinct names", () => {
    const seen = new Set<string>();
    expect(operationLabel(undefined, seen)).toBe("anonymous");
    expect(operationLabel("", seen)).toBe("anonymous");
    expect(operationLabel("Dashboard", seen, 2)).toBe("Dashboard");
    expect(operationLabel("bad name{}", seen, 2)).toBe("other");
    expect(operationLabel("Stock", seen, 2)).toBe("Stock");
    // Two names known: a third is "other", the known ones keep their label.
    expect(operationLabel("Third", seen, 2)).toBe("other");
    expect(operationLabel("Dashboard", seen, 2)).toBe("Dashboard");
  });
});

describe("ServiceMetrics", () => {
  it("counts requests by operation and outcome and times them, with the service as a label", async () => {
    const m = new ServiceMetrics("unit", { processMetrics: false });
    m.observeRequest("Dashboard", "ok", 0.02);
    m.observeRequest("Dashboard", "ok", 0.2);
    m.observeRequest("Dashboard", "error", 0.03);
    const json = await m.registry.getMetricsAsJSON();
    const requests = json.find((x) => x.name === "mes_graphql_requests_total")!.values;
    expect(requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 2, labels: { operation: "Dashboard", outcome: "ok", service: "unit" } }),
        expect.objectContaining({ value: 1, labels: { operation: "Dashboard", outcome: "error", service: "unit" } }),
      ]),
    );
    const duration = json.find((x) => x.name === "mes_graphql_request_duration_seconds")!.values as Array<{
      metricName?: string;
      labels: Record<string, string | number>;
      value: number;
    }>;
    // 0.02 and 0.03 are at most 0.05; 0.2 is not.
    expect(duration.find((v) => v.metricName?.endsWith("_bucket") && v.labels.le === 0.05)?.value).toBe(2);
    expect(duration.find((v) => v.metricName?.endsWith("_count"))?.value).toBe(3);
  });

  it("reads counters kept elsewhere at scrape time", async () => {
    const m = new ServiceMetrics("unit", { processMetrics: false });
    let delivered = 0;
    m.counterFrom("unit_delivered_total", "delivered", [], () => [[{}, delivered]]);
    delivered = 7;
    expect(await m.text()).toContain('unit_delivered_total{service="unit"} 7');
    delivered = 9;
    expect(await m.text()).toContain('unit_delivered_total{service="unit"} 9');
  });
});
