import { describe, expect, it } from "vitest";
import { pino } from "pino";
import type pg from "pg";
import type { ListenConnection } from "./listen-connection.ts";
import { ReadCache, touches } from "./read-cache.ts";
import { withRemainingTime } from "./read-cache-route.ts";
import { newStatementReads } from "./statement-reads.ts";

/**
 * A LISTEN connection as PostgreSQL drives it: one queue in commit order, delivered asynchronously;
 * `commit` puts a change in the queue (delivered later), `notify` a barrier behind it.
 */
class FakeListener {
  listening = true;
  private handlers = new Map<string, (payload: string) => void>();
  private queue: [string, string][] = [];
  on(channel: string, handler: (payload: string) => void) {
    this.handlers.set(channel, handler);
    return this;
  }
  onListening() {
    return this;
  }
  commit(payload: string) {
    this.queue.push(["mes_changed", payload]);
  }
  async notify(channel: string, payload: string) {
    this.queue.push([channel, payload]);
    setTimeout(() => this.deliver(), 5);
  }
  deliver() {
    for (const [c, p] of this.queue.splice(0)) this.handlers.get(c)?.(p);
  }
}

const pool = {
  query: async () => ({ rows: ["WorkOrder", "Operation", "OutboxEvent"].map((name) => ({ name, announcing: name !== "OutboxEvent" })) }),
} as unknown as pg.Pool;
const A = { organizationId: "org-a", plantIds: ["p1"] };

async function cacheWith(opts: Partial<{ clockMs: number; maxEntries: number }> = {}) {
  const listener = new FakeListener();
  const cache = await ReadCache.open(
    pool,
    listener as unknown as ListenConnection,
    { maxEntries: 100, maxBytes: 1 << 20, clockMs: 1000, ...opts },
    pino({ level: "silent" }),
  );
  return { listener, cache };
}
const readsOf = (...identifiers: string[]) => ({ ...newStatementReads(), identifiers: new Set(identifiers) });

