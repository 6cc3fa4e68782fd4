// The subgraphs' read cache (subgraphs/shared/src/read-cache.ts) is never stale: a read that starts
// after a write was acknowledged reflects it, through the replica that wrote and through another
// replica of the same subgraph, whatever made the change (a mutation, SQL by hand), and while the
// LISTEN connection that carries the change notifications is lost. It shares answers only
// between callers of one visibility key, and a change in one plant leaves other plants' answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS, feedSources, urlVariable } from "@mes/db";
import { startSubgraph, type RunningSubgraph } from "@mes/shared";
import { DEFINITIONS, silentLogger, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { actAs, bearer } from "./support/auth.ts";
import { graphql, mustQuery } from "./support/graphql.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { adminPool, closeAdminPools } from "./support/admin.ts";

const ORG = "5a1e0000-0000-4000-8000-0000000000c1";
const OTHER_ORG = "5a1e0000-0000-4000-8000-0000000000c2";
let stack: TestStack;
let replicaB: RunningSubgraph<unknown>;
let plant: PlantFixture;
let second: PlantFixture;
let workOrderId: string;
let operationId: string;

const WORK_ORDER = `query Counts($id: ID!) { workOrder(id: $id) { priority goodQuantity operations { goodQuantity } } }`;
const PRODUCTS = `query Products { products(limit: 100) { items { code } } }`;

beforeAll(async () => {
  stack = await startTestStack();
  actAs({ userId: "rc.admin", organizationId: ORG, roles: ["ADMIN"] });
  plant = await createPlant(stack.gatewayUrl, ORG, "RC1", 1);
  second = await createPlant(stack.gatewayUrl, ORG, "RC2", 1);
  const product = await createProduct(stack.gatewayUrl, plant, "RC-P", 1);
  await createProduct(stack.gatewayUrl, second, "RC2-P", 1);
  const wo = await createWorkOrder(stack.gatewayUrl, product, "RC-WO-1", 100_000);
  workOrderId = wo.id;
  operationId = wo.operations[0]!;
  await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: workOrderId });
  await mustQuery(stack.gatewayUrl, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: operationId });
  // A second replica of production on the same database, with its own cache and LISTEN connection.
  const production = stack.subgraphs.production;
  const feeds = Object.fromEntries(feedSources("production").map((f) => [urlVariable(f), stack.subgraphs[f].url]));
  const url = (production.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  replicaB = await startSubgraph(DEFINITIONS.production, testSubgraphConfig(url, { ...feeds }), silentLogger());
}, 180_000);

afterAll(async () => {
  await replicaB?.stop();
  await closeAdminPools();
  await stack?.stop();
});

const viewerOf = (p: PlantFixture, userId = "rc.viewer") => bearer({ userId, organizationId: ORG, plantIds: [p.plantId], roles: ["VIEWER"] });
const cacheOf = (s: RunningSubgraph<unknown>) => s.readCache!;
const counts = async (url: string, headers: Record<string, string>) => {
  const answer = await graphql(url, WORK_ORDER, { id: workOrderId }, headers);
  expect(answer.errors).toBeUndefined();
  return answer.data!.workOrder as { priority: number; goodQuantity: number; operations: { goodQuantity: number }[] };
};

