// The gateway's answer cache (gateway/src/answer-cache.ts) is never stale: a read that starts after
// a write was acknowledged reflects it, through the gateway that wrote and through another gateway
// replica, whatever made the change (a mutation, SQL by hand); answers are shared only within one
// visibility key; a change in one plant keeps the other plant's answers; answers with errors, or
// from a subgraph without a change feed, are never kept.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS, urlVariable } from "@mes/db";
import { gatewayEnv, startGateway } from "@mes/gateway";
import type { RunningService } from "@mes/shared";
import { silentLogger, startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, bearer, TEST_AUTH_ENV } from "./support/auth.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { adminPool, closeAdminPools } from "./support/admin.ts";
import { scrape, total } from "./support/prometheus.ts";

const ORG = "5a1e0000-0000-4000-8000-0000000000d1";
const OTHER_ORG = "5a1e0000-0000-4000-8000-0000000000d2";
let stack: TestStack;
let gatewayB: RunningService;
let plant: PlantFixture;
let second: PlantFixture;
let workOrderId: string;
let operationId: string;

// Reads from two subgraphs (production, and quality's inspections of the order), as a dashboard does.
const WORK_ORDER = `query Counts($id: ID!) { workOrder(id: $id) { priority goodQuantity operations { goodQuantity } product { code } inspections { totalCount } } }`;
const PRODUCTS = `query Products { products(limit: 100) { items { code } } }`;

const gatewayConfig = (extra: Record<string, string> = {}) =>
  gatewayEnv.parse({
    NODE_ENV: "test",
    PORT: "4000",
    ...TEST_AUTH_ENV,
    ...Object.fromEntries(SUBGRAPHS.map((n) => [urlVariable(n), stack.subgraphs[n].url])),
    ...extra,
  });

beforeAll(async () => {
  stack = await startTestStack();
  actAs({ userId: "ac.admin", organizationId: ORG, roles: ["ADMIN"] });
  plant = await createPlant(stack.gatewayUrl, ORG, "AC1", 1);
  second = await createPlant(stack.gatewayUrl, ORG, "AC2", 1);
  const product = await createProduct(stack.gatewayUrl, plant, "AC-P", 1);
  await createProduct(stack.gatewayUrl, second, "AC2-P", 1);
  const wo = await createWorkOrder(stack.gatewayUrl, product, "AC-WO-1", 100_000);
  workOrderId = wo.id;
  operationId = wo.operations[0]!;
  await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: workOrderId });
  await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: operationId });
  // A second gateway replica in front of the same subgraphs, with its own answer cache.
  gatewayB = await startGateway({ ...gatewayConfig(), PORT: 0 }, silentLogger());
}, 180_000);

afterAll(async () => {
  await gatewayB?.stop();
  await closeAdminPools();
  await stack?.stop();
});

const metricsOf = (graphqlUrl: string) => scrape(graphqlUrl.replace(/\/graphql$/, "/metrics"));
const hitsAt = async (url: string) => total(await metricsOf(url), "mes_gateway_answer_cache_requests_total", { result: "hit" });
const storedAt = async (url: string) => total(await metricsOf(url), "mes_gateway_answer_cache_stored_total");
const viewerOf = (p: PlantFixture, userId = "ac.viewer") => bearer({ userId, organizationId: ORG, plantIds: [p.plantId], roles: ["VIEWER"] });
type Counts = {
  priority: number;
  goodQuantity: number;
  operations: { goodQuantity: number }[];
  product: { code: string };
  inspections: { totalCount: number };
};
const counts = async (url: string, headers: Record<string, string>) => {
  const answer = await graphql(url, WORK_ORDER, { id: workOrderId }, headers);
  expect(answer.errors).toBeUndefined();
  return answer.data!.workOrder as Counts;
};
/** Reads until the gateway answers from its cache (the first reads of a visibility key start its cursors). */
const warm = async (url: string, read: () => Promise<unknown>) => {
  for (let i = 0; i < 20; i++) {
    const before = await hitsAt(url);
    await read();
    if ((await hitsAt(url)) > before) return;
  }
  throw new Error(`${url} never answered from its answer cache`);
};

