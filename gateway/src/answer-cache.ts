import { createHash } from "node:crypto";
import { KeptAnswers, type ChangeCursor, type ChangesAnswer, type KeptAnswer, type Logger } from "@mes/shared";
import { FreshShare } from "./fresh-share.ts";

/**
 * The gateway's answer cache: whole answers to queries, kept per visibility key and dropped when a
 * subgraph they read from says a table they read changed for that key's tenant. A hit costs no
 * parsing, planning or subgraph query: only one small change check per subgraph it read.
 *
 * - Each subgraph answer names what it read (`extensions.mesReads`: tables, clock); an answer is
 *   kept only if every fetch named its reads and none had errors.
 * - Before a kept answer is served, the gateway asks each subgraph it read for the changes since its
 *   cursor (POST /read-changes, with the caller's token: only changes that caller could see). The
 *   subgraph answers after a barrier on its LISTEN connection, so every change committed before the
 *   request arrived is applied first: read-your-writes through any gateway replica and any path.
 *   Concurrent hits of one visibility key share each check (FreshShare: never one begun earlier).
 * - A cursor that is reset (the subgraph restarted, listened again, or the cursor is too old) drops
 *   every answer of that key and subgraph; an answer computed before its cursors existed, or while a
 *   change to what it read arrived, is not kept.
 * - Answers that used the clock are kept for `clockMs` at most. Any failed check answers a miss.
 */
export interface AnswerCacheOptions {
  maxEntries: number;
  maxBytes: number;
  clockMs: number;
}

/** What one request's subgraph fetches read, collected as their answers arrive. */
export interface FetchReads {
  fetches: number;
  /** A fetch had errors or did not say what it read: the answer is not kept. */
  uncacheable: boolean;
  clock: boolean;
  /** The shortest time a fetch that used the clock said its answer holds (ms); undefined: none said. */
  validForMs: number | undefined;
  /** Subgraph → tables read there. */
  tables: Map<string, Set<string>>;
}

export const newFetchReads = (): FetchReads => ({ fetches: 0, uncacheable: false, clock: false, validForMs: undefined, tables: new Map() });

/** Asks a subgraph for the changes since a cursor, as the caller with this token; "unsupported" if it keeps no feed. */
export type FetchChanges = (subgraph: string, token: string, since: ChangeCursor | null) => Promise<ChangesAnswer | "unsupported">;

interface Entry extends KeptAnswer {
  visibility: string;
  /** Subgraph → tables. */
  reads: Map<string, string[]>;
}

/** The cursor of one (subgraph, visibility key): where its change checks have got to. */
interface Cursor {
  position: ChangeCursor | null;
  /** The cache's sequence number when this cursor was (re)established: answers begun before are not kept. */
  establishedAt: number;
  unsupportedUntil: number;
}

export interface AnswerTicket {
  seq: number;
  startedAt: number;
}

interface Applied {
  seq: number;
  scope: string;
  table: string;
}

const RECENT = 4096;
const UNSUPPORTED_RETRY_MS = 60_000;
const MAX_CURSORS = 20_000;

export class AnswerCache {
  readonly stats = { hits: 0, misses: 0, stored: 0, invalidated: 0, evicted: 0, checks: 0, checkFailures: 0 };
  /** Kept answers, filed under the (subgraph, visibility key) scopes whose cursors they depend on. */
  private readonly kept: KeptAnswers<Entry>;
  private readonly cursors = new Map<string, Cursor>();
  private readonly checks = new FreshShare<void>();
  private seq = 0;
  private recent: Applied[] = [];
  /** The newest change dropped from `recent`. */
  private trimmedUpTo = 0;

  constructor(
    private readonly subgraphs: readonly string[],
    private readonly fetchChanges: FetchChanges,
    private readonly opts: AnswerCacheOptions,
    private readonly log: Logger,
  ) {
    this.kept = new KeptAnswers<Entry>(opts, (entry) => [...entry.reads.keys()].map((subgraph) => scopeOf(subgraph, entry.visibility)), this.stats);
  }

  get entryCount(): number {
    return this.kept.size;
  }

  get byteCount(): number {
    return this.kept.byteCount;
  }

  static keyOf(visibility: string, query: string, operationName: unknown, variables: unknown): string {
    return createHash("sha256")
      .update(JSON.stringify([visibility, query, operationName ?? null, variables ?? null]))
      .digest("base64");
  }

  /** A kept answer, fresh for a request that arrived before this call, or null. */
  async lookup(key: string, token: string): Promise<string | null> {
    const entry = this.kept.current(key);
    if (!entry) return null;
    try {
      await Promise.all([...entry.reads.keys()].map((subgraph) => this.check(subgraph, entry.visibility, token)));
    } catch (err) {
      this.log.warn({ err }, "answer cache: a change check failed; answering without the cache");
      return null;
    }
    // Whatever the key holds once the checks are done is fresh for this request: a notice applied
    // before an answer was kept was checked at store, one applied after dropped it. An answer kept
    // meanwhile (a concurrent miss) serves too, if it read from no subgraph that was not checked.
    const current = this.kept.current(key);
    if (!current) return null;
    if (current !== entry && [...current.reads.keys()].some((s) => !entry.reads.has(s))) return null;
    this.kept.used(current);
    this.stats.hits += 1;
    return current.body;
  }

