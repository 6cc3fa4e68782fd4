import http from "node:http";
import { randomUUID } from "node:crypto";
import express from "express";
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema, ValidationRule } from "graphql";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { GatewayInterface } from "@apollo/server-gateway-interface";
import type { Logger } from "./logger.ts";
import { WsCloseCode } from "./close-codes.ts";
import { formatError, wsErrorFormatting } from "./errors.ts";
import { requestQueries } from "./db.ts";
import { connectionToken, requestToken, type Identity, type TokenVerifier } from "./auth.ts";
import { freshContextPerEvent } from "./ws-subscriptions.ts";
import { serveMetrics, type MetricsEndpoint, type MetricsExposure, type ServiceMetrics } from "./metrics.ts";
import { logRefusedRequest, requestLogPlugin } from "./request-log.ts";
import { context as otelContext } from "@opentelemetry/api";
import { endSpan, startRequestSpan, type Span } from "./tracing.ts";

export interface RequestContext extends BaseContext {
  requestId: string;
  log: Logger;
  /** Who acts, for history and audit: the verified token's subject. */
  actor: string;
  /** The verified caller; null only where a call needs none (the gateway's introspection). */
  identity: Identity | null;
  /** Why a WebSocket connection has no identity, for the refusal of its operations. */
  authProblem?: string;
  /** The caller's Idempotency-Key header, which the gateway passes on with mutations. */
  idempotencyKey?: string;
  /** The request's span (W3C trace context from the caller); not recording when tracing is off. */
  span?: Span;
}

export interface ReadinessReport {
  ready: boolean;
  /** Each check; a feed follower's also says how far behind it is (events by id, and seconds). */
  checks: Record<string, { ok: boolean; detail?: string; eventsBehind?: number; secondsBehind?: number }>;
}

export interface GraphQLServiceOptions<TContext extends RequestContext> {
  name: string;
  /** A subgraph serves its own schema; the gateway serves what its gateway composes. */
  graph: { schema: GraphQLSchema } | { gateway: GatewayInterface };
  host: string;
  port: number;
  bodyLimit: string;
  /** Stack traces and internal messages in error responses (see exposesErrorDetails); never in production. */
  exposeErrorDetails: boolean;
  log: Logger;
  readiness: () => Promise<ReadinessReport>;
  context: (base: RequestContext, req: express.Request) => Promise<TContext> | TContext;
  /** Extra Express routes mounted before /graphql (e.g. the gateway's IDE). */
  routes?: (app: express.Express) => void;
  plugins?: ApolloServerPlugin<TContext>[];
  /** Whether the schema may be introspected (the gateway turns this off in production). */
  introspection?: boolean;
  /** How long a stop waits for requests in flight before closing their connections. */
  shutdownGraceMs?: number;
  /** How long a stopping service keeps answering, not ready, before it stops accepting (SHUTDOWN_DELAY_MS). */
  shutdownDelayMs?: number;
  /** Verifies bearer tokens; every GraphQL request and WebSocket connection must carry one. */
  authenticate: TokenVerifier;
  /** Requests that may go without a token (the gateway lets its IDE introspect the schema). */
  allowAnonymous?: (req: express.Request) => boolean;
  /** Request metrics (and whatever else is registered) served at /metrics as `exposure` says. */
  metrics?: { registry: ServiceMetrics; exposure: MetricsExposure };
  /** The read cache's route, run after authentication and before Apollo (subgraphs; read-cache-route.ts). */
  readCache?: express.RequestHandler;
  /** POST /read-changes, authenticated like /graphql: a subgraph's change notices for gateways' answer caches. */
  readChanges?: express.RequestHandler;
  /** Parse and validation limits (depth, aliases, cost, tokens) for untrusted callers. */
  validationRules?: ValidationRule[];
  maxTokens?: number;
  /**
   * Open a request scope (AsyncLocalStorage) for SQL counting and the audit session. Only services
   * with a database need it; it costs every promise a hook, so the gateway leaves it off.
   */
  requestScope?: boolean;
  /**
   * Serve subscriptions over graphql-ws on the GraphQL path, with this context: a subgraph executes
   * its own schema; the gateway gives the API schema and its own `subscribe`.
   */
  websocket?: {
    context: (base: RequestContext, req: http.IncomingMessage, socket: WebSocket) => Promise<TContext> | TContext;
    schema?: GraphQLSchema;
    subscribe?: (args: ExecutionArgs) => AsyncIterableIterator<ExecutionResult> | Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  };
}

