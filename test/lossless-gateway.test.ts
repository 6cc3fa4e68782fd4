import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { pino } from "pino";
import { parse, type ExecutionResult } from "graphql";
import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { SUBGRAPHS, urlVariable, type SubgraphName } from "@mes/db";
import { pruneOutbox, prunedUpTo, startSubgraph, type Identity } from "@mes/shared";
import { gatewayEnv, startGateway } from "@mes/gateway";
import { dedupedFetch } from "../gateway/src/subgraph-fetch.ts";
import { SubscriptionLimiter } from "../gateway/src/subscription-limits.ts";
import { FederatedSubscriptions } from "../gateway/src/subscriptions.ts";
import { SUPERGRAPH_PATH } from "../gateway/src/composition.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { DEFINITIONS, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { subscribe, waitUntil, wsClient, type Collector } from "./support/ws-client.ts";
import { TEST_AUTH_ENV, actAs, tokenFor } from "./support/auth.ts";

const ORG = "c0c0c0c0-2222-4333-8444-dededededede";
actAs({ organizationId: ORG });
const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RELEASE = `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`;
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    gatewayEnv: {
      // A quiet stream moves its resume position every 500 ms here (a minute by default).
      SUBSCRIPTION_POSITION_REFRESH_MS: "500",
      // Far less than the backlogs below: catching up must not count against it.
      SUBSCRIPTION_QUEUE_MAX: "100",
      SUBSCRIPTIONS_PER_USER: "100",
    },
  });
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "LGW");
  productId = await createProduct(url, plant, "LGW-P", 1);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

const gatewayClient = (token?: string) => {
  const c = wsClient(url, token);
  clients.push(c);
  return c;
};
const counters = async () => (await (await fetch(url.replace(/graphql$/, "subscriptions"))).json()) as Record<string, number>;
const cursors = (sub: Collector<any>) => sub.events.map((e) => e.workOrderStatusChanged.cursor as string);
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}

/** Restarts a subgraph on its port; `whileDown` runs against a replica on the same database meanwhile. */
async function restart(name: SubgraphName, whileDown?: (replicaUrl: string) => Promise<void>): Promise<void> {
  const old = stack.subgraphs[name];
  const config = testSubgraphConfig(old.pool.options.connectionString!);
  await old.stop();
  if (whileDown) {
    const replica = await startSubgraph(DEFINITIONS[name], config, silent);
    try {
      await whileDown(replica.url);
    } finally {
      await replica.stop();
    }
  }
  stack.subgraphs[name] = await startSubgraph(DEFINITIONS[name], { ...config, PORT: old.port }, silent);
}

