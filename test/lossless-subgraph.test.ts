import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { pruneOutbox, startEventConsumer, startSubgraph, withTx, type EventConsumer, type RawSqlClient, type RunningSubgraph } from "@mes/shared";
import { graphql, mustQuery } from "./support/graphql.ts";
import { DEFINITIONS, silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { TEST_FEED_TOKEN, actAs, tokenFor } from "./support/auth.ts";
import { adminPoolOf } from "./support/admin.ts";

// Resuming by cursor loses nothing at the subgraphs: followers across retention and replicas, feed
// reads racing prunes, long backlogs, a LISTEN connection that dies, and fresh data per event.
const ORG = "1055e55e-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
const COUNTS = "equipment<-production:counts";

let stack: TestStack;
let url: string;
let plant: PlantFixture;
let productId: string;
let replica: RunningSubgraph<any> | null = null;
const clients: Client[] = [];
const followers: EventConsumer[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "LOSS");
  productId = await createProduct(url, plant, "LOSS-P", 1);
  await stack.subgraphs.equipment.pool.query(
    `INSERT INTO "DowntimeReason" (id, "organizationId", code, description, kind) VALUES (gen_random_uuid(), $1, 'MECH', 'Mechanical', 'UNPLANNED')`,
    [ORG],
  );
});
afterAll(async () => {
  await Promise.all(followers.map((f) => f.stop()));
  await Promise.all(clients.map((c) => c.dispose()));
  await replica?.stop();
  await stack?.stop();
});

const sg = (name: keyof TestStack["subgraphs"]) => stack.subgraphs[name];
const base = (name: keyof TestStack["subgraphs"]) => sg(name).url.replace(/\/graphql$/, "");
const client = (name: keyof TestStack["subgraphs"]) => {
  const c = wsClient(sg(name).url);
  clients.push(c);
  return c;
};
const newestEvent = async (name: keyof TestStack["subgraphs"]) =>
  BigInt((await sg(name).pool.query(`SELECT coalesce(max(id), 0)::text AS id FROM "OutboxEvent"`)).rows[0].id);
const cursorOf = async (consumer: string) =>
  BigInt((await sg("equipment").pool.query(`SELECT position::text AS p FROM "EventCursor" WHERE consumer = $1`, [consumer])).rows[0]?.p ?? -1);
const ready = async (name: keyof TestStack["subgraphs"]) => {
  const res = await fetch(`${base(name)}/ready`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string; eventsBehind?: number }> } };
};
const release = (id: string) => mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id });
/** Marks a subgraph's events as older than any retention and prunes them. */
async function ageAndPrune(name: keyof TestStack["subgraphs"], upTo?: bigint): Promise<number> {
  const pool = sg(name).pool;
  await pool.query(`UPDATE "OutboxEvent" SET "createdAt" = "createdAt" - interval '1000 hours' WHERE $1::bigint IS NULL OR id <= $1::bigint`, [
    upTo?.toString() ?? null,
  ]);
  return pruneOutbox(pool, 168);
}

