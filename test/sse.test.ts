import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "graphql-sse";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { waitUntil } from "./support/ws-client.ts";
import { actAs, tokenFor } from "./support/auth.ts";

// Subscriptions over Server-Sent Events (graphql-sse protocol, distinct connections mode), with the
// official graphql-sse client: same streams, limits and cursors as over graphql-ws.
const ORG = "5e5e5e5e-1111-4222-8333-444444444444";
const OTHER_ORG = "5e5e5e5e-9999-4222-8333-444444444444";
actAs({ organizationId: ORG });
const RELEASE = `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`;
const STATUS = `subscription($p: ID, $after: ID) { workOrderStatusChanged(plantId: $p, after: $after) { cursor to workOrder { number } } }`;
const ANY_STATUS = `subscription { workOrderStatusChanged { cursor workOrder { number } } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: TestStack;
let url: string;
let streamUrl: string;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  streamUrl = `${url}/stream`;
  plant = await createPlant(url, ORG, "SSE");
  productId = await createProduct(url, plant, "SSE-P", 1);
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await stack?.stop();
});

interface Event {
  workOrderStatusChanged: { cursor: string; to: string; workOrder: { number: string } };
}

/** Subscribes over SSE with the official client and collects what arrives. */
function sseSubscribe(token: string, query: string, variables: Record<string, unknown> = {}) {
  const client = createClient({ url: streamUrl, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(client);
  const events: Event[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe<Event>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data as Event);
      },
      error: (err) => errors.push(err),
      complete: () => (completed = true),
    },
  );
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    numbers: () => events.map((e) => e.workOrderStatusChanged.workOrder.number),
    stop: dispose,
  };
}

const upstreams = () => stack.subgraphs.production.live.subscriberCount;

describe("subscriptions over Server-Sent Events", () => {
  it("delivers a mutation's event, resumes with after exactly once, and shows another organization nothing", async () => {
    const orders = await Promise.all([1, 2, 3, 4].map((n) => createWorkOrder(url, productId, `WO-SSE-${n}`, 1)));
    const stranger = sseSubscribe(await tokenFor({ organizationId: OTHER_ORG, userId: "stranger" }), ANY_STATUS);
    const first = sseSubscribe(await tokenFor({ organizationId: ORG }), STATUS, { p: plant.plantId });
    await waitUntil(() => upstreams() >= 2, 15_000);

    await mustQuery(url, RELEASE, { id: orders[0]!.id });
    await waitUntil(() => first.events.length >= 1, 10_000);
    expect(first.errors).toEqual([]);
    expect(first.numbers()).toEqual(["WO-SSE-1"]);
    const cursor = first.events[0]!.workOrderStatusChanged.cursor;

    // The client goes away; two transitions happen while it is gone.
    first.stop();
    await waitUntil(() => upstreams() <= 1, 15_000);
    for (const wo of orders.slice(1, 3)) await mustQuery(url, RELEASE, { id: wo.id });

    const resumed = sseSubscribe(await tokenFor({ organizationId: ORG }), STATUS, { p: plant.plantId, after: cursor });
    await waitUntil(() => resumed.events.length >= 2, 15_000);
    await waitUntil(() => upstreams() >= 2, 15_000);
    await mustQuery(url, RELEASE, { id: orders[3]!.id });
    await waitUntil(() => resumed.events.length >= 3, 10_000);
    await sleep(500);
    expect(resumed.errors).toEqual([]);
    expect(resumed.numbers()).toEqual(["WO-SSE-2", "WO-SSE-3", "WO-SSE-4"]);
    const cursors = resumed.events.map((e) => BigInt(e.workOrderStatusChanged.cursor));
    expect(cursors.every((c, i) => c > (i ? cursors[i - 1]! : BigInt(cursor)))).toBe(true);

    expect(stranger.events).toEqual([]);
    expect(stranger.errors).toEqual([]);
    resumed.stop();
    stranger.stop();
    await waitUntil(() => upstreams() === 0, 15_000);
  });

  it("counts SSE streams in the gateway's subscription counters and limits like graphql-ws", async () => {
    const sub = sseSubscribe(await tokenFor({ organizationId: ORG }), STATUS, { p: plant.plantId });
    const counters = async () => (await (await fetch(url.replace(/graphql$/, "subscriptions"))).json()) as { active: number };
    await waitUntil(() => upstreams() >= 1, 15_000);
    expect((await counters()).active).toBe(1);
    sub.stop();
    await waitUntil(() => upstreams() === 0, 15_000);
    expect((await counters()).active).toBe(0);
  });

  it("refuses a stream without a token (401) and a request that does not accept text/event-stream (406)", async () => {
    const body = JSON.stringify({ query: STATUS });
    const anonymous = await fetch(streamUrl, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
    const token = await tokenFor({ organizationId: ORG });
    const plain = await fetch(streamUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
      body,
    });
    expect(plain.status).toBe(406);
  });

  it("answers a bad cursor as an error event, as graphql-ws does", async () => {
    const sub = sseSubscribe(await tokenFor({ organizationId: ORG }), STATUS, { p: plant.plantId, after: "not-a-cursor" });
    await waitUntil(() => sub.errors.length > 0, 10_000);
    expect(sub.errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    sub.stop();
  });
});
