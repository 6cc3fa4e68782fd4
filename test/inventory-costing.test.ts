import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

// Issue 15, inventory: costing a controller can reconcile. Every expected value is computed by hand
// in the comments (docs/kpis/inventory.md walks through the same numbers).

const ORG = "c0571000-bbbb-4ccc-8ddd-eeeeeeeeeeee";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;
let warehouse: string;
let lineSide: string;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG);
  const loc = async (code: string) =>
    (
      await mustQuery(url, `mutation($p: ID!, $c: String!) { createLocation(input: { plantId: $p, code: $c, name: $c }) { id } }`, {
        p: plant.plantId,
        c: code,
      })
    ).createLocation.id as string;
  warehouse = await loc("WH");
  lineSide = await loc("LS");
});
afterAll(async () => stack?.stop());

async function material(code: string, costingMethod: "FIFO" | "MOVING_AVERAGE" = "FIFO") {
  const { createMaterial } = await mustQuery(
    url,
    `mutation($c: String!, $m: CostingMethod!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA", costingMethod: $m }) { id costingMethod } }`,
    { c: code, m: costingMethod },
  );
  expect(createMaterial.costingMethod).toBe(costingMethod);
  return createMaterial.id as string;
}
async function receive(materialId: string, lotNumber: string, quantity: number, unitCost?: number, workOrderId?: string) {
  const { receiveStock } = await mustQuery(
    url,
    `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { totalCost transactions { lot { id } } } }`,
    { i: { materialId, locationId: warehouse, lotNumber, quantity, unitCost, workOrderId } },
  );
  return { lotId: receiveStock.transactions[0].lot.id as string, totalCost: receiveStock.totalCost as number };
}
const move = async (mutation: string, input: string, i: Record<string, unknown>) =>
  (await mustQuery(url, `mutation($i: ${input}!) { r: ${mutation}(input: $i) { totalCost } }`, { i })).r.totalCost as number;
const issue = (materialId: string, workOrderId: string, quantity: number) =>
  move("issueStock", "IssueStockInput", { materialId, workOrderId, quantity, plantId: plant.plantId });
const giveBack = (materialId: string, workOrderId: string, lotId: string, quantity: number) =>
  move("returnStock", "ReturnStockInput", { materialId, workOrderId, lotId, locationId: warehouse, quantity });