describe("the read cache", () => {
  it("answers a read that starts after a write with the write, at every replica, and still serves hits", async () => {
    const viewer = await viewerOf(plant);
    const replicas = [stack.subgraphs.production.url, replicaB.url];
    const hitsBefore = cacheOf(stack.subgraphs.production).stats.hits + cacheOf(replicaB).stats.hits;
    let stale = 0;
    let probes = 0;
    let expected = (await counts(stack.gatewayUrl, viewer)).goodQuantity;
    for (let i = 0; i < 40; i++) {
      // Written through the gateway (replica A), read at once through both replicas and the gateway, twice each.
      await mustQuery(stack.gatewayUrl, `mutation($op: ID!) { logProduction(input: { operationId: $op, goodQuantity: 1 }) { id } }`, {
        op: operationId,
      });
      expected += 1;
      for (let round = 0; round < 2; round++) {
        const answers = await Promise.all([...replicas, stack.gatewayUrl].map((u) => counts(u, viewer)));
        for (const a of answers) {
          probes += 1;
          if (a.goodQuantity !== expected || a.operations[0]!.goodQuantity !== expected) stale += 1;
        }
      }
    }
    const hits = cacheOf(stack.subgraphs.production).stats.hits + cacheOf(replicaB).stats.hits - hitsBefore;
    console.log(`read cache: ${probes} read-after-write probes, ${stale} stale, ${hits} answered from the caches`);
    expect(stale).toBe(0);
    expect(hits).toBeGreaterThanOrEqual(40);
  });

  it("sees changes made by SQL outside any request (any path that writes announces itself)", async () => {
    const viewer = await viewerOf(plant);
    const before = await counts(replicaB.url, viewer);
    await counts(replicaB.url, viewer); // cached now
    await adminPool(stack, "production").query(`UPDATE "WorkOrder" SET priority = priority + 7 WHERE id = $1`, [workOrderId]);
    expect((await counts(replicaB.url, viewer)).priority).toBe(before.priority + 7);
    expect((await counts(stack.subgraphs.production.url, viewer)).priority).toBe(before.priority + 7);
  });

  it("shares an answer only within one visibility key, and a change in one plant keeps the other plant's answers", async () => {
    const [one, two, foreign] = [
      await viewerOf(plant, "rc.v1"),
      await viewerOf(second, "rc.v2"),
      await bearer({ userId: "rc.f", organizationId: OTHER_ORG, roles: ["VIEWER"] }),
    ];
    const url = replicaB.url;
    const codes = async (h: Record<string, string>) =>
      ((await graphql(url, PRODUCTS, {}, h)).data!.products as { items: { code: string }[] }).items.map((p) => p.code).sort();
    expect(await codes(one)).toEqual(["RC-P"]);
    expect(await codes(two)).toEqual(["RC2-P"]);
    expect(await codes(foreign)).toEqual([]);
    // Every caller again: each its own key's answer, from the cache.
    const hits = cacheOf(replicaB).stats.hits;
    expect([await codes(one), await codes(two), await codes(foreign)]).toEqual([["RC-P"], ["RC2-P"], []]);
    expect(cacheOf(replicaB).stats.hits - hits).toBe(3);
    // A product created in the second plant: its viewers see it at once; the first plant's answer stays cached.
    await createProduct(stack.gatewayUrl, second, "RC2-Q", 1);
    const after = cacheOf(replicaB).stats.hits;
    expect(await codes(two)).toEqual(["RC2-P", "RC2-Q"]);
    expect(await codes(one)).toEqual(["RC-P"]);
    expect(cacheOf(replicaB).stats.hits - after).toBe(1);
  });

  it("never keeps an answer with errors", async () => {
    const viewer = await viewerOf(plant);
    const stored = cacheOf(replicaB).stats.stored;
    for (let i = 0; i < 2; i++) {
      const bad = await graphql(replicaB.url, WORK_ORDER, { id: "not-a-uuid" }, viewer);
      expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect(cacheOf(replicaB).stats.stored).toBe(stored);
  });

  it("serves nothing stale while its LISTEN connection is lost, and caches again once it listens", async () => {
    const viewer = await viewerOf(plant);
    const admin = adminPool(stack, "production");
    await counts(replicaB.url, viewer);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mes-live-events' AND datname = current_database()`,
    );
    for (let i = 0; i < 5; i++) {
      const { rows } = await admin.query<{ priority: number }>(`UPDATE "WorkOrder" SET priority = priority + 1 WHERE id = $1 RETURNING priority`, [
        workOrderId,
      ]);
      expect((await counts(replicaB.url, viewer)).priority).toBe(rows[0]!.priority);
      await new Promise((r) => setTimeout(r, 100));
    }
    const deadline = Date.now() + 15_000;
    let hits = cacheOf(replicaB).stats.hits;
    while (Date.now() < deadline) {
      await counts(replicaB.url, viewer);
      await counts(replicaB.url, viewer);
      if (cacheOf(replicaB).stats.hits > hits) break;
      hits = cacheOf(replicaB).stats.hits;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(cacheOf(replicaB).stats.hits).toBeGreaterThan(hits);
  });
});

// The list of subgraphs is the registry's: every one of them has a cache (on by default).
it("is on in every subgraph", () => {
  for (const name of SUBGRAPHS) expect(stack.subgraphs[name].readCache).not.toBeNull();
});
