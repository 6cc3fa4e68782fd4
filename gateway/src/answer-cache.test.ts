import { describe, expect, it } from "vitest";
import { createLogger, type ChangeCursor, type ChangesAnswer } from "@mes/shared";
import { AnswerCache, newFetchReads, type FetchReads } from "./answer-cache.ts";

// The answer cache's freshness rules, with a scripted subgraph feed instead of real subgraphs.
const VIS = "org|p1|VIEWER";
const OTHER = "org|p2|VIEWER";

/** A fake subgraph change feed: `pending` changes are handed out at the next check of a scope. */
function feed() {
  const state = { feed: "f1", seq: 0, pending: new Map<string, string[]>(), calls: 0, unsupported: new Set<string>(), failing: false };
  const fetchChanges = async (subgraph: string, token: string, since: ChangeCursor | null): Promise<ChangesAnswer | "unsupported"> => {
    state.calls += 1;
    await Promise.resolve();
    if (state.failing) throw new Error("down");
    if (state.unsupported.has(subgraph)) return "unsupported";
    const scope = `${subgraph} ${token}`;
    const tables = state.pending.get(scope) ?? [];
    state.pending.delete(scope);
    const reset = !since || since.feed !== state.feed;
    state.seq += 1;
    return { feed: state.feed, seq: state.seq, reset, tables: reset ? [] : tables };
  };
  return { state, fetchChanges };
}

const reads = (tables: Record<string, string[]>, clock = false): FetchReads => {
  const r = newFetchReads();
  for (const [s, t] of Object.entries(tables)) r.tables.set(s, new Set(t));
  r.fetches = Object.keys(tables).length;
  r.clock = clock;
  return r;
};

const settle = () => new Promise((r) => setTimeout(r, 5));

function cacheWith(f = feed()) {
  const cache = new AnswerCache(
    ["production", "quality"],
    f.fetchChanges,
    { maxEntries: 100, maxBytes: 1 << 20, clockMs: 50 },
    createLogger("gateway", "silent"),
  );
  return { cache, f };
}

/** A miss then store, after the key's cursors exist (the first miss of a key starts them). */
async function kept(cache: AnswerCache, key: string, vis: string, body: string, r: FetchReads) {
  cache.startMiss(vis, vis);
  await settle();
  const ticket = cache.startMiss(vis, vis);
  return cache.store(key, vis, body, r, ticket);
}

describe("AnswerCache", () => {
  it("keeps nothing before the key's cursors exist, then serves hits", async () => {
    const { cache } = cacheWith();
    const ticket = cache.startMiss(VIS, VIS);
    expect(cache.store("k", VIS, "{}", reads({ production: ["WorkOrder"] }), ticket)).toBe(false);
    expect(await kept(cache, "k", VIS, "A", reads({ production: ["WorkOrder"] }))).toBe(true);
    expect(await cache.lookup("k", VIS)).toBe("A");
  });

  it("drops an answer when its subgraph reports a change to a table it read for its key, and only then", async () => {
    const { cache, f } = cacheWith();
    await kept(cache, "k", VIS, "A", reads({ production: ["WorkOrder"], quality: ["Inspection"] }));
    f.state.pending.set(`production ${VIS}`, ["Operation"]);
    expect(await cache.lookup("k", VIS)).toBe("A");
    f.state.pending.set(`quality ${VIS}`, ["Inspection"]);
    expect(await cache.lookup("k", VIS)).toBeNull();
  });

  it("does not keep an answer computed while a change to what it read arrived", async () => {
    const { cache, f } = cacheWith();
    await kept(cache, "other", VIS, "B", reads({ production: ["WorkOrder"] }));
    const ticket = cache.startMiss(VIS, VIS);
    f.state.pending.set(`production ${VIS}`, ["WorkOrder"]);
    await cache.lookup("other", VIS); // a concurrent hit's check brings the change in
    expect(cache.store("k", VIS, "A", reads({ production: ["WorkOrder"] }), ticket)).toBe(false);
  });

  it("forgets a key's answers when the feed resets (a subgraph restarted) or a check fails", async () => {
    const { cache, f } = cacheWith();
    await kept(cache, "k", VIS, "A", reads({ production: ["WorkOrder"] }));
    f.state.feed = "f2";
    expect(await cache.lookup("k", VIS)).toBeNull();
    expect(await kept(cache, "k", VIS, "A2", reads({ production: ["WorkOrder"] }))).toBe(true);
    f.state.failing = true;
    expect(await cache.lookup("k", VIS)).toBeNull();
    f.state.failing = false;
    expect(await cache.lookup("k", VIS)).toBeNull(); // dropped with the failure, not served later
  });

  it("keeps per visibility key: another key's change leaves it", async () => {
    const { cache, f } = cacheWith();
    await kept(cache, "k1", VIS, "A", reads({ production: ["WorkOrder"] }));
    await kept(cache, "k2", OTHER, "B", reads({ production: ["WorkOrder"] }));
    f.state.pending.set(`production ${OTHER}`, ["WorkOrder"]);
    expect(await cache.lookup("k2", OTHER)).toBeNull();
    expect(await cache.lookup("k1", VIS)).toBe("A");
  });

  it("keeps nothing from a subgraph without a change feed, nothing with errors, and clock answers briefly", async () => {
    const { cache, f } = cacheWith();
    f.state.unsupported.add("quality");
    expect(await kept(cache, "k", VIS, "A", reads({ production: ["WorkOrder"], quality: ["Inspection"] }))).toBe(false);
    const spoiled = reads({ production: ["WorkOrder"] });
    spoiled.uncacheable = true;
    expect(await kept(cache, "k", VIS, "A", spoiled)).toBe(false);
    expect(await kept(cache, "k", VIS, "A", newFetchReads())).toBe(false);
    expect(await kept(cache, "c", VIS, "C", reads({ production: ["WorkOrder"] }, true))).toBe(true);
    expect(await cache.lookup("c", VIS)).toBe("C");
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.lookup("c", VIS)).toBeNull();
  });

  it("shares one check among concurrent hits, and never one begun before a hit arrived", async () => {
    const { cache, f } = cacheWith();
    await kept(cache, "k", VIS, "A", reads({ production: ["WorkOrder"] }));
    const before = f.state.calls;
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.lookup("k", VIS)));
    expect(answers).toEqual(Array(10).fill("A"));
    expect(f.state.calls - before).toBe(2); // the first hit's check, and one next check for the nine after it
  });
});
