import { timingSafeEqual } from "node:crypto";
import type pg from "pg";
import type express from "express";
import type { Logger } from "./logger.ts";
import { bearerToken } from "./auth.ts";
import { requestQueries } from "./db.ts";
import { EVENT_CATALOGUE, isEventType, type EventType, type NewEvent, type OutboxEvent } from "./event-catalogue.ts";

/** What a transaction client must offer to write events: Prisma's raw SQL helpers. */
export interface RawSqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export type { EventType, EventPayload, NewEvent, OutboxEvent } from "./event-catalogue.ts";

/** An event as followers and subscribers read it. */
export type FeedEvent<T extends EventType = EventType> = OutboxEvent<T>;

// Any constant works; it only has to be the same for every writer of one database.
const OUTBOX_LOCK = 0x4d45535f;

/**
 * Appends an event to the subgraph's outbox inside the caller's transaction. The advisory lock is
 * held until commit, so event ids increase in commit order and a reader at cursor N never misses
 * an event that commits later with a smaller id. Call it as the last write of the transaction.
 */
export async function appendEvent<T extends EventType>(tx: RawSqlClient, event: NewEvent<T>): Promise<void> {
  // Who caused it and in which request: the request's audit session (a follower's is the event's
  // origin it applies), so effects in other subgraphs are audited as that actor.
  const cause = requestQueries.getStore()?.audit;
  const actor = cause?.actor ?? "system";
  const requestId = cause?.requestId || null;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`;
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor", "requestId")
    VALUES (${event.organizationId}::uuid, ${event.plantId}::uuid, ${event.type}, ${event.aggregateId}, ${JSON.stringify(event.payload)}::jsonb, ${actor}, ${requestId})`;
  // Delivered at commit, wakes listeners; the outbox row is the truth, the notification a hint.
  await tx.$executeRaw`SELECT pg_notify('outbox', ${event.type})`;
}

const MAX_FEED_PAGE = 1000;
/** Outbox ids are PostgreSQL bigints: a cursor above this names no event and cannot be queried. */
const MAX_CURSOR = 9_223_372_036_854_775_807n;

/** An event cursor (an outbox id, digits only, within bigint), or null when it is not one. */
export function parseCursor(value: unknown): bigint | null {
  if (typeof value !== "string" || !/^\d{1,19}$/.test(value)) return null;
  const cursor = BigInt(value);
  return cursor <= MAX_CURSOR ? cursor : null;
}

// Event type names as the catalogue spells them; anything else could only fail in SQL.
const EVENT_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** Reads events after a cursor, in order. */
export async function readEvents(pool: pg.Pool, after: bigint, types: readonly string[] | null, limit: number): Promise<FeedEvent[]> {
  const { rows } = await pool.query(
    `SELECT id::text AS id, "organizationId", "plantId", type, "aggregateId", payload, "createdAt", coalesce(actor, 'system') AS actor, "requestId"
       FROM "OutboxEvent" e WHERE e.id > $1 AND ($2::text[] IS NULL OR type = ANY($2))
      ORDER BY e.id LIMIT $3`, // e.id: plain "id" would sort by the text alias (1, 10, 100, 11, ...)
    [after.toString(), types, limit],
  );
  return rows.map((r) => ({ ...r, createdAt: (r.createdAt as Date).toISOString() }));
}

/**
 * GET /events?after=<id>&types=a,b&limit=n: the outbox as a feed for other subgraphs, which keep
 * their own cursor. Internal to the service network (not part of the graph).
 */
