import type { ApolloServerPlugin } from "@apollo/server";
import type express from "express";
import { Kind, parse } from "graphql";
import type { Identity } from "./auth.ts";
import { requestQueries } from "./db.ts";
import type { Logger } from "./logger.ts";
import type { ServiceMetrics } from "./metrics.ts";
import { ReadCache } from "./read-cache.ts";
import { requestLogLine } from "./request-log.ts";
import { newStatementReads } from "./statement-reads.ts";
import type { Span } from "./tracing.ts";
import { visibilityKey } from "./visibility.ts";

/** The request body as received (kept by the JSON parser's verify hook), the bytes the cache key is made of. */
export interface RawBodyRequest extends express.Request {
  rawBody?: Buffer;
}

const QUERY_MEMO_MAX = 1000;
const QUERY_MEMO_MAX_LENGTH = 32 * 1024;
const queryMemo = new Map<string, boolean>();

/** Whether the operation a request runs is a query (never a mutation or subscription); memoized by text. */
export function runsQuery(document: string, operationName: unknown): boolean {
  const memoKey = `${typeof operationName === "string" ? operationName : ""}\u0000${document}`;
  let known = queryMemo.get(memoKey);
  if (known !== undefined) return known;
  try {
    const ops = parse(document).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const op = typeof operationName === "string" ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
    known = op?.operation === "query";
  } catch {
    known = false; // Apollo answers the syntax error
  }
  // Only documents of a sensible size are remembered: a caller sending many distinct huge
  // documents (each up to the body limit) must not grow the memo to gigabytes.
  if (document.length > QUERY_MEMO_MAX_LENGTH) return known;
  if (queryMemo.size >= QUERY_MEMO_MAX) queryMemo.clear();
  queryMemo.set(memoKey, known);
  return known;
}

/**
 * The read cache in front of Apollo: a query whose answer the cache holds fresh for the caller's
 * visibility key is answered from it without GraphQL or SQL; otherwise the request runs as usual
 * with its reads recorded, and its answer is offered to the cache as it is sent.
 */
export function readCacheRoute(cache: ReadCache, log: Logger, metrics?: ServiceMetrics): express.RequestHandler {
  return async (req: RawBodyRequest, res, next) => {
    const identity = res.locals.identity as Identity | undefined;
    const body = req.body as { query?: unknown; operationName?: unknown } | undefined;
    const scope = requestQueries.getStore();
    if (!identity || !req.rawBody || !scope || typeof body?.query !== "string" || !runsQuery(body.query, body.operationName)) return next();
    const started = performance.now();
    const key = ReadCache.keyOf(visibilityKey(identity), req.rawBody);
    const hit = await cache.lookup(key);
    if (hit) {
      const header = req.get("x-request-id");
      const requestId = header && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : crypto.randomUUID();
      res.setHeader("x-request-id", requestId);
      res.type("application/json").send(hit.body);
      const durationMs = performance.now() - started;
      const operationName = typeof body.operationName === "string" ? body.operationName : null;
      const span = res.locals.span as Span | undefined;
      span?.setAttribute("mes.read_cache", "hit");
      const line = requestLogLine({
        traceId: span?.spanContext().traceId,
        identity,
        operationName,
        operationType: "query",
        durationMs,
        sqlQueries: 0,
        errors: [],
      });
      log.child({ requestId }).info({ ...line, readCache: "hit" }, "graphql request");
      metrics?.observeRequest(operationName, "ok", durationMs / 1000);
      return;
    }
    const ticket = cache.startMiss();
    const reads = newStatementReads();
    scope.reads = reads;
    const tenant = { organizationId: identity.organizationId, plantIds: identity.plantIds };
    const send = res.send.bind(res);
    res.send = (out?: unknown) => {
      if (typeof out === "string" && res.statusCode === 200) cache.store(key, tenant, out, reads, scope.clock === true, ticket);
      return send(out);
    };
    next();
  };
}

/** Marks an answer with errors as not to be kept (a NOT_FOUND or a refused argument is not cached). */
export function readCachePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const reads = requestQueries.getStore()?.reads;
          if (!reads) return;
          if (response.body.kind !== "single" || response.body.singleResult.errors?.length) reads.uncacheable = true;
        },
      };
    },
  };
}
