import type pg from "pg";
import type { SubgraphName } from "@mes/db";
import type { Logger } from "../logger.ts";
import type { EventConsumer, RawSqlClient } from "../events.ts";
import { startEventConsumer, type FeedSettings } from "../event-follower.ts";
import { PUBLISHED_KINDS, publishedKind } from "./catalogue.ts";
import { isUuid } from "../ids.ts";
import { requestQueries } from "../db.ts";

/** What a write may know of a referenced entity: its tenant, status and time window. */
export interface ReferenceFact {
  kind: string;
  id: string;
  organizationId: string;
  /** Null for organization-wide entities (materials, downtime reasons). */
  plantId: string | null;
  status: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** A shift of the copy with what places its breaks: its details and its pattern's (null until the copy has them). */
export interface ShiftFact extends ReferenceFact {
  details: Record<string, unknown> | null;
  pattern: Record<string, unknown> | null;
}

/** How to read a kind from this subgraph's own tables. */
interface LocalKind {
  plant: "self" | "column" | "none";
  status: string | null;
}

// The kit's own tables: bookkeeping, never referenced by an argument.
const KIT_TABLES = new Set(["AuditLog", "OutboxEvent", "EventCursor", "OutboxWatermark", "IdempotencyKey", "ReferenceEntity", "_prisma_migrations"]);

// Prisma stores DateTime as UTC in timestamp columns; read them as instants whatever the session zone.
const UTC_WINDOW = `"startsAt" AT TIME ZONE 'UTC' AS "startsAt", "endsAt" AT TIME ZONE 'UTC' AS "endsAt"`;

/**
 * The reference data a subgraph checks writes against: its own tables for the kinds it owns (read
 * directly, same database), and the ReferenceEntity copy of other subgraphs' published kinds, kept
 * by one follower per owner. A miss in the copy first lets the owner's follower catch up (a newly
 * created entity may still be on its way), for at most `waitMs`.
 */
export class ReferenceBook {
  private readonly followers = new Map<SubgraphName, EventConsumer>();
  private readonly catchUps = new Map<SubgraphName, { startedAt: number; done: Promise<void> }>();

  private constructor(
    private readonly pool: pg.Pool,
    readonly local: ReadonlyMap<string, LocalKind>,
    private readonly waitMs: number,
  ) {}

  /** Reads which of this database's tables are entity kinds (an uuid id and an organizationId). */
  static async open(pool: pg.Pool, waitMs: number): Promise<ReferenceBook> {
    const { rows } = await pool.query<{ table: string; plant: boolean; org: boolean; uuid: boolean; columns: string[] }>(
      `SELECT table_name AS table, bool_or(column_name = 'plantId') AS plant, bool_or(column_name = 'organizationId') AS org,
              bool_or(column_name = 'id' AND data_type = 'uuid') AS uuid, array_agg(column_name::text) AS columns
         FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name`,
    );
    const local = new Map<string, LocalKind>();
    for (const r of rows) {
      if (KIT_TABLES.has(r.table) || !r.org || !r.uuid) continue;
      const status = publishedKind(r.table)?.status ?? null;
      local.set(r.table, {
        plant: r.table === "Plant" ? "self" : r.plant ? "column" : "none",
        status: status && r.columns.includes(status) ? status : null,
      });
    }
    return new ReferenceBook(pool, local, waitMs);
  }

  /** Every kind this subgraph can check: its own and every published one. */
  knownKinds(): Set<string> {
    return new Set([...this.local.keys(), ...Object.keys(PUBLISHED_KINDS)]);
  }

  /** The owner whose feed holds a kind this subgraph does not own, or null. */
  ownerOf(kind: string): SubgraphName | null {
    return this.local.has(kind) ? null : (publishedKind(kind)?.owner ?? null);
  }

  /** The facts of the entities of one kind (missing ids are absent from the map). */
  async lookup(kind: string, ids: readonly string[]): Promise<Map<string, ReferenceFact>> {
    const found = new Map<string, ReferenceFact>();
    ids = ids.filter(isUuid);
    if (!ids.length) return found;
    const run = { query: async <R>(sql: string, values: unknown[]) => (await this.pool.query(sql, values)).rows as R[] };
    const local = this.local.get(kind);
    let rows: Omit<ReferenceFact, "kind">[];
    if (local) {
      // The kind's name is a table of this database (read from its catalogue at start), never input.
      const plant = local.plant === "self" ? `id::text` : local.plant === "column" ? `"plantId"::text` : "NULL::text";
      const status = local.status ? `"${local.status}"::text` : "NULL::text";
      rows = await run.query(
        `SELECT id::text AS id, "organizationId"::text AS "organizationId", ${plant} AS "plantId", ${status} AS status,
                NULL::timestamp AS "startsAt", NULL::timestamp AS "endsAt"
           FROM "${kind}" WHERE id = ANY($1::uuid[])`,
        [ids],
      );
    } else {
      rows = await run.query(
        `SELECT id::text AS id, "organizationId"::text AS "organizationId", "plantId"::text AS "plantId", status, ${UTC_WINDOW}
           FROM "ReferenceEntity" WHERE kind = $1 AND id = ANY($2::uuid[]) AND NOT deleted`,
        [kind, ids],
      );
    }
    for (const r of rows) found.set(r.id, { kind, ...r });
    return found;
  }

