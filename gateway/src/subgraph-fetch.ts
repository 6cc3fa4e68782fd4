import { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { GraphQLFormattedError } from "graphql";
import { Agent, request } from "undici";
import { injectTraceparent, visibilityKey, type RequestContext } from "@mes/shared";
import { fetchOutcome, type ObserveFetch } from "./metrics.ts";
import { inSubgraphSpan } from "./tracing.ts";
import { FreshShare } from "./fresh-share.ts";
import { noteFetchReads } from "./answer-cache-route.ts";

type ProcessOptions = Parameters<RemoteGraphQLDataSource<RequestContext>["process"]>[0];
type ProcessAnswer = Awaited<ReturnType<RemoteGraphQLDataSource<RequestContext>["process"]>>;

/**
 * Forwards the request id and the caller's bearer token to every subgraph fetch (each subgraph
 * verifies the token itself); each fetch has a timeout. A subgraph that cannot be reached or does
 * not answer in time costs only its own fields: the fetch is answered with an error naming it
 * (SUBGRAPH_UNAVAILABLE, `extensions.serviceName`), its fields are null and the rest stays.
 */
/** The header carrying the caller's visibility key from the data source to the deduplicating fetcher. */
const VISIBILITY_HEADER = "x-mes-visibility";

export class SubgraphDataSource extends RemoteGraphQLDataSource<RequestContext> {
  /** The subgraph's name, for errors that say which one failed. */
  declare name: string;
  declare timeoutMs: number;
  /** Records each fetch's latency and outcome (the gateway's /metrics). */
  declare observeFetch?: ObserveFetch;

  constructor(
    config: NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource<RequestContext>>[0]> & {
      name: string;
      timeoutMs: number;
      observeFetch?: ObserveFetch;
    },
  ) {
    super(config);
  }

  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>["willSendRequest"]>>[0]) {
    if (context?.requestId) request.http?.headers.set("x-request-id", context.requestId);
    // W3C trace context: the fetch's span (tracing on), else the request's trace id passed along.
    injectTraceparent((name, value) => request.http?.headers.set(name, value), context?.span);
    if (context?.identity) {
      request.http?.headers.set("authorization", `Bearer ${context.identity.token}`);
      // What decides the answer, for sharing in-flight reads (dedupedFetch); subgraphs ignore it.
      request.http?.headers.set(VISIBILITY_HEADER, visibilityKey(context.identity));
    }
    // A mutation's Idempotency-Key goes to the subgraph that applies it (reads ignore it there).
    if (context?.idempotencyKey && request.query?.trimStart().startsWith("mutation"))
      request.http?.headers.set("idempotency-key", context.idempotencyKey);
  }

  override async process(options: ProcessOptions): Promise<ProcessAnswer> {
    const started = performance.now();
    let answer: ProcessAnswer | undefined;
    try {
      answer = await inSubgraphSpan(this.name, options.request.operationName, () => this.answer(options));
      return answer;
    } finally {
      this.observeFetch?.(this.name, answer ? fetchOutcome(answer.errors) : "error", (performance.now() - started) / 1000);
      noteFetchReads(this.name, answer as Parameters<typeof noteFetchReads>[1]);
    }
  }

  private async answer(options: ProcessOptions): Promise<ProcessAnswer> {
    try {
      return await super.process(options);
    } catch (err) {
      const unavailable = unavailableError(this.name, this.timeoutMs, err, Boolean(options.request.query?.trimStart().startsWith("mutation")));
      if (!unavailable) throw err;
      return { errors: [unavailable] };
    }
  }
}

const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);
/** A keep-alive connection the subgraph closed (e.g. restarting) while the request was on it. */
const RESETS = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

const errorCode = (err: unknown) => (err as { code?: unknown } | null)?.code;

/**
 * The error a subgraph fetch that got no answer (refused, reset, timed out, unreachable) answers
 * with; null for anything else, e.g. an HTTP answer that is not GraphQL (which stays a generic
 * internal error: what a proxy in front of the subgraph says is not for the caller).
 */
export function unavailableError(serviceName: string, timeoutMs: number, err: unknown, mutation: boolean): GraphQLFormattedError | null {
  const code = errorCode(err);
  let why: string;
  if (typeof code === "string" && TIMEOUTS.has(code)) why = `did not answer within ${timeoutMs} ms`;
  else if (code === "ECONNREFUSED") why = "refused the connection (not running?)";
  else if (typeof code === "string" && RESETS.has(code)) why = "closed the connection";
  else if (typeof code === "string" && /^E[A-Z]+$/.test(code)) why = `could not be reached (${code})`;
  else return null;
  // A refused connection never reached it; anything else may have been applied.
  const outcome =
    mutation && code !== "ECONNREFUSED" ? "; the mutation may or may not have been applied: repeat it with the same Idempotency-Key" : "";
  return {
    message: `The ${serviceName} subgraph ${why}; its fields are null${outcome}`,
    extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName },
  };
}

/** Our data sources send JSON.stringify'd bodies, so a mutation's reads `"query":"mutation`. */
export function isMutation(body: string): boolean {
  return body.startsWith('{"query":"mutation') || body.includes(',"query":"mutation');
}

/**
 * Subgraph fetches with deduplication: identical read operations (same subgraph, same visibility
 * key, same document and variables) asked at once are sent once, and each waiter gets its own copy
 * of the answer. Dashboards on dozens of screens ask the same thing at the same moment. A fetch is
 * never answered by one sent before it was asked (FreshShare: read-your-writes). Mutations are
 * never shared; callers who may see different things never share.
 * Requests go through undici's request() on a keep-alive pool: WHATWG fetch costs the gateway more
 * CPU per subgraph call than the subgraph call itself on a small server.
 */
export function dedupedFetch(timeoutMs: number) {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const share = new FreshShare<Answer>();
  const sendOnce = async (url: string, init: FetchInit): Promise<Answer> => {
    const res = await request(url, { method: (init.method ?? "POST") as "POST", headers: init.headers, body: init.body, dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  // A read on a keep-alive connection the subgraph closed (it restarted) is sent once more, on a
  // fresh connection; a mutation only with an Idempotency-Key (without one it may have been applied).
  // Up to three sends: the next pooled connection may have been closed by the same restart.
  const send = async (url: string, init: FetchInit, attempt = 1): Promise<Answer> => {
    try {
      return await sendOnce(url, init);
    } catch (err) {
      const code = errorCode(err);
      if (attempt >= 3 || !init.body || (isMutation(init.body) && !hasIdempotencyKey(init)) || typeof code !== "string" || !RESETS.has(code))
        throw err;
      return send(url, init, attempt + 1);
    }
  };
  return async (url: string, init: FetchInit) => {
    const body = init.body;
    // A mutation with an Idempotency-Key may be sent again (the subgraph applies it once); never shared.
    if (!body || isMutation(body)) return asResponse(await (body && hasIdempotencyKey(init) ? send(url, init) : sendOnce(url, init)));
    // Shared between callers who may see the same (the gateway's verified visibility key), never across keys.
    const key = `${url}\n${init.headers?.[VISIBILITY_HEADER] ?? init.headers?.authorization ?? ""}\n${body}`;
    return asResponse(await share.run(key, () => send(url, init)));
  };
}

const hasIdempotencyKey = (init: FetchInit) => Boolean(init.headers?.["idempotency-key"]);

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
