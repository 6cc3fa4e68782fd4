import { GraphQLError, type ExecutionResult } from "graphql";
import type { SubscriptionCounters } from "./subscription-counters.ts";

/** An event waiting for one client: resolved already (live, shared) or to resolve when read (catching up). */
interface Entry {
  cursor: bigint | null;
  result?: ExecutionResult;
  event?: Record<string, unknown>;
  /** Counted against the live queue limit. */
  live: boolean;
}

/** The connection a client's events leave by, when its writes can be held and sent together (a WebSocket's TCP socket). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export interface ClientStreamOptions {
  /** The client's connection, shared by its subscriptions: a broadcast writes to it once (shared-stream.ts). */
  transport?: Corkable;
  /** Live events waiting for this client before it is closed as too slow. */
  maxQueuedEvents: number;
  counters: SubscriptionCounters;
  /** Resolves an event the client catches up on, when the client reads it. */
  resolve: (event: Record<string, unknown>) => Promise<ExecutionResult>;
  /** Called when the client fell too far behind on live events (the server closes its socket). */
  onSlow?: () => void;
  /** Called once when the client's stream ends, however it ends. */
  onFinish: () => void;
  /** Called each time the client has read an event it was catching up on. */
  onCaughtUpEventRead?: () => void;
}

/**
 * One client's view of a stream, as the async iterator graphql-ws reads. Live events (resolved once
 * and shared) count against the live queue limit; events it catches up on are resolved only when it
 * reads them and do not count (their reader bounds them). Events arrive in cursor order; anything at
 * or before the last one accepted is dropped.
 */
export class ClientStream implements AsyncIterableIterator<ExecutionResult> {
  private readonly entries: Entry[] = [];
  private liveQueued = 0;
  private waiting: ((r: IteratorResult<ExecutionResult>) => void) | null = null;
  private failure: unknown = null;
  private done = false;
  private lastAccepted: bigint | null;

  constructor(
    private readonly opts: ClientStreamOptions,
    after: bigint | null,
  ) {
    this.lastAccepted = after;
    opts.counters.active += 1;
  }

  get transport(): Corkable | undefined {
    return this.opts.transport;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The cursor of the last event it has (queued or read), or the one it resumed after. */
  get lastCursor(): bigint | null {
    return this.lastAccepted;
  }

  /** Events it has queued to catch up on and not read yet. */
  get catchUpQueued(): number {
    return this.entries.length - this.liveQueued;
  }

  private accepts(cursor: bigint | null): boolean {
    if (this.done) return false;
    if (cursor === null) return true;
    if (this.lastAccepted !== null && cursor <= this.lastAccepted) return false;
    this.lastAccepted = cursor;
    return true;
  }

  /**
   * An event of the shared stream, resolved once for all its clients: live, or (`live` false) one
   * the stream replays after a rewind, which a client that lacks it catches up on.
   */
  pushShared(result: ExecutionResult, cursor: bigint | null, live = true): void {
    if (!this.accepts(cursor)) return;
    this.opts.counters.delivered += 1;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: result, done: false });
    } else if (!live) {
      this.entries.push({ cursor, result, live });
    } else if (this.liveQueued >= this.opts.maxQueuedEvents) {
      // It cannot keep up: stop holding events for it rather than stall or grow without bound.
      this.opts.counters.slowClientsClosed += 1;
      this.finish();
      this.opts.onSlow?.();
    } else {
      this.entries.push({ cursor, result, live });
      this.liveQueued += 1;
    }
  }

  /** An event it catches up on, resolved when it reads it. */
  pushCatchUp(event: Record<string, unknown>, cursor: bigint | null): void {
    if (!this.accepts(cursor)) return;
    this.opts.counters.delivered += 1;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      void this.resolveCaughtUp(event).then((value) => w({ value, done: false }));
    } else {
      this.entries.push({ cursor, event, live: false });
    }
  }

  private async resolveCaughtUp(event: Record<string, unknown>): Promise<ExecutionResult> {
    try {
      return await this.opts.resolve(event);
    } catch (err) {
      return { errors: [new GraphQLError("Resolving a subscription event failed", { originalError: err as Error })] };
    } finally {
      this.opts.onCaughtUpEventRead?.();
    }
  }

  /** The stream ended (the upstream refused or was lost): what is queued can still be read. */
  end(error?: unknown): void {
    if (this.done) return;
    this.failure = error ?? null;
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.opts.counters.active -= 1;
    this.opts.onFinish();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: undefined, done: true });
    }
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const entry = this.entries.shift();
    if (entry) {
      if (entry.live) this.liveQueued -= 1;
      if (entry.result) return { value: entry.result, done: false };
      return { value: await this.resolveCaughtUp(entry.event!), done: false };
    }
    if (this.failure) throw this.failure;
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
