import fs from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import type { WebSocket } from "ws";
import express from "express";
import cors from "cors";
import compression from "compression";
import type { SubgraphName } from "@mes/db";
import {
  WsCloseCode,
  closeWhenTokenExpires,
  createLogger,
  createTokenVerifier,
  exposesErrorDetails,
  metricsExposure,
  startGraphQLService,
  type Logger,
  type RequestContext,
  type RunningService,
  useStrictScalars,
} from "@mes/shared";
import { isIntrospectionOnly, operationLimits } from "./limits.ts";
import { SubgraphDataSource, dedupedFetch } from "./subgraph-fetch.ts";
import { inflightQueryDedupe, operationMustResolve } from "./operation-dedupe.ts";
import { subgraphUrls, type GatewayConfig } from "./config.ts";
import { mountIde } from "./ide.ts";
import { FederatedSubscriptions } from "./subscriptions.ts";
import { SubscriptionLimiter } from "./subscription-limits.ts";
import { RateLimiter, rateLimitRequests } from "./rate-limits.ts";
import { loadTrustedDocuments, trustedDocumentsMiddleware } from "./trusted-documents.ts";
import { openSubscription } from "./open-subscription.ts";
import type { Corkable } from "./client-stream.ts";
import { mountSseSubscriptions } from "./sse.ts";
import { gatewayReadiness } from "./readiness.ts";
import { partialRootAnswers } from "./partial-root.ts";
import { gatewayMetrics } from "./metrics.ts";
import { AnswerCache } from "./answer-cache.ts";
import { answerCachePlugin, answerCacheRoute, changeChecks, registerAnswerCacheMetrics } from "./answer-cache-route.ts";

const ENDPOINT = "/graphql";

