import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";
import type { Logger } from "./logger.ts";
import type { ListenConnection } from "./listen-connection.ts";
import type { StatementReads } from "./statement-reads.ts";
import type { RequestScope } from "./db.ts";
import { msUntil } from "./clock.ts";
import { KeptAnswers, type KeptAnswer } from "./kept-answers.ts";

/**
 * The subgraph's read cache: whole answers to queries, kept per visibility key (organization,
 * plants, roles) and dropped when the database says a table they read changed for their tenant.
 *
 * - Every committed change to a domain table sends `mes_changed` '<table> <org> <plant>' (the audit
 *   trigger, prisma/kit.sql), whatever made it. Each answer remembers the tables its SQL named;
 *   a notification drops the answers of that table whose caller could see the changed row.
 * - Read-your-writes, here and at every other replica: before an answer is served from the cache,
 *   a barrier (a NOTIFY on this process's own channel, sent on the LISTEN connection) comes back
 *   through the same queue; PostgreSQL delivers notifications in commit order, so every change
 *   committed before the request arrived has been applied by then. Concurrent hits share barriers.
 * - An answer computed while a change it read committed is not kept (the invalidations seen since
 *   it started are checked at store); while the LISTEN connection is down nothing is served from
 *   the cache, and everything is forgotten when it listens again.
 * - Answers that used the clock (SQL now(), clockNow()) are kept for READ_CACHE_CLOCK_MS at most.
 * - Answers that read a table that announces no change (the outbox, the audit trail, idempotency
 *   keys) or that have errors are never kept.
 */
export interface ReadCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** How long an answer that used the clock is kept. */
  clockMs: number;
  /** A barrier that does not come back in time means the cache is not used for that request. */
  barrierTimeoutMs?: number;
}

/** A kept answer as a lookup returns it: its body and until when it may be served. */
export type CachedAnswer = Pick<KeptAnswer, "body" | "expiresAt">;

/** Whose answer an entry is: the caller's organization and plants (null: all of them). */
export interface EntryTenant {
  organizationId: string;
  plantIds: readonly string[] | null;
}

interface Entry extends EntryTenant, KeptAnswer {
  tables: string[];
}

interface Notice {
  seq: number;
  table: string;
  organizationId: string;
  plantId: string;
}

/** What a kept answer read: the announcing tables it named, and whether it used the clock. */
export interface AnswerReads {
  tables: string[];
  /** It used the clock without saying until when it holds: kept READ_CACHE_CLOCK_MS at most. */
  clock: boolean;
  /** It used the clock and holds for this long (e.g. the current shift, until the next change of shift). */
  validForMs?: number;
}

/** How a request used the clock (its scope's fields; `true`: as clockNow does). */
export type ClockUse = boolean | Pick<RequestScope, "clock" | "clockPending" | "clockHorizon">;

/** A gateway's position in this process's change notices: the feed (process and epoch) and the last notice it has. */
export interface ChangeCursor {
  feed: string;
  seq: number;
}

/** The changes a caller could see since its cursor (reset: the cursor is of another feed or too old; forget all). */
export interface ChangesAnswer extends ChangeCursor {
  reset: boolean;
  tables: string[];
}

/** Where a miss started: what the store checks for changes that happened while it was computed. */
export interface MissTicket {
  seq: number;
  epoch: number;
  startedAt: number;
}

const RECENT_NOTICES = 4096;

export class ReadCache {
  readonly stats = { hits: 0, misses: 0, stored: 0, invalidated: 0, evicted: 0, notifications: 0, barriers: 0 };
  /** Kept answers, filed under the tables they read. */
  private readonly kept: KeptAnswers<Entry>;
  private seq = 0;
  private epoch = 0;
  private recent: Notice[] = [];
  private readonly feedId = randomBytes(6).toString("hex");
  private readonly barrierChannel = `mes_barrier_${this.feedId}`;
  private barrierCount = 0;
  private readonly barrierWaiters = new Map<number, () => void>();
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  private constructor(
    private readonly listener: ListenConnection,
    /** Tables whose changes are announced (mes_audit or mes_changed trigger). */
    private readonly announcing: ReadonlySet<string>,
    /** Every table of the database: an identifier that is a table but not announcing spoils an answer. */
    private readonly tables: ReadonlySet<string>,
    private readonly opts: ReadCacheOptions,
    private readonly log: Logger,
  ) {
    this.kept = new KeptAnswers<Entry>(opts, (entry) => entry.tables, this.stats);
    listener.on("mes_changed", (payload) => this.changed(payload));
    listener.on(this.barrierChannel, (payload) => this.barrierArrived(Number(payload)));
    listener.onListening(() => this.clear());
  }

