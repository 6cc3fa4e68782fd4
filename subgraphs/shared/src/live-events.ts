import type pg from "pg";
import { GraphQLError } from "graphql";
import type { Logger } from "./logger.ts";
import { parseCursor, readFeed, streamPosition, type EventType, type FeedEvent, type FeedPage } from "./events.ts";
import { badUserInput } from "./errors.ts";
import { sees, type Tenant } from "./tenancy.ts";
import type { ListenConnection } from "./listen-connection.ts";

export interface LiveSubscription {
  types: string[];
  /** Only events this returns true for are delivered. */
  filter: (event: FeedEvent) => boolean;
  /** Resume after this cursor (an event id): missed events first, in order, then live ones. */
  after?: string | null;
}

/** Live events waiting for one subscriber before it is ended as too slow. */
const MAX_BUFFER = 1000;
/** Outbox rows read at once, by the live reader and by each subscriber catching up. */
const PAGE = 500;
const SAFETY_POLL_MS = 5000;

interface Subscriber {
  types: Set<string>;
  filter: (event: FeedEvent) => boolean;
  /** A live event, offered in id order; ignored while the subscriber still reads the outbox. */
  offer: (event: FeedEvent) => void;
  fail: (error: Error) => void;
}

function cursorExpired(cursor: bigint, page: FeedPage): GraphQLError {
  return new GraphQLError(`Events after cursor ${cursor} were pruned (outbox retention); subscribe again without after`, {
    extensions: { code: "CURSOR_EXPIRED", prunedUpTo: page.prunedUpTo.toString() },
  });
}

/**
 * Live events of one subgraph for its GraphQL subscriptions. One connection LISTENs for the outbox's
 * notifications (a hint only): on each, new outbox rows are read in id order and offered to every
 * subscriber, so any number of subscribers cost one connection and one read per batch. A periodic
 * read catches anything a lost notification or a reconnect missed.
 *
 * A subscriber resuming from a cursor reads what it missed from the outbox itself, page by page as
 * it consumes them, and live events meanwhile are not queued for it (they are in the outbox too);
 * once it has read up to what the live reader has offered, it switches to live delivery.
 */
export class LiveEvents {
  private subscribers = new Set<Subscriber>();
  /** Every event up to this id has been offered to the live subscribers. */
  private lastId = 0n;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  /** Feed readers waiting for the next outbox notification (long polls of GET /events). */
  private readonly outboxWaiters = new Set<() => void>();
  private ending = false;
  delivered = 0;

  constructor(
    private pool: pg.Pool,
    /** The process's LISTEN connection (shared with the read cache); started by start(). */
    private listener: ListenConnection,
    private log: Logger,
    /** Subscriptions this process serves at most (a subgraph can be called directly, not only by gateways). */
    readonly maxSubscribers = 10_000,
  ) {
    listener.on("outbox", () => {
      this.wake();
      this.releaseWaiters();
    });
    listener.onListening(() => {
      this.wake(); // whatever committed while we were not listening
      this.releaseWaiters();
    });
  }

  async start(): Promise<void> {
    this.lastId = BigInt(await streamPosition(this.pool));
    await this.listener.start();
    this.timer = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.timer.unref();
  }

  /** Whether the LISTEN connection is up (it reconnects by itself when lost). */
  get listening(): boolean {
    return this.listener.listening;
  }

