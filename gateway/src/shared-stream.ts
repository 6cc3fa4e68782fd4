import type { ExecutionResult } from "graphql";
import type { Logger, RequestContext } from "@mes/shared";
import { UpstreamFeed, type UpstreamFeedOptions } from "./upstream-feed.ts";
import type { ClientStream, Corkable } from "./client-stream.ts";
import { upstreamErrors } from "./upstream-errors.ts";

/** Quiet readers asking to join within this time share one rewind. */
const REWIND_BATCH_MS = 50;

export type ResolveEvent = (event: Record<string, unknown>, caller: RequestContext) => Promise<ExecutionResult>;

export interface SharedStreamOptions extends Omit<UpstreamFeedOptions, "caller" | "onEvent" | "onEnd" | "onStarted"> {
  resolveEvent: ResolveEvent;
  log: Logger;
  /** Where it starts: the stream position of this moment (live), or after a cursor (catching up). */
  from: bigint | "now";
  /** Every event it delivers is one its clients catch up on (not counted as live). */
  catchingUp?: boolean;
  /** Called after each event it delivered. */
  onDelivered?: () => void;
  /** Called once when it closes (the registry forgets it). */
  onClose: () => void;
}

/**
 * One upstream subscription at the owning subgraph, shared by every client that asked for the same
 * operation with the same variables (and tenant scope), resolved once per event, one event after
 * another, and fanned out. The live one starts at the stream position of the moment it was opened;
 * clients resuming from cursors read what they missed together on a catching-up one, from the
 * earliest cursor (stream-family.ts), and join the live one once they have caught up with its
 * frontier.
 */
export class SharedStream {
  private readonly listeners = new Set<ClientStream>();
  /** Readers catching up that will join: they keep it open though no client listens yet. */
  private holds = new Set<() => void>();
  private readonly feed: UpstreamFeed;
  private chain = Promise.resolve();
  private lastBroadcast: bigint | null = null;
  /** After a rewind: events up to here come again, as a replay (not live: clients that had them drop them). */
  private replayingUpTo: bigint | null = null;
  private closed = false;
  /** A rewind waiting to happen: the earliest cursor asked for, and the promise its askers wait on. */
  private rewind: { to: bigint; done: Promise<boolean> } | null = null;
  /**
   * The caller whose token the upstream subscription and the entity fetches use: of the clients
   * sharing this stream (one tenant scope), the one whose token expires last, so a long-lived stream
   * keeps working as tablets reconnect with fresh tokens.
   */
  private caller: RequestContext;

