import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, SUBGRAPHS } from "@mes/db";
import { startSubgraph } from "@mes/shared";
import { production } from "@mes/production";
import { createTestDatabases } from "./support/databases.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { scrape, samples, total } from "./support/prometheus.ts";
import { silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { actAs } from "./support/auth.ts";

// Every service's /metrics, scraped and parsed with a Prometheus text-format parser.
const ORG = "6c1e0a52-3b7d-4e2f-9a10-7d8e9f0a1b2c";
actAs({ organizationId: ORG });
const GATEWAY_TOKEN = "gateway-metrics-token-0123456789";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ gatewayEnv: { METRICS_TOKEN: GATEWAY_TOKEN } });
});
afterAll(async () => stack?.stop());

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "/metrics");
const scrapeGateway = () => scrape(metricsUrl(stack.gatewayUrl), { authorization: `Bearer ${GATEWAY_TOKEN}` });
const scrapeSubgraph = (name: (typeof SUBGRAPHS)[number]) => scrape(metricsUrl(stack.subgraphs[name].url));

describe("/metrics on every service", () => {
  it("serves the process, request, pool, outbox, follower and subscription series of every subgraph", async () => {
    for (const name of SUBGRAPHS) {
      const s = await scrapeSubgraph(name);
      for (const family of [
        "process_cpu_seconds_total",
        "nodejs_eventloop_lag_seconds",
        "mes_graphql_requests_total",
        "mes_graphql_request_duration_seconds",
        "mes_db_queries_total",
        "mes_outbox_events",
        "mes_subscriptions_open",
        "mes_subscription_events_delivered_total",
      ])
        expect(s.has(family), `${name}: ${family}`).toBe(true);
      expect(samples(s, "mes_db_pool_connections").map((m) => m.labels?.state)).toEqual(["idle", "in_use", "waiting"]);
      expect(total(s, "mes_db_pool_max_connections")).toBe(5);
      expect(samples(s, "mes_outbox_events")[0]?.labels?.service).toBe(name);
    }
    // A lag per followed feed: inventory follows production and quality, equipment follows production.
    for (const name of ["inventory", "equipment"] as const) {
      const s = await scrapeSubgraph(name);
      const feeds = samples(s, "mes_event_follower_events_behind").map((m) => m.labels?.feed ?? "");
      expect(
        feeds.some((f) => f.startsWith(`${name}<-production`)),
        `${name} feeds: ${feeds.join(", ")}`,
      ).toBe(true);
      for (const m of [...samples(s, "mes_event_follower_events_behind"), ...samples(s, "mes_event_follower_seconds_behind")])
        expect(Number(m.value)).toBeGreaterThanOrEqual(0);
      expect(samples(s, "mes_event_follower_up").every((m) => m.value === "1")).toBe(true);
    }
  });

  it("serves the gateway's own series behind its token", async () => {
    expect((await fetch(metricsUrl(stack.gatewayUrl))).status).toBe(401);
    expect((await fetch(metricsUrl(stack.gatewayUrl), { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const s = await scrapeGateway();
    for (const family of [
      "process_resident_memory_bytes",
      "mes_graphql_requests_total",
      "mes_gateway_subgraph_fetch_duration_seconds",
      "mes_subscriptions_open",
      "mes_subscriptions_catching_up",
      "mes_subscription_upstreams_open",
      "mes_subscription_upstream_sockets_open",
      "mes_subscription_events_delivered_total",
    ])
      expect(s.has(family), family).toBe(true);
  });

  it("moves request, latency, fetch and SQL series after requests", async () => {
    const gatewayBefore = await scrapeGateway();
    const equipmentBefore = await scrapeSubgraph("equipment");
    await mustQuery(
      stack.gatewayUrl,
      `mutation MetricsPlant { createPlant(input: { code: "MP", name: "Metrics plant", timeZone: "Europe/Berlin" }) { id } }`,
    );
    await mustQuery(stack.gatewayUrl, `query MetricsPlants { plants { id name } }`);
    const bad = await graphql(stack.gatewayUrl, `query MetricsBad { plant(id: "not-a-uuid") { id } }`);
    expect(bad.errors?.length).toBeGreaterThan(0);

    const gateway = await scrapeGateway();
    const moved = (name: string, labels: Record<string, string>) => total(gateway, name, labels) - total(gatewayBefore, name, labels);
    expect(moved("mes_graphql_requests_total", { operation: "MetricsPlant", outcome: "ok" })).toBe(1);
    expect(moved("mes_graphql_requests_total", { operation: "MetricsPlants", outcome: "ok" })).toBe(1);
    expect(moved("mes_graphql_requests_total", { operation: "MetricsBad", outcome: "error" })).toBe(1);
    expect(moved("mes_graphql_request_duration_seconds_count", { operation: "MetricsPlants" })).toBe(1);
    expect(moved("mes_gateway_subgraph_fetch_duration_seconds_count", { subgraph: "equipment", outcome: "ok" })).toBeGreaterThanOrEqual(2);

    const equipment = await scrapeSubgraph("equipment");
    // The gateway names its subgraph operations after the client's (MetricsPlants__equipment__0).
    const operations = samples(equipment, "mes_graphql_requests_total").map((m) => m.labels?.operation ?? "");
    expect(
      operations.some((o) => o.startsWith("MetricsPlants__equipment__")),
      operations.join(", "),
    ).toBe(true);
    expect(total(equipment, "mes_graphql_requests_total")).toBeGreaterThan(total(equipmentBefore, "mes_graphql_requests_total"));
    expect(total(equipment, "mes_db_queries_total")).toBeGreaterThan(total(equipmentBefore, "mes_db_queries_total"));
  });
});

describe("/metrics on a separate port", () => {
  it("is served there only, behind its token when one is set", async () => {
    const dbs = await createTestDatabases(["production"]);
    const port = await freePort();
    const token = "separate-port-metrics-token-0123";
    const running = await startSubgraph(
      production,
      testSubgraphConfig(dbs.urls.production, { METRICS_PORT: port, METRICS_TOKEN: token }),
      silentLogger(),
    );
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const s = await scrape(url, { authorization: `Bearer ${token}` });
      expect(s.has("mes_db_pool_connections")).toBe(true);
      // Not on the service's own port.
      expect((await fetch(metricsUrl(running.url), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    } finally {
      await running.stop();
      await dbs.drop();
    }
  });
});
