import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type express from "express";
import type pg from "pg";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { z } from "zod";
import type { Logger } from "./logger.ts";
import type { QueryStats } from "./db.ts";
import type { EventConsumer } from "./events.ts";
import type { KeptAnswersStats } from "./kept-answers.ts";

/**
 * Where /metrics is served (see metricsExposure): off, on the service's own port behind a bearer
 * token (or open in development), or on a separate port meant for an internal network only.
 */
export const metricsEnv = {
  // "false" turns /metrics off entirely.
  METRICS_ENABLED: z
    .enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' })
    .transform((v) => v === "true" || v === "1")
    .default(true),
  // A separate listener for /metrics only (same HOST); unset: /metrics is on the service's own port.
  METRICS_PORT: z.coerce.number({ error: "must be a port number" }).int("must be a whole number").min(0).max(65535).optional(),
  // Scrapers must send Authorization: Bearer <METRICS_TOKEN>.
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
};

export type MetricsExposure =
  | { mode: "off"; why: string }
  | { mode: "same-port"; token: string | null }
  | { mode: "separate-port"; port: number; token: string | null };

/**
 * Decides where /metrics goes. Development and test: open on the service's port (the dev default).
 * Production: a METRICS_TOKEN or a METRICS_PORT is needed; with neither, /metrics stays off rather
 * than showing operation names and volumes to anyone who can reach the graph.
 */
export function metricsExposure(config: {
  NODE_ENV: string;
  METRICS_ENABLED: boolean;
  METRICS_PORT?: number | undefined;
  METRICS_TOKEN?: string | undefined;
}): MetricsExposure {
  if (!config.METRICS_ENABLED) return { mode: "off", why: "METRICS_ENABLED=false" };
  const token = config.METRICS_TOKEN ?? null;
  if (config.METRICS_PORT !== undefined) return { mode: "separate-port", port: config.METRICS_PORT, token };
  if (token) return { mode: "same-port", token };
  if (config.NODE_ENV !== "production") return { mode: "same-port", token: null };
  return { mode: "off", why: "NODE_ENV=production needs METRICS_TOKEN or METRICS_PORT to serve /metrics" };
}

/** Operation names come from callers: past this many distinct names, new ones are counted as "other". */
const MAX_OPERATION_LABELS = 500;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/** The label for an operation name: "anonymous" without one, "other" for an odd or one-too-many name. */
export function operationLabel(name: string | null | undefined, seen: Set<string>, max = MAX_OPERATION_LABELS): string {
  if (!name) return "anonymous";
  if (!OPERATION_NAME.test(name)) return "other";
  if (seen.has(name)) return name;
  if (seen.size >= max) return "other";
  seen.add(name);
  return name;
}

/** What a request ended as: ok, or error when the response carries any GraphQL error. */
export type RequestOutcome = "ok" | "error";

// Dashboards ask in tens of milliseconds; a KPI or a stock issue under load may take seconds.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One service's Prometheus registry with the request metrics every service has. */
export class ServiceMetrics {
  readonly registry = new Registry();
  private operations = new Set<string>();
  private readonly requests: Counter<"operation" | "outcome">;
  private readonly duration: Histogram<"operation">;

