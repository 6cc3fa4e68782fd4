import pg from "pg";
import { GraphQLError } from "graphql";
import type { Logger } from "./logger.ts";
import { parseCursor, prunedUpTo, readEvents, type EventType, type FeedEvent } from "./events.ts";
import { badUserInput } from "./errors.ts";
import { sees, type Tenant } from "./tenancy.ts";

export interface LiveSubscription {
  types: string[];
  /** Only events this returns true for are delivered. */
  filter: (event: FeedEvent) => boolean;
  /** Resume after this cursor (an event id): missed events first, in order, then live ones. */
  after?: string | null;
}

const MAX_BUFFER = 1000;
const SAFETY_POLL_MS = 5000;

interface Subscriber {
  types: Set<string>;
  filter: (event: FeedEvent) => boolean;
  push: (event: FeedEvent) => void;
}

/**
 * Live events of one subgraph for its GraphQL subscriptions. One connection LISTENs for the outbox's
 * notifications (a hint only): on each, new outbox rows are read in id order and offered to every
 * subscriber, so any number of subscribers cost one connection and one read per batch. A periodic
 * read catches anything a lost notification or a reconnect missed.
 */
export class LiveEvents {
  private subscribers = new Set<Subscriber>();
  private lastId = 0n;
  private client: pg.Client | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  delivered = 0;

  constructor(
    private pool: pg.Pool,
    private connectionString: string,
    private log: Logger,
  ) {}

  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ max: string | null }>(`SELECT max(id)::text AS max FROM "OutboxEvent"`);
    this.lastId = BigInt(rows[0]?.max ?? 0);
    await this.connect();
    this.timer = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.timer.unref();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: "mes-live-events" });
    client.on("notification", () => this.wake());
    client.on("error", (err) => {
      this.log.warn({ err }, "live event connection lost; reconnecting");
      this.client = null;
      setTimeout(() => void this.connect().catch(() => {}), 1000).unref();
    });
    await client.connect();
    await client.query("LISTEN outbox");
    this.client = client;
    this.wake(); // whatever committed while we were not listening
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
          const events = await readEvents(this.pool, this.lastId, null, 500);
          for (const event of events) {
            this.lastId = BigInt(event.id);
            for (const s of this.subscribers) if (s.types.has(event.type) && s.filter(event)) s.push(event);
          }
          if (events.length < 500) break;
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
    const queue: FeedEvent[] = [];
    let waiting: ((r: IteratorResult<FeedEvent>) => void) | null = null;
    let failure: Error | null = null;
    let done = false;
    const after = sub.after == null ? null : parseCursor(sub.after);
    if (sub.after != null && after === null) throw badUserInput(`after ${JSON.stringify(sub.after)} is not an event cursor`);
    let lastDelivered = after ?? -1n;
    const self = this;

    const offer = (event: FeedEvent) => {
      // The backlog replay may already have delivered it.
      if (done || BigInt(event.id) <= lastDelivered) return;
      if (waiting) {
        const w = waiting;
        waiting = null;
        lastDelivered = BigInt(event.id);
        self.delivered += 1;
        w({ value: event, done: false });
      } else if (queue.length >= MAX_BUFFER) {
        // A reader this far behind would hold memory for ever: end it; it can resume from its cursor.
        failure = new GraphQLError(`Subscriber too slow: more than ${MAX_BUFFER} events waiting; resubscribe with after: "${lastDelivered}"`, {
          extensions: { code: "SUBSCRIBER_TOO_SLOW" },
        });
        cleanup();
      } else {
        queue.push(event);
      }
    };
    const subscriber: Subscriber = { types: new Set(sub.types), filter: sub.filter, push: offer };
    const cleanup = () => {
      done = true;
      self.subscribers.delete(subscriber);
      if (waiting && !failure) waiting({ value: undefined, done: true });
    };

    // Register for live events first, then replay the backlog; live events the replay also read are
    // skipped by id, so nothing is lost or delivered twice.
    this.subscribers.add(subscriber);
    const backlog =
      after !== null
        ? (async () => {
            const pruned = await prunedUpTo(this.pool);
            if (after < pruned) {
              failure = new GraphQLError(`Events after cursor ${sub.after} were pruned (outbox retention); subscribe again without after`, {
                extensions: { code: "CURSOR_EXPIRED", prunedUpTo: pruned.toString() },
              });
              cleanup();
              return;
            }
            const missed: FeedEvent[] = [];
            let cursor = after;
            for (;;) {
              const page = await readEvents(this.pool, cursor, sub.types, 1000);
              missed.push(...page.filter(sub.filter));
              if (page.length < 1000) break;
              cursor = BigInt(page.at(-1)!.id);
            }
            queue.unshift(...missed);
          })().catch((err: Error) => {
            // E.g. the database is away: this subscriber ends with the error instead of an unhandled rejection.
            failure = err;
            cleanup();
          })
        : Promise.resolve();

    return {
      async next(): Promise<IteratorResult<FeedEvent>> {
        await backlog;
        if (failure) throw failure;
        while (queue.length) {
          const event = queue.shift()!;
          if (BigInt(event.id) <= lastDelivered) continue;
          lastDelivered = BigInt(event.id);
          self.delivered += 1;
          return { value: event, done: false };
        }
        if (done) return { value: undefined, done: true };
        return new Promise((resolve, reject) => {
          waiting = resolve;
          if (failure) reject(failure);
        });
      },
      async return(): Promise<IteratorResult<FeedEvent>> {
        cleanup();
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
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of [...this.subscribers]) this.subscribers.delete(s);
    await this.reading;
    await this.client?.end().catch(() => {});
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
      ctx.log.info({ requestId: ctx.requestId, actor: ctx.actor, types, args }, "subscription started");
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
