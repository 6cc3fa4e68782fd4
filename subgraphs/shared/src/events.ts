import { timingSafeEqual } from "node:crypto";
import type pg from "pg";
import type express from "express";
import type { Logger } from "./logger.ts";
import { bearerToken } from "./auth.ts";
import { requestQueries } from "./db.ts";
import { currentTraceparent } from "./tracing.ts";
import { COMPACTED_EVENT_TYPES, type EventType, type NewEvent, type OutboxEvent } from "./event-catalogue.ts";

/** What a transaction client must offer to write events: Prisma's raw SQL helpers. */
export interface RawSqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export type { EventType, EventPayload, NewEvent, OutboxEvent } from "./event-catalogue.ts";

/** An event as followers and subscribers read it; `traceparent`: the W3C trace of the request that wrote it. */
export type FeedEvent<T extends EventType = EventType> = OutboxEvent<T> & { traceparent?: string | null };

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
  // The request's trace goes with the event: a follower's work on it joins that trace.
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor", "requestId", "traceparent")
    VALUES (${event.organizationId}::uuid, ${event.plantId}::uuid, ${event.type}, ${event.aggregateId}, ${JSON.stringify(event.payload)}::jsonb, ${actor}, ${requestId}, ${currentTraceparent()})`;
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

/** One page of the outbox after a cursor, read in one snapshot with the retention watermark. */
export interface FeedPage {
  /** Events after the cursor (of the asked types), in id order; empty when expired. */
  events: FeedEvent[];
  /** The cursor a reader may move to: every asked-for event up to it is in `events`. */
  scannedUpTo: bigint;
  /** The newest event id (or the watermark, when everything was pruned). */
  head: bigint;
  /** The newest pruned event id: a cursor below it has lost events. */
  prunedUpTo: bigint;
  /** The cursor is behind the watermark: events after it were pruned (retention). */
  expired: boolean;
  /** How old the oldest event after the cursor is (any type), 0 when there is none. */
  oldestAgeSeconds: number;
}

// One statement is one snapshot: a prune (which deletes and moves the watermark in one statement)
// is seen either entirely or not at all, so a cursor behind the watermark is always told so and
// never answered with a gap. Ids increase in commit order (appendEvent), so every event up to the
// snapshot's newest id is visible in it: a page shorter than the limit has scanned up to `head`.
const FEED_PAGE_SQL = `
WITH meta AS (
  SELECT coalesce((SELECT "prunedUpTo" FROM "OutboxWatermark" WHERE id = 1), 0) AS pruned,
         (SELECT max(id) FROM "OutboxEvent") AS newest,
         (SELECT LOCALTIMESTAMP - "createdAt" FROM "OutboxEvent" WHERE id > $1::bigint ORDER BY id LIMIT 1) AS age
), page AS (
  SELECT e.* FROM "OutboxEvent" e, meta
   WHERE e.id > $1::bigint AND ($1::bigint >= meta.pruned OR $4::bool) AND ($2::text[] IS NULL OR e.type = ANY($2::text[]))
   ORDER BY e.id LIMIT $3
)
SELECT meta.pruned::text AS "prunedUpTo", greatest(meta.newest, meta.pruned)::text AS head,
       coalesce(extract(epoch FROM meta.age), 0)::float8 AS "oldestAgeSeconds",
       p.id::text AS id, p."organizationId", p."plantId", p.type, p."aggregateId", p.payload, p."createdAt",
       coalesce(p.actor, 'system') AS actor, p."requestId", p.traceparent
  FROM meta LEFT JOIN page p ON true
 ORDER BY p.id`; // p.id: the bigint column, not the text alias (1, 10, 100, 11, ...)

/** Reads events after a cursor, in order, checking the retention watermark in the same snapshot. */
export async function readFeed(pool: pg.Pool, after: bigint, types: readonly string[] | null, limit: number): Promise<FeedPage> {
  // A reader of compacted types only never expires: the newest event of each aggregate is kept.
  const compactedOnly = !!types?.length && types.every((t) => (COMPACTED_EVENT_TYPES as readonly string[]).includes(t));
  const { rows } = await pool.query(FEED_PAGE_SQL, [after.toString(), types, limit, compactedOnly]);
  const meta = rows[0] as { prunedUpTo: string; head: string; oldestAgeSeconds: number };
  const prunedUpTo = BigInt(meta.prunedUpTo);
  const head = BigInt(meta.head ?? 0);
  const expired = after < prunedUpTo && !compactedOnly;
  const events: FeedEvent[] = rows
    .filter((r) => r.id !== null)
    .map(({ prunedUpTo: _p, head: _h, oldestAgeSeconds: _a, ...r }) => ({ ...r, createdAt: (r.createdAt as Date).toISOString() }));
  const full = events.length === limit;
  const scannedUpTo = expired ? after : full ? BigInt(events.at(-1)!.id) : head > after ? head : after;
  return { events, scannedUpTo, head, prunedUpTo, expired, oldestAgeSeconds: Math.max(0, meta.oldestAgeSeconds) };
}

/** The cursor of the newest event (or of the watermark): subscribing after it delivers every later event. */
export async function streamPosition(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ p: string }>(
    `SELECT greatest((SELECT max(id) FROM "OutboxEvent"), (SELECT "prunedUpTo" FROM "OutboxWatermark" WHERE id = 1), 0)::text AS p`,
  );
  return rows[0]!.p;
}

/** What GET /events answers: a page and how far it scanned (see FeedPage). */
export interface FeedResponse {
  events: FeedEvent[];
  scannedUpTo: string;
  head: string;
  oldestAgeSeconds: number;
  /** The source holds requests that ask to `wait` until news (it is listening for its outbox): a caught-up follower asks so, at once. */
  canWait: boolean;
}

/** The longest a feed request may wait for news (`wait`, ms). */
export const MAX_FEED_WAIT_MS = 30_000;
/** After a notification, how long a waiting feed request gathers more events before it reads (batches under load). */
const FEED_GATHER_MS = 20;

/** What GET /events needs of the service's live events to hold a request until news (long poll). */
export interface OutboxNotices {
  /** Whether a request can be held until news now (the outbox notifications are being received). */
  readonly canWait: boolean;
  nextOutboxNotice(ms: number): { arrived: Promise<void>; cancel: () => void } | null;
}

/** What GET /events answers with 410 when the cursor is behind the retention watermark. */
export interface FeedExpiredResponse {
  error: string;
  prunedUpTo: string;
  head: string;
}

/**
 * GET /events?after=<id>&types=a,b&limit=n[&wait=ms]: the outbox as a feed for other subgraphs,
 * which keep their own cursor. With `wait`, a request with nothing new is held until an event is
 * committed (the outbox notification) or `wait` passes, so followers learn of events at once
 * without polling. Internal to the service network (not part of the graph).
 */
export function mountEventFeed(app: express.Express, pool: pg.Pool, feedToken: string, notices: OutboxNotices): void {
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
    const wait = Number(req.query.wait ?? 0);
    const types = typeof req.query.types === "string" && req.query.types ? req.query.types.split(",") : null;
    if (
      after === null ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > MAX_FEED_PAGE ||
      !Number.isInteger(wait) ||
      wait < 0 ||
      wait > MAX_FEED_WAIT_MS ||
      types?.some((t) => !EVENT_TYPE_NAME.test(t))
    ) {
      res.status(400).json({
        error: `after must be an event id (0 to ${MAX_CURSOR}), limit between 1 and ${MAX_FEED_PAGE}, wait 0 to ${MAX_FEED_WAIT_MS} ms, types event type names`,
      });
      return;
    }
    // Asked before the read: an event committed between the read and the wait still ends the wait.
    const notice = wait > 0 ? notices.nextOutboxNotice(wait) : null;
    let page = await readFeed(pool, after, types, limit);
    if (notice && !page.expired && page.events.length === 0 && page.scannedUpTo === after) {
      const gone = () => notice.cancel();
      res.on("close", gone);
      await notice.arrived;
      res.off("close", gone);
      if (res.destroyed) return;
      await new Promise((r) => setTimeout(r, FEED_GATHER_MS));
      page = await readFeed(pool, after, types, limit);
    } else notice?.cancel();
    if (page.expired) {
      // The follower was away longer than the retention: say so instead of skipping events silently.
      const body: FeedExpiredResponse = {
        error: `events up to ${page.prunedUpTo} were pruned (retention); this follower's position ${after} cannot be resumed`,
        prunedUpTo: page.prunedUpTo.toString(),
        head: page.head.toString(),
      };
      res.status(410).json(body);
      return;
    }
    const body: FeedResponse = {
      events: page.events,
      scannedUpTo: page.scannedUpTo.toString(),
      head: page.head.toString(),
      oldestAgeSeconds: page.oldestAgeSeconds,
      canWait: notices.canWait,
    };
    res.json(body);
  });
}