  constructor(
    readonly service: string,
    opts: { processMetrics?: boolean } = {},
  ) {
    this.registry.setDefaultLabels({ service });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: "mes_graphql_requests_total",
      help: "GraphQL requests answered, by operation name and outcome (error: the response has at least one error)",
      labelNames: ["operation", "outcome"],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: "mes_graphql_request_duration_seconds",
      help: "Time from receiving a GraphQL request to sending its response, by operation name",
      labelNames: ["operation"],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  observeRequest(operationName: string | null | undefined, outcome: RequestOutcome, seconds: number): void {
    const operation = operationLabel(operationName, this.operations);
    this.requests.inc({ operation, outcome });
    this.duration.observe({ operation }, seconds);
  }

  /** A histogram in this registry (e.g. the gateway's subgraph fetch latency). */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /** A gauge whose value(s) are read at scrape time; `read` sets them (it may be async, e.g. SQL). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (g: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await read(this);
      },
    });
  }

  /** A counter read at scrape time from a running total kept elsewhere (counts only go up). */
  counterFrom<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Array<[Partial<Record<L, string>>, number]>): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) if (value > 0) this.inc(labels as never, value);
      },
    });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function answer(metrics: ServiceMetrics, token: string | null, authorization: string | undefined, log: Logger) {
  if (token && !tokenMatches(authorization, token))
    return { status: 401, type: "text/plain", body: "/metrics needs Authorization: Bearer <METRICS_TOKEN>\n" };
  try {
    return { status: 200, type: metrics.registry.contentType, body: await metrics.text() };
  } catch (err) {
    log.warn({ err }, "collecting metrics failed");
    return { status: 500, type: "text/plain", body: "collecting metrics failed\n" };
  }
}

/** A running /metrics endpoint; a separate port has its own server to close. */
export interface MetricsEndpoint {
  /** The URL scrapers use, when served on a separate port. */
  url?: string;
  close(): Promise<void>;
}

