import type { ApolloServerPlugin } from "@apollo/server";
import type express from "express";
import { Kind, parse } from "graphql";
import type { Identity } from "./auth.ts";
import { requestQueries } from "./db.ts";
import type { Logger } from "./logger.ts";
import type { ServiceMetrics } from "./metrics.ts";
import { ReadCache } from "./read-cache.ts";
import { requestLogLine } from "./request-log.ts";
import { requestIdOf } from "./server.ts";
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
      sendKeptAnswer(req, res, withRemainingTime(hit.body, hit.expiresAt - performance.now()), {
        identity,
        operationName: body.operationName,
        started,
        log,
        metrics,
        cache: "readCache",
      });
      return;
    }
    const ticket = cache.startMiss();
    const reads = newStatementReads();
    scope.reads = reads;
    const tenant = { organizationId: identity.organizationId, plantIds: identity.plantIds };
    const send = res.send.bind(res);
    res.send = (out?: unknown) => {
      if (typeof out === "string" && res.statusCode === 200) cache.store(key, tenant, out, reads, scope, ticket);
      return send(out);
    };
    next();
  };
}

/**
 * Answers a query with a kept answer, logged and counted like any request (log field `cache` says
 * which cache answered: a subgraph's readCache or a gateway's answerCache).
 */
export function sendKeptAnswer(
  req: express.Request,
  res: express.Response,
  body: string,
  facts: { identity: Identity; operationName: unknown; started: number; log: Logger; metrics?: ServiceMetrics | undefined; cache: string },
): void {
  const requestId = requestIdOf(req);
  res.setHeader("x-request-id", requestId);
  res.type("application/json").send(body);
  const durationMs = performance.now() - facts.started;
  const operationName = typeof facts.operationName === "string" ? facts.operationName : null;
  const span = res.locals.span as Span | undefined;
  span?.setAttribute("mes.answered_from", facts.cache);
  const line = requestLogLine({
    traceId: span?.spanContext().traceId,
    identity: facts.identity,
    operationName,
    operationType: "query",
    durationMs,
    sqlQueries: 0,
    errors: [],
  });
  facts.log.child({ requestId }).info({ ...line, [facts.cache]: "hit" }, "graphql request");
  facts.metrics?.observeRequest(operationName, "ok", durationMs / 1000);
}

/**
 * Marks an answer with errors as not to be kept (a NOT_FOUND or a refused argument is not cached),
 * and tells the caller what a keepable answer read (`extensions.mesReads`: tables, clock), so a
 * gateway can keep it too and drop it on this subgraph's change notices (see readChangesRoute).
 */
export function readCachePlugin<TContext extends object>(cache: ReadCache): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const scope = requestQueries.getStore();
          const reads = scope?.reads;
          if (!reads) return;
          if (response.body.kind !== "single" || response.body.singleResult.errors?.length) reads.uncacheable = true;
          const read = cache.readsOf(reads, scope);
          if (read && response.body.kind === "single") {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, [READS_EXTENSION]: read };
          }
        },
      };
    },
  };
}

/** The response extension naming what a subgraph answer read (absent: the answer may not be kept). */
export const READS_EXTENSION = "mesReads";

/**
 * A kept answer that ages with time says how long it still holds when served again (its
 * `mesReads.validForMs` is the time left, not the time it had when computed), so a gateway never
 * keeps it past the subgraph's own limit. Our extension comes last in the body, and an unescaped
 * `"validForMs":` can only be its key.
 */
export function withRemainingTime(body: string, remainingMs: number): string {
  if (!Number.isFinite(remainingMs)) return body;
  const ms = Math.max(0, Math.floor(remainingMs));
  const at = body.lastIndexOf(`"${READS_EXTENSION}":{`);
  if (at < 0) return body;
  const key = body.indexOf('"validForMs":', at);
  if (key >= 0) return body.slice(0, key) + body.slice(key).replace(/^"validForMs":\d+/, `"validForMs":${ms}`);
  const open = at + READS_EXTENSION.length + 4;
  return `${body.slice(0, open)}"validForMs":${ms},${body.slice(open)}`;
}

/**
 * POST /read-changes {feed, seq}: the change notices since a gateway's cursor that the caller (a
 * verified token) could see, after a barrier, so every change committed before this request is in
 * the answer. The gateway asks it before serving a kept answer (read-your-writes at any replica).
 */
export function readChangesRoute(cache: ReadCache, log: Logger): express.RequestHandler {
  return async (req, res) => {
    const identity = res.locals.identity as Identity | undefined;
    const body = req.body as { feed?: unknown; seq?: unknown } | undefined;
    if (!identity) {
      res.status(401).json({ error: "Authentication is required: send Authorization: Bearer <token>" });
      return;
    }
    const since =
      typeof body?.feed === "string" && Number.isSafeInteger(body.seq) && (body.seq as number) >= 0
        ? { feed: body.feed, seq: body.seq as number }
        : null;
    try {
      res.json(await cache.changesSince(since, { organizationId: identity.organizationId, plantIds: identity.plantIds }));
    } catch (err) {
      log.warn({ err }, "read changes: no barrier; the caller answers without its cache");
      res.status(503).json({ error: (err as Error).message });
    }
  };
}
