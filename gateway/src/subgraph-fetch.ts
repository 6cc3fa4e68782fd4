import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { Agent, request } from "undici";
import type { RequestContext } from "@mes/shared";

/**
 * Forwards the request id and the caller's bearer token to every subgraph fetch (each subgraph
 * verifies the token itself); each fetch has a timeout.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>["willSendRequest"]>>[0]) {
    if (context?.requestId) request.http?.headers.set("x-request-id", context.requestId);
    if (context?.identity) request.http?.headers.set("authorization", `Bearer ${context.identity.token}`);
    // A mutation's Idempotency-Key goes to the subgraph that applies it (reads ignore it there).
    if (context?.idempotencyKey && request.query?.trimStart().startsWith("mutation"))
      request.http?.headers.set("idempotency-key", context.idempotencyKey);
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
 * Requests go through undici's request() on a keep-alive pool: WHATWG fetch costs the gateway more
 * CPU per subgraph call than the subgraph call itself on a small server.
 */
export function dedupedFetch(timeoutMs: number) {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const inflight = new Map<string, Promise<Answer>>();
  const send = async (url: string, init: FetchInit): Promise<Answer> => {
    const res = await request(url, { method: (init.method ?? "POST") as "POST", headers: init.headers, body: init.body, dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  return async (url: string, init: FetchInit) => {
    const body = init.body;
    if (!body || isMutation(body)) return asResponse(await send(url, init));
    const key = `${url}\n${init.headers?.authorization ?? ""}\n${body}`;
    let shared = inflight.get(key);
    if (!shared) {
      shared = send(url, init).finally(() => inflight.delete(key));
      inflight.set(key, shared);
    }
    return asResponse(await shared);
  };
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Whether an answer is a GraphQL response: any 2xx, or any status with a JSON body of `errors`.
 * A subgraph answers a request error (a variable its scalar refused, a document it cannot
 * validate) with HTTP 400 and the errors; those errors, with their codes and `fields`, are the
 * answer to pass on, not a failed fetch (which the data source would report as a bare "400: ").
 */
export function isGraphQLAnswer(status: number, body: string): boolean {
  if (status >= 200 && status < 300) return true;
  try {
    const errors = (JSON.parse(body) as { errors?: unknown } | null)?.errors;
    return Array.isArray(errors) && errors.length > 0;
  } catch {
    return false;
  }
}

/** What RemoteGraphQLDataSource reads of a response; each caller parses its own copy of the body. */
function asResponse(answer: Answer) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  return {
    ok: isGraphQLAnswer(answer.status, answer.body),
    status: answer.status,
    statusText: "",
    headers,
    text: async () => answer.body,
    json: async () => JSON.parse(answer.body) as unknown,
  };
}