/** Releases, runs and completes a one-step work order, and waits for inventory to apply the completion. */
async function complete(wo: { id: string; operations: string[] }) {
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: wo.id });
  await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { status } }`, { id: wo.operations[0] });
  await mustQuery(url, `mutation($id: ID!) { completeOperation(id: $id) { status } }`, { id: wo.operations[0] });
  await mustQuery(url, `mutation($id: ID!) { completeWorkOrder(id: $id) { status } }`, { id: wo.id });
  await stack.subgraphs.inventory.consumers[0]!.drain();
}

describe("costing a controller can reconcile", () => {
  it("values split receipts from the consumed cost, settles at completion, and stock value reconciles to the cent", async () => {
    const steel = await material("CST-STEEL"); // FIFO
    const oil = await material("CST-OIL", "MOVING_AVERAGE");
    const frame = await material("CST-FRAME"); // the finished good, FIFO
    await receive(steel, "CST-S1", 100, 2); // 200.00
    const s2 = (await receive(steel, "CST-S2", 100, 3.25)).lotId; // 325.00
    const o1 = (await receive(oil, "CST-O1", 10, 2)).lotId; // 20.00
    const o2 = (await receive(oil, "CST-O2", 5, 3.5)).lotId; // 17.50: the average is 37.50 / 15 = 2.50
    const wo = await createWorkOrder(url, await createProduct(url, plant, "CST-P", 1), "WO-CST", 10);

    expect(await issue(steel, wo.id, 150)).toBe(-362.5); // 100 x 2.00 + 50 x 3.25
    expect(await issue(oil, wo.id, 4)).toBe(-10); // 4 x 2.50 (average)
    expect(await giveBack(steel, wo.id, s2, 10)).toBe(32.5); // partial return at its issue value: 10 x 3.25
    // Consumed: 362.50 + 10.00 - 32.50 = 340.00
    await move("transferStock", "TransferStockInput", {
      materialId: steel,
      lotId: s2,
      fromLocationId: warehouse,
      toLocationId: lineSide,
      quantity: 30,
    });
    expect(await move("scrapStock", "ScrapStockInput", { materialId: oil, lotId: o2, locationId: warehouse, quantity: 1, reason: "spilt" })).toBe(
      -2.5,
    );
    // Found 2 more of S2 at the warehouse: at the newest layer's unit cost (the return's, 3.25) = 6.50.
    expect(
      await move("adjustStock", "AdjustStockInput", { materialId: steel, lotId: s2, locationId: warehouse, quantityChange: 2, reason: "count" }),
    ).toBe(6.5);

    // Two receipts of 5 frames before completion: 340.00 / 5 x 5 = 340.00, then 340.00 / 10 x 5 = 170.00.
    const r1 = await receive(frame, "CST-F1", 5, undefined, wo.id);
    const r2 = await receive(frame, "CST-F2", 5, undefined, wo.id);
    expect([r1.totalCost, r2.totalCost]).toEqual([340, 170]);

    // Completion settles: 340.00 over 10 frames = 170.00 per receipt; R1 carries 340.00 -> variance -170.00.
    await complete(wo);
    await stack.subgraphs.inventory.consumers[0]!.drain(); // a second drain applies nothing twice
    const settledFrames = await mustQuery(url, `query($m: ID!, $p: ID!) { material(id: $m) { stockValue(plantId: $p) unitCost(plantId: $p) } }`, {
      m: frame,
      p: plant.plantId,
    });
    expect(settledFrames.material).toEqual({ stockValue: 340, unitCost: 34 });

    // After completion: 2 frames scrapped (FIFO: from F1's layer, 2 x 34.00 = 68.00), then 1 oil returned
    // (its issue value, 2.50): the order now cost 337.50, and it settles again: 168.75 per receipt.
    expect(
      await move("scrapStock", "ScrapStockInput", { materialId: frame, lotId: r2.lotId, locationId: warehouse, quantity: 2, reason: "dropped" }),
    ).toBe(-68);
    expect(await giveBack(oil, wo.id, o1, 1)).toBe(2.5);

    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { materialCost costSettlement { materialCost producedQuantity unitCost provisionalValue variance capitalised expensed } } }`,
      { id: wo.id },
    );
    // Variance: 337.50 - 510.00 = -172.50: -170.00 (first settlement), then -1.25 per receipt, of which
    // F1's -1.25 is only 3/5 on hand (-0.75 into stock, -0.50 expensed).
    expect(workOrder).toEqual({
      materialCost: 337.5,
      costSettlement: {
        materialCost: 337.5,
        producedQuantity: 10,
        unitCost: 33.75,
        provisionalValue: 510,
        variance: -172.5,
        capitalised: -172,
        expensed: -0.5,
      },
    });

    const q = `query($p: ID!, $steel: ID!, $oil: ID!) {
      stockValuation(plantId: $p) { totalValue totalCount items { material { code } quantity value unitCost } }
      locations(plantId: $p) { code stockValue stock { totalCount items { material { code } quantity value } } }
      oil: costLayers(materialId: $oil, plantId: $p) { items { remainingQuantity remainingValue unitCost } }
      steel: costLayers(materialId: $steel, plantId: $p) { items { remainingQuantity remainingValue unitCost } }
      stockTransactions(plantId: $p, limit: 100) { totalCount items { type totalCost } }
    }`;
    const books = await mustQuery(url, q, { p: plant.plantId, steel, oil });
    // Steel: 62 left (50 + 10 + 2 of S2) worth 162.50 + 32.50 + 6.50 = 201.50.
    // Oil: 15 - 4 - 1 + 1 = 11 at 2.50 = 27.50. Frames: F1's layer 3 left at 101.25, F2's 5 at 168.75 = 270.00.
    expect(books.stockValuation).toEqual({
      totalValue: 499,
      totalCount: 3,
      items: [
        { material: { code: "CST-FRAME" }, quantity: 8, value: 270, unitCost: 33.75 },
        { material: { code: "CST-OIL" }, quantity: 11, value: 27.5, unitCost: 2.5 },
        { material: { code: "CST-STEEL" }, quantity: 62, value: 201.5, unitCost: 3.25 },
      ],
    });
    expect(books.oil.items).toEqual([{ remainingQuantity: 11, remainingValue: 27.5, unitCost: 2.5 }]);
    expect(books.steel.items).toEqual([
      { remainingQuantity: 50, remainingValue: 162.5, unitCost: 3.25 },
      { remainingQuantity: 10, remainingValue: 32.5, unitCost: 3.25 },
      { remainingQuantity: 2, remainingValue: 6.5, unitCost: 3.25 },
    ]);
    // By location: steel's 201.50 split 32 (WH) : 30 (LS) = 104.00 : 97.50; everything else is at WH.
    const byCode = Object.fromEntries(books.locations.map((l: { code: string; stockValue: number }) => [l.code, l.stockValue]));
    expect(byCode).toEqual({ LS: 97.5, WH: 401.5 });
    const lineSideRows = books.locations.find((l: { code: string }) => l.code === "LS").stock;
    expect(lineSideRows).toEqual({ totalCount: 1, items: [{ material: { code: "CST-STEEL" }, quantity: 30, value: 97.5 }] });

    // The ledger: receipts + returns - issues - scrap + adjustments + settlements = stock value, to the cent.
    expect(books.stockTransactions.totalCount).toBe(books.stockTransactions.items.length);
    const byType: Record<string, number> = {};
    for (const t of books.stockTransactions.items as { type: string; totalCost: number }[])
      byType[t.type] = Math.round(((byType[t.type] ?? 0) + t.totalCost) * 100) / 100;
    expect(byType).toEqual({
      RECEIPT: 1072.5, // 200 + 325 + 20 + 17.50 + 340 + 170
      ISSUE: -372.5, // 362.50 + 10
      RETURN: 35, // 32.50 + 2.50
      TRANSFER: 0,
      SCRAP: -70.5, // 2.50 + 68
      ADJUSTMENT: 6.5,
      SETTLEMENT: -172, // -170 - 0.75 - 1.25
    });
    const cents = Object.values(byType).reduce((acc, v) => acc + Math.round(v * 100), 0);
    expect(cents).toBe(49900);
    // And the database agrees without any float: the sum of every layer's value is the ledger's sum.
    const { rows } = await stack.subgraphs.inventory.pool.query(
      `SELECT (SELECT sum("totalCost") FROM "StockTransaction" WHERE "plantId" = $1)::text AS ledger,
              (SELECT sum("remainingValue") FROM "CostLayer" WHERE "plantId" = $1)::text AS layers`,
      [plant.plantId],
    );
    expect(rows[0]).toEqual({ ledger: "499.0000", layers: "499.0000" });

    // Settlement happened once: the first completion posted one SETTLEMENT per receipt with a variance.
    const settlements = await stack.subgraphs.inventory.pool.query(`SELECT count(*)::int AS n FROM "WorkOrderSettlement" WHERE "workOrderId" = $1`, [
      wo.id,
    ]);
    expect(settlements.rows[0].n).toBe(1);
  });

  it("refuses to change a material's costing method while it has stock", async () => {
    const grease = await material("CST-GREASE", "MOVING_AVERAGE");
    const set = (id: string, m: string) =>
      graphql(url, `mutation($id: ID!, $m: CostingMethod!) { updateMaterial(id: $id, input: { costingMethod: $m }) { costingMethod } }`, { id, m });
    expect((await set(grease, "FIFO")).data).toEqual({ updateMaterial: { costingMethod: "FIFO" } });
    await receive(grease, "CST-G1", 3, 1);
    const refused = await set(grease, "MOVING_AVERAGE");
    expect(refused.errors![0]!.extensions).toMatchObject({ code: "CONFLICT", field: "input.costingMethod" });
    expect(refused.errors![0]!.message).toBe("CST-GREASE has 3 EA in stock valued by FIFO; its costing method can change only with no stock");
  });
});

