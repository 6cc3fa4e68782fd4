import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { actAs } from "./support/auth.ts";

const ORG = "f0f0f0f0-1111-4222-8333-444444444444";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "LIVE");
  productId = await createProduct(url, plant, "LIVE-P", 1);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

const production = () => {
  const c = wsClient(stack.subgraphs.production.url);
  clients.push(c);
  return c;
};
const STATUS = `subscription($p: ID, $w: ID, $after: ID) { workOrderStatusChanged(plantId: $p, workOrderId: $w, after: $after) { cursor from to actor workOrder { number status } } }`;
// A subscription is live once the subgraph counts it; mutate only then, or its event is not "missed" but never subscribed to.
const listening = (n: number, sg: "production" | "inventory" = "production") => waitUntil(() => stack.subgraphs[sg].live.subscriberCount >= n);
const release = (id: string) => mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id });

describe("subscriptions at the subgraphs (graphql-ws)", () => {
  it("deliver a work order's status change as it commits", async () => {
    const wo = await createWorkOrder(url, productId, "WO-LIVE-1", 5);
    const sub = await subscribe(production(), STATUS, { w: wo.id });
    await listening(1);
    await release(wo.id);
    const [event] = await sub.waitFor(1);
    expect(event!.workOrderStatusChanged).toMatchObject({
      from: "PLANNED",
      to: "RELEASED",
      actor: "test.admin",
      workOrder: { number: "WO-LIVE-1", status: "RELEASED" },
    });
    expect(event!.workOrderStatusChanged.cursor).toMatch(/^\d+$/);
    await sub.stop();
  });

  it("resume from a cursor: missed events first, in order, then live ones, none twice", async () => {
    const [a, b, c] = await Promise.all(["A", "B", "C"].map((n) => createWorkOrder(url, productId, `WO-RESUME-${n}`, 5)));
    const first = await subscribe(production(), STATUS, { p: plant.plantId });
    await listening(1);
    await release(a!.id);
    const [seen] = await first.waitFor(1);
    const cursor = seen!.workOrderStatusChanged.cursor;
    await first.stop();
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount === 0);

    // While nobody listens: B released, A cancelled.
    await release(b!.id);
    await mustQuery(url, `mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "resume test") { id } }`, { id: a!.id });

    const again = await subscribe(production(), STATUS, { p: plant.plantId, after: cursor });
    await again.waitFor(2);
    await listening(1);
    await release(c!.id);
    const events = (await again.waitFor(3)).map((e) => e.workOrderStatusChanged);
    expect(events.map((e) => `${e.workOrder.number}:${e.to}`)).toEqual(["WO-RESUME-B:RELEASED", "WO-RESUME-A:CANCELLED", "WO-RESUME-C:RELEASED"]);
    const cursors = events.map((e) => BigInt(e.cursor));
    expect(cursors.every((x, i) => i === 0 || x > cursors[i - 1]!)).toBe(true);
    expect(cursors[0]! > BigInt(cursor)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.events).toHaveLength(3);
    await again.stop();
  });

  it("fan out one event to many subscribers, each exactly once, from one LISTEN connection", async () => {
    const wo = await createWorkOrder(url, productId, "WO-FAN", 5);
    const client = production();
    const subs = await Promise.all(Array.from({ length: 50 }, () => subscribe(client, STATUS, { w: wo.id })));
    await listening(50);
    await release(wo.id);
    await Promise.all(subs.map((s) => s.waitFor(1)));
    await new Promise((r) => setTimeout(r, 300));
    expect(subs.map((s) => s.events.length)).toEqual(Array(50).fill(1));
    const { rows } = await stack.subgraphs.production.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'mes-live-events' AND datname = current_database()`,
    );
    expect(rows[0].n).toBe(1);
    await Promise.all(subs.map((s) => s.stop()));
  });

  it("stream low-stock alerts from inventory", async () => {
    const { createMaterial: m } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "LIVE-M", description: "m", unitOfMeasure: "EA", reorderPoint: 50, safetyStock: 10 }) { id } }`,
    );
    const { createLocation: loc } = await mustQuery(
      url,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "LIVE-WH", name: "WH" }) { id } }`,
      { p: plant.plantId },
    );
    await mustQuery(
      url,
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "LIVE-L", quantity: 60, unitCost: 1 }) { quantity } }`,
      { m: m.id, l: loc.id },
    );
    const inventory = wsClient(stack.subgraphs.inventory.url);
    clients.push(inventory);
    const sub = await subscribe(
      inventory,
      `subscription($m: ID) { lowStockAlert(materialId: $m) { severity available reorderPoint material { code } } }`,
      { m: m.id },
    );
    await listening(1, "inventory");
    const wo = await createWorkOrder(url, productId, "WO-LIVE-M", 5);
    await mustQuery(url, `mutation($i: IssueStockInput!) { issueStock(input: $i) { quantity } }`, {
      i: { materialId: m.id, workOrderId: wo.id, quantity: 55, plantId: plant.plantId },
    });
    const [event] = await sub.waitFor(1);
    expect(event!.lowStockAlert).toEqual({ severity: "BELOW_SAFETY_STOCK", available: 5, reorderPoint: 50, material: { code: "LIVE-M" } });
    await sub.stop();
  });

  it("refuses a malformed cursor", async () => {
    const sub = await subscribe(production(), STATUS, { after: "yesterday" });
    await waitUntil(() => sub.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toContain("after must be the cursor of an earlier event");
  });
});
