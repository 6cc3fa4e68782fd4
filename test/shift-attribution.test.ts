// Production attributed to the right shift (issue 15): logProduction refuses a shift whose window
// does not contain the logged time (5 minutes of clock skew allowed at the edges), and production's
// Shift.producedQuantity and equipment's Shift.oee counts follow one rule (docs/kpis/production.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "7e2f4a6b-8c0d-4e1f-9a3b-5c7d9e1f3a5b";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let day: { id: string };
let late: { id: string };
let op: string;
let workOrderId: string;

async function shiftOf(name: string, startTime: string) {
  const { createShiftPattern: p } = await mustQuery(
    url,
    `mutation($p: ID!, $n: String!, $s: String!) { createShiftPattern(input: { plantId: $p, name: $n, timeZone: "Europe/Berlin", startTime: $s, durationMinutes: 480 }) { id } }`,
    { p: plant.plantId, n: name, s: startTime },
  );
  const { generateShifts } = await mustQuery(
    url,
    `mutation($id: ID!) { generateShifts(patternId: $id, fromDate: "2026-01-20", toDate: "2026-01-20") { id startsAt endsAt } }`,
    { id: p.id },
  );
  return generateShifts[0] as { id: string; startsAt: string; endsAt: string };
}

const log = (good: number, scrap: number, shiftId: string | null, loggedAt?: string) =>
  graphql(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
    i: { operationId: op, goodQuantity: good, scrapQuantity: scrap, ...(loggedAt ? { loggedAt } : {}), ...(shiftId ? { shiftId } : {}) },
  });

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "ATT", 1);
  // Day 06:00-14:00 and Late 14:00-22:00 Berlin (winter, UTC+1): 05:00Z-13:00Z and 13:00Z-21:00Z.
  day = await shiftOf("Day", "06:00");
  late = await shiftOf("Late", "14:00");
  const wo = await createWorkOrder(url, await createProduct(url, plant, "ATT-P", 1), "WO-ATT", 1000);
  op = wo.operations[0]!;
  workOrderId = wo.id;
  await mustQuery(url, `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m) { id } }`, { id: op, m: plant.machineIds[0] });
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
  await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
});
afterAll(async () => stack?.stop());

describe("the shift a production log names", () => {
  it("must contain the log's time, 5 minutes of clock skew allowed at either edge", async () => {
    const after = await log(5, 0, day.id, "2026-01-20T13:05:01Z");
    expect(after.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ field: "input.shiftId" }, { field: "input.loggedAt" }],
    });
    const before = await log(5, 0, late.id, "2026-01-20T12:54:00Z");
    expect(before.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [{ field: "input.shiftId" }, { field: "input.loggedAt" }],
    });
    expect(before.errors?.[0]?.message).toMatch(/before the shift starts/);
    // Without loggedAt the log is made now, months after the shift: only the shift is named.
    const now = await log(5, 0, day.id);
    expect(now.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.shiftId" }] });
    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { operations { goodQuantity productionLogs { totalCount items { id } } } } }`,
      {
        id: workOrderId,
      },
    );
    expect(workOrder.operations).toEqual([{ goodQuantity: 0, productionLogs: { totalCount: 0, items: [] } }]); // nothing written
  });

  it("gives equal numbers in production's Shift.producedQuantity and equipment's shift OEE", async () => {
    for (const [good, scrap, shiftId, loggedAt] of [
      [100, 2, day.id, "2026-01-20T10:00:00Z"], // Day, in its window
      [50, 1, day.id, "2026-01-20T13:04:00Z"], // names Day, entered 4 minutes after it ended: Day
      [30, 0, null, "2026-01-20T12:00:00Z"], // names no shift, in Day's window: Day
      [20, 0, late.id, "2026-01-20T12:56:00Z"], // names Late, made 4 minutes before it began: Late
      [7, 1, null, "2026-01-20T13:00:00Z"], // names no shift, at Late's start (Day's end is exclusive): Late
    ] as const) {
      const r = await log(good, scrap, shiftId, loggedAt);
      expect(r.errors).toBeUndefined();
    }
    const counts = stack.subgraphs.equipment.consumers.find((c) => c.status?.().feed === "equipment<-production:counts");
    await counts!.drain();
    const q = `query($id: ID!) { shift(id: $id) { producedQuantity scrappedQuantity oee { goodCount totalCount } } }`;
    // Day 100 + 50 + 30 = 180 good, 3 scrap; Late 20 + 7 = 27 good, 1 scrap: the same on both sides.
    expect((await mustQuery(url, q, { id: day.id })).shift).toEqual({
      producedQuantity: 180,
      scrappedQuantity: 3,
      oee: { goodCount: 180, totalCount: 183 },
    });
    expect((await mustQuery(url, q, { id: late.id })).shift).toEqual({
      producedQuantity: 27,
      scrappedQuantity: 1,
      oee: { goodCount: 27, totalCount: 28 },
    });
  });
});