describe("genealogy net of returns", () => {
  it("drops a lot returned in full at every depth and keeps a partial return with its net quantity", async () => {
    const ore = await material("GNR-ORE"),
      flux = await material("GNR-FLUX"),
      ingot = await material("GNR-INGOT"),
      bar = await material("GNR-BAR"),
      part = await material("GNR-PART");
    const ore1 = (await receive(ore, "GNR-ORE-1", 10, 1)).lotId;
    const ore2 = (await receive(ore, "GNR-ORE-2", 10, 1)).lotId;
    const flux1 = (await receive(flux, "GNR-FLUX-1", 10, 1)).lotId;
    const wo = async (n: string) => createWorkOrder(url, await createProduct(url, plant, `${n}-P`, 1), n, 1);
    const woIngot = await wo("WO-GNR-1"),
      woBar = await wo("WO-GNR-2"),
      woPart = await wo("WO-GNR-3");
    // Level 1: both ore lots and the flux issued; ORE-2 returned in full, the flux in part (6 of 10 kept).
    await issue(ore, woIngot.id, 20);
    await issue(flux, woIngot.id, 10);
    await giveBack(ore, woIngot.id, ore2, 4);
    await giveBack(ore, woIngot.id, ore2, 6);
    await giveBack(flux, woIngot.id, flux1, 4);
    const ingot1 = (await receive(ingot, "GNR-INGOT-1", 1, undefined, woIngot.id)).lotId;
    await issue(ingot, woBar.id, 1);
    const bar1 = (await receive(bar, "GNR-BAR-1", 1, undefined, woBar.id)).lotId;
    await issue(bar, woPart.id, 1);
    const part1 = (await receive(part, "GNR-PART-1", 1, undefined, woPart.id)).lotId;

    const { lot } = await mustQuery(url, `query($id: ID!) { lot(id: $id) { ancestors { depth lot { lotNumber } workOrder { number } } } }`, {
      id: part1,
    });
    expect(lot.ancestors).toEqual([
      { depth: 1, lot: { lotNumber: "GNR-BAR-1" }, workOrder: { number: "WO-GNR-3" } },
      { depth: 2, lot: { lotNumber: "GNR-INGOT-1" }, workOrder: { number: "WO-GNR-2" } },
      { depth: 3, lot: { lotNumber: "GNR-FLUX-1" }, workOrder: { number: "WO-GNR-1" } },
      { depth: 3, lot: { lotNumber: "GNR-ORE-1" }, workOrder: { number: "WO-GNR-1" } },
    ]);
    const lots = await mustQuery(
      url,
      `query($returned: ID!, $partial: ID!, $w: ID!) {
        returned: lot(id: $returned) { consumedBy { totalCount items { number } } descendants { lot { lotNumber } } }
        partial: lot(id: $partial) { consumedBy { totalCount items { number } } descendants { depth lot { lotNumber } } }
        workOrder(id: $w) { consumedLots { lotNumber } materialTransactions(limit: 100) { items { type quantity lot { lotNumber } } } }
      }`,
      { returned: ore2, partial: flux1, w: woIngot.id },
    );
    expect(lots.returned).toEqual({ consumedBy: { totalCount: 0, items: [] }, descendants: [] });
    expect(lots.partial).toEqual({
      consumedBy: { totalCount: 1, items: [{ number: "WO-GNR-1" }] },
      descendants: [
        { depth: 1, lot: { lotNumber: "GNR-INGOT-1" } },
        { depth: 2, lot: { lotNumber: "GNR-BAR-1" } },
        { depth: 3, lot: { lotNumber: "GNR-PART-1" } },
      ],
    });
    expect(lots.workOrder.consumedLots).toEqual([{ lotNumber: "GNR-ORE-1" }, { lotNumber: "GNR-FLUX-1" }]);
    // The partial return's net quantity: 10 issued, 4 back = 6 consumed.
    const flux1Net = (lots.workOrder.materialTransactions.items as { quantity: number; lot: { lotNumber: string } }[])
      .filter((t) => t.lot.lotNumber === "GNR-FLUX-1")
      .reduce((acc, t) => acc + t.quantity, 0);
    expect(flux1Net).toBe(-6);
    expect([ore1, ingot1, bar1]).toHaveLength(3);
  });
});
