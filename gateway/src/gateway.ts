import fs from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { createLogger, startGraphQLService, type Logger, type ReadinessReport, type RequestContext, type RunningService } from "@mes/shared";
import { subgraphUrls, type GatewayConfig } from "./config.ts";
import { mountIde } from "./ide.ts";
import { FederatedSubscriptions } from "./subscriptions.ts";

const ENDPOINT = "/graphql";

/** Forwards the request id and the acting user to every subgraph fetch; each fetch has a timeout. */
class SubgraphDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>["willSendRequest"]>>[0]) {
    if (context?.requestId) request.http?.headers.set("x-request-id", context.requestId);
    if (context?.actor) request.http?.headers.set("x-user-id", context.actor);
  }
}

async function probe(url: string, timeoutMs: number): Promise<{ ok: boolean; detail?: string }> {
  const readyUrl = url.replace(/\/graphql\/?$/, "/ready");
  try {
    const res = await fetch(readyUrl, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? { ok: true } : { ok: false, detail: `${readyUrl} answered ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `${readyUrl}: ${(err as Error).message}` };
  }
}

export async function startGateway(config: GatewayConfig, log: Logger = createLogger("gateway", config.LOG_LEVEL)): Promise<RunningService> {
  const urls = subgraphUrls(config);
  const supergraphSdl = fs.readFileSync(config.SUPERGRAPH_PATH, "utf8");
  const timeoutMs = config.SUBGRAPH_TIMEOUT_MS;
  const dataSources = new Map<string, SubgraphDataSource>();
  const dataSource = (name: string, url?: string) => {
    if (!dataSources.has(name)) {
      dataSources.set(name, new SubgraphDataSource({
        url: urls[name] ?? url,
        fetcher: ((input: string, init: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
      }));
    }
    return dataSources.get(name)!;
  };
  const gateway = new ApolloGateway({ supergraphSdl, logger: log, buildService: ({ name, url }) => dataSource(name, url) });
  const subscriptions = new FederatedSubscriptions(supergraphSdl, urls, (name) => dataSource(name), log);
  const ide = config.ENABLE_IDE ?? config.NODE_ENV !== "production";
  const readiness = async (): Promise<ReadinessReport> => {
    const entries = await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await probe(url, 2000)] as const));
    const checks = Object.fromEntries(entries);
    return { ready: entries.every(([, c]) => c.ok), checks };
  };
  return startGraphQLService<RequestContext>({
    name: "gateway",
    graph: { gateway },
    host: config.HOST,
    port: config.PORT,
    bodyLimit: config.BODY_LIMIT,
    development: config.NODE_ENV === "development",
    introspection: ide,
    log,
    readiness,
    context: (base) => base,
    websocket: {
      schema: subscriptions.schema,
      context: (base) => base,
      subscribe: (args) => subscriptions.subscribe(args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName ?? undefined, args.contextValue as RequestContext),
    },
    routes: ide ? (app) => mountIde(app, ENDPOINT) : undefined,
  });
}
export { gatewayEnv, subgraphUrls, type GatewayConfig } from "./config.ts";