export interface RunningService {
  url: string;
  port: number;
  httpServer: http.Server;
  stop(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses the caller's request id (gateway -> subgraph) so one request can be followed in every log. */
export function requestIdOf(req: http.IncomingMessage): string {
  const header = req.headers["x-request-id"];
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** HTTP server with /health, /ready and /graphql (Apollo Server), shut down gracefully by stop(). */
export async function startGraphQLService<TContext extends RequestContext>(opts: GraphQLServiceOptions<TContext>): Promise<RunningService> {
  let stopping = false;
  const app = express();
  // While stopping, every answer asks the client to close its connection (keep-alive connections
  // would otherwise be cut under a request sent on them as the server closes them).
  app.use((_req, res, next) => {
    if (stopping) res.setHeader("Connection", "close");
    next();
  });
  app.disable("x-powered-by");
  // GraphQL answers are POSTs no client revalidates: hashing every body for an ETag is wasted CPU.
  app.set("etag", false);
  const httpServer = http.createServer(app);
  // Idle keep-alive connections are closed by the client first (undici: 4 s, gateways: 30 s), never
  // by us just as a client reuses one (that race is an ECONNRESET on a loaded machine).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  // graphql-ws on the same path, so Apollo Router, Hive Gateway or any graphql-ws client can subscribe.
  let wsCleanup: { dispose(): void | Promise<void> } | null = null;
  let wsServer: WebSocketServer | null = null;
  const wsSchema = opts.websocket?.schema ?? ("schema" in opts.graph ? opts.graph.schema : undefined);
  if (opts.websocket && wsSchema) {
    const websocket = opts.websocket;
    const perEvent = freshContextPerEvent();
    wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: 64 * 1024 });
    wsCleanup = useServer<Record<string, unknown>, { context?: TContext }>(
      {
        schema: wsSchema,
        // A subgraph resolves each event with a fresh context (fresh DataLoaders), see ws-subscriptions.ts.
        subscribe: websocket.subscribe ?? perEvent.subscribe,
        ...wsErrorFormatting(opts.exposeErrorDetails, opts.log),
        context: async (ctx, _id, payload) => {
          // A gateway passes the caller's request id and bearer token in the connection parameters.
          // GraphiQL sends the headers of its editor with each operation (extensions.headers) instead.
          const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
          const requestId =
            typeof params.requestId === "string" && REQUEST_ID.test(params.requestId) ? params.requestId : requestIdOf(ctx.extra.request);
          const extensions = payload.extensions as { headers?: Record<string, unknown> } | undefined;
          // Apollo Router sends the client's headers on the WebSocket upgrade request instead.
          const token = connectionToken(params) ?? connectionToken(extensions?.headers) ?? requestToken(ctx.extra.request);
          let identity: Identity | null = null;
          let authProblem = 'Authentication is required: send authorization: "Bearer <token>" in the connection parameters';
          if (token) {
            try {
              identity = await opts.authenticate(token);
            } catch (err) {
              authProblem = (err as Error).message;
            }
          }
          const base: RequestContext = {
            requestId,
            actor: identity?.userId ?? "anonymous",
            identity,
            authProblem,
            log: opts.log.child({ requestId }),
          };
          const makeContext = () => websocket.context(base, ctx.extra.request, ctx.extra.socket);
          return perEvent.remember(await makeContext(), makeContext);
        },
      },
      wsServer,
    );
  }

  // Every GraphQL request is authenticated before Apollo sees it: 401 in GraphQL's error shape.
  const authenticate: express.RequestHandler = async (req, res, next) => {
    const token = requestToken(req);
    try {
      if (token) res.locals.identity = await opts.authenticate(token);
      else if (!(req.method === "POST" && opts.allowAnonymous?.(req)))
        throw new Error("Authentication is required: send Authorization: Bearer <token>");
      next();
    } catch (err) {
      const span = res.locals.span as Span | undefined;
      logRefusedRequest(
        opts.log.child({ requestId: requestIdOf(req) }),
        span?.spanContext().traceId,
        performance.now() - (res.locals.started as number),
      );
      res
        .status(401)
        .set("www-authenticate", "Bearer")
        .json({ errors: [{ message: (err as Error).message, extensions: { code: "UNAUTHENTICATED" } }] });
    }
  };

  const apollo = new ApolloServer<TContext>({
    ...opts.graph,
    introspection: opts.introspection ?? true,
    csrfPrevention: true,
    // Signals are ours (stopOnSignals): Apollo's own handlers would stop the server a second time
    // and re-raise the signal, which kept a service's graceful stop from finishing.
    stopOnTerminationSignals: false,
    ...(opts.validationRules ? { validationRules: opts.validationRules } : {}),
    ...(opts.maxTokens ? { parseOptions: { maxTokens: opts.maxTokens } } : {}),
    includeStacktraceInErrorResponses: opts.exposeErrorDetails,
    formatError: formatError(opts.exposeErrorDetails),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: opts.shutdownGraceMs ?? 8000 }),
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces only serve Apollo's hosted Studio, which a plant network cannot reach.
      ApolloServerPluginInlineTraceDisabled(),
      requestLogPlugin<TContext>(opts.metrics?.registry),
      ...(opts.plugins ?? []),
    ],
  } as ConstructorParameters<typeof ApolloServer<TContext>>[0]);
  await apollo.start();

  app.get("/health", (_req, res) => {
    res.json({ status: "ok", service: opts.name });
  });
  app.get("/ready", async (_req, res) => {
    try {
      // A stopping service is not ready: load balancers and probes send nothing new while it drains.
      if (stopping) {
        res.status(503).json({ service: opts.name, ready: false, checks: { shutdown: { ok: false, detail: "stopping" } } });
        return;
      }
      const report = await opts.readiness();
      res.status(report.ready ? 200 : 503).json({ service: opts.name, ...report });
    } catch (err) {
      opts.log.warn({ err }, "readiness check failed");
      res.status(503).json({ service: opts.name, ready: false, checks: { readiness: { ok: false, detail: (err as Error).message } } });
    }
  });
  opts.routes?.(app);
  const metricsEndpoint: MetricsEndpoint | null = opts.metrics
    ? await serveMetrics(opts.metrics.registry, opts.metrics.exposure, app, opts.host, opts.log)
    : null;
  // The request's span (child of the caller's traceparent) is active for everything the request does.
  const traced: express.RequestHandler = (req, res, next) => {
    const { span, context } = startRequestSpan(opts.name, `${req.method} /graphql`, req.headers);
    res.locals.span = span;
    res.locals.started = performance.now();
    res.once("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
    });
    otelContext.with(context, next);
  };
  if (opts.readChanges) app.post("/read-changes", express.json({ limit: "4kb" }), authenticate, opts.readChanges);
  app.use(
    "/graphql",
    traced,
    (_req, _res, next) => (opts.requestScope === false ? next() : requestQueries.run({ queries: 0 }, next)),
    // The body's bytes are kept (no copy) for the read cache's key.
    express.json({ limit: opts.bodyLimit, verify: (req, _res, buf) => ((req as { rawBody?: Buffer }).rawBody = buf) }),
    authenticate,
    ...(opts.readCache ? [opts.readCache] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdOf(req);
        res.setHeader("x-request-id", requestId);
        const identity = (res.locals.identity as Identity | undefined) ?? null;
        const scope = requestQueries.getStore();
        if (scope && identity) {
          scope.audit = { actor: identity.userId, requestId, organizationId: identity.organizationId };
          // Row-level security: the request's statements see the caller's organization and plants only.
          scope.tenant = { organizationId: identity.organizationId, plantIds: identity.plantIds };
        }
        const idempotencyKey = req.get("idempotency-key") || undefined;
        const span = res.locals.span as Span | undefined;
        return opts.context(
          {
            requestId,
            actor: identity?.userId ?? "anonymous",
            identity,
            idempotencyKey,
            log: opts.log.child({ requestId }),
            ...(span ? { span } : {}),
          },
          req,
        );
      },
    }),
  );
  // Body too large or malformed JSON: answer in GraphQL's error shape instead of an HTML page.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? 500;
    const message =
      err.type === "entity.too.large"
        ? `Request body is larger than the limit of ${opts.bodyLimit}`
        : status < 500
          ? err.message
          : "Internal server error";
    if (status >= 500) opts.log.error({ err }, "request failed");
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR" } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = httpServer.address() as { port: number };
  const url = `http://${opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host}:${port}/graphql`;
  opts.log.info({ url }, `${opts.name} listening`);
  return {
    url,
    port,
    httpServer,
    /**
     * Graceful stop: not ready at once; subscriptions closed with a code clients retry (they resume
     * by cursor, at this or another replica); no new connections; requests in flight finish (the
     * drain plugin waits for them, up to the grace period).
     */
    async stop() {
      stopping = true;
      const subscribers = wsServer?.clients.size ?? 0;
      for (const socket of wsServer?.clients ?? [])
        socket.close(WsCloseCode.SERVICE_RESTART, "Service restarting: reconnect and resume with after: <cursor>");
      await wsCleanup?.dispose();
      wsServer?.close();
      // A client reconnecting while this drains is told to try again (elsewhere), not 401 by the
      // HTTP route that would otherwise get the upgrade request (found by the chaos test).
      httpServer.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"));
      opts.log.info({ subscribers }, "stopping: subscriptions closed, draining requests in flight");
      if (opts.shutdownDelayMs) await new Promise((resolve) => setTimeout(resolve, opts.shutdownDelayMs));
      await apollo.stop();
      await metricsEndpoint?.close();
      opts.log.info("stopping: requests drained");
    },
  };
}

/**
 * Stops the service cleanly on SIGINT/SIGTERM and exits 0; a second signal, or a stop that takes
 * longer than `deadlineMs` (SHUTDOWN_TIMEOUT_MS), exits 1 at once.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>, deadlineMs = 10_000): void {
  let stopping = false;
  let since = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // The same signal delivered twice at once (a process group and a parent forwarding it) is one
    // request to stop; a second one later means "now".
    if (stopping) {
      if (Date.now() - since > 1000) process.exit(1);
      return;
    }
    stopping = true;
    since = Date.now();
    log.info({ signal }, "shutting down");
    // E.g. the database went away first and an in-flight transaction never settles.
    setTimeout(() => {
      log.error({ deadlineMs }, "shutdown did not finish in time; exiting");
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // Started by the local launcher (`pnpm start`) with an IPC channel: if the launcher dies, stop too.
  if (process.send) process.on("disconnect", () => onSignal("SIGTERM"));
}