export function mountEventFeed(app: express.Express, pool: pg.Pool, feedToken: string): void {
  const expected = Buffer.from(feedToken);
  app.get("/events", async (req, res) => {
    // Only the other services, holding the shared feed token, may read the whole outbox.
    const given = Buffer.from(bearerToken(req.headers.authorization) ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: "the event feed needs Authorization: Bearer <EVENT_FEED_TOKEN>" });
      return;
    }
    const after = parseCursor(req.query.after ?? "0");
    const limit = Number(req.query.limit ?? 100);
    const types = typeof req.query.types === "string" && req.query.types ? req.query.types.split(",") : null;
    if (after === null || !Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE || types?.some((t) => !EVENT_TYPE_NAME.test(t))) {
      res.status(400).json({ error: `after must be an event id (0 to ${MAX_CURSOR}), limit between 1 and ${MAX_FEED_PAGE}, types event type names` });
      return;
    }
    const pruned = await prunedUpTo(pool);
    if (after < pruned) {
      // The follower was away longer than the retention: say so instead of skipping events silently.
      res.status(410).json({ error: `events up to ${pruned} were pruned (retention); this follower's position ${after} cannot be resumed` });
      return;
    }
    res.json({ events: await readEvents(pool, after, types, limit) });
  });
}

/** The event with its payload checked against the catalogue; null when it does not match. */
function parseFeedEvent<T extends EventType>(event: FeedEvent, types: readonly T[]): FeedEvent<T> | null {
  if (!(types as readonly string[]).includes(event.type) || !isEventType(event.type)) return null;
  const payload = EVENT_CATALOGUE[event.type].safeParse(event.payload);
  return payload.success ? ({ ...event, payload: payload.data } as FeedEvent<T>) : null;
}

export interface EventConsumer {
  stop(): Promise<void>;
  /** Resolves once every event published so far has been handled (for tests and shutdown). */
  drain(): Promise<void>;
}

export interface EventConsumerOptions<Tx extends RawSqlClient, T extends EventType> {
  /** Cursor name, unique per consumer in this database, e.g. "inventory<-production". */
  name: string;
  /** Base URL of the source service (its /events route). */
  sourceUrl: string;
  types: readonly T[];
  transaction: <R>(fn: (tx: Tx) => Promise<R>) => Promise<R>;
  /** Applies one event; runs audited as the event's actor and request. */
  handle: (event: FeedEvent<T>, tx: Tx) => Promise<void>;
  log: Logger;
  intervalMs?: number;
  /** The source's EVENT_FEED_TOKEN (the same for every service). */
  token: string;
}

/** How a follower polls a feed: from the service's EVENT_POLL_MS and EVENT_FEED_TOKEN. */
export interface FeedSettings {
  intervalMs: number;
  token: string;
}

export function feedSettings(config: { EVENT_POLL_MS: number; EVENT_FEED_TOKEN: string }): FeedSettings {
  return { intervalMs: config.EVENT_POLL_MS, token: config.EVENT_FEED_TOKEN };
}

/**
 * Follows another subgraph's event feed. Each event is handled in a transaction that also moves
 * the cursor, so an effect happens exactly once even across crashes or several replicas.
 */
