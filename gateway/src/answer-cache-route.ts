import { AsyncLocalStorage } from "node:async_hooks";
import type { ApolloServerPlugin } from "@apollo/server";
import type express from "express";
import { Agent, request } from "undici";
import {
  READS_EXTENSION,
  registerKeptAnswersMetrics,
  runsQuery,
  sendKeptAnswer,
  visibilityKey,
  type ChangesAnswer,
  type Identity,
  type Logger,
  type RequestContext,
  type ServiceMetrics,
} from "@mes/shared";
import { AnswerCache, newFetchReads, type FetchChanges, type FetchReads } from "./answer-cache.ts";
import { PersistedDocuments } from "./persisted-documents.ts";

/** The subgraph reads of the request being executed (filled by SubgraphDataSource as answers arrive). */
export const fetchReadsScope = new AsyncLocalStorage<FetchReads>();

/** Notes what a subgraph answer read (its `extensions.mesReads`); an answer with errors or without it spoils the request's. */
export function noteFetchReads(subgraph: string, answer: { errors?: readonly unknown[]; extensions?: Record<string, unknown> } | undefined): void {
  const reads = fetchReadsScope.getStore();
  if (!reads) return;
  reads.fetches += 1;
  const said = answer?.extensions?.[READS_EXTENSION] as { tables?: unknown; clock?: unknown; validForMs?: unknown } | undefined;
  if (!answer || answer.errors?.length || !Array.isArray(said?.tables)) {
    reads.uncacheable = true;
    return;
  }
  const tables = reads.tables.get(subgraph) ?? new Set<string>();
  reads.tables.set(subgraph, tables);
  for (const t of said.tables) if (typeof t === "string") tables.add(t);
  if (said.clock === true) reads.clock = true;
  if (typeof said.validForMs === "number") reads.validForMs = Math.min(reads.validForMs ?? Number.POSITIVE_INFINITY, said.validForMs);
}

/**
 * The answer cache in front of Apollo (after authentication): a query whose answer is kept fresh
 * for the caller's visibility key is answered without parsing, planning or subgraph queries;
 * otherwise it runs as usual, its fetches' reads collected, and its answer offered as it is sent.
 */
export function answerCacheRoute(cache: AnswerCache, log: Logger, metrics?: ServiceMetrics): express.RequestHandler {
  const documents = new PersistedDocuments();
  return async (req, res, next) => {
    const identity = res.locals.identity as Identity | undefined;
    const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown } | undefined;
    if (req.method !== "POST" || !identity || !body) return next();
    const query = documents.queryOf(body);
    if (query === undefined || !runsQuery(query, body.operationName)) return next();
    // A hash-only request runs as the full one (Apollo then finds its document even if its own
    // persisted-query cache has let it go), and shares its answers.
    body.query = query;
    const started = performance.now();
    const visibility = visibilityKey(identity);
    const key = AnswerCache.keyOf(visibility, query, body.operationName, body.variables);
    const hit = await cache.lookup(key, identity.token);
    if (hit !== null) {
      sendKeptAnswer(req, res, hit, { identity, operationName: body.operationName, started, log, metrics, cache: "answerCache" });
      return;
    }
    const ticket = cache.startMiss(visibility, identity.token);
    const reads = newFetchReads();
    const send = res.send.bind(res);
    res.send = (out?: unknown) => {
      if (typeof out === "string" && res.statusCode === 200) cache.store(key, visibility, out, reads, ticket);
      return send(out);
    };
    fetchReadsScope.run(reads, next);
  };
}

/** An answer with errors (a subgraph down, a refused argument) is not kept. */
export function answerCachePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const reads = fetchReadsScope.getStore();
          if (reads && (response.body.kind !== "single" || response.body.singleResult.errors?.length)) reads.uncacheable = true;
        },
      };
    },
  };
}

/** Change checks over a keep-alive pool: POST <subgraph>/read-changes with the caller's token. */
export function changeChecks(urls: Record<string, string>, timeoutMs: number, metrics?: ServiceMetrics): FetchChanges {
  const seconds = metrics?.histogram(
    "mes_gateway_answer_cache_check_duration_seconds",
    "Time of one change check (POST /read-changes, the subgraph's barrier included), by subgraph",
    ["subgraph"],
  );
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const endpoints = new Map(Object.entries(urls).map(([name, url]) => [name, new URL("/read-changes", url).toString()]));
  return async (subgraph, token, since) => {
    const url = endpoints.get(subgraph);
    if (!url) return "unsupported";
    const started = performance.now();
    const res = await request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(since ?? {}),
      dispatcher: agent,
    });
    const text = await res.body.text();
    seconds?.observe({ subgraph }, (performance.now() - started) / 1000);
    if (res.statusCode === 404) return "unsupported";
    if (res.statusCode !== 200) throw new Error(`${subgraph} /read-changes answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as ChangesAnswer;
  };
}

/** The cache's counters and size on the gateway's /metrics. */
export function registerAnswerCacheMetrics(metrics: ServiceMetrics, cache: AnswerCache): void {
  registerKeptAnswersMetrics(metrics, "mes_gateway_answer_cache", cache, {
    what: "the gateway's answer cache",
    limits: "ANSWER_CACHE_ENTRIES and ANSWER_CACHE_MB",
    invalidatedBy: "a subgraph announced a change to what they read",
  });
  metrics.counterFrom(
    "mes_gateway_answer_cache_change_checks_total",
    "Change checks sent to subgraphs (POST /read-changes) before serving kept answers",
    ["outcome"],
    () => [
      [{ outcome: "ok" }, cache.stats.checks - cache.stats.checkFailures],
      [{ outcome: "failed" }, cache.stats.checkFailures],
    ],
  );
}