describe("ReadCache", () => {
  it("serves a kept answer after a barrier, and not once a change committed before the read is delivered", async () => {
    const { listener, cache } = await cacheWith();
    expect(cache.store("k", A, "answer", readsOf("WorkOrder", "id"), false, cache.startMiss())).toBe(true);
    expect((await cache.lookup("k"))?.body).toBe("answer");
    // Committed before the read arrived, its notification not yet delivered: the barrier waits for it.
    listener.commit("WorkOrder org-a p1");
    expect(await cache.lookup("k")).toBeNull();
  });

  it("drops only answers whose table and tenant a change touches", () => {
    const entry = { ...A, tables: ["WorkOrder"] };
    expect(touches(entry, { table: "WorkOrder", organizationId: "org-a", plantId: "p1" })).toBe(true);
    expect(touches(entry, { table: "WorkOrder", organizationId: "org-a", plantId: "" })).toBe(true);
    expect(touches(entry, { table: "WorkOrder", organizationId: "", plantId: "" })).toBe(true);
    expect(touches(entry, { table: "WorkOrder", organizationId: "org-a", plantId: "p2" })).toBe(false);
    expect(touches(entry, { table: "WorkOrder", organizationId: "org-b", plantId: "p1" })).toBe(false);
    expect(touches(entry, { table: "Operation", organizationId: "org-a", plantId: "p1" })).toBe(false);
    expect(touches({ ...entry, plantIds: null }, { table: "WorkOrder", organizationId: "org-a", plantId: "p9" })).toBe(true);
  });

  it("does not keep an answer computed while a change it read was announced", async () => {
    const { listener, cache } = await cacheWith();
    const ticket = cache.startMiss();
    listener.commit("WorkOrder org-a p2"); // another plant: harmless
    listener.commit("Operation org-a p1");
    listener.deliver();
    expect(cache.store("k1", A, "x", readsOf("WorkOrder"), false, ticket)).toBe(true);
    expect(cache.store("k2", A, "x", readsOf("Operation"), false, ticket)).toBe(false);
  });

  it("never keeps an answer that read a table announcing no changes, or one marked uncacheable", async () => {
    const { cache } = await cacheWith();
    expect(cache.store("k", A, "x", readsOf("WorkOrder", "OutboxEvent"), false, cache.startMiss())).toBe(false);
    expect(cache.store("k", A, "x", { ...readsOf("WorkOrder"), uncacheable: true }, false, cache.startMiss())).toBe(false);
  });

  it("keeps an answer that used the clock only for clockMs", async () => {
    const { cache } = await cacheWith({ clockMs: 30 });
    cache.store("k", A, "x", readsOf("WorkOrder"), true, cache.startMiss());
    expect(await cache.lookup("k")).not.toBeNull();
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.lookup("k")).toBeNull();
  });

  it("keeps an answer whose clock use is bounded until its horizon; an unbounded or expired use stays short", async () => {
    const { cache } = await cacheWith({ clockMs: 30 });
    const horizon = (ms: number) => ({ clockPending: 0, clockHorizon: Date.now() + ms });
    expect(cache.readsOf(readsOf("WorkOrder"), horizon(5000))).toMatchObject({ clock: false, validForMs: expect.any(Number) });
    expect(cache.readsOf(readsOf("WorkOrder"), { clockPending: 1, clockHorizon: Date.now() + 5000 })?.clock).toBe(true);
    expect(cache.readsOf(readsOf("WorkOrder"), { clock: true, clockHorizon: Date.now() + 5000 })?.clock).toBe(true);
    expect(cache.readsOf(readsOf("WorkOrder"), horizon(-1))).toBeNull();
    cache.store("long", A, "x", readsOf("WorkOrder"), horizon(200), cache.startMiss());
    cache.store("short", A, "y", readsOf("WorkOrder"), horizon(80), cache.startMiss());
    await new Promise((r) => setTimeout(r, 50)); // past clockMs, before either horizon
    expect([await cache.lookup("long"), await cache.lookup("short")].map((e) => e?.body ?? null)).toEqual(["x", "y"]);
    await new Promise((r) => setTimeout(r, 60)); // past the short horizon
    expect([await cache.lookup("long"), await cache.lookup("short")].map((e) => e?.body ?? null)).toEqual(["x", null]);
  });

  it("serves nothing while not listening, and evicts the least recently used beyond its size", async () => {
    const { listener, cache } = await cacheWith({ maxEntries: 2 });
    for (const k of ["a", "b"]) cache.store(k, A, k, readsOf("WorkOrder"), false, cache.startMiss());
    await cache.lookup("a"); // a is now the most recently used
    cache.store("c", A, "c", readsOf("WorkOrder"), false, cache.startMiss());
    expect([await cache.lookup("a"), await cache.lookup("b"), await cache.lookup("c")].map((e) => e?.body ?? null)).toEqual(["a", null, "c"]);
    listener.listening = false;
    expect(await cache.lookup("a")).toBeNull();
  });

  it("shares one barrier between concurrent hits", async () => {
    const { cache } = await cacheWith();
    cache.store("k", A, "x", readsOf("WorkOrder"), false, cache.startMiss());
    const before = cache.stats.barriers;
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.lookup("k")));
    expect(answers.every((a) => a?.body === "x")).toBe(true);
    expect(cache.stats.barriers - before).toBeLessThanOrEqual(2);
  });
});

describe("withRemainingTime", () => {
  it("says the time left of a kept answer that ages, and leaves others as they are", () => {
    const tricky = '{"data":{"note":"\\"validForMs\\":5"}';
    expect(withRemainingTime(`${tricky},"extensions":{"mesReads":{"tables":["Shift"],"clock":false,"validForMs":5000}}}`, 1234.7)).toBe(
      `${tricky},"extensions":{"mesReads":{"tables":["Shift"],"clock":false,"validForMs":1234}}}`,
    );
    expect(withRemainingTime(`${tricky},"extensions":{"mesReads":{"tables":["Shift"],"clock":true}}}`, 300)).toBe(
      `${tricky},"extensions":{"mesReads":{"validForMs":300,"tables":["Shift"],"clock":true}}}`,
    );
    const plain = `${tricky},"extensions":{"mesReads":{"tables":[],"clock":false}}}`;
    expect(withRemainingTime(plain, Number.POSITIVE_INFINITY)).toBe(plain);
    expect(withRemainingTime('{"data":{}}', 100)).toBe('{"data":{}}');
  });
});
