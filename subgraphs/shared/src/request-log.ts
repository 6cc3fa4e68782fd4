import type { ApolloServerPlugin } from "@apollo/server";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import type { Identity } from "./auth.ts";
import { requestQueries } from "./db.ts";
import type { Logger } from "./logger.ts";
import type { RequestOutcome, ServiceMetrics } from "./metrics.ts";

/**
 * The fields of the one log line each request gets (the request id comes from the request's child
 * logger, so it is never written twice). Personal data: the user id only, never names, variables or
 * the token.
 */
export interface RequestLogLine {
  traceId?: string;
  userId?: string;
  organizationId?: string;
  operationName: string | null;
  /** query, mutation or subscription; absent when the document could not be parsed or validated. */
  operationType?: string;
  durationMs: number;
  /** SQL statements the request sent (subgraphs; the gateway has no database). */
  sqlQueries?: number;
  outcome: RequestOutcome | "unauthenticated";
  /** The distinct error codes of the response, when it has errors. */
  errorCodes?: string[];
}

export interface RequestFacts {
  traceId?: string | undefined;
  identity: Pick<Identity, "userId" | "organizationId"> | null;
  operationName?: string | null | undefined;
  operationType?: string | undefined;
  durationMs: number;
  sqlQueries?: number | undefined;
  /** The response's errors (any number); none means the request succeeded. */
  errors: ReadonlyArray<{ extensions?: Record<string, unknown> | undefined }>;
}

/** What the plugin reads of a request's context (a RequestContext has all of it). */
export interface LoggedContext {
  log: Logger;
  identity: Identity | null;
  span?: Span | undefined;
}

/** Builds the log line of one answered request (pure; see request-log.test.ts). */
export function requestLogLine(facts: RequestFacts): RequestLogLine {
  const codes = [...new Set(facts.errors.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")))];
  return {
    ...(facts.traceId ? { traceId: facts.traceId } : {}),
    ...(facts.identity ? { userId: facts.identity.userId, organizationId: facts.identity.organizationId } : {}),
    operationName: facts.operationName ?? null,
    ...(facts.operationType ? { operationType: facts.operationType } : {}),
    durationMs: Math.round(facts.durationMs),
    ...(facts.sqlQueries !== undefined ? { sqlQueries: facts.sqlQueries } : {}),
    outcome: codes.length ? "error" : "ok",
    ...(codes.length ? { errorCodes: codes } : {}),
  };
}

/** The line of a request refused before GraphQL saw it (no or a bad token). */
export function logRefusedRequest(log: Logger, traceId: string | undefined, durationMs: number): void {
  const line: RequestLogLine = {
    ...(traceId ? { traceId } : {}),
    operationName: null,
    durationMs: Math.round(durationMs),
    outcome: "unauthenticated",
  };
  log.info(line, "graphql request");
}

/**
 * One JSON line per GraphQL request, its metrics (rate, errors, latency per operation), and the
 * operation's name on the request's span. Unexpected resolver errors get a line of their own.
 */
export function requestLogPlugin<TContext extends LoggedContext>(metrics?: ServiceMetrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const span = contextValue.span;
      let operationType: string | undefined;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          operationType = operation.operation;
          span?.updateName(`${operationType} ${operationName ?? "anonymous"}`);
          span?.setAttributes({ "graphql.operation.type": operationType, "graphql.operation.name": operationName ?? "" });
        },
        async didEncounterErrors({ errors }) {
          for (const err of errors) {
            const code = err.extensions?.code;
            if (!code || code === "INTERNAL_SERVER_ERROR")
              contextValue.log.error({ err: err.originalError ?? err, path: err.path }, "resolver failed");
          }
        },
        async willSendResponse({ operationName, request, response }) {
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          const durationMs = performance.now() - started;
          const line = requestLogLine({
            traceId: span?.spanContext().traceId,
            identity: contextValue.identity,
            // The name the caller gave, when the document did not get as far as naming it.
            operationName: operationName ?? request.operationName,
            operationType,
            durationMs,
            sqlQueries: requestQueries.getStore()?.queries,
            errors,
          });
          metrics?.observeRequest(line.operationName, line.outcome === "ok" ? "ok" : "error", durationMs / 1000);
          if (line.outcome !== "ok") span?.setStatus({ code: SpanStatusCode.ERROR, message: line.errorCodes?.join(",") ?? "error" });
          contextValue.log.info(line, "graphql request");
        },
      };
    },
  };
}
