// (The subgraphs' read cache is off here: this file measures in-flight sharing at the gateway.)
// Reads are shared by what decides visibility, not by token: eight viewers of one plant asking the
// same dashboard at the same moment cost about one execution, and a viewer of another plant or
// organization asking it at the same moment never gets their answer (the cross-tenant rule for
// the gateway's in-flight sharing; subgraphs/shared/src/visibility.ts is the one key).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, bearer } from "./support/auth.ts";
import { graphql } from "./support/graphql.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";

const ORG_A = "5a1e0000-0000-4000-8000-00000000000a";
const ORG_B = "5a1e0000-0000-4000-8000-00000000000b";
let stack: TestStack;
let a1: PlantFixture;
let a2: PlantFixture;
let b1: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack({ subgraphConfig: { READ_CACHE_ENTRIES: 0 } });
  actAs({ userId: "vs.a", organizationId: ORG_A, roles: ["ADMIN"] });
  a1 = await createPlant(stack.gatewayUrl, ORG_A, "VA1", 3);
  a2 = await createPlant(stack.gatewayUrl, ORG_A, "VA2", 3);
  actAs({ userId: "vs.b", organizationId: ORG_B, roles: ["ADMIN"] });
  b1 = await createPlant(stack.gatewayUrl, ORG_B, "VB1", 3);
}, 120_000);

afterAll(async () => stack?.stop());

const DASHBOARD = `{ plants { id code timeZone } machines(limit: 50) { items { id code state stateSince } } }`;
const viewer = (userId: string, organizationId: string, plant: PlantFixture) =>
  bearer({ userId, organizationId, plantIds: [plant.plantId], roles: ["VIEWER"] });
const plantsOf = (answer: { data?: { plants?: { id: string }[] } | null }) => (answer.data?.plants ?? []).map((p) => p.id);
const equipmentSql = () => stack.subgraphs.equipment.queryStats.queries;

describe("in-flight reads shared by visibility", () => {
  it("give every caller, asking at the same moment, only what it may see", async () => {
    const callers = [
      ...(await Promise.all([1, 2, 3, 4].map((i) => viewer(`a1.viewer${i}`, ORG_A, a1)))).map((h) => ({ h, plant: a1.plantId })),
      ...(await Promise.all([1, 2].map((i) => viewer(`a2.viewer${i}`, ORG_A, a2)))).map((h) => ({ h, plant: a2.plantId })),
      ...(await Promise.all([1, 2].map((i) => viewer(`b1.viewer${i}`, ORG_B, b1)))).map((h) => ({ h, plant: b1.plantId })),
    ];
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(callers.map((c) => graphql(stack.gatewayUrl, DASHBOARD, {}, c.h)));
      expect(answers.map(plantsOf)).toEqual(callers.map((c) => [c.plant]));
    }
  });

  it("cost about one execution for many viewers of one plant", async () => {
    const viewers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => viewer(`a1.screen${i}`, ORG_A, a1)));
    let before = equipmentSql();
    for (const h of viewers) await graphql(stack.gatewayUrl, DASHBOARD, {}, h);
    const oneAfterAnother = equipmentSql() - before;
    before = equipmentSql();
    const together = await Promise.all(viewers.map((h) => graphql(stack.gatewayUrl, DASHBOARD, {}, h)));
    const atOnce = equipmentSql() - before;
    expect(together.map(plantsOf)).toEqual(viewers.map(() => [a1.plantId]));
    console.log(`equipment SQL for 8 viewers of one plant: ${oneAfterAnother} one after another, ${atOnce} at the same moment`);
    expect(atOnce).toBeLessThan(oneAfterAnother / 2);
  });
});
