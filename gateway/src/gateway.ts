import fs from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { GraphQLError, type ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import cors from "cors";
import compression from "compression";
import type { SubgraphName } from "@mes/db";
import {
  WsCloseCode,
  closeWhenTokenExpires,
  createLogger,
  createTokenVerifier,
  exposesErrorDetails,
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
import { SubscriptionLimiter, releasingOnEnd } from "./subscription-limits.ts";
import { gatewayReadiness } from "./readiness.ts";

const ENDPOINT = "/graphql";

export async function startGateway(config: GatewayConfig, log: Logger = createLogger("gateway", config.LOG_LEVEL)): Promise<RunningService> {
  const urls = subgraphUrls(config);
  const supergraphSdl = fs.readFileSync(config.SUPERGRAPH_PATH, "utf8");
  const timeoutMs = config.SUBGRAPH_TIMEOUT_MS;
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
  const refusal = (message: string, code = "TOO_MANY_SUBSCRIPTIONS") => ({ errors: [new GraphQLError(message, { extensions: { code } })] });
  const authenticate = createTokenVerifier(config);
  const ide = config.ENABLE_IDE ?? config.NODE_ENV !== "production";
  // Ready = this gateway can serve; subgraphs are reported in the body only (see readiness.ts).
  const readiness = gatewayReadiness(urls);
  const running = await startGraphQLService<RequestContext>({
    name: "gateway",
    graph: { gateway },
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - 2000),
    bodyLimit: config.BODY_LIMIT,
    exposeErrorDetails: exposesErrorDetails(config),
    introspection: ide,
    log,
    readiness,
    authenticate,
    requestScope: false,
    plugins: [operationMustResolve(), inflightQueryDedupe()],
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
        if (!context.identity) return refusal(context.authProblem ?? "Authentication is required", "UNAUTHENTICATED");
        // Per connection, per user (all their sockets), per organization and in total.
        const slot = limiter.acquire(context.socket, context.identity);
        if ("refused" in slot) return refusal(slot.refused);
        // A client that does not read its events is disconnected with a reason it can act on.
        const onSlow = () =>
          context.socket.close(
            WsCloseCode.SUBSCRIBER_TOO_SLOW,
            "Subscriber too slow: events were not read; reconnect and resume with after: <cursor>",
          );
        // Callers with the same organization and plants see the same events, so they may share a stream.
        const scope = JSON.stringify([context.identity.organizationId, context.identity.plantIds]);
        let events: AsyncIterableIterator<ExecutionResult>;
        try {
          events = subscriptions.subscribe(
            args.document,
            (args.variableValues ?? {}) as Record<string, unknown>,
            args.operationName ?? undefined,
            context,
            scope,
            onSlow,
          );
        } catch (err) {
          slot.release();
          // Answered as an error result (formatted, logged), not by graphql-ws closing the socket with its message.
          return { errors: [err instanceof GraphQLError ? err : new GraphQLError((err as Error).message, { originalError: err as Error })] };
        }
        return releasingOnEnd(events, slot.release);
      },
    },
    routes: (app) => {
      // Browsers may call the graph only from configured origins (none by default).
      app.use("/graphql", cors({ origin: config.CORS_ORIGINS, methods: ["GET", "POST"], maxAge: 600 }));
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
      await running.stop();
      // Clients are gone (closed by the server's stop): their upstream subscriptions and sockets go too.
      subscriptions.close();
    },
  };
}
export { gatewayEnv, subgraphUrls, type GatewayConfig } from "./config.ts";
