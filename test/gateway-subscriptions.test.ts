import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { Writable } from "node:stream";
import { pino } from "pino";
import { startSubgraph } from "@mes/shared";
import fs from "node:fs";
import { parse } from "graphql";
import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { FederatedSubscriptions } from "../gateway/src/subscriptions.ts";
import { SUPERGRAPH_PATH } from "../gateway/src/composition.ts";
import { production } from "@mes/production";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil, wsClient } from "./support/ws-client.ts";
import { actAs, tokenFor } from "./support/auth.ts";

const ORG = "abababab-1111-4222-8333-cdcdcdcdcdcd";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

// The subgraphs' log lines, to see who a subscription was started for.
const seenActors = new Set<string>();
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n")) {
      if (!line) continue;
      const entry = JSON.parse(line) as { msg?: string; actor?: string };
      if (entry.msg === "subscription started" && entry.actor) seenActors.add(entry.actor);
    }
    done();
  },
});

beforeAll(async () => {
  stack = await startTestStack({ log: pino({ level: "info" }, capture) });
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "GWS");
  productId = await createProduct(url, plant, "GWS-P", 1);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

const gatewayClient = () => {
  const c = wsClient(url);
  clients.push(c);
  return c;
};

describe("subscriptions through the gateway", () => {
  it("deliver an event with fields from two other subgraphs", async () => {
    const wo = await createWorkOrder(url, productId, "WO-GWS-1", 10);
    // Inventory: material issued to the order (materialCost); quality: an inspection of it.
    const { createMaterial: m } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "GWS-M", description: "m", unitOfMeasure: "EA" }) { id } }`,
    );
    const { createLocation: l } = await mustQuery(
      url,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "GWS-WH", name: "WH" }) { id } }`,
      { p: plant.plantId },
    );
    await mustQuery(
      url,
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "GWS-L", quantity: 10, unitCost: 2.5 }) { quantity } }`,
      { m: m.id, l: l.id },
    );
    await mustQuery(
      url,
      `mutation($m: ID!, $w: ID!, $p: ID!) { issueStock(input: { materialId: $m, workOrderId: $w, quantity: 4, plantId: $p }) { quantity } }`,
      { m: m.id, w: wo.id, p: plant.plantId },
    );
    const { createInspectionPlan: ip } = await mustQuery(
      url,
      `mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id characteristics { id } } }`,
      {
        i: { plantId: plant.plantId, code: "GWS-IP", name: "Visual", productId, characteristics: [{ name: "Visual", kind: "ATTRIBUTE" }] },
      },
    );
    await mustQuery(
      url,
      `mutation($p: ID!, $w: ID!, $c: ID!) { recordInspection(input: { planId: $p, workOrderId: $w, quantityInspected: 1, measurements: [{ characteristicId: $c, passed: true }] }) { result } }`,
      { p: ip.id, w: wo.id, c: ip.characteristics[0].id },
    );

    const sub = await subscribe(
      gatewayClient(),
      `subscription($w: ID) { workOrderStatusChanged(workOrderId: $w) { to workOrder { number materialCost inspections { items { result } } } } }`,
      { w: wo.id },
    );
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    const [event] = await sub.waitFor(1);
    expect(event).toEqual({
      workOrderStatusChanged: { to: "RELEASED", workOrder: { number: "WO-GWS-1", materialCost: 10, inspections: { items: [{ result: "PASS" }] } } },
    });
    await sub.stop();
  });

  it("pass the caller's identity to the subgraph subscription", async () => {
    // Over WebSocket the token comes in the connection parameters; the gateway passes it upstream.
    const withUser = wsClient(url, await tokenFor({ userId: "andon.board.3", organizationId: ORG, roles: ["VIEWER"] }));
    clients.push(withUser);
    const sub = await subscribe(withUser, `subscription { workOrderStatusChanged { to } }`);
    await waitUntil(() => seenActors.has("andon.board.3"));
    expect(seenActors.has("andon.board.3")).toBe(true);
    await sub.stop();
  });

  it("give 200 concurrent subscribers every event exactly once, from one shared upstream", async () => {
    const orders = await Promise.all([1, 2, 3].map((n) => createWorkOrder(url, productId, `WO-GWS-FAN${n}`, 1)));
    const query = `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { to workOrder { number } } }`;
    const connections = [gatewayClient(), gatewayClient(), gatewayClient(), gatewayClient()];
    const subs = await Promise.all(Array.from({ length: 200 }, (_, i) => subscribe(connections[i % 4]!, query, { p: plant.plantId })));
    const counters = async () =>
      (await (await fetch(url.replace(/graphql$/, "subscriptions"))).json()) as { active: number; upstreams: number; delivered: number };
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    let before = await counters();
    for (let i = 0; i < 100 && before.active < 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      before = await counters();
    }
    expect(before).toMatchObject({ active: 200, upstreams: 1 });
    for (const wo of orders) await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await Promise.all(subs.map((s) => s.waitFor(3, 15_000)));
    await new Promise((r) => setTimeout(r, 300));
    for (const sub of subs) {
      expect(sub.events.map((e) => e.workOrderStatusChanged.workOrder.number)).toEqual(["WO-GWS-FAN1", "WO-GWS-FAN2", "WO-GWS-FAN3"]);
    }
    expect((await counters()).delivered - before.delivered).toBe(600);
    await Promise.all(subs.map((s) => s.stop()));
    // The upstream closes when the last client leaves.
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount === 0);
  });

  it("let a client that reconnects with its cursor catch up", async () => {
    const orders = await Promise.all([1, 2, 3].map((n) => createWorkOrder(url, productId, `WO-GWS-C${n}`, 1)));
    const query = `subscription($p: ID, $after: ID) { workOrderStatusChanged(plantId: $p, after: $after) { cursor workOrder { number } } }`;
    const first = await subscribe(gatewayClient(), query, { p: plant.plantId });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: orders[0]!.id });
    const [seen] = await first.waitFor(1);
    await first.stop();
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount === 0);
    for (const wo of orders.slice(1)) await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    const again = await subscribe(gatewayClient(), query, { p: plant.plantId, after: seen!.workOrderStatusChanged.cursor });
    const events = await again.waitFor(2);
    expect(events.map((e) => e.workOrderStatusChanged.workOrder.number)).toEqual(["WO-GWS-C2", "WO-GWS-C3"]);
    await again.stop();
  });

  it("refuse subscriptions beyond the per-connection limit", async () => {
    const client = gatewayClient();
    const query = `subscription { workOrderStatusChanged { to } }`;
    const subs = await Promise.all(Array.from({ length: 101 }, () => subscribe(client, query)));
    await waitUntil(() => subs.some((s) => s.errors.length > 0));
    const refused = subs.filter((s) => s.errors.length > 0);
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused[0]!.errors)).toContain("At most 100 subscriptions per connection");
    await Promise.all(subs.map((s) => s.stop()));
  });

  it("resume after the subgraph is killed mid-stream: missed events in order, none twice", async () => {
    const orders = await Promise.all([1, 2, 3, 4].map((n) => createWorkOrder(url, productId, `WO-GWS-R${n}`, 1)));
    const sub = await subscribe(gatewayClient(), `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { to workOrder { number } } }`, {
      p: plant.plantId,
    });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: orders[0]!.id });
    await sub.waitFor(1);

    // Kill production; while the gateway's upstream is gone, a second production instance (same
    // database, another port) commits two transitions.
    const old = stack.subgraphs.production;
    const port = old.port;
    const config = testSubgraphConfig(old.pool.options.connectionString!);
    await old.stop();
    const replica = await startSubgraph(production, config, pino({ level: "silent" }));
    for (const wo of orders.slice(1, 3)) await mustQuery(replica.url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await replica.stop();

    // Production comes back where the gateway expects it.
    stack.subgraphs.production = await startSubgraph(production, { ...config, PORT: port }, pino({ level: "silent" }));
    await sub.waitFor(3, 15_000);
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: orders[3]!.id });
    const events = await sub.waitFor(4, 10_000);
    expect(events.map((e) => e.workOrderStatusChanged.workOrder.number)).toEqual(["WO-GWS-R1", "WO-GWS-R2", "WO-GWS-R3", "WO-GWS-R4"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.events).toHaveLength(4);
    await sub.stop();
  });
});

describe("a subscriber that does not read", () => {
  it("is ended once its queue is full, without holding back the others", async () => {
    const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([n, r]) => [n, r.url]));
    const federated = new FederatedSubscriptions(
      fs.readFileSync(SUPERGRAPH_PATH, "utf8"),
      urls,
      (n) => new RemoteGraphQLDataSource({ url: urls[n] }),
      pino({ level: "silent" }),
      { maxQueuedEvents: 3 },
    );
    const orders = await Promise.all([1, 2, 3, 4, 5].map((n) => createWorkOrder(url, productId, `WO-GWS-SLOW${n}`, 1)));
    const doc = parse(`subscription($p: ID) { workOrderStatusChanged(plantId: $p) { workOrder { number } } }`);
    const token = await tokenFor({ organizationId: ORG });
    const identity = { userId: "tester", organizationId: ORG, plantIds: null, roles: ["ADMIN" as const], token, expiresAt: null };
    const context = { requestId: "slow-test", actor: "tester", identity, log: pino({ level: "silent" }) };
    let slow = 0;
    const lazy = federated.subscribe(doc, { p: plant.plantId }, undefined, context, "", () => (slow += 1)); // never read
    const reader = federated.subscribe(doc, { p: plant.plantId }, undefined, context, "", () => (slow += 100));
    expect(federated.counters).toMatchObject({ active: 2, upstreams: 1 });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1);
    // The reader reads as events come, like a live client; the lazy one never does.
    const got: string[] = [];
    const reading = (async () => {
      for (let i = 0; i < 5; i++) {
        const next = await reader.next();
        if (next.done || next.value.errors) throw new Error(`reader: ${JSON.stringify(next)}`);
        got.push((next.value.data as { workOrderStatusChanged: { workOrder: { number: string } } }).workOrderStatusChanged.workOrder.number);
      }
    })();
    for (const wo of orders) await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await reading;
    expect(got).toEqual(orders.map((_, i) => `WO-GWS-SLOW${i + 1}`));
    // 3 queued for the lazy one, the 4th ended it; the reader was not slowed down or closed.
    expect(slow).toBe(1);
    expect(federated.counters).toMatchObject({ slowClientsClosed: 1, active: 1 });
    expect((await lazy.next()).done).toBe(false); // what was queued is still readable...
    await reader.return!();
    expect(federated.counters).toMatchObject({ active: 0, upstreams: 0 });
  });
});