describe("followers of another subgraph's feed", () => {
  it("two replicas of a follower on one database apply its first event, and every later one, exactly once", async () => {
    const equipment = sg("equipment");
    replica = await startSubgraph(
      DEFINITIONS.equipment,
      testSubgraphConfig(equipment.pool.options.connectionString!, { PRODUCTION_URL: sg("production").url }),
      silentLogger(),
    );
    await adminPoolOf(equipment.pool).query(`CREATE TABLE lossless_effect (event_id bigint NOT NULL, replica text NOT NULL)`);
    const orders = await Promise.all(["A", "B", "C"].map((n) => createWorkOrder(url, productId, `WO-REPL-${n}`, 5)));
    // A new follower (no cursor row yet) on each replica, started together, each effect slow.
    const follower = (db: unknown, name: string) =>
      startEventConsumer<RawSqlClient, "WorkOrderStatusChanged">({
        name: "lossless<-production:replicas",
        sourceUrl: base("production"),
        types: ["WorkOrderStatusChanged"],
        transaction: (fn) => withTx(db as never, fn as never) as never,
        handle: async (event, tx) => {
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
          await tx.$executeRaw`INSERT INTO lossless_effect (event_id, replica) VALUES (${BigInt(event.id)}, ${name})`;
        },
        log: silentLogger(),
        intervalMs: 5,
        token: TEST_FEED_TOKEN,
      });
    followers.push(follower(equipment.db, "first"), follower(replica.db, "second"));
    for (const wo of orders) await release(wo.id);
    const expected = (
      await sg("production").pool.query(`SELECT id::text AS id FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged' ORDER BY "OutboxEvent".id`)
    ).rows.map((r) => r.id);
    const effects = async () => (await equipment.pool.query(`SELECT event_id::text AS id, replica FROM lossless_effect ORDER BY event_id`)).rows;
    await expect.poll(async () => (await effects()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(expected.length);
    await Promise.all(followers.map((f) => f.drain()));
    const applied = await effects();
    expect(applied.map((r) => r.id)).toEqual(expected);
    await Promise.all(followers.splice(0).map((f) => f.stop()));
  });

  it("move over events of other types, so a follower whose own types are quiet survives retention and applies its next event", async () => {
    // Production writes only work order events, which equipment's counts follower does not handle.
    const orders = await Promise.all(["A", "B", "C"].map((n) => createWorkOrder(url, productId, `WO-QUIET-${n}`, 50)));
    for (const wo of orders.slice(1)) await release(wo.id);
    const head = await newestEvent("production");
    await expect.poll(() => cursorOf(COUNTS), { timeout: 10_000 }).toBeGreaterThanOrEqual(head);
    // A week later those events are pruned; then the follower's own type arrives.
    expect(await ageAndPrune("production")).toBeGreaterThan(0);
    const wo = orders[0]!;
    await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, {
      id: wo.operations[0],
      m: plant.machineIds[0],
    });
    await release(wo.id);
    await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    const logged = await mustQuery(
      url,
      `mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 7, scrapQuantity: 1 }) { id } }`,
      {
        id: wo.operations[0],
      },
    );
    const applied = async () =>
      (await sg("equipment").pool.query(`SELECT count(*)::int AS n FROM "MachineProduction" WHERE id = $1`, [logged.logProduction.id])).rows[0].n;
    await expect.poll(applied, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(async () => (await ready("equipment")).body.checks[`feed ${COUNTS}`], { timeout: 10_000 })
      .toMatchObject({ ok: true, eventsBehind: 0 });
    expect((await ready("equipment")).status).toBe(200);
  });

  it("a follower whose position was pruned makes /ready answer 503 naming the feed, until its cursor is moved", async () => {
    const { rows } = await sg("production").pool.query(`SELECT "prunedUpTo"::text AS p FROM "OutboxWatermark"`);
    const pruned = BigInt(rows[0].p);
    expect(pruned).toBeGreaterThan(0n);
    // As if equipment had been away for longer than production keeps its events.
    await sg("equipment").pool.query(`UPDATE "EventCursor" SET position = 0 WHERE consumer = $1`, [COUNTS]);
    await expect.poll(async () => (await ready("equipment")).status, { timeout: 10_000 }).toBe(503);
    const check = (await ready("equipment")).body.checks[`feed ${COUNTS}`]!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(base("production"));
    expect(check.detail).toContain(`events up to ${pruned}`);
    expect(check.eventsBehind).toBeGreaterThanOrEqual(Number(pruned));
    // An operator accepts the loss and moves the cursor: the follower goes on, /ready is 200 again.
    await sg("equipment").pool.query(`UPDATE "EventCursor" SET position = $2 WHERE consumer = $1`, [COUNTS, pruned.toString()]);
    await expect.poll(async () => (await ready("equipment")).status, { timeout: 15_000 }).toBe(200);
  });
});

describe("the event feed", () => {
  it("answers a cursor behind the watermark with 410 and never with a gap, while prunes run concurrently", async () => {
    const pool = sg("shifts").pool;
    const { rows } = await pool.query(
      `INSERT INTO "OutboxEvent" ("organizationId", type, "aggregateId", payload) SELECT $1, 'PruneProbe', g::text, '{}' FROM generate_series(1, 400) g RETURNING id::text AS id`,
      [ORG],
    );
    const probes = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : 1));
    const read = async (after: bigint) => {
      const res = await fetch(`${base("shifts")}/events?after=${after}&types=PruneProbe&limit=5`, {
        headers: { authorization: `Bearer ${TEST_FEED_TOKEN}` },
      });
      return {
        after,
        status: res.status,
        ids: res.status === 200 ? ((await res.json()) as { events: { id: string }[] }).events.map((e) => e.id) : [],
      };
    };
    const problems: string[] = [];
    for (let k = 10; k < probes.length - 10; k += 10) {
      // Prune up to probe k while readers read from just before to just after it.
      const reads = Array.from({ length: 16 }, (_, i) => read(probes[k - 8 + i]!));
      const [, ...answers] = await Promise.all([ageAndPrune("shifts", probes[k]), ...reads]);
      for (const a of answers) {
        if (a.status === 410) continue;
        const want = probes
          .filter((p) => p > a.after)
          .slice(0, 5)
          .map(String);
        if (a.status !== 200 || JSON.stringify(a.ids) !== JSON.stringify(want))
          problems.push(`after ${a.after}: ${a.status} ${a.ids} (want ${want})`);
      }
    }
    expect(problems).toEqual([]);
    expect((await read(probes[0]!)).status).toBe(410);
  });
});