  /**
   * The next outbox notification, for a feed reader with nothing new to read: `arrived` resolves at
   * the next committed event (any type), after `ms`, or when the service stops, whichever is first.
   * Ask before reading, so an event committed between the read and the wait is not missed. Null
   * while notifications are not being received (the reader answers at once and the follower polls).
   */
  nextOutboxNotice(ms: number): { arrived: Promise<void>; cancel: () => void } | null {
    if (!this.canWait) return null;
    let done = () => {};
    const arrived = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ms);
      done = () => {
        clearTimeout(timer);
        this.outboxWaiters.delete(done);
        resolve();
      };
      this.outboxWaiters.add(done);
    });
    return { arrived, cancel: () => done() };
  }

  /** Whether feed requests can be held until news: notifications are being received and it is not stopping. */
  get canWait(): boolean {
    return !this.ending && this.listener.listening;
  }

  private releaseWaiters(): void {
    for (const done of [...this.outboxWaiters]) done();
  }

  /** Answers every waiting feed reader now (the service stops: its requests must finish). */
  endWaits(): void {
    this.ending = true;
    this.releaseWaiters();
  }

  /** Reads new outbox rows and fans them out; concurrent wake-ups collapse into one more read. */
  private wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        for (;;) {
          const page = await readFeed(this.pool, this.lastId, null, PAGE);
          if (page.expired) {
            // This process read nothing for longer than the retention: its live subscribers missed events.
            const error = cursorExpired(this.lastId, page);
            for (const s of [...this.subscribers]) s.fail(error);
            this.lastId = page.head;
            continue;
          }
          for (const event of page.events) {
            this.lastId = BigInt(event.id);
            for (const s of this.subscribers) if (s.types.has(event.type) && s.filter(event)) s.offer(event);
          }
          if (page.scannedUpTo > this.lastId) this.lastId = page.scannedUpTo;
          if (page.events.length < PAGE) break;
        }
      } while (this.again);
    })()
      .catch((err) => this.log.warn({ err }, "reading live events failed"))
      .finally(() => {
        this.reading = null;
      });
  }

  /** An async iterator of matching events: the backlog after `after`, then live events, no duplicates. */
  subscribe(sub: LiveSubscription): AsyncIterableIterator<FeedEvent> {
    const after = sub.after == null ? null : parseCursor(sub.after);
    if (sub.after != null && after === null) throw badUserInput(`after ${JSON.stringify(sub.after)} is not an event cursor`);
    const queue: FeedEvent[] = [];
    let waiting: { resolve: (r: IteratorResult<FeedEvent>) => void; reject: (e: Error) => void } | null = null;
    let failure: Error | null = null;
    let done = false;
    // Catching up: reading the outbox after `cursor`; live: taking what the live reader offers.
    let live = after === null;
    let cursor = after ?? 0n;
    // The newest event queued or delivered; a live event up to it was read from the outbox already.
    let newest = after ?? -1n;
    // Where a subscriber ended as too slow resumes: its last event, or where it started listening.
    let lastDelivered = after ?? this.lastId;

    const deliver = (event: FeedEvent): IteratorResult<FeedEvent> => {
      this.delivered += 1;
      lastDelivered = BigInt(event.id);
      return { value: event, done: false };
    };
    const end = (error: Error | null) => {
      if (done) return;
      done = true;
      failure = error;
      this.subscribers.delete(subscriber);
      const w = waiting;
      waiting = null;
      if (w && error) w.reject(error);
      else w?.resolve({ value: undefined, done: true });
    };
    const subscriber: Subscriber = {
      types: new Set(sub.types),
      filter: sub.filter,
      offer(event) {
        if (done || !live || BigInt(event.id) <= newest) return;
        newest = BigInt(event.id);
        if (waiting) {
          const w = waiting;
          waiting = null;
          w.resolve(deliver(event));
        } else if (queue.length >= MAX_BUFFER) {
          // A reader this far behind would hold memory for ever: end it; it can resume from its cursor.
          end(
            new GraphQLError(`Subscriber too slow: more than ${MAX_BUFFER} events waiting; resubscribe with after: "${lastDelivered}"`, {
              extensions: { code: "SUBSCRIBER_TOO_SLOW" },
            }),
          );
        } else {
          queue.push(event);
        }
      },
      fail: (error) => end(error),
    };

    /** Reads the next page of missed events; switches to live once it has read what was offered live. */
    const catchUp = async () => {
      const page = await readFeed(this.pool, cursor, sub.types, PAGE);
      if (done) return;
      if (page.expired) {
        end(cursorExpired(cursor, page));
        return;
      }
      for (const event of page.events) if (sub.filter(event)) queue.push(event);
      cursor = page.scannedUpTo;
      if (cursor > newest) newest = cursor;
      if (page.events.length === PAGE) return;
      // Everything up to `cursor` is queued; the live reader has offered everything up to its
      // lastId. No await between this check and the switch, so no live event slips between them.
      if (cursor >= this.lastId) live = true;
    };

    this.subscribers.add(subscriber);
    return {
      async next(): Promise<IteratorResult<FeedEvent>> {
        for (;;) {
          if (failure) throw failure;
          if (done) return { value: undefined, done: true };
          const event = queue.shift();
          if (event) return deliver(event);
          if (live) {
            return new Promise((resolve, reject) => {
              waiting = { resolve, reject };
            });
          }
          try {
            await catchUp();
          } catch (err) {
            // E.g. the database is away: this subscriber ends with the error.
            end(err as Error);
          }
        }
      },
      async return(): Promise<IteratorResult<FeedEvent>> {
        end(null);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  async stop(): Promise<void> {
    this.endWaits();
    if (this.timer) clearInterval(this.timer);
    for (const s of [...this.subscribers]) this.subscribers.delete(s);
    await this.reading;
    await this.listener.stop();
  }
}

/**
 * A subscription field over outbox events: `types` to listen to, `matches` for the field's
 * arguments (plant, entity), `shape` for the GraphQL event type. Every event carries its cursor.
 */
export function liveField<T extends EventType, TArgs extends { after?: string | null }, TShape extends object>(
  types: readonly T[],
  matches: (event: FeedEvent<T>, args: TArgs) => boolean,
  shape: (event: FeedEvent<T>) => TShape,
) {
  return {
    subscribe: (_: unknown, args: TArgs, ctx: { live: LiveEvents; tenant: Tenant; actor: string; requestId: string; log: Logger }) => {
      if (args.after != null && parseCursor(args.after) === null) {
        const message = "after must be the cursor of an earlier event (the cursor field of an event; digits only)";
        throw badUserInput(message, [{ field: "after", message }]);
      }
      if (ctx.live.subscriberCount >= ctx.live.maxSubscribers) {
        throw new GraphQLError(`This service is at its limit of ${ctx.live.maxSubscribers} subscriptions; try again later`, {
          extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
        });
      }
      ctx.log.info({ actor: ctx.actor, types, args }, "subscription started"); // requestId: from the child logger
      // The tenant choke point of subscriptions: only the caller's organization and plants.
      const tenant = ctx.tenant;
      return ctx.live.subscribe({
        types: [...types],
        after: args.after,
        filter: (event) => sees(tenant, event) && matches(event as FeedEvent<T>, args),
      });
    },
    resolve: (event: FeedEvent<T>) => ({ cursor: event.id, at: (event.payload as { at?: string }).at ?? event.createdAt, ...shape(event) }),
  };
}