export async function startGateway(config: GatewayConfig, log: Logger = createLogger("gateway", config.LOG_LEVEL)): Promise<RunningService> {
  const urls = subgraphUrls(config);
  const supergraphSdl = fs.readFileSync(config.SUPERGRAPH_PATH, "utf8");
  const timeoutMs = config.SUBGRAPH_TIMEOUT_MS;
  // Read at scrape time, once the subscriptions below exist.
  const { metrics, observeFetch } = gatewayMetrics(() => subscriptions);
  const dataSources = new Map<string, SubgraphDataSource>();
  const dataSource = (name: string, url?: string) => {
    if (!dataSources.has(name)) {
      dataSources.set(
        name,
        new SubgraphDataSource({
          name,
          timeoutMs,
          url: urls[name as SubgraphName] ?? url,
          fetcher: dedupedFetch(timeoutMs) as never,
          observeFetch,
        }),
      );
    }
    return dataSources.get(name)!;
  };
  const gateway = new ApolloGateway({ supergraphSdl, logger: log, buildService: ({ name, url }) => dataSource(name, url) });
  // A bad DateTime or Date is refused here, with HTTP 400, before any subgraph is called.
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => useStrictScalars(apiSchema));
  const subscriptions = new FederatedSubscriptions(supergraphSdl, urls, (name) => dataSource(name), log, {
    maxQueuedEvents: config.SUBSCRIPTION_QUEUE_MAX,
    positionRefreshMs: config.SUBSCRIPTION_POSITION_REFRESH_MS,
  });
  useStrictScalars(subscriptions.schema);
  // Limits are counted here rather than in graphql-ws's onSubscribe, whose GraphQLError check can
  // see another copy of graphql (CommonJS and ESM builds) and reject a valid refusal.
  const limiter = new SubscriptionLimiter({
    perConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
    perUser: config.SUBSCRIPTIONS_PER_USER,
    perOrganization: config.SUBSCRIPTIONS_PER_ORGANIZATION,
    total: config.SUBSCRIPTIONS_MAX,
  });
  const authenticate = createTokenVerifier(config);
  const ide = config.ENABLE_IDE ?? config.NODE_ENV !== "production";
  // Per user and per organization, before anything is parsed; subscriptions count when they start.
  const rateLimiter = new RateLimiter({
    user: { perSecond: config.RATE_LIMIT_USER_PER_SECOND, burst: config.RATE_LIMIT_USER_BURST },
    organization: { perSecond: config.RATE_LIMIT_ORGANIZATION_PER_SECOND, burst: config.RATE_LIMIT_ORGANIZATION_BURST },
  });
  const trusted = loadTrustedDocuments(config);
  const answerCache = config.ANSWER_CACHE_ENTRIES
    ? new AnswerCache(
        Object.keys(urls),
        changeChecks(urls, Math.min(timeoutMs, 2000), metrics),
        { maxEntries: config.ANSWER_CACHE_ENTRIES, maxBytes: config.ANSWER_CACHE_MB * 1024 * 1024, clockMs: config.ANSWER_CACHE_CLOCK_MS },
        log,
      )
    : null;
  if (answerCache) registerAnswerCacheMetrics(metrics, answerCache);
  const gate = { subscriptions, limiter, rateLimiter, trusted };
  const beforeGraphQL = [
    express.json({ limit: config.BODY_LIMIT }),
    rateLimitRequests(rateLimiter, authenticate, log),
    trustedDocumentsMiddleware(trusted, (query) => ide && isIntrospectionOnly({ query })),
  ];
  let closeSseStreams = () => {};
  // Ready = this gateway can serve; subgraphs are reported in the body only (see readiness.ts).
  const readiness = gatewayReadiness(urls);
  const running = await startGraphQLService<RequestContext>({
    name: "gateway",
    // A down subgraph's non-null root field nulls only itself, not the whole answer.
    graph: { gateway: partialRootAnswers(gateway) },
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - 2000),
    shutdownDelayMs: config.SHUTDOWN_DELAY_MS,
    bodyLimit: config.BODY_LIMIT,
    exposeErrorDetails: exposesErrorDetails(config),
    introspection: ide,
    log,
    readiness,
    authenticate,
    requestScope: false,
    metrics: { registry: metrics, exposure: metricsExposure(config) },
    plugins: [operationMustResolve(), inflightQueryDedupe(), ...(answerCache ? [answerCachePlugin()] : [])],
    ...(answerCache ? { readCache: answerCacheRoute(answerCache, log, metrics) } : {}),
    // The IDE may load the schema before the user has pasted a token.
    allowAnonymous: (req) => ide && isIntrospectionOnly(req.body),
    ...operationLimits(config),
    context: (base) => base,
    websocket: {
      schema: subscriptions.schema,
      context: (base, _req, socket) => {
        // A token ends when it expires: the client reconnects with a fresh one and resumes by cursor.
        closeWhenTokenExpires(socket, base.identity?.expiresAt);
        return { ...base, socket };
      },
      subscribe: async (args) => {
        const context = args.contextValue as RequestContext & { socket: WebSocket };
        return openSubscription(gate, args, context, {
          connection: context.socket,
          countRate: true,
          // ws keeps the TCP socket as `_socket`: a shared event's messages to it leave in one write.
          transport: (context.socket as unknown as { _socket?: Corkable })._socket,
          // A client that does not read its events is disconnected with a reason it can act on.
          onSlow: () =>
            context.socket.close(
              WsCloseCode.SUBSCRIBER_TOO_SLOW,
              "Subscriber too slow: events were not read; reconnect and resume with after: <cursor>",
            ),
        });
      },
    },
    routes: (app) => {
      // Browsers may call the graph only from configured origins (none by default).
      app.use("/graphql", cors({ origin: config.CORS_ORIGINS, methods: ["GET", "POST"], maxAge: 600 }));
      // Subscriptions over Server-Sent Events (graphql-sse), for proxies that break WebSockets.
      closeSseStreams = mountSseSubscriptions(app, {
        schema: subscriptions.schema,
        gate,
        authenticate,
        exposeErrorDetails: exposesErrorDetails(config),
        log,
        before: beforeGraphQL.slice(1),
        bodyLimit: config.BODY_LIMIT,
      });
      app.use("/graphql", ...beforeGraphQL);
      // Large answers (a plant dashboard is ~50 KB of JSON) go gzipped to clients that accept it:
      // it pays over plant Wi-Fi; small answers are not worth the CPU.
      app.use("/graphql", compression({ threshold: 16 * 1024, level: 1 }));
      // Live subscription counts, for operators and dashboards of the gateway itself.
      app.get("/subscriptions", (_req, res) => {
        res.json({ ...subscriptions.counters, upstreamSockets: subscriptions.upstreamSockets });
      });
      if (ide) mountIde(app, ENDPOINT);
    },
  });
  return {
    ...running,
    async stop() {
      // SSE streams are open requests: ended first (clients resume by cursor), not waited for by the drain.
      closeSseStreams();
      await running.stop();
      // Clients are gone (closed by the server's stop): their upstream subscriptions and sockets go too.
      subscriptions.close();
    },
  };
}
export { gatewayEnv, subgraphUrls, type GatewayConfig } from "./config.ts";