  /** The cache of a database: which tables announce their changes is read from its triggers. */
  static async open(pool: pg.Pool, listener: ListenConnection, opts: ReadCacheOptions, log: Logger): Promise<ReadCache> {
    const { rows } = await pool.query<{ name: string; announcing: boolean }>(
      `SELECT c.relname AS name,
              EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname IN ('mes_audit', 'mes_changed')) AS announcing
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')`,
    );
    return new ReadCache(listener, new Set(rows.filter((r) => r.announcing).map((r) => r.name)), new Set(rows.map((r) => r.name)), opts, log);
  }

  get entryCount(): number {
    return this.kept.size;
  }

  get byteCount(): number {
    return this.kept.byteCount;
  }

  /** The cache key of a request body for callers with this visibility key. */
  static keyOf(visibility: string, rawBody: Buffer | string): string {
    return createHash("sha256").update(visibility).update("\u0000").update(rawBody).digest("base64");
  }

  /**
   * A fresh answer for the key, or null (then compute it, with `startMiss`, and `store` it). Fresh
   * means: no change committed before this call touched what it read.
   */
  async lookup(key: string): Promise<CachedAnswer | null> {
    if (!this.listener.listening || !this.kept.current(key)) return null;
    try {
      await this.barrier();
    } catch (err) {
      this.log.warn({ err }, "read cache: change notifications did not come back in time; answering without the cache");
      return null;
    }
    // Whatever the key holds after the barrier is fresh for this request (a change applied before an
    // answer was kept was checked at store, one applied after dropped it), including an answer a
    // concurrent miss kept meanwhile: refusing it would turn every store into more misses.
    const current = this.kept.current(key);
    if (!current) return null;
    this.kept.used(current);
    this.stats.hits += 1;
    return current;
  }

  startMiss(): MissTicket {
    this.stats.misses += 1;
    return { seq: this.seq, epoch: this.epoch, startedAt: performance.now() };
  }

  /** The tables an answer read and whether it used the clock; null when it may not be kept (an error, an unannounced table). */
  readsOf(reads: StatementReads, clockUse: ClockUse): AnswerReads | null {
    if (reads.uncacheable) return null;
    const use = typeof clockUse === "boolean" ? { clock: clockUse } : clockUse;
    const tables: string[] = [];
    for (const id of reads.identifiers) {
      if (!this.tables.has(id)) continue;
      if (!this.announcing.has(id)) return null;
      tables.push(id);
    }
    const clock = reads.clock || use.clock === true || (use.clockPending ?? 0) > 0;
    if (clock || use.clockHorizon === undefined) return { tables, clock };
    const validForMs = msUntil(use.clockHorizon);
    return validForMs > 0 ? { tables, clock, validForMs } : null;
  }

  /** Keeps an answer computed since `ticket`, unless what it read changed meanwhile or it may not be kept. */
  store(key: string, tenant: EntryTenant, body: string, reads: StatementReads, clockUse: ClockUse, ticket: MissTicket): boolean {
    if (ticket.epoch !== this.epoch || !this.listener.listening) return false;
    const read = this.readsOf(reads, clockUse);
    if (!read) return false;
    if (!this.kept.fits(body)) return false;
    const entry: Entry = {
      key,
      body,
      tables: read.tables,
      organizationId: tenant.organizationId,
      plantIds: tenant.plantIds,
      expiresAt: ticket.startedAt + (read.clock ? this.opts.clockMs : (read.validForMs ?? Number.POSITIVE_INFINITY)),
    };
    if (this.seq > ticket.seq) {
      // Changes announced while it was computed: keep it only if none could touch it.
      const first = this.recent[0];
      if (!first || first.seq > ticket.seq + 1) return false;
      // Newest first, only the notices since the miss started (not the whole window on every store).
      for (let i = this.recent.length - 1; i >= 0 && this.recent[i]!.seq > ticket.seq; i--) if (touches(entry, this.recent[i]!)) return false;
    }
    this.kept.put(entry);
    return true;
  }

