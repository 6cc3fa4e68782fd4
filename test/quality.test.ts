import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

const ORG = "eeeeeeee-ffff-4000-8111-222222222222";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let location: string;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG, "QA");
  location = (
    await mustQuery(url, `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "QA-WH", name: "Warehouse" }) { id } }`, {
      p: plant.plantId,
    })
  ).createLocation.id;
});
afterAll(async () => stack?.stop());

async function plan(code: string, productId: string) {
  const { createInspectionPlan } = await mustQuery(
    url,
    `mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id characteristics { id name } } }`,
    {
      i: {
        plantId: plant.plantId,
        code,
        name: code,
        productId,
        workCenterId: plant.workCenterId,
        sampleSize: 5,
        characteristics: [
          { name: "Bore", kind: "NUMERIC", nominal: 20, lowerLimit: 19.98, upperLimit: 20.02, unit: "mm" },
          { name: "Surface", kind: "ATTRIBUTE" },
        ],
      },
    },
  );
  const byName = Object.fromEntries(createInspectionPlan.characteristics.map((c: { id: string; name: string }) => [c.name, c.id]));
  return { id: createInspectionPlan.id as string, bore: byName.Bore as string, surface: byName.Surface as string };
}
const INSPECT = `mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id result measurements { characteristic { name } value passed } ncrs { id number status title } } }`;