export function startEventConsumer<Tx extends RawSqlClient, T extends EventType>(opts: EventConsumerOptions<Tx, T>): EventConsumer {
  const interval = opts.intervalMs ?? 250;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let failures = 0;

  const positionOf = async (tx: Tx): Promise<bigint> => {
    const rows = await tx.$queryRaw<{ position: bigint }[]>`SELECT position FROM "EventCursor" WHERE consumer = ${opts.name} FOR UPDATE`;
    return rows[0]?.position ?? 0n;
  };

  async function poll(): Promise<number> {
    const after = await opts.transaction((tx) => positionOf(tx));
    const url = `${opts.sourceUrl}/events?after=${after}&types=${encodeURIComponent(opts.types.join(","))}&limit=100`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${opts.token}` }, signal: AbortSignal.timeout(5000) });
    if (res.status === 410) {
      const { error } = (await res.json()) as { error: string };
      opts.log.error({ consumer: opts.name, position: after.toString() }, `event feed cannot be resumed: ${error}`);
      throw new Error(error);
    }
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const { events } = (await res.json()) as { events: FeedEvent[] };
    for (const event of events) {
      const parsed = parseFeedEvent(event, opts.types);
      if (!parsed)
        opts.log.error({ consumer: opts.name, eventId: event.id, type: event.type }, "event payload does not match the event catalogue; skipped");
      // The follower's effects are audited as whoever caused the event, in that request.
      const cause = {
        queries: 0,
        audit: {
          actor: event.actor,
          requestId: event.requestId ?? "",
          organizationId: event.organizationId,
          operation: `${opts.name}:${event.type}`,
        },
      };
      await requestQueries.run(cause, () =>
        opts.transaction(async (tx) => {
          const position = await positionOf(tx);
          if (BigInt(event.id) <= position) return; // another replica got here first
          if (parsed) await opts.handle(parsed, tx);
          await tx.$executeRaw`INSERT INTO "EventCursor" (consumer, position, "updatedAt") VALUES (${opts.name}, ${BigInt(event.id)}, now())
          ON CONFLICT (consumer) DO UPDATE SET position = EXCLUDED.position, "updatedAt" = now()`;
        }),
      );
    }
    return events.length;
  }

  const tick = async () => {
    if (stopped) return;
    running = poll();
    let got = 0;
    try {
      got = await running;
      failures = 0;
    } catch (err) {
      failures += 1;
      // Quiet while the source starts; loud when it stays away.
      if (failures === 5 || failures % 100 === 0) opts.log.warn({ err, consumer: opts.name, failures }, "event feed unavailable");
    } finally {
      running = null;
    }
    if (!stopped) timer = setTimeout(tick, got > 0 ? 0 : Math.min(interval * 2 ** Math.min(failures, 4), 5000));
  };
  timer = setTimeout(tick, 0);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
    async drain() {
      for (;;) {
        await running?.catch(() => {});
        if ((await poll()) === 0) return;
      }
    },
  };
}

/**
 * Deletes outbox events older than the retention. Subscribers resuming from an older cursor, and
 * followers away for longer, miss what was pruned: keep the retention above the longest outage.
 */
export async function pruneOutbox(pool: pg.Pool, retentionHours: number): Promise<number> {
  // One statement: the events go and the watermark moves together.
  const { rows } = await pool.query<{ pruned: number }>(
    `WITH gone AS (DELETE FROM "OutboxEvent" WHERE "createdAt" < now() - make_interval(hours => $1) RETURNING id),
          mark AS (INSERT INTO "OutboxWatermark" (id, "prunedUpTo") SELECT 1, max(id) FROM gone HAVING count(*) > 0
                   ON CONFLICT (id) DO UPDATE SET "prunedUpTo" = GREATEST("OutboxWatermark"."prunedUpTo", EXCLUDED."prunedUpTo"))
     SELECT count(*)::int AS pruned FROM gone`,
    [retentionHours],
  );
  return rows[0]?.pruned ?? 0;
}

/** The newest pruned event id (0 when nothing was pruned): a cursor below it has lost events. */
export async function prunedUpTo(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ p: string }>(`SELECT "prunedUpTo"::text AS p FROM "OutboxWatermark" WHERE id = 1`);
  return BigInt(rows[0]?.p ?? 0);
}

/** Prunes the outbox at start and every hour. */
export function outboxRetention(pool: pg.Pool, retentionHours: number, log: Logger): EventConsumer {
  return periodicTask(
    async () => {
      const n = await pruneOutbox(pool, retentionHours);
      if (n) log.info({ pruned: n, retentionHours }, "outbox events past retention deleted");
    },
    3_600_000,
    log,
    "pruning the outbox",
    { runAtStart: true },
  );
}

/**
 * Runs `run` every `intervalMs`, one pass at a time (a pass still running skips the next tick).
 * stop() waits for a running pass; drain() runs one more and waits for it.
 */
export function periodicTask(
  run: () => Promise<void>,
  intervalMs: number,
  log: Logger,
  what: string,
  opts: { runAtStart?: boolean } = {},
): EventConsumer {
  let running: Promise<void> | null = null;
  const pass = () => {
    if (!running)
      running = run()
        .catch((err) => log.warn({ err }, `${what} failed`))
        .finally(() => {
          running = null;
        });
    return running;
  };
  if (opts.runAtStart) void pass();
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    async drain() {
      await running;
      await pass();
    },
  };
}
