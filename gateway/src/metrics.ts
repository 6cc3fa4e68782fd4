import { ServiceMetrics } from "@mes/shared";
import type { SubscriptionCounters } from "./subscription-counters.ts";

/** What a subgraph fetch ended as: answered, answered with errors, or not answered at all. */
export type FetchOutcome = "ok" | "error" | "unavailable";

/** Records one subgraph fetch (the gateway's SubgraphDataSource calls it). */
export type ObserveFetch = (subgraph: string, outcome: FetchOutcome, seconds: number) => void;

/** The outcome of a fetch from its answer's error codes. */
export function fetchOutcome(errors: ReadonlyArray<{ extensions?: Record<string, unknown> | undefined }> | undefined): FetchOutcome {
  if (!errors?.length) return "ok";
  return errors.some((e) => e.extensions?.code === "SUBGRAPH_UNAVAILABLE") ? "unavailable" : "error";
}

/**
 * The gateway's registry: requests per operation (from the kit), subgraph fetch latency per
 * subgraph, and its federated subscriptions (clients, upstreams, sockets, deliveries).
 */
export function gatewayMetrics(subscriptions: () => { counters: SubscriptionCounters; upstreamSockets: number }): {
  metrics: ServiceMetrics;
  observeFetch: ObserveFetch;
} {
  const metrics = new ServiceMetrics("gateway");
  const fetches = metrics.histogram(
    "mes_gateway_subgraph_fetch_duration_seconds",
    "Time of one fetch from the gateway to a subgraph, by subgraph and outcome (unavailable: no answer in time or refused)",
    ["subgraph", "outcome"],
  );
  const c = () => subscriptions().counters;
  metrics.gauge("mes_subscriptions_open", "Client subscriptions open at the gateway", [], (g) => g.set(c().active));
  metrics.gauge("mes_subscriptions_catching_up", "Client subscriptions still reading missed events before joining the shared stream", [], (g) =>
    g.set(c().catchingUp),
  );
  metrics.gauge("mes_subscription_upstreams_open", "Upstream subscriptions at subgraphs (identical client subscriptions share one)", [], (g) =>
    g.set(c().upstreams),
  );
  metrics.gauge("mes_subscription_upstream_sockets_open", "WebSockets from the gateway to subgraphs (one per subgraph and caller token)", [], (g) =>
    g.set(subscriptions().upstreamSockets),
  );
  metrics.counterFrom("mes_subscription_events_delivered_total", "Events delivered to client subscriptions", [], () => [[{}, c().delivered]]);
  metrics.counterFrom("mes_subscription_upstream_reconnects_total", "Upstream subscriptions resubscribed after a subgraph went away", [], () => [
    [{}, c().upstreamReconnects],
  ]);
  metrics.counterFrom(
    "mes_subscription_slow_clients_closed_total",
    "Clients closed for not reading their events (SUBSCRIPTION_QUEUE_MAX)",
    [],
    () => [[{}, c().slowClientsClosed]],
  );
  return { metrics, observeFetch: (subgraph, outcome, seconds) => fetches.observe({ subgraph, outcome }, seconds) };
}