export interface EventConsumer {
  stop(): Promise<void>;
  /** Resolves once every event published so far has been handled (for tests and shutdown). */
  drain(): Promise<void>;
  /** A feed follower's health and lag, for /ready (periodic tasks have none). */
  status?(): FollowerStatus;
}

/** How a follower of another subgraph's feed is doing. */
export interface FollowerStatus {
  /** The follower's cursor name, e.g. "inventory<-production:work-orders". */
  feed: string;
  sourceUrl: string;
  /** False when its position is behind what the source pruned: it cannot go on by itself. */
  ok: boolean;
  detail?: string;
  position: string | null;
  /** Events (by id) between its position and the source's newest event. */
  eventsBehind: number;
  /** How long the oldest event it has not yet passed has been waiting. */
  secondsBehind: number;
}

/**
 * Deletes outbox events older than the retention, except the newest event of each aggregate of a
 * compacted type (reference data), so a follower starting late still learns every entity. Subscribers resuming from an older cursor, and
 * followers away for longer, miss what was pruned: keep the retention above the longest outage.
 */
export async function pruneOutbox(pool: pg.Pool, retentionHours: number): Promise<number> {
  // One statement: the events go and the watermark moves together.
  const { rows } = await pool.query<{ pruned: number }>(
    `WITH gone AS (DELETE FROM "OutboxEvent" e WHERE "createdAt" < now() - make_interval(hours => $1)
                     AND NOT (e.type = ANY($2::text[]) AND e.id = (SELECT max(x.id) FROM "OutboxEvent" x WHERE x.type = e.type AND x."aggregateId" = e."aggregateId"))
                   RETURNING id),
          mark AS (INSERT INTO "OutboxWatermark" (id, "prunedUpTo") SELECT 1, max(id) FROM gone HAVING count(*) > 0
                   ON CONFLICT (id) DO UPDATE SET "prunedUpTo" = GREATEST("OutboxWatermark"."prunedUpTo", EXCLUDED."prunedUpTo"))
     SELECT count(*)::int AS pruned FROM gone`,
    [retentionHours, COMPACTED_EVENT_TYPES],
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