describe("the gateway's answer cache", () => {
  it("answers a read that starts after a write with the write, through either gateway, and still serves hits", async () => {
    const viewer = await viewerOf(plant);
    const gateways = [stack.gatewayUrl, gatewayB.url];
    for (const g of gateways) await warm(g, () => counts(g, viewer));
    const hitsBefore = (await hitsAt(gateways[0]!)) + (await hitsAt(gateways[1]!));
    let stale = 0;
    let probes = 0;
    let expected = (await counts(stack.gatewayUrl, viewer)).goodQuantity;
    for (let i = 0; i < 30; i++) {
      // Written through one gateway (alternating), read at once through both, three times each.
      await mustQuery(gateways[i % 2]!, `mutation($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`, {
        op: operationId,
      });
      expected += 1;
      for (let round = 0; round < 3; round++) {
        for (const a of await Promise.all(gateways.map((g) => counts(g, viewer)))) {
          probes += 1;
          if (a.goodQuantity !== expected || a.operations[0]!.goodQuantity !== expected) stale += 1;
        }
      }
    }
    const hits = (await hitsAt(gateways[0]!)) + (await hitsAt(gateways[1]!)) - hitsBefore;
    console.log(`answer cache: ${probes} read-after-write probes through two gateways, ${stale} stale, ${hits} answered from the gateways' caches`);
    expect(stale).toBe(0);
    expect(hits).toBeGreaterThanOrEqual(60);
  });

  it("sees changes made by SQL outside any request", async () => {
    const viewer = await viewerOf(plant);
    await warm(gatewayB.url, () => counts(gatewayB.url, viewer));
    const before = await counts(gatewayB.url, viewer);
    await adminPool(stack, "production").query(`UPDATE "WorkOrder" SET priority = priority + 7 WHERE id = $1`, [workOrderId]);
    expect((await counts(gatewayB.url, viewer)).priority).toBe(before.priority + 7);
    await adminPool(stack, "production").query(`UPDATE "Product" SET code = 'AC-P2' WHERE code = 'AC-P'`);
    expect((await counts(gatewayB.url, viewer)).product.code).toBe("AC-P2");
    await adminPool(stack, "production").query(`UPDATE "Product" SET code = 'AC-P' WHERE code = 'AC-P2'`);
    expect((await counts(stack.gatewayUrl, viewer)).product.code).toBe("AC-P");
  });

  it("shares an answer only within one visibility key, and a change in one plant keeps the other plant's answers", async () => {
    const [one, two, foreign] = [
      await viewerOf(plant, "ac.v1"),
      await viewerOf(second, "ac.v2"),
      await bearer({ userId: "ac.f", organizationId: OTHER_ORG, roles: ["VIEWER"] }),
    ];
    const url = gatewayB.url;
    const codes = async (h: Record<string, string>) =>
      ((await graphql(url, PRODUCTS, {}, h)).data!.products as { items: { code: string }[] }).items.map((p) => p.code).sort();
    for (const h of [one, two, foreign]) await warm(url, () => codes(h));
    // Another user of each key: the key's own answer, from the cache.
    const hits = await hitsAt(url);
    const [oneAgain, twoAgain] = [await viewerOf(plant, "ac.v1b"), await viewerOf(second, "ac.v2b")];
    expect([await codes(oneAgain), await codes(twoAgain), await codes(foreign)]).toEqual([["AC-P"], ["AC2-P"], []]);
    expect((await hitsAt(url)) - hits).toBe(3);
    // A product created in the second plant: its viewers see it at once; the first plant's answer stays kept.
    await createProduct(stack.gatewayUrl, second, "AC2-Q", 1);
    const after = await hitsAt(url);
    expect(await codes(two)).toEqual(["AC2-P", "AC2-Q"]);
    expect(await codes(one)).toEqual(["AC-P"]);
    expect((await hitsAt(url)) - after).toBe(1);
  });

  it("never keeps an answer with errors, nor a mutation's", async () => {
    const viewer = await viewerOf(plant);
    const stored = await storedAt(gatewayB.url);
    for (let i = 0; i < 3; i++) {
      const bad = await graphql(gatewayB.url, WORK_ORDER, { id: "not-a-uuid" }, viewer);
      expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const admin = await bearer({ userId: "ac.admin", organizationId: ORG, roles: ["ADMIN"] });
    const ids = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      const answer = await graphql(
        gatewayB.url,
        `mutation($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`,
        { op: operationId },
        admin,
      );
      expect(answer.errors).toBeUndefined();
      ids.add((answer.data!.logProduction as { id: string }).id);
    }
    expect(ids.size).toBe(3);
    expect(await storedAt(gatewayB.url)).toBe(stored);
  });

  it("keeps a hash-only persisted query (APQ) like the full one, and never lets a hash stand for another document", async () => {
    const viewer = await viewerOf(second, "ac.apq");
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(gatewayB.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...viewer },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { data?: { products: { items: { code: string }[] } }; errors?: { extensions?: { code?: string } }[] };
    };
    const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
    const hash = createHash("sha256").update(PRODUCTS).digest("hex");
    // Unknown to this gateway: answered as Apollo answers it (send the query along).
    expect((await post({ extensions: apq(hash) })).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const full = await post({ query: PRODUCTS, extensions: apq(hash) });
    const codes = (answer: Awaited<ReturnType<typeof post>>) => answer.data?.products.items.map((p) => p.code).sort();
    expect(codes(full)).toEqual(["AC2-P", "AC2-Q"]);
    await warm(gatewayB.url, () => post({ extensions: apq(hash) }));
    expect(await post({ extensions: apq(hash) })).toEqual(full);
    // Fresh like any kept answer: a product created now is in the next hash-only read.
    await createProduct(gatewayB.url, second, "AC2-APQ", 1);
    expect(codes(await post({ extensions: apq(hash) }))).toEqual(["AC2-APQ", "AC2-P", "AC2-Q"]);
    // A text sent with another text's hash is refused, and the hash does not come to stand for it.
    const other = `query Other { products(limit: 1) { items { code } } }`;
    const otherHash = createHash("sha256").update(other).digest("hex");
    const mismatched = (await post({ query: PRODUCTS, extensions: apq(otherHash) })) as { errors?: { message: string }[] };
    expect(mismatched.errors?.[0]?.message).toBe("provided sha does not match query");
    // The text's answer is kept, yet a malformed persisted-query extension with it is refused as Apollo refuses it.
    for (const persistedQuery of [
      { version: 2, sha256Hash: hash },
      { version: "1", sha256Hash: hash },
      { version: 1, sha256Hash: hash.toUpperCase() },
      { version: 1, sha256Hash: hash.slice(1) },
      { version: 1 },
      "abc",
    ]) {
      const refused = await post({ query: PRODUCTS, extensions: { persistedQuery } });
      expect(refused.data, JSON.stringify(persistedQuery)).toBeUndefined();
      expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(persistedQuery)).toBe("BAD_REQUEST");
    }
    expect((await post({ extensions: apq(otherHash) })).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("tells a caller through /read-changes only of changes it could see, and nobody without a token", async () => {
    const url = stack.subgraphs.production.url.replace(/\/graphql$/, "/read-changes");
    const ask = async (headers: Record<string, string>, since: unknown) => {
      const res = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(since) });
      return { status: res.status, body: (await res.json()) as { feed: string; seq: number; reset: boolean; tables: string[] } };
    };
    expect((await ask({}, {})).status).toBe(401);
    const [one, two, foreign] = [
      await viewerOf(plant, "ac.c1"),
      await viewerOf(second, "ac.c2"),
      await bearer({ userId: "ac.cf", organizationId: OTHER_ORG, roles: ["VIEWER"] }),
    ];
    const start = await ask(one, {});
    expect(start.body.reset).toBe(true);
    await createProduct(stack.gatewayUrl, second, "AC2-R", 1);
    const [seenByOne, seenByTwo, seenByForeign] = await Promise.all(
      [one, two, foreign].map((h) => ask(h, { feed: start.body.feed, seq: start.body.seq })),
    );
    expect(seenByTwo!.body.tables).toContain("Product");
    expect(seenByOne!.body.tables).not.toContain("Product");
    expect(seenByForeign!.body.tables).toEqual([]);
    expect(seenByOne!.body.reset).toBe(false);
  });

  it("keeps the current shift until the next change of shift, not just a second, and shows the new shift once it starts", async () => {
    const viewer = await viewerOf(second, "ac.shift");
    const CURRENT = `query Current($p: ID!) { plant(id: $p) { currentShift { name startsAt } } }`;
    const current = async (url = gatewayB.url) => {
      const answer = await graphql(url, CURRENT, { p: second.plantId }, viewer);
      expect(answer.errors).toBeUndefined();
      return (answer.data!.plant as { currentShift: { name: string } | null }).currentShift;
    };
    const { createShiftPattern } = await mustQuery(
      stack.gatewayUrl,
      `mutation($i: CreateShiftPatternInput!) { createShiftPattern(input: $i) { id } }`,
      { i: { plantId: second.plantId, name: "Soon", timeZone: "UTC", startTime: "06:00", durationMinutes: 480, breaks: [] } },
    );
    // A shift starting 6 s from now, written by hand (the write itself is announced; the start is not).
    const { rows } = await adminPool(stack, "shifts").query<{ starts: Date }>(
      `INSERT INTO "Shift" (id, "organizationId", "plantId", "patternId", "businessDate", "startsAt", "endsAt")
       VALUES (gen_random_uuid(), $1, $2, $3, DATE '2099-01-01', now() + interval '6 seconds', now() + interval '1 hour') RETURNING "startsAt" AS starts`,
      [ORG, second.plantId, (createShiftPattern as { id: string }).id],
    );
    const starts = rows[0]!.starts.getTime();
    // Read through the other gateway first: gateway B then gets the subgraph's kept answer, which
    // must say the time it has left, not the time it had.
    expect(await current(stack.gatewayUrl)).toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    await warm(gatewayB.url, current);
    expect(await current()).toBeNull();
    // Past the clock's 1 s, before the start: still answered from the cache.
    await new Promise((r) => setTimeout(r, 1200));
    const hits = await hitsAt(gatewayB.url);
    const before = await current();
    if (Date.now() < starts - 200) {
      expect(before).toBeNull();
      expect((await hitsAt(gatewayB.url)) - hits).toBe(1);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, starts - Date.now() + 50)));
    expect((await current())?.name).toBe("Soon");
  });
});