  constructor(
    private readonly opts: SharedStreamOptions,
    caller: RequestContext,
  ) {
    this.caller = caller;
    this.feed = new UpstreamFeed(
      {
        ...opts,
        caller: () => this.caller,
        onEvent: (event, cursor) => this.received(event, cursor),
        onEnd: (errors, cause) => {
          if (errors) void this.broadcast({ errors: upstreamErrors(errors) }, null);
          this.close(errors ? undefined : cause);
        },
        onStarted: () => {
          for (const recheck of [...this.holds]) recheck();
        },
      },
      opts.from,
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * A client added now receives exactly the events after this cursor: the last one broadcast, or
   * where the stream started. Null while that is not known yet.
   */
  get frontier(): bigint | null {
    return this.lastBroadcast ?? this.feed.startedAt;
  }

  private received(event: Record<string, unknown>, cursor: bigint | null): void {
    // One event after another, so clients get them in their order.
    this.chain = this.chain
      .then(async () => {
        const result = await this.opts.resolveEvent(event, this.caller);
        if (this.closed) return;
        // Each client drops what it has had (after a rewind, most of what comes again); one that
        // lacks a replayed event catches up on it, without it counting against its live queue.
        const replayed = this.opts.catchingUp || (cursor !== null && this.replayingUpTo !== null && cursor <= this.replayingUpTo);
        await this.broadcast(result, cursor, !replayed);
        if (cursor !== null) this.lastBroadcast = cursor;
        this.opts.onDelivered?.();
      })
      .catch((err) => this.opts.log.error({ err }, "resolving a subscription event failed"));
  }

  /**
   * Hands an event to every client. A connection carries many subscriptions (a tablet, an andon
   * board): their messages of one event leave in one socket write, not one system call each. One
   * connection after another, each released as soon as its messages are written, so a client reads
   * its first while the next connection's are being written. The writes run as promise jobs after
   * the push; a nextTick queued then runs once they all have (still in this turn of the event loop,
   * so no client joins or leaves halfway).
   */
  private async broadcast(result: ExecutionResult, cursor: bigint | null, live = true): Promise<void> {
    const byConnection = new Map<Corkable | undefined, ClientStream[]>();
    for (const listener of this.listeners) {
      const group = byConnection.get(listener.transport);
      if (group) group.push(listener);
      else byConnection.set(listener.transport, [listener]);
    }
    for (const [transport, clients] of byConnection) {
      transport?.cork();
      for (const client of clients) client.pushShared(result, cursor, live);
      if (!transport) continue;
      await new Promise<void>((written) => process.nextTick(written));
      transport.uncork();
    }
  }

  /** Whether it is subscribed upstream now, and how many events it has received (a quiet one stops counting). */
  get activity(): { subscribed: boolean; eventsReceived: number } {
    return { subscribed: this.feed.isSubscribed, eventsReceived: this.feed.eventsReceived };
  }

  get clients(): ReadonlySet<ClientStream> {
    return this.listeners;
  }

  /** A client joins: its credentials take over if they outlive the current ones. */
  join(client: ClientStream, caller: RequestContext): void {
    const expiry = (c: RequestContext) => c.identity?.expiresAt ?? Number.MAX_SAFE_INTEGER;
    if (expiry(caller) > expiry(this.caller)) this.caller = caller;
    this.listeners.add(client);
  }

  /**
   * Lets a reader that is quiet but behind the frontier join exactly: the upstream resubscribes
   * from `cursor` (the earliest of the readers asking within REWIND_BATCH_MS), after what it had
   * received is broadcast; resolves true just after, when everything after `cursor` will be
   * broadcast to whoever joins now (false: it closed).
   */
  rewindTo(cursor: bigint): Promise<boolean> {
    if (this.closed || !this.feed.isStarted) return Promise.resolve(false);
    if (this.rewind) {
      if (cursor < this.rewind.to) this.rewind.to = cursor;
      return this.rewind.done;
    }
    const rewind = { to: cursor, done: Promise.resolve(false) };
    rewind.done = (async () => {
      await new Promise((r) => setTimeout(r, REWIND_BATCH_MS));
      if (this.closed) return false;
      // Nothing more from the current subscription; what it delivered goes out first.
      const position = this.feed.position;
      if (position !== null && (this.replayingUpTo === null || position > this.replayingUpTo)) this.replayingUpTo = position;
      this.feed.pause();
      await this.chain;
      this.rewind = null;
      if (this.closed) return false;
      this.lastBroadcast = null;
      this.feed.restartFrom(rewind.to);
      return true;
    })();
    this.rewind = rewind;
    return rewind.done;
  }

  /** A reader catching up keeps the stream open; `recheck` is called when its frontier becomes known. */
  hold(recheck: () => void): void {
    this.holds.add(recheck);
  }

  release(recheck: () => void): void {
    this.holds.delete(recheck);
    this.closeWhenUnused();
  }

  remove(client: ClientStream): void {
    this.listeners.delete(client);
    this.closeWhenUnused();
  }

  /** Takes a client off without closing (it moves to another stream). */
  take(client: ClientStream): void {
    this.listeners.delete(client);
  }

  private closeWhenUnused(): void {
    // Upstream closed when the last client leaves.
    if (this.listeners.size === 0 && this.holds.size === 0) this.close();
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.feed.close();
    for (const listener of [...this.listeners]) listener.end(error);
    this.listeners.clear();
    // Readers still catching up find another stream to join when they get there.
    this.holds.clear();
    this.opts.onClose();
  }
}