describe("inspections and NCRs", () => {
  it("opens an NCR for a failed inspection; its SCRAP disposition reduces stock; it closes", async () => {
    const { createMaterial: m } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "QA-CAST", description: "Casting", unitOfMeasure: "EA" }) { id } }`,
    );
    const { receiveStock } = await mustQuery(
      url,
      `mutation($m: ID!, $l: ID!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "QA-LOT-1", quantity: 50, unitCost: 12 }) { transactions { lot { id } } } }`,
      { m: m.id, l: location },
    );
    const lotId = receiveStock.transactions[0].lot.id;
    const p = await plan("IP-QA-1", await createProduct(url, plant, "QA-P1", 1));
    const wo = await createWorkOrder(url, await createProduct(url, plant, "QA-P1B", 1), "WO-QA-1", 50);

    const { recordInspection: ins } = await mustQuery(url, INSPECT, {
      i: {
        planId: p.id,
        workOrderId: wo.id,
        materialId: m.id,
        lotId,
        quantityInspected: 5,
        measurements: [
          { characteristicId: p.bore, value: 20.031 },
          { characteristicId: p.surface, passed: true },
        ],
      },
    });
    expect(ins.result).toBe("FAIL");
    expect(ins.measurements).toEqual([
      { characteristic: { name: "Bore" }, value: 20.031, passed: false },
      { characteristic: { name: "Surface" }, value: null, passed: true },
    ]);
    expect(ins.ncrs).toHaveLength(1);
    const ncr = ins.ncrs[0];
    expect(ncr).toMatchObject({ status: "OPEN", title: "IP-QA-1 failed: Bore" });

    const early = await graphql(url, `mutation($id: ID!) { closeNcr(id: $id) { id } }`, { id: ncr.id });
    expect(early.errors![0]!.message).toBe(`${ncr.number} is OPEN; it can go to UNDER_REVIEW, not CLOSED`);
    await mustQuery(
      url,
      `mutation($id: ID!) { reviewNcr(id: $id, assignee: "qe.quinn") { status } addNcrDefect(ncrId: $id, type: "Oversize bore", quantity: 8) { id } }`,
      { id: ncr.id },
    );
    await mustQuery(url, `mutation($id: ID!) { requestLotHold(ncrId: $id) { lotHoldRequested } }`, { id: ncr.id });
    const needsStock = await graphql(url, `mutation($i: DispositionNcrInput!) { dispositionNcr(input: $i) { id } }`, {
      i: { id: ncr.id, disposition: "SCRAP", rootCause: "worn boring bar", containmentAction: "bar replaced" },
    });
    expect(needsStock.errors![0]!.message).toBe("A SCRAP disposition needs stock to scrap: give quantity; give locationId");
    const { dispositionNcr } = await mustQuery(
      url,
      `mutation($i: DispositionNcrInput!) { dispositionNcr(input: $i) { status disposition dispositionQuantity assignee defects { type quantity } workOrder { number } material { code } lot { lotNumber } } }`,
      {
        i: {
          id: ncr.id,
          disposition: "SCRAP",
          quantity: 8,
          locationId: location,
          rootCause: "worn boring bar",
          containmentAction: "bar replaced, 100% check of WIP",
        },
      },
    );
    expect(dispositionNcr).toEqual({
      status: "DISPOSITIONED",
      disposition: "SCRAP",
      dispositionQuantity: 8,
      assignee: "qe.quinn",
      defects: [{ type: "Oversize bore", quantity: 8 }],
      workOrder: { number: "WO-QA-1" },
      material: { code: "QA-CAST" },
      lot: { lotNumber: "QA-LOT-1" },
    });

    // Inventory applies quality's events: the lot is held and 8 units are scrapped at FIFO cost.
    await stack.subgraphs.inventory.consumers[1]!.drain();
    const stock = await mustQuery(
      url,
      `query($l: ID!) { lot(id: $l) { onHand status holdReason } stockTransactions(lotId: $l, type: [SCRAP]) { items { quantity totalCost reason actor } } }`,
      { l: lotId },
    );
    expect(stock.lot).toEqual({ onHand: 42, status: "ON_HOLD", holdReason: `${ncr.number}: IP-QA-1 failed: Bore` });
    expect(stock.stockTransactions.items).toEqual([
      { quantity: -8, totalCost: -96, reason: `${ncr.number} scrap disposition`, actor: `quality:${ncr.number}` },
    ]);

    const { closeNcr } = await mustQuery(url, `mutation($id: ID!) { closeNcr(id: $id) { status allowedTransitions closedAt } }`, { id: ncr.id });
    expect(closeNcr).toMatchObject({ status: "CLOSED", allowedTransitions: [] });
    await stack.subgraphs.inventory.consumers[1]!.drain();
    expect((await mustQuery(url, `query($l: ID!) { lot(id: $l) { status } }`, { l: lotId })).lot.status).toBe("AVAILABLE");
  });

  it("rejects measurements that do not match the plan, writing nothing", async () => {
    const p = await plan("IP-QA-2", await createProduct(url, plant, "QA-P2", 1));
    const res = await graphql(url, INSPECT, { i: { planId: p.id, quantityInspected: 1, measurements: [{ characteristicId: p.bore }] } });
    expect(res.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      fields: [
        { field: "input.measurements", message: "Bore is numeric: give value" },
        { field: "input.measurements", message: "Surface needs exactly one measurement" },
      ],
    });
    const { inspections } = await mustQuery(url, `query($p: ID!) { inspections(plantId: $p) { totalCount } }`, { p: plant.plantId });
    expect(inspections.totalCount).toBe(1);
  });

  it("computes first pass yield from first inspections only", async () => {
    const product = await createProduct(url, plant, "QA-P3", 1);
    const p = await plan("IP-QA-3", product);
    const orders = await Promise.all([1, 2, 3].map((n) => createWorkOrder(url, product, `WO-QA-FPY-${n}`, 10)));
    const inspect = (workOrderId: string, quantity: number, bore: number, reinspectionOf?: string) =>
      mustQuery(url, INSPECT, {
        i: {
          planId: p.id,
          workOrderId,
          quantityInspected: quantity,
          reinspectionOf,
          openNcrOnFailure: false,
          measurements: [
            { characteristicId: p.bore, value: bore },
            { characteristicId: p.surface, passed: true },
          ],
        },
      });
    await inspect(orders[0]!.id, 10, 20.0); // pass first time: 10 of 10
    const failed = await inspect(orders[1]!.id, 8, 20.05); // fail first time...
    await inspect(orders[1]!.id, 8, 20.0, failed.recordInspection.id); // ...passing after rework (a re-inspection) does not count
    await inspect(orders[2]!.id, 6, 20.01); // pass first time: 6 of 6
    const from = new Date(Date.now() - 3_600_000).toISOString(),
      to = new Date(Date.now() + 3_600_000).toISOString();
    const { firstPassYield } = await mustQuery(
      url,
      `query($p: ID!, $f: DateTime!, $t: DateTime!) { firstPassYield(plantId: $p, from: $f, to: $t) {
      overall { value numerator denominator } byProduct { product { code } yield { value numerator denominator } } byWorkCenter { yield { numerator denominator } } } }`,
      { p: plant.plantId, f: from, t: to },
    );
    const mine = firstPassYield.byProduct.find((b: { product: { code: string } }) => b.product.code === "QA-P3");
    // (10 + 6) / (10 + 8 + 6)
    expect(mine.yield).toEqual({ value: 16 / 24, numerator: 16, denominator: 24 });
    const empty = await mustQuery(
      url,
      `query($p: ID!) { firstPassYield(plantId: $p, from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z") { overall { value denominator } byProduct { yield { value } } } }`,
      { p: plant.plantId },
    );
    expect(empty.firstPassYield).toEqual({ overall: { value: null, denominator: 0 }, byProduct: [] });
  });
});