  /**
   * The changes since a gateway's cursor that a caller of this tenant could see, after a barrier:
   * every change committed before the call is in the answer (the gateway's answer cache is as
   * fresh as this one). A cursor of another process or epoch, or older than the notices kept,
   * answers `reset`. Throws while the LISTEN connection is down.
   */
  async changesSince(since: ChangeCursor | null, tenant: EntryTenant): Promise<ChangesAnswer> {
    if (!this.listener.listening) throw new Error("change notifications are not being received");
    await this.barrier();
    const feed = `${this.feedId}.${this.epoch}`;
    const seq = this.seq;
    const first = this.recent[0];
    const gap = since !== null && since.seq < seq && (!first || first.seq > since.seq + 1);
    if (!since || since.feed !== feed || since.seq > seq || gap) return { feed, seq, reset: true, tables: [] };
    const tables = new Set<string>();
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]!.seq > since.seq; i--) {
      const n = this.recent[i]!;
      if (n.seq <= seq && visibleTo(tenant, n)) tables.add(n.table);
    }
    return { feed, seq, reset: false, tables: [...tables] };
  }

  private changed(payload: string): void {
    const [table = "", organizationId = "", plantId = ""] = payload.split(" ");
    const notice: Notice = { seq: ++this.seq, table, organizationId, plantId };
    this.stats.notifications += 1;
    this.recent.push(notice);
    if (this.recent.length > RECENT_NOTICES * 2) this.recent = this.recent.slice(-RECENT_NOTICES);
    this.kept.invalidate(table, (entry) => touches(entry, notice));
  }

  /** Forgets everything (listening again: notifications may have been missed meanwhile). */
  clear(): void {
    this.epoch += 1;
    this.kept.clear();
  }

  /**
   * Resolves once every change committed before the call has been applied: joins a barrier not yet
   * sent, or sends the next one after the one in flight (which may have been sent too early).
   */
  private barrier(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.inFlight) {
      this.inFlight = this.sendBarrier().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    this.queued = this.inFlight
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.barrier();
      });
    return this.queued;
  }

  private sendBarrier(): Promise<void> {
    const n = ++this.barrierCount;
    this.stats.barriers += 1;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.barrierWaiters.delete(n);
        reject(new Error(`barrier ${n} did not come back within ${this.opts.barrierTimeoutMs ?? 2000} ms`));
      }, this.opts.barrierTimeoutMs ?? 2000);
      this.barrierWaiters.set(n, () => {
        clearTimeout(timer);
        resolve();
      });
      this.listener.notify(this.barrierChannel, String(n)).catch((err: unknown) => {
        clearTimeout(timer);
        this.barrierWaiters.delete(n);
        reject(err);
      });
    });
  }

  private barrierArrived(n: number): void {
    for (const [k, done] of this.barrierWaiters) {
      if (k > n) continue;
      this.barrierWaiters.delete(k);
      done();
    }
  }
}

/** Whether a change (table, organization, plant; empty = all) could alter what an entry's caller saw. */
export function touches(
  entry: EntryTenant & { tables: readonly string[] },
  notice: { table: string; organizationId: string; plantId: string },
): boolean {
  return entry.tables.includes(notice.table) && visibleTo(entry, notice);
}

/** Whether a caller of this tenant could see a row of the change's organization and plant (empty = all). */
function visibleTo(tenant: EntryTenant, notice: { organizationId: string; plantId: string }): boolean {
  if (notice.organizationId && notice.organizationId !== tenant.organizationId) return false;
  return !notice.plantId || tenant.plantIds === null || tenant.plantIds.includes(notice.plantId);
}
