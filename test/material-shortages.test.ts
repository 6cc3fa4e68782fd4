import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

// SQL per request is what this file measures: every request runs (the read cache would answer repeats).
const UNCACHED = { READ_CACHE_ENTRIES: 0 };

// "Which open work orders are short of material" is one request through the gateway: production
// lists the orders and their requirements, inventory works out each line's shortage (@requires).
const ORG = "5a0e7a9e-0000-4000-8000-000000000017";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let warehouse: string;

// Each request's SQL count is in its log line (sqlQueries), found by its request id.
const logLines: { requestId?: string; msg?: string; sqlQueries?: number }[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n")) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

beforeAll(async () => {
  stack = await startTestStack({ log: pino({ level: "info" }, capture), subgraphConfig: UNCACHED });
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG);
  const { createLocation } = await mustQuery(
    url,
    `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "WH", name: "Warehouse" }) { id } }`,
    {
      p: plant.plantId,
    },
  );
  warehouse = createLocation.id;
});
afterAll(async () => stack?.stop());

async function material(code: string) {
  const { createMaterial } = await mustQuery(
    url,
    `mutation($c: String!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA" }) { id } }`,
    {
      c: code,
    },
  );
  return createMaterial.id as string;
}
async function receive(materialId: string, lotNumber: string, quantity: number, unitCost: number) {
  const { receiveStock } = await mustQuery(url, `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { transactions { lot { id } } } }`, {
    i: { materialId, locationId: warehouse, lotNumber, quantity, unitCost },
  });
  return receiveStock.transactions[0].lot.id as string;
}
async function release(workOrderId: string) {
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: workOrderId });
  await stack.subgraphs.inventory.consumers[0]!.drain();
}

const SHORT_OF_MATERIAL = `query($p: ID!) {
  workOrders(plantId: $p, status: [RELEASED, IN_PROGRESS, ON_HOLD]) {
    items { number materialShortages {
      material { code } requiredQuantity issuedQuantity stillNeededQuantity reservedQuantity availableQuantity shortQuantity
    } }
  }
}`;
const openOrders = async () => (await mustQuery(url, SHORT_OF_MATERIAL, { p: plant.plantId })).workOrders.items;

describe("WorkOrder.materialShortages", () => {
  let steel: string;
  let order: { id: string };
  let planned: { id: string };

  it("answers which open orders are short of material in one request: short of steel, not of bolts", async () => {
    steel = await material("SHORT-STEEL");
    const bolt = await material("SHORT-BOLT");
    await receive(steel, "ST-1", 30, 1);
    await receive(bolt, "BO-1", 500, 0.1);
    const product = await createProduct(url, plant, "SHORT-P", 1, [
      { materialId: steel, quantityPer: 2 },
      { materialId: bolt, quantityPer: 4 },
    ]);
    order = await createWorkOrder(url, product, "WO-SHORT", 20);
    planned = await createWorkOrder(url, product, "WO-PLANNED", 100);
    await release(order.id);

    // Steel: 20 × 2 = 40 required and reserved, 30 on hand: available 30 − 40 = −10, the order can
    // get 40 − 10 = 30, short 10. Bolts: 80 reserved of 500, covered. The planned order is not open.
    expect(await openOrders()).toEqual([
      {
        number: "WO-SHORT",
        materialShortages: [
          {
            material: { code: "SHORT-STEEL" },
            requiredQuantity: 40,
            issuedQuantity: 0,
            stillNeededQuantity: 40,
            reservedQuantity: 40,
            availableQuantity: -10,
            shortQuantity: 10,
          },
        ],
      },
    ]);
  });

  it("counts issues and returns: what was issued is no longer needed, a return is needed again", async () => {
    await mustQuery(url, `mutation($i: IssueStockInput!) { issueStock(input: $i) { quantity } }`, {
      i: { materialId: steel, workOrderId: order.id, quantity: 12, plantId: plant.plantId },
    });
    const lotId = (await mustQuery(url, `{ lots(materialId: "${steel}") { items { id } } }`)).lots.items[0].id;
    await mustQuery(url, `mutation($i: ReturnStockInput!) { returnStock(input: $i) { quantity } }`, {
      i: { materialId: steel, workOrderId: order.id, lotId, locationId: warehouse, quantity: 2 },
    });
    // Issued 12, returned 2: net 10, still needed 30. On hand 30 − 12 + 2 = 20; reserved 40 − 12 = 28
    // (a return does not reserve again): available −8, the order can get 28 − 8 = 20, short 10.
    const [wo] = await openOrders();
    expect(wo.materialShortages).toEqual([
      expect.objectContaining({ issuedQuantity: 10, stillNeededQuantity: 30, reservedQuantity: 28, availableQuantity: -8, shortQuantity: 10 }),
    ]);
  });

  it("is empty once the plant holds enough, and for an order that has ended", async () => {
    await receive(steel, "ST-2", 15, 1.2);
    // On hand 35, reserved 28: available 7, the order can get 35 ≥ 30 still needed.
    expect(await openOrders()).toEqual([{ number: "WO-SHORT", materialShortages: [] }]);

    // Not released: nothing reserved, 200 steel needed against 7 available; 400 bolts against 420.
    const q = `query($id: ID!) { workOrder(id: $id) { status materialShortages { material { code } reservedQuantity shortQuantity } } }`;
    expect((await mustQuery(url, q, { id: planned.id })).workOrder).toEqual({
      status: "PLANNED",
      materialShortages: [{ material: { code: "SHORT-STEEL" }, reservedQuantity: 0, shortQuantity: 193 }],
    });
    await mustQuery(url, `mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "withdrawn") { status } }`, { id: planned.id });
    expect((await mustQuery(url, q, { id: planned.id })).workOrder).toEqual({ status: "CANCELLED", materialShortages: [] });
  });

  it("resolves many orders' shortages in one batch of SQL, however many orders", async () => {
    const entities = async (count: number) => {
      const requestId = randomUUID();
      const representations = Array.from({ length: count }, (_, i) => ({
        __typename: "WorkOrder",
        id: i === 0 ? order.id : randomUUID(),
        plant: { id: plant.plantId },
        status: "RELEASED",
        materialRequirements: [{ material: { id: steel }, requiredQuantity: 40 + i }],
      }));
      const res = await graphql(
        stack.subgraphs.inventory.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkOrder { materialShortages { shortQuantity } } } }`,
        { r: representations },
        { "x-request-id": requestId },
      );
      expect(res.errors).toBeUndefined();
      const line = logLines.find((l) => l.requestId === requestId && l.msg === "graphql request");
      return { data: res.data!._entities, sql: line!.sqlQueries! };
    };
    const one = await entities(1);
    const many = await entities(20);
    expect(one.data).toEqual([{ materialShortages: [] }]);
    // An order inventory has never seen needs all of its requirement: 41 of the 7 available (no reservation).
    expect(many.data[1]).toEqual({ materialShortages: [{ shortQuantity: 34 }] });
    expect(many.sql).toBe(one.sql);
    expect(many.sql).toBe(1);
  });

  it("refuses a representation without the fields it requires", async () => {
    const res = await graphql(
      stack.subgraphs.inventory.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkOrder { materialShortages { shortQuantity } } } }`,
      {
        r: [{ __typename: "WorkOrder", id: order.id }],
      },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
