import { describe, expect, it } from "vitest";
import { fetchOutcome, gatewayMetrics } from "./metrics.ts";
import { newCounters } from "./subscription-counters.ts";

describe("fetchOutcome", () => {
  it("tells an answered fetch from one with errors and one that got no answer", () => {
    expect(fetchOutcome(undefined)).toBe("ok");
    expect(fetchOutcome([])).toBe("ok");
    expect(fetchOutcome([{ extensions: { code: "BAD_USER_INPUT" } }])).toBe("error");
    expect(fetchOutcome([{ extensions: { code: "SUBGRAPH_UNAVAILABLE" } }, { extensions: { code: "BAD_USER_INPUT" } }])).toBe("unavailable");
  });
});

describe("gatewayMetrics", () => {
  it("reads the subscription counters at scrape time and times fetches per subgraph", async () => {
    const counters = { ...newCounters(), active: 3, upstreams: 1, delivered: 42 };
    const { metrics, observeFetch } = gatewayMetrics(() => ({ counters, upstreamSockets: 2 }));
    observeFetch("production", "ok", 0.004);
    const text = await metrics.text();
    expect(text).toContain('mes_subscriptions_open{service="gateway"} 3');
    expect(text).toContain('mes_subscription_upstreams_open{service="gateway"} 1');
    expect(text).toContain('mes_subscription_upstream_sockets_open{service="gateway"} 2');
    expect(text).toContain('mes_subscription_events_delivered_total{service="gateway"} 42');
    expect(text).toContain('mes_gateway_subgraph_fetch_duration_seconds_bucket{le="0.005",service="gateway",subgraph="production",outcome="ok"} 1');
  });
});
