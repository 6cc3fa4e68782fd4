import type { GraphQLFormattedError } from "graphql";
import { parseCursor, type Logger, type RequestContext } from "@mes/shared";
import type { UpstreamSockets } from "./upstream-sockets.ts";
import type { SubscriptionCounters } from "./subscription-counters.ts";

/** The cursor the gateway adds to the root selection of a resumable upstream subscription. */
export const CURSOR_ALIAS = "__mesCursor";
/** The variable the gateway sets to the cursor it resumes after. */
export const AFTER_VARIABLE = "__mesAfter";

/** A subscription operation for the owning subgraph; resumable when its root field has `after` and `cursor`. */
export interface UpstreamOperation {
  query: string;
  /** Without the gateway's `after` variable, which the feed sets. */
  variables: Record<string, unknown>;
  resumable: boolean;
}

export interface UpstreamFeedOptions {
  url: string;
  operation: UpstreamOperation;
  sockets: UpstreamSockets;
  /** The caller whose token subscribes (read at each (re)subscribe: it may change to a fresher one). */
  caller: () => RequestContext;
  /** The owning subgraph's event stream position now, or null when it cannot tell (see stream-position.ts). */
  streamPosition: ((caller: RequestContext) => Promise<bigint | null>) | null;
  /** How often a quiet feed brings its resume position up to the stream's (0: never). */
  positionRefreshMs: number;
  counters: SubscriptionCounters;
  log: Logger;
  /** Each event received, once, in cursor order (null cursor: not resumable). */
  onEvent(data: Record<string, unknown>, cursor: bigint | null): void;
  /** The feed ended for good: the subgraph refused it (GraphQL errors) or a non-resumable one was lost. */
  onEnd(errors?: readonly GraphQLFormattedError[], cause?: unknown): void;
  /** The stream position it started from became known (after asking the subgraph). */
  onStarted?(): void;
}

/** Refusals a later resubscribe may not get. */
const RETRIED = new Set(["SUBSCRIBER_TOO_SLOW", "TOO_MANY_SUBSCRIPTIONS"]);