/** Writes `count` status events of a work order straight into production's outbox, as appendEvent does; their cursors. */
async function appendStatusEvents(count: number, wo: { id: string; number: string }): Promise<string[]> {
  const client = await stack.subgraphs.production.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [0x4d45535f]);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "OutboxEvent" ("organizationId", "plantId", "type", "aggregateId", "payload", "actor")
       SELECT $1::uuid, $2::uuid, 'WorkOrderStatusChanged', $3,
              jsonb_build_object('workOrderId', $3::text, 'number', $4::text, 'from', 'RELEASED', 'to', 'ON_HOLD', 'actor', 'test',
                                 'reason', NULL, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'test'
       FROM generate_series(1, $5::int) ORDER BY 1 RETURNING id::text`,
      [ORG, plant.plantId, wo.id, wo.number, count],
    );
    await client.query("SELECT pg_notify('outbox', 'WorkOrderStatusChanged')");
    await client.query("COMMIT");
    return rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  } finally {
    client.release();
  }
}

const STATUS = `subscription($w: ID, $after: ID) { workOrderStatusChanged(workOrderId: $w, after: $after) { cursor to } }`;
const noUpstreams = () => waitUntil(() => stack.subgraphs.production.live.subscriberCount === 0, 15_000);

describe("gateway streams across upstream restarts", () => {
  it("a quiet stream subscribed without a cursor gets what was committed while its subgraph was down", async () => {
    const orders = await Promise.all([1, 2, 3].map((n) => createWorkOrder(url, productId, `WO-LGW-Q${n}`, 1)));
    const sub = await subscribe(gatewayClient(), `subscription($p: ID) { workOrderStatusChanged(plantId: $p) { to workOrder { number } } }`, {
      p: plant.plantId,
    });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1, 15_000);
    // It has delivered nothing when production goes away; a replica commits two transitions meanwhile.
    await restart("production", async (replica) => {
      for (const wo of orders.slice(0, 2)) await mustQuery(replica, RELEASE, { id: wo.id });
    });
    await mustQuery(url, RELEASE, { id: orders[2]!.id });
    const events = await sub.waitFor(3, 20_000);
    expect(events.map((e) => e.workOrderStatusChanged.workOrder.number)).toEqual(["WO-LGW-Q1", "WO-LGW-Q2", "WO-LGW-Q3"]);
    await sleep(300);
    expect(sub.events).toHaveLength(3);
    await sub.stop();
    await noUpstreams();
  });

  it("repeats nothing after an upstream drop, though events were received and not yet resolved", async () => {
    const created = await createWorkOrder(url, productId, "WO-LGW-D", 1);
    const wo = { id: created.id, number: "WO-LGW-D" };
    // materialCost comes from inventory: each event waits for a fetch there before it is delivered.
    const sub = await subscribe(
      gatewayClient(),
      `subscription($w: ID) { workOrderStatusChanged(workOrderId: $w) { cursor workOrder { number materialCost } } }`,
      { w: wo.id },
    );
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1, 15_000);
    const burst = await appendStatusEvents(60, wo);
    await waitUntil(() => sub.events.length >= 1, 15_000);
    await restart("production");
    const later = await appendStatusEvents(2, wo);
    await sub.waitFor(burst.length + later.length, 30_000);
    await sleep(300);
    expect(sub.errors).toEqual([]);
    expect(cursors(sub)).toEqual([...burst, ...later]);
    await sub.stop();
    await noUpstreams();
  });

  it("a filtered stream survives a restart after other events were pruned past its last own event", async () => {
    const mine = await createWorkOrder(url, productId, "WO-LGW-F1", 1);
    const other = await createWorkOrder(url, productId, "WO-LGW-F2", 1);
    const sub = await subscribe(gatewayClient(), STATUS, { w: mine.id });
    await waitUntil(() => stack.subgraphs.production.live.subscriberCount >= 1, 15_000);
    await mustQuery(url, RELEASE, { id: mine.id });
    await sub.waitFor(1, 10_000);
    const others = await appendStatusEvents(50, { id: other.id, number: "WO-LGW-F2" });
    // Everything so far ages past retention and is pruned, its own event included.
    // Followers of production's feed pass them first (else pruning would leave them behind it).
    await Promise.all(Object.values(stack.subgraphs).flatMap((s) => s.consumers.map((c) => c.drain())));
    const pool = stack.subgraphs.production.pool;
    await pool.query(`UPDATE "OutboxEvent" SET "createdAt" = now() - interval '30 days'`);
    await pruneOutbox(pool, 24);
    expect(await prunedUpTo(pool)).toBeGreaterThanOrEqual(BigInt(others.at(-1)!));
    // The quiet stream's resume position follows the stream meanwhile, not just its own events.
    await sleep(3000);
    await restart("production");
    const [next] = await appendStatusEvents(1, { id: mine.id, number: "WO-LGW-F1" });
    const events = await sub.waitFor(2, 20_000);
    expect(sub.errors).toEqual([]);
    expect(events[1]!.workOrderStatusChanged.cursor).toBe(next);
    await sub.stop();
    await noUpstreams();
  });
});

describe("clients resuming from a cursor", () => {
  it("a client 3,000 events behind while live ones keep coming gets every one in order, once", async () => {
    const created = await createWorkOrder(url, productId, "WO-LGW-B", 1);
    const wo = { id: created.id, number: "WO-LGW-B" };
    const [from] = await appendStatusEvents(1, wo);
    const backlog = await appendStatusEvents(3000, wo);
    const sub = await subscribe(gatewayClient(), STATUS, { w: wo.id, after: from });
    const live: string[] = [];
    for (let i = 0; i < 10; i++) {
      live.push(...(await appendStatusEvents(20, wo)));
      await sleep(50);
    }
    const expected = [...backlog, ...live];
    await sub.waitFor(expected.length, 90_000);
    await sleep(300);
    expect(sub.errors).toEqual([]);
    expect(cursors(sub)).toEqual(expected);
    // It has caught up: it reads the shared stream now.
    await eventually(async () => (await counters()).catchingUp === 0);
    expect(await counters()).toMatchObject({ upstreams: 1, slowClientsClosed: 0 });
    await sub.stop();
    await noUpstreams();
  }, 150_000);

  it("200 clients resuming from different cursors end up sharing one upstream", async () => {
    const created = await createWorkOrder(url, productId, "WO-LGW-S", 1);
    const wo = { id: created.id, number: "WO-LGW-S" };
    const missed = await appendStatusEvents(200, wo);
    // Four tablets' accounts (SUBSCRIPTIONS_PER_USER is 100 here), two sockets each.
    const tokens = await Promise.all([0, 1, 2, 3].map((n) => tokenFor({ userId: `tablet.${n}`, organizationId: ORG, roles: ["VIEWER"] })));
    const sockets = tokens.flatMap((t) => [gatewayClient(t), gatewayClient(t)]);
    const subs = await Promise.all(missed.map((after, i) => subscribe(sockets[i % sockets.length]!, STATUS, { w: wo.id, after })));
    await Promise.all(subs.map((s, i) => s.waitFor(missed.length - 1 - i, 60_000)));
    const live = await appendStatusEvents(3, wo);
    await Promise.all(subs.map((s, i) => s.waitFor(missed.length - 1 - i + live.length, 30_000)));
    await sleep(300);
    subs.forEach((s, i) => {
      expect(s.errors).toEqual([]);
      expect(cursors(s)).toEqual([...missed.slice(i + 1), ...live]);
    });
    await eventually(async () => {
      const c = await counters();
      return c.catchingUp === 0 && c.upstreams === 1;
    });
    expect(stack.subgraphs.production.live.subscriberCount).toBe(1);
    await Promise.all(subs.map((s) => s.stop()));
    await noUpstreams();
  }, 150_000);
});

describe("a catching-up client that stops reading", () => {
  it("reads on at its own pace, never ended as too slow, while another catches up and goes live", async () => {
    const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([n, r]) => [n, r.url]));
    const federated = new FederatedSubscriptions(
      fs.readFileSync(SUPERGRAPH_PATH, "utf8"),
      urls,
      (n) => new RemoteGraphQLDataSource({ url: urls[n] }),
      silent,
      // A live queue of 3 and pages of 10: a client 50 events behind the others reads on by itself.
      { maxQueuedEvents: 3, catchUpPage: 10, positionRefreshMs: 500 },
    );
    const created = await createWorkOrder(url, productId, "WO-LGW-P", 1);
    const wo = { id: created.id, number: "WO-LGW-P" };
    const [from] = await appendStatusEvents(1, wo);
    const backlog = await appendStatusEvents(300, wo);
    const token = await tokenFor({ organizationId: ORG });
    const identity = { userId: "tester", organizationId: ORG, plantIds: null, roles: ["ADMIN" as const], token, expiresAt: null };
    const context = { requestId: "pace-test", actor: "tester", identity, log: silent };
    let slow = 0;
    const subscribeFrom = () => federated.subscribe(parse(STATUS), { w: wo.id, after: from }, undefined, context, "", () => (slow += 1));
    const cursorOf = (r: IteratorResult<ExecutionResult>) => (r.value?.data as any)?.workOrderStatusChanged.cursor as string;
    const readN = async (it: AsyncIterableIterator<ExecutionResult>, n: number) => {
      const got: string[] = [];
      while (got.length < n) got.push(cursorOf(await it.next()));
      return got;
    };
    const lazy = subscribeFrom(); // not read for now
    const reader = subscribeFrom();
    expect(await readN(reader, backlog.length)).toEqual(backlog);
    const live = await appendStatusEvents(5, wo);
    expect(await readN(reader, live.length)).toEqual(live);
    expect(federated.counters).toMatchObject({ catchingUp: 1, slowClientsClosed: 0 });
    // Now the lazy one reads everything, in order, once; then it is live too, on the one upstream.
    expect(await readN(lazy, backlog.length + live.length)).toEqual([...backlog, ...live]);
    await waitUntil(() => federated.counters.catchingUp === 0, 15_000);
    const [next] = await appendStatusEvents(1, wo);
    expect(await readN(lazy, 1)).toEqual([next]);
    expect(await readN(reader, 1)).toEqual([next]);
    expect(federated.counters).toMatchObject({ upstreams: 1, slowClientsClosed: 0 });
    expect(slow).toBe(0);
    await lazy.return!();
    await reader.return!();
    expect(federated.counters).toMatchObject({ active: 0, upstreams: 0 });
    federated.close();
  });
});

describe("subscription limits", () => {
  it("refuse a user's 101st subscription across sockets while another user can still subscribe", async () => {
    const created = await createWorkOrder(url, productId, "WO-LGW-L", 1);
    const token = await tokenFor({ userId: "one.viewer", organizationId: ORG, roles: ["VIEWER"] });
    const sockets = [gatewayClient(token), gatewayClient(token), gatewayClient(token)];
    const subs = await Promise.all(Array.from({ length: 101 }, (_, i) => subscribe(sockets[i % 3]!, STATUS, { w: created.id })));
    await waitUntil(() => subs.some((s) => s.errors.length > 0), 15_000);
    const refused = subs.filter((s) => s.errors.length > 0);
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused[0]!.errors)).toContain("At most 100 subscriptions per user");
    expect(JSON.stringify(refused[0]!.errors)).toContain("TOO_MANY_SUBSCRIPTIONS");
    const another = await subscribe(gatewayClient(await tokenFor({ userId: "another.viewer", organizationId: ORG, roles: ["VIEWER"] })), STATUS, {
      w: created.id,
    });
    // A slot is given back when a subscription ends.
    await subs.find((s) => s.errors.length === 0)!.stop();
    await sleep(200);
    const again = await subscribe(sockets[0]!, STATUS, { w: created.id });
    await sleep(300);
    const [event] = await appendStatusEvents(1, { id: created.id, number: "WO-LGW-L" });
    for (const s of [another, again]) {
      await s.waitFor(1, 10_000);
      expect(cursors(s)).toEqual([event]);
    }
    await Promise.all([...subs, another, again].map((s) => s.stop()));
    await noUpstreams();
  });

  it("hold per organization and in total too", () => {
    const limiter = new SubscriptionLimiter({ perConnection: 10, perUser: 4, perOrganization: 6, total: 8 });
    const who = (userId: string, organizationId: string): Identity => ({
      userId,
      organizationId,
      plantIds: null,
      roles: ["VIEWER"],
      token: "t",
      expiresAt: null,
    });
    const take = (socket: object, identity: Identity) => limiter.acquire(socket, identity);
    const [a, b, c] = [{}, {}, {}];
    const slots = [...Array.from({ length: 4 }, () => take(a, who("u1", "o1"))), ...Array.from({ length: 2 }, () => take(b, who("u2", "o1")))];
    expect(slots.every((s) => "release" in s)).toBe(true);
    expect(take(c, who("u3", "o1"))).toEqual({ refused: expect.stringContaining("organization has 6 subscriptions open") });
    expect("release" in take(c, who("u4", "o2"))).toBe(true);
    expect("release" in take(c, who("u4", "o2"))).toBe(true);
    expect(take(c, who("u5", "o3"))).toEqual({ refused: expect.stringContaining("at its subscription limit") });
    (slots[0] as { release(): void }).release();
    (slots[0] as { release(): void }).release(); // once only
    expect("release" in take(c, who("u3", "o1"))).toBe(true);
    expect(take(c, who("u3", "o1"))).toEqual({ refused: expect.stringContaining("organization") });
  });
});

describe("a subgraph that is down or hung", () => {
  const QUERY = `{ plants { name currentShift { name } } workOrders(limit: 1) { totalCount } }`;

  it("costs only its own fields (null, SUBGRAPH_UNAVAILABLE naming it), and /ready stays 200 and reports it", async () => {
    const shifts = stack.subgraphs.shifts;
    const config = testSubgraphConfig(shifts.pool.options.connectionString!);
    await shifts.stop();
    try {
      const res = await graphql(url, QUERY);
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ plants: [{ name: "Plant", currentShift: null }], workOrders: { totalCount: expect.any(Number) } });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "shifts" } });
      expect(res.errors![0]!.message).toMatch(/^The shifts subgraph /);
      const ready = await fetch(url.replace(/graphql$/, "ready"));
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.ready).toBe(true);
      expect(body.checks.shifts).toMatchObject({ ok: false, detail: expect.stringContaining("SUBGRAPH_UNAVAILABLE") });
      expect(body.checks.production!.ok).toBe(true);
    } finally {
      stack.subgraphs.shifts = await startSubgraph(DEFINITIONS.shifts, { ...config, PORT: shifts.port }, silent);
    }
    expect((await graphql(url, QUERY)).errors).toBeUndefined();
  });

  it("that does not answer costs only its fields, with a timeout error naming it", async () => {
    const hung = http.createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    const hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}/graphql`;
    const urls = Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), n === "shifts" ? hungUrl : stack.subgraphs[n].url]));
    const config = gatewayEnv.parse({ NODE_ENV: "test", PORT: "4000", SUBGRAPH_TIMEOUT_MS: "300", ...TEST_AUTH_ENV, ...urls });
    const gateway = await startGateway({ ...config, PORT: 0 }, silent);
    try {
      const res = await graphql(gateway.url, QUERY);
      expect(res.data).toEqual({ plants: [{ name: "Plant", currentShift: null }], workOrders: { totalCount: expect.any(Number) } });
      expect(res.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining("The shifts subgraph did not answer within 300 ms"),
          extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "shifts" },
        }),
      ]);
    } finally {
      await gateway.stop();
      hung.closeAllConnections();
      hung.close();
    }
  });

  it("reads on a reset keep-alive connection are sent once more; mutations never", async () => {
    let requests = 0;
    // The first request of each pair finds its connection closed under it, as during a restart.
    const standIn = http.createServer((req, res) => {
      requests += 1;
      if (requests % 2 === 1) {
        req.socket.destroy();
        return;
      }
      res.setHeader("content-type", "application/json").end(JSON.stringify({ data: { ok: true } }));
    });
    await new Promise<void>((r) => standIn.listen(0, "127.0.0.1", r));
    const standInUrl = `http://127.0.0.1:${(standIn.address() as { port: number }).port}/graphql`;
    const fetcher = dedupedFetch(5000);
    const send = (query: string) =>
      fetcher(standInUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    try {
      expect(await (await send("query { ok }")).json()).toEqual({ data: { ok: true } });
      expect(requests).toBe(2);
      requests = 0;
      await expect(send("mutation { ok }")).rejects.toThrow();
      expect(requests).toBe(1);
    } finally {
      standIn.close();
    }
  });
});
