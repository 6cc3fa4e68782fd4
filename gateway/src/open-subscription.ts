import { GraphQLError, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { RequestContext } from "@mes/shared";
import type { FederatedSubscriptions } from "./subscriptions.ts";
import type { Corkable } from "./client-stream.ts";
import { releasingOnEnd, type SubscriptionLimiter } from "./subscription-limits.ts";
import { rateLimitedError, type RateLimiter } from "./rate-limits.ts";
import { PERSISTED_QUERY_NOT_ALLOWED, isTrustedDocument, type TrustedDocuments } from "./trusted-documents.ts";

export interface SubscriptionGate {
  subscriptions: FederatedSubscriptions;
  limiter: SubscriptionLimiter;
  rateLimiter: RateLimiter;
  trusted: TrustedDocuments | null;
}

export interface OpenOptions {
  /** What the per-connection limit counts (a WebSocket; one object per SSE request). */
  connection: object;
  /** Called when the client has fallen too far behind on live events. */
  onSlow: () => void;
  /** The connection's socket, when writes to it can be held and sent together. */
  transport?: Corkable;
  /** False when the HTTP route has taken the rate-limit token for this start already (SSE). */
  countRate: boolean;
}

const refusal = (message: string, extensions: Record<string, unknown>): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions })],
});

/**
 * Starts one client subscription, the same way over graphql-ws and over SSE: the caller must be
 * signed in; a start counts against the rate limits, the trusted documents and the subscription
 * limits (per connection, user, organization, total); the stream resumes by `after` like any other.
 */
export function openSubscription(
  gate: SubscriptionGate,
  args: ExecutionArgs,
  context: RequestContext,
  opts: OpenOptions,
): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
  if (!context.identity) return refusal(context.authProblem ?? "Authentication is required", { code: "UNAUTHENTICATED" });
  if (opts.countRate) {
    const verdict = gate.rateLimiter.take(context.identity);
    if (!verdict.allowed) return { errors: [rateLimitedError(verdict)] };
  }
  if (!isTrustedDocument(gate.trusted, args.document))
    return refusal("This gateway runs only its trusted documents; this subscription is not one of them", { code: PERSISTED_QUERY_NOT_ALLOWED });
  const slot = gate.limiter.acquire(opts.connection, context.identity);
  if ("refused" in slot) return refusal(slot.refused, { code: "TOO_MANY_SUBSCRIPTIONS" });
  // Callers with the same organization and plants see the same events, so they may share a stream.
  const scope = JSON.stringify([context.identity.organizationId, context.identity.plantIds]);
  let events: AsyncIterableIterator<ExecutionResult>;
  try {
    events = gate.subscriptions.subscribe(
      args.document,
      (args.variableValues ?? {}) as Record<string, unknown>,
      args.operationName ?? undefined,
      context,
      scope,
      opts.onSlow,
      opts.transport,
    );
  } catch (err) {
    slot.release();
    // Answered as an error result (formatted, logged), not by the transport closing with its message.
    return { errors: [err instanceof GraphQLError ? err : new GraphQLError((err as Error).message, { originalError: err as Error })] };
  }
  return releasingOnEnd(events, slot.release);
}