/** Serves /metrics as `exposure` says: a route of `app`, or a server of its own. */
export async function serveMetrics(
  metrics: ServiceMetrics,
  exposure: MetricsExposure,
  app: express.Express,
  host: string,
  log: Logger,
): Promise<MetricsEndpoint> {
  if (exposure.mode === "off") {
    log.info({ why: exposure.why }, "/metrics is off");
    return { close: async () => {} };
  }
  const token = exposure.token;
  if (exposure.mode === "same-port") {
    app.get("/metrics", async (req, res) => {
      const a = await answer(metrics, token, req.headers.authorization, log);
      res.status(a.status).type(a.type).send(a.body);
    });
    return { close: async () => {} };
  }
  const server = http.createServer(async (req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const a = await answer(metrics, token, req.headers.authorization, log);
    res.writeHead(a.status, { "content-type": a.type }).end(a.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(exposure.port, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/metrics`;
  log.info({ url }, "metrics listening");
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a subgraph process exposes beyond requests: its database pool, outbox, followers, subscriptions. */
export interface SubgraphMetricSources {
  pool: pg.Pool;
  poolMax: number;
  queryStats: QueryStats;
  /** Its feed followers (periodic tasks without status() are skipped). */
  consumers: () => readonly EventConsumer[];
  live: { subscriberCount: number; delivered: number };
  /** The read cache, when it is on (READ_CACHE_ENTRIES > 0). */
  readCache?: {
    entryCount: number;
    byteCount: number;
    stats: { hits: number; misses: number; stored: number; invalidated: number; evicted: number; notifications: number; barriers: number };
  } | null;
}

// An exact count: the outbox holds a retention window of events (compacted types beyond it).
const OUTBOX_SQL = `SELECT count(*)::float8 AS retained FROM "OutboxEvent"`;

export function registerSubgraphMetrics(metrics: ServiceMetrics, s: SubgraphMetricSources): void {
  metrics.gauge(
    "mes_db_pool_connections",
    "Database connections of this process's pool, by state (idle, in use, and requests waiting for one)",
    ["state"],
    (g) => {
      g.set({ state: "idle" }, s.pool.idleCount);
      g.set({ state: "in_use" }, s.pool.totalCount - s.pool.idleCount);
      g.set({ state: "waiting" }, s.pool.waitingCount);
    },
  );
  metrics.gauge("mes_db_pool_max_connections", "The pool's size limit (DB_POOL_MAX)", [], (g) => g.set(s.poolMax));
  metrics.counterFrom("mes_db_queries_total", "SQL statements sent by this process", [], () => [[{}, s.queryStats.queries]]);
  metrics.gauge("mes_outbox_events", "Events kept in this subgraph's outbox (pruned after OUTBOX_RETENTION_HOURS)", [], async (g) => {
    const { rows } = await s.pool.query<{ retained: number }>(OUTBOX_SQL);
    g.set(rows[0]?.retained ?? 0);
  });
  const followers = () => s.consumers().flatMap((c) => (c.status ? [c.status()] : []));
  metrics.gauge(
    "mes_event_follower_events_behind",
    "Events of the followed subgraph's feed (by id) this follower has not passed yet",
    ["feed"],
    (g) => {
      g.reset();
      for (const f of followers()) g.set({ feed: f.feed }, f.eventsBehind);
    },
  );
  metrics.gauge(
    "mes_event_follower_seconds_behind",
    "How long the oldest event this follower has not passed yet has been waiting, in seconds",
    ["feed"],
    (g) => {
      g.reset();
      for (const f of followers()) g.set({ feed: f.feed }, f.secondsBehind);
    },
  );
  metrics.gauge(
    "mes_event_follower_up",
    "1 while the follower can go on by itself, 0 when its position is behind what the source pruned",
    ["feed"],
    (g) => {
      g.reset();
      for (const f of followers()) g.set({ feed: f.feed }, f.ok ? 1 : 0);
    },
  );
  metrics.gauge("mes_subscriptions_open", "GraphQL subscriptions open at this service (gateways and direct clients)", [], (g) =>
    g.set(s.live.subscriberCount),
  );
  metrics.counterFrom("mes_subscription_events_delivered_total", "Events delivered to this service's subscriptions", [], () => [
    [{}, s.live.delivered],
  ]);
  const cache = s.readCache;
  if (!cache) return;
  registerKeptAnswersMetrics(metrics, "mes_read_cache", cache, {
    what: "the read cache",
    limits: "READ_CACHE_ENTRIES and READ_CACHE_MB",
    invalidatedBy: "the database announced a change to what they read",
  });
  metrics.counterFrom("mes_read_cache_change_notifications_total", "Change notifications received from the database (table and tenant)", [], () => [
    [{}, cache.stats.notifications],
  ]);
  metrics.counterFrom(
    "mes_read_cache_barriers_total",
    "Barriers sent to be sure every committed change was applied before a cached answer",
    [],
    () => [[{}, cache.stats.barriers]],
  );
}

/**
 * The metrics every answer cache exports under its prefix (mes_read_cache, mes_gateway_answer_cache):
 * hits and misses, stored, invalidated and evicted answers, entries and bytes held.
 */
export function registerKeptAnswersMetrics(
  metrics: ServiceMetrics,
  prefix: string,
  cache: { stats: KeptAnswersStats; entryCount: number; byteCount: number },
  words: { what: string; limits: string; invalidatedBy: string },
): void {
  metrics.counterFrom(
    `${prefix}_requests_total`,
    `Queries ${words.what} answered (hit) or that ran and were offered to it (miss)`,
    ["result"],
    () => [
      [{ result: "hit" }, cache.stats.hits],
      [{ result: "miss" }, cache.stats.misses],
    ],
  );
  metrics.counterFrom(`${prefix}_stored_total`, `Answers kept by ${words.what}`, [], () => [[{}, cache.stats.stored]]);
  metrics.counterFrom(`${prefix}_invalidations_total`, `Kept answers dropped because ${words.invalidatedBy}`, [], () => [
    [{}, cache.stats.invalidated],
  ]);
  metrics.counterFrom(`${prefix}_evictions_total`, `Kept answers dropped to stay within ${words.limits}`, [], () => [[{}, cache.stats.evicted]]);
  metrics.gauge(`${prefix}_entries`, `Answers ${words.what} holds`, [], (g) => g.set(cache.entryCount));
  metrics.gauge(`${prefix}_bytes`, `Size of the answers ${words.what} holds, in bytes`, [], (g) => g.set(cache.byteCount));
}
