import { createRequire } from "node:module";
import type { ExecutionArgs, ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import { WsCloseCode } from "./close-codes.ts";
import { requestQueries, type RequestScope } from "./db.ts";
import type { Identity } from "./auth.ts";

// The CommonJS build of graphql, which built the schema (@apollo/subgraph) and parses for graphql-ws:
// executing with the other build (the ES module a bundler such as vitest picks) is refused as
// "another module or realm".
const { createSourceEventStream, execute } = createRequire(import.meta.url)("graphql") as typeof import("graphql");

type ContextFactory = () => unknown;

/**
 * The request scope an event of a subscription is resolved in: the subscriber's tenant, so
 * row-level security holds its statements to what the subscriber may see, as for an HTTP request
 * (no identity: a scope that sees nothing).
 */
export function eventScope(contextValue: unknown): RequestScope {
  const identity = (contextValue as { identity?: Identity | null } | null)?.identity;
  return { queries: 0, ...(identity ? { tenant: { organizationId: identity.organizationId, plantIds: identity.plantIds } } : {}) };
}

/**
 * Subscriptions whose events are each resolved with a fresh request context. graphql-js resolves
 * every event of a subscription with the one context of its start, so per-request caches in it
 * (DataLoaders) would answer every later event with the entity values of the first. Here the
 * subscription's source stream starts with that context (the caller, its tenant) and each event
 * is executed with a new one from the same factory, inside a request scope of the subscriber's
 * tenant (row-level security under the resolvers' own tenant filter, as for HTTP requests).
 */
export function freshContextPerEvent() {
  const factories = new WeakMap<object, ContextFactory>();
  return {
    /** Records how to make another context like `context` (same caller and connection). */
    remember<T extends object>(context: T, factory: ContextFactory): T {
      factories.set(context, factory);
      return context;
    },
    /** graphql-ws's `subscribe`: like graphql's, with a fresh context per event. */
    async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
      const source = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
      const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const renew = typeof args.contextValue === "object" && args.contextValue ? factories.get(args.contextValue) : undefined;
      const closeSource = async () => {
        await iterator.return?.().catch(() => {});
      };
      const resolveEvent = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
        if (step.done) return { value: undefined, done: true };
        try {
          const contextValue = renew ? await renew() : args.contextValue;
          const value = await requestQueries.run(eventScope(contextValue), () => execute({ ...args, rootValue: step.value, contextValue }));
          return { value, done: false };
        } catch (err) {
          await closeSource();
          throw err;
        }
      };
      // An explicit iterator, not an async generator: return() must end a stream waiting for its
      // next event at once (a generator's return() would wait for that event).
      const events: AsyncIterableIterator<ExecutionResult> = {
        next: async () => resolveEvent(await iterator.next()),
        return: async () => {
          await closeSource();
          return { value: undefined, done: true };
        },
        throw: async (err: unknown) => {
          await closeSource();
          throw err;
        },
        [Symbol.asyncIterator]() {
          return events;
        },
      };
      return events;
    },
  };
}

const expiryTimers = new WeakMap<WebSocket, NodeJS.Timeout>();

/**
 * Closes a graphql-ws connection when its token expires, with the code graphql-ws clients retry
 * (asking for fresh connection parameters); they resume each subscription with `after: <cursor>`.
 * The first token seen on a connection sets the time; later calls for it change nothing.
 */
export function closeWhenTokenExpires(socket: WebSocket, expiresAt: number | null | undefined): void {
  if (!expiresAt || expiryTimers.has(socket)) return;
  // setTimeout takes at most 2^31 - 1 ms (about 24.8 days); a longer token is closed then and renewed.
  const delay = Math.min(Math.max(expiresAt * 1000 - Date.now(), 0), 2 ** 31 - 1);
  const timer = setTimeout(
    () => socket.close(WsCloseCode.TOKEN_EXPIRED, "Token expired: reconnect with a fresh token and resume with after: <cursor>"),
    delay,
  );
  timer.unref();
  expiryTimers.set(socket, timer);
  socket.once("close", () => clearTimeout(timer));
}