const max = (a: bigint | null, b: bigint | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * One upstream subscription that survives its subgraph going away: it tracks the last cursor it
 * *received* (not the last one resolved or delivered) and resubscribes after it, dropping anything
 * at or before it, so nothing is lost or repeated across reconnects.
 *
 * Its resume position is a position in the subgraph's event stream, not in its own filtered events:
 * it starts at the stream position of the moment of subscribing (so a quiet stream loses nothing
 * across a restart before its first event), and a quiet feed brings it forward every
 * `positionRefreshMs` (so a filtered stream whose last own event is older than what was pruned can
 * still resume: the subgraph refuses a cursor only when events after it were pruned).
 */
export class UpstreamFeed {
  /** Cursor of the last event received. */
  private received: bigint | null = null;
  /** A stream position every event up to which has been received (start, or a confirmed refresh). */
  private covered: bigint | null;
  /** Where it started: known once the subgraph has told its position (or given by the caller). */
  startedAt: bigint | null;
  private started = false;
  private unsubscribe: (() => void) | null = null;
  /** Changes with every (re)subscribe and pause: answers of an older subscription are ignored. */
  private generation = 0;
  /** Events received so far (a quiet feed receives none for a while). */
  eventsReceived = 0;
  /** When the current subscription was sent. */
  private subscribedAt = 0;
  private attempt = 0;
  private paused = false;
  private closed = false;
  private refreshTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private candidate: { position: bigint; generation: number; eventsReceived: number } | null = null;

  /** `from`: a cursor to resume after (a client's `after`), or "now" for the stream position of this moment. */
  constructor(
    private readonly opts: UpstreamFeedOptions,
    from: bigint | "now",
  ) {
    this.covered = from === "now" ? null : from;
    this.startedAt = this.covered;
    opts.counters.upstreams += 1;
    if (from === "now" && opts.operation.resumable && opts.streamPosition) void this.startFromNow(0);
    else this.begin();
    if (opts.operation.resumable && opts.streamPosition && opts.positionRefreshMs > 0) {
      this.refreshTimer = setInterval(() => this.refreshPosition(), opts.positionRefreshMs);
      this.refreshTimer.unref();
    }
  }

  /** Every event of the stream up to this cursor has been received: where a resubscribe continues. */
  get position(): bigint | null {
    return max(this.received, this.covered);
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Subscribed upstream now (not paused, not waiting to reconnect). */
  get isSubscribed(): boolean {
    return this.unsubscribe !== null && !this.paused && !this.closed;
  }

  private begin(): void {
    this.started = true;
    this.opts.onStarted?.();
    this.connect();
  }

  private async startFromNow(attempt: number): Promise<void> {
    try {
      const position = await this.opts.streamPosition!(this.opts.caller());
      if (this.closed) return;
      this.covered = position;
      this.startedAt = position;
      this.begin();
    } catch (err) {
      // The subgraph is unreachable: ask again, as a lost upstream would reconnect.
      if (this.closed) return;
      const delay = Math.min(100 * 2 ** attempt, 5000);
      this.opts.log.warn({ url: this.opts.url, err, delay }, "asking a subgraph for its event stream position failed; retrying");
      this.retryTimer = setTimeout(() => void this.startFromNow(attempt + 1), delay);
      this.retryTimer.unref();
    }
  }

  private connect(): void {
    if (this.closed || this.paused) return;
    const generation = ++this.generation;
    this.subscribedAt = Date.now();
    const { operation } = this.opts;
    const after = this.position;
    const variables = operation.resumable
      ? { ...operation.variables, [AFTER_VARIABLE]: after === null ? null : after.toString() }
      : operation.variables;
    this.unsubscribe = this.opts.sockets.subscribe(
      this.opts.url,
      this.opts.caller(),
      { query: operation.query, variables },
      {
        next: (value: { data?: unknown; errors?: readonly GraphQLFormattedError[] }) => {
          if (generation !== this.generation) return;
          this.attempt = 0;
          const errors = value.errors;
          const data = value.data as Record<string, unknown> | null | undefined;
          if (errors?.length && !data) {
            this.refused(errors);
            return;
          }
          if (!data) return;
          const root = Object.values(data)[0] as Record<string, unknown> | undefined;
          const cursor = operation.resumable ? parseCursor(root?.[CURSOR_ALIAS]) : null;
          // At or before what was received: a repeat across a reconnect.
          if (cursor !== null && this.received !== null && cursor <= this.received) return;
          if (cursor !== null) this.received = cursor;
          this.eventsReceived += 1;
          this.opts.onEvent(data, cursor);
        },
        error: (err) => {
          if (generation !== this.generation || this.closed) return;
          this.unsubscribe = null;
          // GraphQL errors: the subgraph refused the operation; retrying would not help.
          if (Array.isArray(err)) {
            this.refused(err as GraphQLFormattedError[]);
            return;
          }
          if (!operation.resumable) {
            this.end(undefined, err);
            return;
          }
          this.retry("subscription upstream lost; resubscribing from the last cursor received");
        },
        complete: () => {
          if (generation !== this.generation || this.closed) return;
          this.unsubscribe = null;
          if (operation.resumable) this.retry("subscription upstream completed; resubscribing from the last cursor received");
          else this.end();
        },
      },
    );
  }

  private refused(errors: readonly GraphQLFormattedError[]): void {
    // The subgraph ended this subscriber for falling behind (the gateway's event loop was busy), or
    // is at its limit of subscribers for now: a resubscribe from the last cursor received loses nothing.
    if (this.opts.operation.resumable && errors.every((e) => RETRIED.has(String(e.extensions?.code)))) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      this.generation += 1;
      this.retry("subgraph found the upstream too slow; resubscribing from the last cursor received");
      return;
    }
    this.end(errors);
  }

  private retry(why: string): void {
    this.opts.counters.upstreamReconnects += 1;
    const delay = Math.min(100 * 2 ** this.attempt, 5000);
    this.opts.log.warn({ url: this.opts.url, attempt: this.attempt, delay, after: this.position?.toString() ?? null }, why);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  /** Stops receiving (a catching-up reader whose client has enough queued); resume() continues after the last cursor received. */
  pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    if (this.started) this.connect();
  }

  /** Subscribes again from an earlier cursor: everything after it is received (and delivered) again. */
  restartFrom(cursor: bigint): void {
    if (this.closed) return;
    this.pause();
    this.paused = false;
    this.received = null;
    this.covered = cursor;
    this.startedAt = cursor;
    this.candidate = null;
    this.attempt = 0;
    this.started = true;
    this.connect();
  }

  /**
   * Brings the resume position of a quiet feed forward to the stream position. A position is read
   * only once the subscription has been open a whole period (its missed events, if any, are coming
   * by then), and counts only at the next tick, if the feed stayed subscribed on a connected socket
   * and received nothing in between: the subgraph has had a period to send any event up to it, and
   * sent none. It moves only where a later resubscribe starts, never what is delivered.
   */
  private refreshPosition(): void {
    if (this.closed || this.paused || !this.started) return;
    const connected = this.unsubscribe !== null && this.opts.sockets.isConnected(this.opts.url, this.opts.caller());
    const c = this.candidate;
    if (c && connected && c.generation === this.generation && c.eventsReceived === this.eventsReceived) this.covered = max(this.covered, c.position);
    this.candidate = null;
    if (!connected || Date.now() - this.subscribedAt < this.opts.positionRefreshMs) return;
    const seen = { generation: this.generation, eventsReceived: this.eventsReceived };
    this.opts.streamPosition!(this.opts.caller()).then(
      (position) => {
        if (position !== null && !this.closed && seen.generation === this.generation) this.candidate = { position, ...seen };
      },
      () => {},
    );
  }

  /** Ends it without telling (the owner is done with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.counters.upstreams -= 1;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.generation += 1;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private end(errors?: readonly GraphQLFormattedError[], cause?: unknown): void {
    this.close();
    this.opts.onEnd(errors, cause);
  }
}
