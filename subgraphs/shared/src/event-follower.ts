import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "./logger.ts";
import { requestQueries } from "./db.ts";
import { withEventSpan } from "./tracing.ts";
import { EVENT_CATALOGUE, isEventType, type EventType } from "./event-catalogue.ts";
import type { EventConsumer, FeedEvent, FeedExpiredResponse, FeedResponse, FollowerStatus, RawSqlClient } from "./events.ts";

/**
 * How long a caught-up follower's request waits at the source for the next event (long poll): also
 * how soon it notices its EventCursor moved by hand (it reads the cursor before each request).
 */
const LONG_POLL_MS = 5000;

/** The event with its payload checked against the catalogue; null when it does not match. */
function parseFeedEvent<T extends EventType>(event: FeedEvent, types: readonly T[]): FeedEvent<T> | null {
  if (!(types as readonly string[]).includes(event.type) || !isEventType(event.type)) return null;
  const payload = EVENT_CATALOGUE[event.type].safeParse(event.payload);
  return payload.success ? ({ ...event, payload: payload.data } as FeedEvent<T>) : null;
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
  /** Refuses events whose effects would cross tenants (default: the subgraph's, see followerDefaults). */
  tenantCheck?: (event: FeedEvent<T>) => Promise<string | null>;
}

/**
 * What every follower a subgraph starts gets unless it says otherwise: startSubgraph runs the
 * subgraph's `consumers()` inside it, so followers re-check the tenant of what events name.
 */
export const followerDefaults = new AsyncLocalStorage<{ tenantCheck?: (event: FeedEvent) => Promise<string | null> }>();

/** How a follower polls a feed: from the service's EVENT_POLL_MS and EVENT_FEED_TOKEN. */
export interface FeedSettings {
  intervalMs: number;
  token: string;
}

export function feedSettings(config: { EVENT_POLL_MS: number; EVENT_FEED_TOKEN: string }): FeedSettings {
  return { intervalMs: config.EVENT_POLL_MS, token: config.EVENT_FEED_TOKEN };
}

const PAGE = 100;

/** The source pruned events this follower has not passed yet (HTTP 410). */
class FeedExpired extends Error {}

/**
 * Follows another subgraph's event feed. Each event is handled in a transaction that also moves
 * the cursor, so an effect happens exactly once even across crashes or several replicas. The
 * cursor also moves over events of other types, so a follower whose own types are quiet never
 * falls behind the source's retention; one that does (it was away too long) says so in /ready.
 */