describe("subscriptions at a subgraph", () => {
  const STATUS = `subscription($p: ID, $w: ID, $after: ID) { workOrderStatusChanged(plantId: $p, workOrderId: $w, after: $after) { cursor to reason } }`;
  const statusEvent = (n: number) => ({
    workOrderId: "00000000-0000-4000-8000-000000000000",
    number: `WO-BACKLOG-${n}`,
    from: "PLANNED",
    to: "RELEASED",
    actor: "test",
    reason: String(n),
    at: new Date().toISOString(),
  });
  /** Appends work order events straight to production's outbox and wakes its listeners. */
  async function appendStatusEvents(from: number, count: number) {
    const payloads = Array.from({ length: count }, (_, i) => JSON.stringify(statusEvent(from + i)));
    await sg("production").pool.query(
      `WITH rows AS (INSERT INTO "OutboxEvent" ("organizationId", "plantId", type, "aggregateId", payload)
         SELECT $1, $2, 'WorkOrderStatusChanged', '00000000-0000-4000-8000-000000000000', p::jsonb FROM unnest($3::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n
         RETURNING id)
       SELECT pg_notify('outbox', 'WorkOrderStatusChanged') FROM (SELECT count(*) FROM rows) c`,
      [ORG, plant.plantId, payloads],
    );
  }

  it("a subscriber resuming 3,000 events behind while live events keep coming gets every event once, in order", async () => {
    const from = String(await newestEvent("production"));
    await appendStatusEvents(0, 3000);
    // Live events keep coming (50 every 10 ms) from before it subscribes until well after.
    const LIVE = 2000;
    const live = (async () => {
      for (let n = 3000; n < 3000 + LIVE; n += 50) {
        await appendStatusEvents(n, 50);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const sub = await subscribe(client("production"), STATUS, { p: plant.plantId, after: from });
    await live;
    const total = 3000 + LIVE;
    const events = (await sub.waitFor(total, 60_000)).map((e) => e.workOrderStatusChanged);
    expect(sub.errors).toEqual([]);
    expect(events.map((e) => Number(e.reason))).toEqual(Array.from({ length: total }, (_, i) => i));
    const cursors = events.map((e) => BigInt(e.cursor));
    expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1]!)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.events).toHaveLength(total);
    await sub.stop();
  }, 90_000);

  it("resumes from eventStreamPosition: every event after the moment it was asked for", async () => {
    const { eventStreamPosition: at } = await mustQuery(sg("production").url, `{ eventStreamPosition }`);
    expect(BigInt(at)).toBe(await newestEvent("production"));
    const wo = await createWorkOrder(url, productId, "WO-POSITION", 5);
    await release(wo.id); // while nobody listens
    const sub = await subscribe(client("production"), STATUS, { w: wo.id, after: at });
    const [event] = await sub.waitFor(1);
    expect(event!.workOrderStatusChanged.to).toBe("RELEASED");
    await sub.stop();
    // Each subgraph has its own position: the composed graph does not offer it.
    expect((await graphql(url, `{ eventStreamPosition }`)).errors?.[0]?.message).toContain("eventStreamPosition");
  });

  it("the LISTEN connection heals to exactly one after being killed, twice, and keeps delivering at once", async () => {
    const pool = sg("production").pool;
    const listeners = async () =>
      (await pool.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'mes-live-events' AND datname = current_database()`)).rows.map(
        (r) => r.pid as number,
      );
    for (const round of [1, 2]) {
      const before = await listeners();
      expect(before).toHaveLength(1);
      await adminPoolOf(pool).query(`SELECT pg_terminate_backend($1)`, [before[0]]);
      await expect.poll(listeners, { timeout: 10_000 }).toSatisfy((pids: number[]) => pids.length === 1 && pids[0] !== before[0]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await listeners()).toHaveLength(1);
      // Delivered by the notification, well before the 5 s safety read.
      const wo = await createWorkOrder(url, productId, `WO-LISTEN-${round}`, 5);
      const sub = await subscribe(client("production"), STATUS, { w: wo.id });
      await waitUntil(() => sg("production").live.subscriberCount >= 1);
      await release(wo.id);
      await sub.waitFor(1, 2500);
      await sub.stop();
    }
  });

  it("resolves every event with fresh data: three state changes of one machine show three states", async () => {
    const machine = plant.machineIds[1]!;
    const sub = await subscribe(client("equipment"), `subscription($m: ID) { machineStatusChanged(machineId: $m) { to machine { state } } }`, {
      m: machine,
    });
    await waitUntil(() => sg("equipment").live.subscriberCount >= 1);
    const states = ["DOWN", "RUNNING", "IDLE"];
    for (const [i, state] of states.entries()) {
      await mustQuery(
        url,
        `mutation($m: ID!, $s: MachineState!, $r: String) { setMachineState(machineId: $m, state: $s, reasonCode: $r) { state } }`,
        {
          m: machine,
          s: state,
          r: state === "DOWN" ? "MECH" : null,
        },
      );
      await sub.waitFor(i + 1);
    }
    expect(sub.events.map((e) => e.machineStatusChanged)).toEqual(states.map((s) => ({ to: s, machine: { state: s } })));
    await sub.stop();
  });

  it("closes the connection with 4403 when its token expires", async () => {
    const token = await tokenFor({ organizationId: ORG, ttlSeconds: 2 });
    let closed: number | null = null;
    const c = createClient({
      url: sg("production").url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      on: { closed: (event) => (closed = (event as { code: number }).code) },
    });
    clients.push(c);
    const before = sg("production").live.subscriberCount;
    await subscribe(c, STATUS, { p: plant.plantId });
    await waitUntil(() => sg("production").live.subscriberCount > before);
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(4403);
    await waitUntil(() => sg("production").live.subscriberCount === before);
  });
});
