import { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { RequestContext } from "@mes/shared";

/**
 * Forwards the request id and the caller's bearer token to every subgraph fetch (each subgraph
 * verifies the token itself); each fetch has a timeout.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>["willSendRequest"]>>[0]) {
    if (context?.requestId) request.http?.headers.set("x-request-id", context.requestId);
    if (context?.identity) request.http?.headers.set("authorization", `Bearer ${context.identity.token}`);
  }
}

/** Our data sources send JSON.stringify'd bodies, so a mutation's reads `"query":"mutation`. */
export function isMutation(body: string): boolean {
  return body.startsWith('{"query":"mutation') || body.includes(',"query":"mutation');
}

/**
 * Subgraph fetches with in-flight deduplication: identical read operations (same subgraph, same
 * caller's token, same document and variables) that are in flight at once are sent once, and each
 * waiter gets its own copy of the answer. Dashboards on dozens of screens ask the same thing at the
 * same moment. Mutations are never shared; different callers never share (the token is in the key).
 */
export function dedupedFetch(timeoutMs: number) {
  const inflight = new Map<string, Promise<{ status: number; headers: [string, string][]; body: string }>>();
  return async (input: string, init: RequestInit & { headers?: Headers | Record<string, string> }) => {
    const body = typeof init.body === "string" ? init.body : null;
    if (!body || isMutation(body)) return fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const headers = new Headers(init.headers);
    const key = `${input}\n${headers.get("authorization") ?? ""}\n${body}`;
    let shared = inflight.get(key);
    if (!shared) {
      shared = fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })
        .then(async (res) => ({ status: res.status, headers: [...res.headers], body: await res.text() }))
        .finally(() => inflight.delete(key));
      inflight.set(key, shared);
    }
    const answer = await shared;
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

