/** What every kept answer has: its cache key, its serialized body, and until when it may be served. */
export interface KeptAnswer {
  key: string;
  body: string;
  /** performance.now() after which it is no longer served (Infinity: until what it read changes). */
  expiresAt: number;
}

export interface KeptAnswersLimits {
  maxEntries: number;
  maxBytes: number;
}

/** The counts both answer caches report (subgraph read cache, gateway answer cache). */
export interface KeptAnswersStats {
  hits: number;
  misses: number;
  stored: number;
  invalidated: number;
  evicted: number;
}

/**
 * The store under both answer caches: answers by key, least recently used first, within an entry and
 * a byte budget, each also filed under the groups it belongs to (the tables it read at a subgraph;
 * the subgraph and visibility key it read at the gateway), so that a change drops exactly the
 * answers of its group. When and whether an answer is fresh is the caches' business, not this one's.
 */
export class KeptAnswers<E extends KeptAnswer> {
  private readonly entries = new Map<string, E>();
  private readonly groups = new Map<string, Set<E>>();
  private bytes = 0;

  constructor(
    private readonly limits: KeptAnswersLimits,
    /** The groups an entry is filed under. */
    private readonly groupsOf: (entry: E) => Iterable<string>,
    private readonly stats: Pick<KeptAnswersStats, "stored" | "evicted" | "invalidated">,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get byteCount(): number {
    return this.bytes;
  }

  /** Whether an answer this large may be kept at all (one answer may take an eighth of the budget). */
  fits(body: string): boolean {
    return body.length <= this.limits.maxBytes / 8;
  }

  /** The entry of a key if it has not expired (an expired one is dropped). */
  current(key: string): E | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt > performance.now()) return entry;
    this.drop(entry);
    return null;
  }

  /** A hit: the entry becomes the most recently used (eviction takes the least). */
  used(entry: E): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
  }

  /** Keeps an entry (replacing the key's previous one), then evicts the least recently used beyond the limits. */
  put(entry: E): void {
    const old = this.entries.get(entry.key);
    if (old) this.drop(old);
    this.entries.set(entry.key, entry);
    this.bytes += entry.body.length;
    for (const group of this.groupsOf(entry)) {
      const members = this.groups.get(group) ?? new Set<E>();
      this.groups.set(group, members);
      members.add(entry);
    }
    this.stats.stored += 1;
    while (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      const oldest = this.entries.values().next().value;
      if (!oldest) break;
      this.drop(oldest);
      this.stats.evicted += 1;
    }
  }

  /** Drops the group's entries that `affected` says a change touched (all of them when left out); counted as invalidated. */
  invalidate(group: string, affected: (entry: E) => boolean = () => true): void {
    const members = this.groups.get(group);
    if (!members) return;
    for (const entry of [...members]) {
      if (!affected(entry)) continue;
      if (this.drop(entry)) this.stats.invalidated += 1;
    }
  }

  /** Drops every entry of a group without counting it as a change (the group's position was lost). */
  forgetGroup(group: string): void {
    const members = this.groups.get(group);
    if (!members) return;
    for (const entry of [...members]) this.drop(entry);
    this.groups.delete(group);
  }

  drop(entry: E): boolean {
    if (this.entries.get(entry.key) !== entry) return false;
    this.entries.delete(entry.key);
    this.bytes -= entry.body.length;
    for (const group of this.groupsOf(entry)) {
      const members = this.groups.get(group);
      members?.delete(entry);
      if (members?.size === 0) this.groups.delete(group);
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.groups.clear();
    this.bytes = 0;
  }
}
