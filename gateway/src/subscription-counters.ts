/** What `GET /subscriptions` shows: live counts of the gateway's subscriptions. */
export interface SubscriptionCounters {
  /** Client subscriptions open now. */
  active: number;
  /** Of those, clients reading missed events on their own before joining the shared stream. */
  catchingUp: number;
  /** Upstream subscriptions at subgraphs open now (identical client subscriptions share one). */
  upstreams: number;
  /** Events delivered to clients. */
  delivered: number;
  upstreamReconnects: number;
  /** Clients closed for not reading their events. */
  slowClientsClosed: number;
}

export const newCounters = (): SubscriptionCounters => ({
  active: 0,
  catchingUp: 0,
  upstreams: 0,
  delivered: 0,
  upstreamReconnects: 0,
  slowClientsClosed: 0,
});
