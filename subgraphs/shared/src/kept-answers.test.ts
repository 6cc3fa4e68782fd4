import { describe, expect, it } from "vitest";
import { KeptAnswers, type KeptAnswer } from "./kept-answers.ts";

interface Entry extends KeptAnswer {
  tables: string[];
}
const entry = (key: string, tables: string[], body = "x".repeat(10), expiresAt = Number.POSITIVE_INFINITY): Entry => ({
  key,
  body,
  tables,
  expiresAt,
});
const store = (maxEntries = 3, maxBytes = 1000) => {
  const stats = { stored: 0, evicted: 0, invalidated: 0 };
  return { stats, kept: new KeptAnswers<Entry>({ maxEntries, maxBytes }, (e) => e.tables, stats) };
};

describe("KeptAnswers", () => {
  it("evicts the least recently used beyond its entry and byte budgets", () => {
    const { kept, stats } = store(2);
    kept.put(entry("a", ["t"]));
    kept.put(entry("b", ["t"]));
    kept.used(kept.current("a")!);
    kept.put(entry("c", ["t"]));
    expect([kept.current("a")?.key, kept.current("b"), kept.current("c")?.key]).toEqual(["a", null, "c"]);
    expect(stats).toMatchObject({ stored: 3, evicted: 1 });

    const bytes = store(10, 100);
    for (const k of ["a", "b", "c"]) bytes.kept.put(entry(k, ["t"], "y".repeat(40)));
    expect(bytes.kept.byteCount).toBe(80);
    expect(bytes.kept.current("a")).toBeNull();
    expect(bytes.kept.fits("z".repeat(12))).toBe(true);
    expect(bytes.kept.fits("z".repeat(13))).toBe(false);
  });

  it("drops exactly the entries of a group that a change touches, and forgets expired ones", () => {
    const { kept, stats } = store(10);
    kept.put(entry("a", ["orders", "lots"]));
    kept.put(entry("b", ["orders"]));
    kept.put(entry("c", ["lots"]));
    kept.invalidate("orders", (e) => e.key === "a");
    expect([kept.current("a"), kept.current("b")?.key, kept.current("c")?.key]).toEqual([null, "b", "c"]);
    kept.forgetGroup("lots");
    expect([kept.current("b")?.key, kept.current("c")]).toEqual(["b", null]);
    expect(stats.invalidated).toBe(1);
    kept.put(entry("b", ["orders"])); // replaces the key's entry, counted once in bytes
    expect([kept.size, kept.byteCount]).toEqual([1, 10]);
    kept.put(entry("old", ["orders"], "x", performance.now() - 1));
    expect(kept.current("old")).toBeNull();
    expect(kept.size).toBe(1);
  });
});