  /**
   * A miss begins: remembers where the cache is, and starts the cursors of a visibility key seen for
   * the first time (an answer is kept only once its cursors exist).
   */
  startMiss(visibility: string, token: string): AnswerTicket {
    this.stats.misses += 1;
    for (const subgraph of this.subgraphs) {
      const cursor = this.cursors.get(scopeOf(subgraph, visibility));
      if (cursor?.position || (cursor && cursor.unsupportedUntil > performance.now())) continue;
      this.check(subgraph, visibility, token).catch(() => {});
    }
    return { seq: this.seq, startedAt: performance.now() };
  }

  /** Keeps an answer computed since `ticket`, if every fetch said what it read and nothing it read changed meanwhile. */
  store(key: string, visibility: string, body: string, reads: FetchReads, ticket: AnswerTicket): boolean {
    if (reads.uncacheable || reads.fetches === 0 || reads.tables.size === 0 || !this.kept.fits(body)) return false;
    const now = performance.now();
    for (const subgraph of reads.tables.keys()) {
      const cursor = this.cursors.get(scopeOf(subgraph, visibility));
      if (!cursor?.position || cursor.establishedAt > ticket.seq || cursor.unsupportedUntil > now) return false;
    }
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]!.seq > ticket.seq; i--) {
      const applied = this.recent[i]!;
      for (const [subgraph, tables] of reads.tables) if (applied.scope === scopeOf(subgraph, visibility) && tables.has(applied.table)) return false;
    }
    if (this.trimmedUpTo > ticket.seq) return false; // the window no longer reaches the ticket
    const entry: Entry = {
      key,
      visibility,
      body,
      reads: new Map([...reads.tables].map(([s, t]) => [s, [...t]])),
      // The shorter of the gateway's own limit for clock answers and what the subgraphs said is left.
      expiresAt:
        ticket.startedAt + Math.min(reads.clock ? this.opts.clockMs : Number.POSITIVE_INFINITY, reads.validForMs ?? Number.POSITIVE_INFINITY),
    };
    if (entry.expiresAt <= performance.now()) return false;
    this.kept.put(entry);
    return true;
  }

  /** Brings the cursor of (subgraph, visibility key) up to now; shared by concurrent callers. */
  private check(subgraph: string, visibility: string, token: string): Promise<void> {
    const scope = scopeOf(subgraph, visibility);
    return this.checks.run(scope, async () => {
      let cursor = this.cursors.get(scope);
      if (!cursor) {
        if (this.cursors.size >= MAX_CURSORS) this.forgetCursors();
        cursor = { position: null, establishedAt: 0, unsupportedUntil: 0 };
        this.cursors.set(scope, cursor);
      }
      if (cursor.unsupportedUntil > performance.now()) throw new Error(`the ${subgraph} subgraph keeps no change feed`);
      this.stats.checks += 1;
      let answer: ChangesAnswer | "unsupported";
      try {
        answer = await this.fetchChanges(subgraph, token, cursor.position);
      } catch (err) {
        this.stats.checkFailures += 1;
        this.reset(scope, cursor, null); // what happened meanwhile is unknown
        throw err;
      }
      if (this.cursors.get(scope) !== cursor) return; // forgotten meanwhile
      if (answer === "unsupported") {
        this.reset(scope, cursor, null);
        cursor.unsupportedUntil = performance.now() + UNSUPPORTED_RETRY_MS;
        throw new Error(`the ${subgraph} subgraph keeps no change feed`);
      }
      if (answer.reset || !cursor.position) {
        this.reset(scope, cursor, { feed: answer.feed, seq: answer.seq });
        return;
      }
      for (const table of answer.tables) this.applied(subgraph, scope, table);
      cursor.position = { feed: answer.feed, seq: answer.seq };
    });
  }

  private applied(subgraph: string, scope: string, table: string): void {
    this.recent.push({ seq: ++this.seq, scope, table });
    if (this.recent.length > RECENT * 2) {
      this.trimmedUpTo = this.recent[this.recent.length - RECENT - 1]!.seq;
      this.recent = this.recent.slice(-RECENT);
    }
    this.kept.invalidate(scope, (entry) => entry.reads.get(subgraph)?.includes(table) ?? false);
  }

  /** Drops every answer of the cursor's scope and starts it again at `position`. */
  private reset(scope: string, cursor: Cursor, position: ChangeCursor | null): void {
    this.kept.forgetGroup(scope);
    cursor.position = position;
    cursor.establishedAt = ++this.seq;
  }

  private forgetCursors(): void {
    this.cursors.clear();
    this.kept.clear();
    this.seq += 1;
  }
}

const scopeOf = (subgraph: string, visibility: string) => `${subgraph}\n${visibility}`;
