import express from "express";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from "graphql";
import { createHandler } from "graphql-sse/lib/use/express";
import { requestIdOf, requestToken, wsErrorFormatting, type Identity, type Logger, type RequestContext, type TokenVerifier } from "@mes/shared";
import { openSubscription, type SubscriptionGate } from "./open-subscription.ts";

/** Where subscriptions are served over Server-Sent Events (graphql-sse, distinct connections mode). */
export const SSE_PATH = "/graphql/stream";

export interface SseOptions {
  schema: GraphQLSchema;
  gate: SubscriptionGate;
  authenticate: TokenVerifier;
  exposeErrorDetails: boolean;
  log: Logger;
  /** Run before the stream opens, after JSON parsing: the rate limit and trusted documents. */
  before: express.RequestHandler[];
  bodyLimit: string;
}

/** graphql-sse wants an index-signature record as its context. */
type SseContext = RequestContext & Record<PropertyKey, unknown>;

const endedBy = (message: string, code: string): ExecutionResult => ({
  errors: [{ message, extensions: { code } }] as unknown as ExecutionResult["errors"],
});

/** Where a stream's events are written (the HTTP response): its backlog says whether the client reads. */
export interface EventSink {
  readonly writableNeedDrain: boolean;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

/**
 * One client stream that can be ended with a last message the client can act on (too slow, token
 * expired, gateway stopping): that message is the stream's last event before `complete`. While the
 * client does not read what was written (`sink` backed up), no further event is taken: they wait in
 * the client's queue, which ends the stream as too slow past SUBSCRIPTION_QUEUE_MAX, as for a
 * WebSocket, instead of piling up in the response's buffer without limit.
 */
export class EndableStream implements AsyncIterableIterator<ExecutionResult> {
  private last: ExecutionResult | null = null;
  private finished = false;
  private wake: (() => void) | null = null;

  /** `onFinish` is called once, however the stream ends. */
  constructor(
    private readonly inner: AsyncIterableIterator<ExecutionResult>,
    private readonly onFinish: () => void = () => {},
    private readonly sink?: EventSink,
  ) {}

  /** Ends the stream; `result` is delivered after what was already read (the first reason wins). */
  end(result: ExecutionResult): void {
    this.last ??= result;
    void this.inner.return?.();
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.finished) return { value: undefined, done: true };
    if (this.sink?.writableNeedDrain && !this.last) await this.readAgain(this.sink);
    const step = await this.inner.next();
    if (!step.done) return step;
    this.finish();
    return this.last ? { value: this.last, done: false } : step;
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return (await this.inner.return?.()) ?? { value: undefined, done: true };
  }

  /** Present so graphql-sse treats it as a generator and returns it when the client goes away. */
  async throw(err?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw err;
  }

  /** Until the client has read the backlog, its connection closed, or the stream was ended. */
  private readAgain(sink: EventSink): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wake = null;
        sink.off("drain", done);
        sink.off("close", done);
        resolve();
      };
      this.wake = done;
      sink.once("drain", done);
      sink.once("close", done);
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish();
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * Subscriptions over SSE next to graphql-ws, for plant networks whose proxies break WebSockets:
 * POST /graphql/stream with Accept: text/event-stream and a bearer token. Each stream starts through
 * the same gate as a graphql-ws subscription (limits, trusted documents, shared upstream streams)
 * and resumes the same way, by `after: <cursor>`. Returns a function that ends every open stream
 * (the gateway is stopping), each with a message telling the client to reconnect and resume.
 */
export function mountSseSubscriptions(app: express.Express, opts: SseOptions): () => void {
  const open = new Set<EndableStream>();
  const { onNext: formatResult } = wsErrorFormatting(opts.exposeErrorDetails, opts.log);
  const handler = createHandler<SseContext>({
    schema: opts.schema,
    // Distinct connections only: no stream tokens, no reservations to keep.
    authenticate: async (req) => {
      const token = requestToken(req.raw);
      try {
        if (!token) throw new Error("Authentication is required: send Authorization: Bearer <token>");
        req.context.res.locals.identity = await opts.authenticate(token);
        return null;
      } catch (err) {
        const body = JSON.stringify({ errors: [{ message: (err as Error).message, extensions: { code: "UNAUTHENTICATED" } }] });
        return [
          body,
          { status: 401, statusText: "Unauthorized", headers: { "content-type": "application/json; charset=utf-8", "www-authenticate": "Bearer" } },
        ];
      }
    },
    context: (req) => {
      const requestId = requestIdOf(req.raw);
      const identity = (req.context.res.locals.identity as Identity | undefined) ?? null;
      return { requestId, actor: identity?.userId ?? "anonymous", identity, log: opts.log.child({ requestId }), sink: req.context.res } as SseContext;
    },
    subscribe: (args) => {
      const context = args.contextValue;
      let stream: EndableStream | null = null;
      const started = openSubscription(opts.gate, args as ExecutionArgs, context, {
        connection: {},
        countRate: false,
        onSlow: () =>
          stream?.end(endedBy("Subscriber too slow: events were not read; reconnect and resume with after: <cursor>", "SUBSCRIBER_TOO_SLOW")),
      });
      if (!(Symbol.asyncIterator in started)) return started;
      // A stream lives no longer than its token, like a WebSocket: the client comes back with a fresh one.
      const expiresAt = context.identity?.expiresAt;
      const expiry = expiresAt
        ? setTimeout(
            () => stream?.end(endedBy("Your token expired: reconnect with a fresh token and resume with after: <cursor>", "UNAUTHENTICATED")),
            Math.max(0, expiresAt * 1000 - Date.now()),
          )
        : null;
      expiry?.unref();
      const created: EndableStream = new EndableStream(
        started,
        () => {
          if (expiry) clearTimeout(expiry);
          open.delete(created);
        },
        context.sink as EventSink | undefined,
      );
      stream = created;
      open.add(created);
      return created;
    },
    onNext: (_ctx, _req, result) =>
      formatResult?.(undefined as never, "", undefined as never, undefined as never, result as ExecutionResult) as ExecutionResult | undefined,
  });
  app.use(SSE_PATH, express.json({ limit: opts.bodyLimit }), (req, res, next) => {
    if (req.get("accept") !== "text/event-stream") {
      res.status(406).json({
        errors: [
          {
            message: "Send Accept: text/event-stream (GraphQL over Server-Sent Events, distinct connections mode)",
            extensions: { code: "BAD_REQUEST" },
          },
        ],
      });
      return;
    }
    res.setHeader("x-request-id", requestIdOf(req));
    next();
  });
  app.use(SSE_PATH, ...opts.before, async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      opts.log.error({ err }, "SSE subscription failed");
      if (!res.headersSent) res.status(500).json({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.end();
    }
  });
  return () => {
    for (const s of [...open]) s.end(endedBy("Service restarting: reconnect and resume with after: <cursor>", "SERVICE_RESTART"));
  };
}