  /**
   * Like lookup, but a foreign id the copy does not know yet waits for the owner's follower to
   * catch up once (at most `waitMs`): an entity created a moment ago elsewhere may still be on its
   * way. A follower that has caught up with its owner's feed knows every entity committed before
   * the miss, so one catch-up started after the miss decides; concurrent misses share it.
   */
  async lookupFresh(kind: string, ids: readonly string[]): Promise<Map<string, ReferenceFact>> {
    ids = [...new Set(ids.filter(isUuid))];
    const missedAt = performance.now();
    const found = await this.lookup(kind, ids);
    const owner = this.ownerOf(kind);
    const follower = owner ? this.followers.get(owner) : undefined;
    if (!owner || !follower || found.size === ids.length) return found;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.waitMs);
    });
    await Promise.race([this.catchUp(owner, follower, missedAt), timeout]);
    clearTimeout(timer);
    return this.lookup(kind, ids);
  }

  /** A drain of the owner's follower that starts no earlier than `since`, shared by whoever asks meanwhile. */
  private catchUp(owner: SubgraphName, follower: EventConsumer, since: number): Promise<void> {
    const current = this.catchUps.get(owner);
    if (current && current.startedAt >= since) return current.done;
    // Outside the request's scope: the follower's own transactions must not take the request's
    // idempotency key or tenant as theirs.
    const done = (current?.done ?? Promise.resolve()).then(() => requestQueries.exit(() => follower.drain())).catch(() => {});
    const entry = { startedAt: performance.now(), done };
    this.catchUps.set(owner, entry);
    void done.finally(() => {
      if (this.catchUps.get(owner) === entry) this.catchUps.delete(owner);
    });
    return done;
  }

  /** Shifts (from the copy of the shifts subgraph's reference data) overlapping a window, with their patterns' details. */
  async shiftsBetween(organizationId: string, plantId: string, from: Date, to: Date): Promise<ShiftFact[]> {
    const { rows } = await this.pool.query<Omit<ShiftFact, "kind">>(
      `SELECT s.id::text AS id, s."organizationId"::text AS "organizationId", s."plantId"::text AS "plantId", s.status,
              s."startsAt" AT TIME ZONE 'UTC' AS "startsAt", s."endsAt" AT TIME ZONE 'UTC' AS "endsAt", s.details, p.details AS pattern
         FROM "ReferenceEntity" s
         LEFT JOIN "ReferenceEntity" p ON p.kind = 'ShiftPattern' AND p.id = (s.details->>'patternId')::uuid AND NOT p.deleted
        WHERE s.kind = 'Shift' AND s."organizationId" = $1::uuid AND s."plantId" = $2::uuid AND NOT s.deleted
          AND s."startsAt" AT TIME ZONE 'UTC' < $4::timestamptz AND s."endsAt" AT TIME ZONE 'UTC' > $3::timestamptz ORDER BY s."startsAt"`,
      [organizationId, plantId, from, to],
    );
    return rows.map((r) => ({ kind: "Shift", ...r }));
  }

  /**
   * Follows the feeds of the owners of `kinds` (those this subgraph does not own) into the copy.
   * Each event is applied exactly once (the follower's cursor moves in the same transaction), and
   * an older event never overwrites a newer one (version).
   */
  follow(opts: {
    subgraph: SubgraphName;
    kinds: Iterable<string>;
    feedUrl: (owner: SubgraphName) => string | undefined;
    transaction: <R>(fn: (tx: RawSqlClient) => Promise<R>) => Promise<R>;
    feed: FeedSettings;
    log: Logger;
  }): EventConsumer[] {
    const owners = new Set<SubgraphName>();
    for (const kind of opts.kinds) {
      const owner = this.ownerOf(kind);
      if (owner && owner !== opts.subgraph) owners.add(owner);
    }
    const consumers: EventConsumer[] = [];
    for (const owner of owners) {
      const url = opts.feedUrl(owner);
      if (!url) {
        opts.log.warn(`${owner.toUpperCase()}_URL is not set: references to ${owner}'s entities cannot be checked and are refused`);
        continue;
      }
      const consumer = startEventConsumer({
        name: `${opts.subgraph}<-${owner}:references`,
        sourceUrl: url.replace(/\/graphql$/, ""),
        types: ["ReferenceChanged"],
        transaction: opts.transaction,
        log: opts.log,
        token: opts.feed.token,
        // Quiet most of the time; a miss on the write path asks for a catch-up at once.
        intervalMs: Math.max(opts.feed.intervalMs, 1000),
        handle: async (event, tx) => {
          const f = event.payload;
          if (publishedKind(f.kind)?.owner !== owner) return; // only the owner speaks for its kinds
          const details = f.details === undefined ? null : JSON.stringify(f.details);
          await tx.$executeRaw`INSERT INTO "ReferenceEntity" (kind, id, "organizationId", "plantId", status, "startsAt", "endsAt", details, deleted, version, "updatedAt")
            VALUES (${f.kind}, ${f.id}::uuid, ${f.organizationId}::uuid, ${f.plantId}::uuid, ${f.status}, ${f.startsAt}::timestamptz AT TIME ZONE 'UTC', ${f.endsAt}::timestamptz AT TIME ZONE 'UTC', ${details}::jsonb, ${f.deleted}, ${BigInt(event.id)}, now())
            ON CONFLICT (kind, id) DO UPDATE SET "organizationId" = EXCLUDED."organizationId", "plantId" = EXCLUDED."plantId", status = EXCLUDED.status,
              "startsAt" = EXCLUDED."startsAt", "endsAt" = EXCLUDED."endsAt", details = EXCLUDED.details, deleted = EXCLUDED.deleted, version = EXCLUDED.version, "updatedAt" = now()
            WHERE "ReferenceEntity".version < EXCLUDED.version`;
        },
      });
      this.followers.set(owner, consumer);
      consumers.push(consumer);
    }
    return consumers;
  }
}
