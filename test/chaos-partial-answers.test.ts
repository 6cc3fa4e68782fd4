// A subgraph that is down costs only its own fields, also when its field is a non-null root field:
// GraphQL would null the whole answer (a non-null field's error propagates to `data`), so a
// dashboard asking for plants and shift patterns at once would lose the plants with the shifts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { startSubgraph } from "@mes/shared";
import { graphql } from "./support/graphql.ts";
import { DEFINITIONS, startTestStack, testSubgraphConfig, type TestStack } from "./support/stack.ts";
import { createPlant, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "9a7f1000-0000-4000-8000-000000000001";
actAs({ organizationId: ORG });
let stack: TestStack;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  plant = await createPlant(stack.gatewayUrl, ORG, "PA");
});
afterAll(async () => stack?.stop());

describe("a down subgraph's non-null root field", () => {
  it("is null with an error naming the subgraph, while the other subgraphs' root fields still answer", async () => {
    // shiftPatterns: [ShiftPattern!]! and crews: [Crew!]! belong to shifts; plants to equipment.
    const QUERY = `query($p: ID!) { plants { id } shiftPatterns(plantId: $p) { id } crews(plantId: $p) { id } workOrders(limit: 1) { totalCount } }`;
    const up = await graphql(stack.gatewayUrl, QUERY, { p: plant.plantId });
    expect(up.errors).toBeUndefined();

    const shifts = stack.subgraphs.shifts;
    const config = testSubgraphConfig(shifts.pool.options.connectionString!);
    await shifts.stop();
    try {
      const res = await graphql(stack.gatewayUrl, QUERY, { p: plant.plantId });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ plants: [{ id: plant.plantId }], shiftPatterns: null, crews: null, workOrders: { totalCount: 0 } });
      expect(res.errors?.length).toBeGreaterThan(0);
      for (const e of res.errors!) expect(e).toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "shifts" } });
    } finally {
      stack.subgraphs.shifts = await startSubgraph(DEFINITIONS.shifts, { ...config, PORT: shifts.port }, pino({ level: "silent" }));
    }
  });
});