export function startEventConsumer<Tx extends RawSqlClient, T extends EventType>(opts: EventConsumerOptions<Tx, T>): EventConsumer {
  const interval = opts.intervalMs ?? 250;
  const tenantCheck = (opts.tenantCheck ?? followerDefaults.getStore()?.tenantCheck) as ((event: FeedEvent<T>) => Promise<string | null>) | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let failures = 0;
  // The source holds a caught-up follower's request until its next event (it said `canWait`), so
  // the follower asks again at once instead of sleeping `interval`; stop and drain end the wait.
  let sourceWaits = false;
  let waiting: AbortController | null = null;
  // What the last poll learned, for status().
  let position: bigint | null = null;
  let head = 0n;
  let oldestAgeSeconds = 0;
  let measuredAt = Date.now();
  let expired: { prunedUpTo: bigint } | null = null;
  let unavailable: { since: number; error: string } | null = null;

  const lockedPosition = async (tx: Tx): Promise<bigint> => {
    // The row must exist before it is locked: FOR UPDATE on a missing row locks nothing, and two
    // replicas would both apply the first event. The insert waits for a concurrent one to commit.
    await tx.$executeRaw`INSERT INTO "EventCursor" (consumer, position, "updatedAt") VALUES (${opts.name}, 0, now()) ON CONFLICT (consumer) DO NOTHING`;
    const rows = await tx.$queryRaw<{ position: bigint }[]>`SELECT position FROM "EventCursor" WHERE consumer = ${opts.name} FOR UPDATE`;
    return rows[0]?.position ?? 0n;
  };

  const onExpired = async (after: bigint, res: Response): Promise<never> => {
    const body = (await res.json()) as Partial<FeedExpiredResponse>;
    const pruned = BigInt(body.prunedUpTo ?? 0);
    head = BigInt(body.head ?? pruned);
    measuredAt = Date.now();
    const firstTime = expired?.prunedUpTo !== pruned;
    expired = { prunedUpTo: pruned };
    if (firstTime || failures % 100 === 0) {
      opts.log.error(
        {
          consumer: opts.name,
          feed: opts.sourceUrl,
          position: after.toString(),
          prunedUpTo: pruned.toString(),
          eventsLost: (pruned - after).toString(),
        },
        `event feed ${opts.name} cannot be resumed: its position ${after} is ${pruned - after} events behind what ${opts.sourceUrl} pruned (retention); its effects stop until its EventCursor is moved`,
      );
    }
    throw new FeedExpired(body.error ?? `${opts.sourceUrl} pruned events up to ${pruned}`);
  };

  async function poll(wait = false): Promise<number> {
    const after = await opts.transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ position: bigint }[]>`SELECT position FROM "EventCursor" WHERE consumer = ${opts.name}`;
      return rows[0]?.position ?? 0n;
    });
    position = after;
    const url = `${opts.sourceUrl}/events?after=${after}&types=${encodeURIComponent(opts.types.join(","))}&limit=${PAGE}${wait ? `&wait=${LONG_POLL_MS}` : ""}`;
    const held = wait ? new AbortController() : null;
    if (held) waiting = held;
    const timeout = AbortSignal.timeout(wait ? LONG_POLL_MS + 5000 : 5000);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${opts.token}` },
        signal: held ? AbortSignal.any([held.signal, timeout]) : timeout,
      });
    } catch (err) {
      if (held?.signal.aborted) return 0; // stop or drain ended the wait: nothing learned
      throw err;
    } finally {
      if (waiting === held) waiting = null;
    }
    if (res.status === 410) return onExpired(after, res);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const page = (await res.json()) as Partial<FeedResponse> & { events: FeedEvent[] };
    sourceWaits = page.canWait === true;
    if (expired) opts.log.info({ consumer: opts.name, position: after.toString() }, `event feed ${opts.name} resumed`);
    expired = null;
    for (const event of page.events) {
      const parsed = parseFeedEvent(event, opts.types);
      if (!parsed)
        opts.log.error({ consumer: opts.name, eventId: event.id, type: event.type }, "event payload does not match the event catalogue; skipped");
      // The follower's effects are audited as whoever caused the event, in that request.
      // Row-level security lets it see and change the event's organization and plant only.
      const cause = {
        queries: 0,
        audit: {
          actor: event.actor,
          requestId: event.requestId ?? "",
          organizationId: event.organizationId,
          operation: `${opts.name}:${event.type}`,
        },
        tenant: { organizationId: event.organizationId, plantIds: event.plantId ? [event.plantId] : null },
      };
      // A span continuing the trace of the request that wrote the event (when tracing is on).
      const span = { "messaging.consumer.group.name": opts.name, "messaging.message.id": event.id, "mes.event.type": event.type };
      await withEventSpan(opts.name.split("<-")[0] ?? opts.name, `apply ${event.type}`, event.traceparent, span, () =>
        requestQueries.run(cause, () =>
          opts.transaction(async (tx) => {
            const current = await lockedPosition(tx);
            if (BigInt(event.id) <= current) return; // another replica got here first
            const refused = parsed && tenantCheck ? await tenantCheck(parsed) : null;
            if (refused)
              opts.log.error(
                { consumer: opts.name, eventId: event.id, type: event.type, organizationId: event.organizationId, plantId: event.plantId },
                `event not applied: ${refused}`,
              );
            else if (parsed) await opts.handle(parsed, tx);
            await tx.$executeRaw`UPDATE "EventCursor" SET position = ${BigInt(event.id)}, "updatedAt" = now() WHERE consumer = ${opts.name}`;
          }),
        ),
      );
    }
    // Past what the page scanned without an event of ours (other types, up to the source's head):
    // nothing to apply there, and a position left behind would age past the source's retention.
    const lastEvent = page.events.at(-1);
    const scanned = page.scannedUpTo !== undefined ? BigInt(page.scannedUpTo) : lastEvent ? BigInt(lastEvent.id) : after;
    if (scanned > after)
      await opts.transaction(
        async (tx) =>
          await tx.$executeRaw`INSERT INTO "EventCursor" (consumer, position, "updatedAt") VALUES (${opts.name}, ${scanned}, now())
            ON CONFLICT (consumer) DO UPDATE SET position = EXCLUDED.position, "updatedAt" = now() WHERE "EventCursor".position < EXCLUDED.position`,
      );
    position = scanned > after ? scanned : after;
    head = page.head !== undefined ? BigInt(page.head) : position;
    oldestAgeSeconds = position >= head ? 0 : (page.oldestAgeSeconds ?? 0);
    measuredAt = Date.now();
    return page.events.length;
  }

  const tick = async () => {
    if (stopped) return;
    running = poll(sourceWaits && failures === 0);
    let got = 0;
    try {
      got = await running;
      failures = 0;
      unavailable = null;
    } catch (err) {
      failures += 1;
      if (!(err instanceof FeedExpired)) {
        unavailable ??= { since: Date.now(), error: (err as Error).message };
        // Quiet while the source starts; loud when it stays away.
        if (failures === 5 || failures % 100 === 0) opts.log.warn({ err, consumer: opts.name, failures }, "event feed unavailable");
      }
    } finally {
      running = null;
    }
    const quiet = failures === 0 && sourceWaits ? 0 : Math.min(interval * 2 ** Math.min(failures, 4), 5000);
    if (!stopped) timer = setTimeout(tick, got > 0 ? 0 : quiet);
  };
  timer = setTimeout(tick, 0);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      waiting?.abort();
      await running?.catch(() => {});
    },
    async drain() {
      for (;;) {
        waiting?.abort();
        await running?.catch(() => {});
        if ((await poll()) === 0) return;
      }
    },
    status(): FollowerStatus {
      const eventsBehind = position !== null && head > position ? Number(head - position) : 0;
      const secondsBehind = eventsBehind > 0 ? Math.round((oldestAgeSeconds + (Date.now() - measuredAt) / 1000) * 10) / 10 : 0;
      const base = { feed: opts.name, sourceUrl: opts.sourceUrl, position: position?.toString() ?? null, eventsBehind, secondsBehind };
      if (expired) {
        const lost = position !== null ? expired.prunedUpTo - position : expired.prunedUpTo;
        return {
          ...base,
          ok: false,
          detail: `position ${position} is behind what ${opts.sourceUrl} pruned (events up to ${expired.prunedUpTo}): at least ${lost} events are lost to this follower and its effects have stopped; move its EventCursor to ${expired.prunedUpTo} or later to resume, accepting the loss`,
        };
      }
      if (unavailable)
        return { ...base, ok: true, detail: `feed unavailable for ${Math.round((Date.now() - unavailable.since) / 1000)} s: ${unavailable.error}` };
      return { ...base, ok: true };
    },
  };
}

/** /ready's checks for feed followers: one per follower, named after it, with its lag. */
export function followerChecks(
  consumers: readonly EventConsumer[],
): Record<string, { ok: boolean; detail?: string; eventsBehind: number; secondsBehind: number }> {
  const checks: ReturnType<typeof followerChecks> = {};
  for (const consumer of consumers) {
    const s = consumer.status?.();
    if (!s) continue;
    checks[`feed ${s.feed}`] = { ok: s.ok, ...(s.detail ? { detail: s.detail } : {}), eventsBehind: s.eventsBehind, secondsBehind: s.secondsBehind };
  }
  return checks;
}
