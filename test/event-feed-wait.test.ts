// Followers learn of another subgraph's events at once, without polling: a caught-up follower's
// GET /events waits at the source (`wait`) until the source's outbox notification says an event was
// committed. The stack polls only once a minute here (EVENT_POLL_MS), so anything prompt below comes
// from the held requests; stopping a source answers the requests it holds instead of waiting for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant } from "./support/fixtures.ts";
import { TEST_FEED_TOKEN, actAs } from "./support/auth.ts";

const ORG = "cccccccc-dddd-4eee-8fff-0000000000f1";
const feedAuth = { headers: { authorization: `Bearer ${TEST_FEED_TOKEN}` } };
let stack: TestStack | null = null;

beforeAll(async () => {
  stack = await startTestStack({ subgraphConfig: { EVENT_POLL_MS: 60_000 } });
  actAs({ userId: "fw.admin", organizationId: ORG, roles: ["ADMIN"] });
}, 180_000);
afterAll(async () => stack?.stop());

const feedOf = (service: "equipment" | "production", query: string) =>
  fetch(stack!.subgraphs[service].url.replace(/graphql$/, `events?${query}`), feedAuth);
const head = async () => Number((await stack!.subgraphs.equipment.pool.query(`SELECT coalesce(max(id), 0)::int AS n FROM "OutboxEvent"`)).rows[0].n);

describe("GET /events with wait", () => {
  it("refuses a wait that is not 0 to 30,000 ms", async () => {
    for (const wait of ["-1", "30001", "1.5", "soon"]) {
      const res = await feedOf("equipment", `after=0&wait=${wait}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/wait 0 to 30000 ms/);
    }
  });

  it("holds a request with nothing new until an event is committed, then answers it with the event", async () => {
    const after = await head();
    const started = performance.now();
    const held = feedOf("equipment", `after=${after}&wait=20000`).then(async (res) => ({
      ms: performance.now() - started,
      body: (await res.json()) as { events: { id: string; type: string }[]; canWait?: boolean },
    }));
    await new Promise((r) => setTimeout(r, 300));
    await createPlant(stack!.gatewayUrl, ORG, "FW1", 0); // equipment writes the plant and its event
    const { ms, body } = await held;
    expect(body.canWait).toBe(true);
    expect(body.events.length).toBeGreaterThan(0);
    expect(Number(body.events[0]!.id)).toBeGreaterThan(after);
    expect(ms).toBeGreaterThan(250);
    expect(ms).toBeLessThan(5000);

    // Nothing committed: answered empty when the wait is over.
    const quietStarted = performance.now();
    const quiet = (await (await feedOf("equipment", `after=${await head()}&wait=400`)).json()) as { events: unknown[] };
    expect(quiet.events).toEqual([]);
    expect(performance.now() - quietStarted).toBeGreaterThan(350);
  });

  it("lets a follower apply an event at once though it polls once a minute", async () => {
    // Followers that found their source not yet up at start retry after a back-off: wait for them.
    const ready = stack!.subgraphs.production.url.replace(/graphql$/, "ready");
    for (let t = 0; ; t++) {
      const { checks } = (await (await fetch(ready)).json()) as { checks: Record<string, { detail?: string }> };
      if (Object.entries(checks).every(([name, check]) => !name.startsWith("feed ") || !check.detail)) break;
      if (t > 600) throw new Error(`production's followers are not connected: ${JSON.stringify(checks)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const plant = await createPlant(stack!.gatewayUrl, ORG, "FW2", 0);
    const started = performance.now();
    // Production copies equipment's plants (reference data) through its follower.
    for (;;) {
      const { rows } = await stack!.subgraphs.production.pool.query(`SELECT 1 FROM "ReferenceEntity" WHERE kind = 'Plant' AND id = $1`, [
        plant.plantId,
      ]);
      if (rows.length) break;
      if (performance.now() - started > 10_000) throw new Error("production did not copy the plant within 10 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("stops promptly while followers' requests are held", async () => {
    const started = performance.now();
    const running = stack!;
    stack = null;
    await running.stop();
    expect(performance.now() - started).toBeLessThan(7000);
  }, 30_000);
});
