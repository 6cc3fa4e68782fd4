import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { pruneOutbox } from "@mes/shared";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { createPlant, createProduct, createWorkOrder } from "./support/fixtures.ts";
import { TEST_FEED_TOKEN, actAs } from "./support/auth.ts";

const feedAuth = { headers: { authorization: `Bearer ${TEST_FEED_TOKEN}` } };

const ORG = "cccccccc-dddd-4eee-8fff-000000000001";
actAs({ organizationId: ORG });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

describe("event feed between subgraphs", () => {
  it("delivers events in id order past single digits, and the consumer applies each exactly once", async () => {
    const url = stack.gatewayUrl;
    const plant = await createPlant(url, ORG, "FEED");
    const { createMaterial } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "FEED-M", description: "m", unitOfMeasure: "EA" }) { id } }`,
    );
    const productId = await createProduct(url, plant, "FEED-P", 1, [{ materialId: createMaterial.id, quantityPer: 1 }]);
    // 12 orders released and 6 of them cancelled: 18 events.
    const orders = [];
    for (let i = 0; i < 12; i++) orders.push(await createWorkOrder(url, productId, `WO-FEED-${i}`, i + 1));
    for (const wo of orders) await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    for (const wo of orders.slice(0, 6))
      await mustQuery(url, `mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "test") { id } }`, { id: wo.id });

    const feed = (await (
      await fetch(stack.subgraphs.production.url.replace(/graphql$/, "events?after=0&limit=100&types=WorkOrderStatusChanged"), feedAuth)
    ).json()) as {
      events: { id: string }[];
    };
    const ids = feed.events.map((e) => Number(e.id));
    expect(ids).toHaveLength(18);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    await stack.subgraphs.inventory.consumers[0]!.drain();
    // Reserved: 7 + 8 + ... + 12 for the six orders still released.
    const { material } = await mustQuery(url, `query($id: ID!, $p: ID!) { material(id: $id) { reserved(plantId: $p) } }`, {
      id: createMaterial.id,
      p: plant.plantId,
    });
    expect(material.reserved).toBe(7 + 8 + 9 + 10 + 11 + 12);
    // The reservations follower's cursor (inventory also follows feeds for reference data) is at
    // production's newest event: past its 18, and past the events of other types between them.
    const { rows } = await stack.subgraphs.inventory.pool.query(
      `SELECT position::int AS p FROM "EventCursor" WHERE consumer = 'inventory<-production:work-orders'`,
    );
    const head = await stack.subgraphs.production.pool.query(`SELECT max(id)::int AS p FROM "OutboxEvent"`);
    expect(rows).toEqual(head.rows);
    expect(rows[0].p).toBeGreaterThanOrEqual(ids.at(-1)!);
  });
});

describe("outbox retention", () => {
  it("deletes events older than the retention and keeps the rest", async () => {
    const pool = stack.subgraphs.quality.pool;
    await pool.query(
      `INSERT INTO "OutboxEvent" ("organizationId", type, "aggregateId", payload, "createdAt") VALUES
      ($1, 'Old', 'x', '{}', now() - interval '9 days'), ($1, 'Recent', 'y', '{}', now() - interval '2 days')`,
      [ORG],
    );
    const {
      rows: [old],
    } = await pool.query(`SELECT id::text AS id FROM "OutboxEvent" WHERE type = 'Old'`);
    expect(await pruneOutbox(pool, 168)).toBe(1);
    const { rows } = await pool.query(`SELECT type FROM "OutboxEvent" WHERE "organizationId" = $1`, [ORG]);
    expect(rows).toEqual([{ type: "Recent" }]);

    // A resume from before the pruned event is refused, not silently short of events.
    const stale = String(BigInt(old.id) - 1n);
    const feed = await fetch(stack.subgraphs.quality.url.replace(/graphql$/, `events?after=${stale}`), feedAuth);
    expect(feed.status).toBe(410);
    const client = wsClient(stack.subgraphs.quality.url);
    const sub = await subscribe(client, `subscription($a: ID) { ncrOpened(after: $a) { cursor } }`, { a: stale });
    await waitUntil(() => sub.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toContain("CURSOR_EXPIRED");
    expect((await fetch(stack.subgraphs.quality.url.replace(/graphql$/, `events?after=${old.id}`), feedAuth)).status).toBe(200);
    await client.dispose();
  });
});
