// Clients as real ones behave under chaos: writers that retry with the same Idempotency-Key until
// they get an answer, and subscribers that resume by cursor whenever their socket closes.
import { randomUUID } from "node:crypto";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WriteCounts {
  acked: number;
  refused: number;
  /** Sends after the first (a network error, an unavailable subgraph, a key still running). */
  retried: number;
  /** Answers after which a retry was needed, by what they said. */
  retryCauses: Record<string, number>;
}

export type WriteOutcome<T> = { acked: true; data: T; attempts: number } | { acked: false; code: string; message: string; attempts: number };

type GraphQLError = { message: string; extensions?: { code?: string; reason?: string } };

/** Whether an answer says "try again" rather than yes or no. */
function retryCause(status: number, errors: GraphQLError[] | undefined): string | null {
  if (status >= 500 && !errors?.length) return `HTTP ${status}`;
  const e = errors?.[0];
  if (!e) return null;
  const code = e.extensions?.code ?? "NO_CODE";
  // BUSY says "its transaction was rolled back: send it again" (README, Errors): a client that follows it retries.
  if (code === "SUBGRAPH_UNAVAILABLE" || code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE" || code === "BUSY") return code;
  // The first send of this key is still running (maybe on a replica that is draining): ask again.
  if (code === "CONFLICT" && e.extensions?.reason === "IDEMPOTENCY_KEY" && /still running/.test(e.message)) return "KEY_STILL_RUNNING";
  return null;
}

export class ChaosWriter {
  readonly counts: WriteCounts = { acked: 0, refused: 0, retried: 0, retryCauses: {} };
  /** Writes that got no definite answer within the deadline: each is a failure. */
  readonly unanswered: { query: string; last: string }[] = [];

  constructor(
    private readonly gatewayUrls: string[],
    private readonly token: () => Promise<string>,
    private readonly deadlineMs = 90_000,
  ) {}

  /** Sends one mutation with its own Idempotency-Key, through any gateway, until it is answered. */
  async write<T = Record<string, any>>(query: string, variables: Record<string, unknown>): Promise<WriteOutcome<T>> {
    const key = randomUUID();
    const started = Date.now();
    let last = "";
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.counts.retried += 1;
      const url = this.gatewayUrls[Math.floor(Math.random() * this.gatewayUrls.length)]!;
      let cause: string | null;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await this.token()}`, "idempotency-key": key },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await res.text();
        let body = null as { data?: T; errors?: GraphQLError[] } | null;
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          /* not JSON: a proxy's or a stopping server's answer */
        }
        cause = body ? retryCause(res.status, body.errors) : `HTTP ${res.status} (not JSON)`;
        if (!cause && body) {
          if (!body.errors?.length) {
            this.counts.acked += 1;
            return { acked: true, data: body.data as T, attempts: attempt };
          }
          const e = body.errors[0]!;
          // It took effect but its answer was never stored (the replica died in between): acknowledged, without data.
          if (e.extensions?.reason === "IDEMPOTENCY_KEY" && /took effect/.test(e.message)) {
            this.counts.acked += 1;
            return { acked: true, data: undefined as T, attempts: attempt };
          }
          this.counts.refused += 1;
          return { acked: false, code: e.extensions?.code ?? "NO_CODE", message: e.message, attempts: attempt };
        }
        last = cause ?? "";
        if (body?.errors?.[0]) last += `: ${body.errors[0].message}`;
      } catch (err) {
        cause = `network: ${(err as Error).name}`;
        last = `${cause} ${(err as Error).message}`;
      }
      this.counts.retryCauses[cause ?? "?"] = (this.counts.retryCauses[cause ?? "?"] ?? 0) + 1;
      if (Date.now() - started > this.deadlineMs) {
        this.unanswered.push({ query, last });
        return { acked: false, code: "UNANSWERED", message: last, attempts: attempt };
      }
      await sleep(150 + Math.random() * 350);
    }
  }
}

/**
 * One mutation sent once, with an Idempotency-Key and no retry: null when it was answered without
 * errors, else what the client saw (the rolling-restart test counts these).
 */
export async function sendOnce(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json().catch(() => null)) as { errors?: GraphQLError[] } | null;
    if (res.ok && body && !body.errors?.length) return null;
    return `HTTP ${res.status}: ${body?.errors?.[0]?.extensions?.code ?? ""} ${body?.errors?.[0]?.message ?? "not JSON"}`;
  } catch (err) {
    return `network: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? "")}`;
  }
}

/** A subscription held open by a client that resubscribes with `after: <last cursor>` after any close. */
export class ResumingSubscriber {
  readonly cursors: string[] = [];
  readonly duplicates: string[] = [];
  readonly outOfOrder: string[] = [];
  /** Errors that ended the subscription (after which it resumed), by message. */
  readonly ends: string[] = [];
  /** Events that arrived with errors beside their data (a subgraph of a nested field down). */
  partialEvents = 0;
  resubscribes = 0;
  private client: Client | null = null;
  private stopped = false;
  private last: bigint;

  constructor(
    readonly label: string,
    private readonly url: string,
    private readonly token: () => Promise<string>,
    private readonly query: string,
    private readonly variables: Record<string, unknown>,
    private readonly field: string,
    from: string,
  ) {
    this.last = BigInt(from);
  }

  get lastCursor(): bigint {
    return this.last;
  }

  start(): void {
    if (this.stopped) return;
    const client = createClient({
      url: this.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: async () => ({ authorization: `Bearer ${await this.token()}` }),
    });
    this.client = client;
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      void client.dispose();
      if (this.stopped) return;
      this.ends.push(why);
      this.resubscribes += 1;
      setTimeout(() => this.start(), 200 + Math.random() * 300);
    };
    client.subscribe<Record<string, { cursor: string }>>(
      { query: this.query, variables: { ...this.variables, after: this.last.toString() } },
      {
        next: (value) => {
          const event = value.data?.[this.field];
          if (!event) {
            end(`no data: ${JSON.stringify(value.errors?.[0]?.message ?? value)}`);
            return;
          }
          if (value.errors?.length) this.partialEvents += 1;
          const cursor = BigInt(event.cursor);
          if (this.cursors.includes(event.cursor)) this.duplicates.push(event.cursor);
          else if (cursor <= this.last) this.outOfOrder.push(event.cursor);
          this.cursors.push(event.cursor);
          if (cursor > this.last) this.last = cursor;
        },
        error: (err) => {
          const e = err as { code?: number; reason?: string; message?: string } | GraphQLError[];
          end(Array.isArray(e) ? `errors: ${e.map((x) => x.message).join("; ")}` : `close ${e.code ?? ""} ${e.reason ?? e.message ?? ""}`.trim());
        },
        complete: () => end("complete"),
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }
}
