import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs, bearer } from "./support/auth.ts";
import { adminPool, closeAdminPools } from "./support/admin.ts";

const ORG = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
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
afterAll(async () => {
  await closeAdminPools();
  await stack?.stop();
});

async function material(code: string, reorderPoint = 0, safetyStock = 0) {
  const { createMaterial } = await mustQuery(
    url,
    `mutation($c: String!, $r: Float!, $s: Float!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA", reorderPoint: $r, safetyStock: $s }) { id } }`,
    { c: code, r: reorderPoint, s: safetyStock },
  );
  return createMaterial.id as string;
}
const RECEIVE = `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { quantity totalCost transactions { lot { id } } } }`;
async function receive(materialId: string, lotNumber: string, quantity: number, unitCost?: number, workOrderId?: string, locationId = warehouse) {
  const { receiveStock } = await mustQuery(url, RECEIVE, { i: { materialId, locationId, lotNumber, quantity, unitCost, workOrderId } });
  return receiveStock.transactions[0].lot.id as string;
}
const ISSUE = `mutation($i: IssueStockInput!) { issueStock(input: $i) { quantity totalCost transactions { quantity totalCost unitCost lot { lotNumber } } } }`;
const issue = (materialId: string, workOrderId: string, quantity: number, extra: Record<string, string> = {}) =>
  graphql(url, ISSUE, { i: { materialId, workOrderId, quantity, plantId: plant.plantId, ...extra } });
async function mustIssue(materialId: string, workOrderId: string, quantity: number, extra: Record<string, string> = {}) {
  const res = await issue(materialId, workOrderId, quantity, extra);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.issueStock;
}
async function events(type: string, aggregateId: string) {
  const { rows } = await stack.subgraphs.inventory.pool.query(
    `SELECT payload FROM "OutboxEvent" WHERE type = $1 AND "aggregateId" = $2 ORDER BY id`,
    [type, aggregateId],
  );
  return rows.map((r) => r.payload);
}

describe("FIFO costing", () => {
  it("issues across two receipts at the oldest cost first, and the work order carries the cost", async () => {
    const steel = await material("FIFO-STEEL");
    await receive(steel, "FIFO-L1", 100, 2.0);
    await receive(steel, "FIFO-L2", 100, 3.25);
    const productId = await createProduct(url, plant, "FIFO-P", 1, [{ materialId: steel, quantityPer: 1.5 }]);
    const wo = await createWorkOrder(url, productId, "WO-FIFO", 100);

    const issued = await mustIssue(steel, wo.id, 150);
    // 100 x 2.00 from the first layer + 50 x 3.25 from the second = 362.50
    expect(issued).toEqual({
      quantity: -150,
      totalCost: -362.5,
      transactions: [
        { quantity: -100, totalCost: -200, unitCost: 2, lot: { lotNumber: "FIFO-L1" } },
        { quantity: -50, totalCost: -162.5, unitCost: 3.25, lot: { lotNumber: "FIFO-L2" } },
      ],
    });
    const back = await mustQuery(url, `mutation($i: ReturnStockInput!) { returnStock(input: $i) { totalCost } }`, {
      i: {
        materialId: steel,
        workOrderId: wo.id,
        lotId: (await mustQuery(url, `{ lots(materialId: "${steel}") { items { id lotNumber } } }`)).lots.items.find(
          (l: { lotNumber: string }) => l.lotNumber === "FIFO-L2",
        ).id,
        locationId: warehouse,
        quantity: 10,
      },
    });
    expect(back.returnStock.totalCost).toBe(32.5);

    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { number materialCost materialTransactions { items { type quantity } } consumedLots { lotNumber } } }`,
      { id: wo.id },
    );
    expect(workOrder).toEqual({
      number: "WO-FIFO",
      materialCost: 330,
      materialTransactions: {
        items: [
          { type: "ISSUE", quantity: -100 },
          { type: "ISSUE", quantity: -50 },
          { type: "RETURN", quantity: 10 },
        ],
      },
      consumedLots: [{ lotNumber: "FIFO-L1" }, { lotNumber: "FIFO-L2" }],
    });
    // The next issue starts where the layers left off: 50 left at 3.25, then the returned 10 at 3.25.
    const next = await mustIssue(steel, wo.id, 60);
    expect(next.totalCost).toBe(-195);
  });
});

describe("stock never goes negative", () => {
  it("lets exactly as many concurrent issues succeed as there is stock for", async () => {
    const bolts = await material("RACE-BOLT");
    await receive(bolts, "RACE-L1", 50, 0.1);
    const productId = await createProduct(url, plant, "RACE-P", 1);
    const wo = await createWorkOrder(url, productId, "WO-RACE", 10);
    const results = await Promise.all(Array.from({ length: 8 }, () => issue(bolts, wo.id, 10)));
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.errors![0]!.extensions!.code).toBe("CONFLICT");
      expect(r.errors![0]!.message).toBe("Only 0 EA of RACE-BOLT can be issued from this plant; 10 requested");
    }
    const { material: m } = await mustQuery(url, `query($id: ID!) { material(id: $id) { onHand } }`, { id: bolts });
    expect(m.onHand).toBe(0);
  });

  it("refuses to issue more than there is, to take from a held lot, or to receive without a cost", async () => {
    const nuts = await material("REFUSE-NUT");
    const lot = await receive(nuts, "REFUSE-L1", 20, 0.05);
    const wo = await createWorkOrder(url, await createProduct(url, plant, "REFUSE-P", 1), "WO-REFUSE", 1);
    const tooMuch = await issue(nuts, wo.id, 21);
    expect(tooMuch.errors![0]!.message).toBe("Only 20 EA of REFUSE-NUT can be issued from this plant; 21 requested");
    await mustQuery(url, `mutation($l: ID!) { holdLot(lotId: $l, reason: "supplier recall") { status } }`, { l: lot });
    const held = await issue(nuts, wo.id, 1, { lotId: lot });
    expect(held.errors![0]!.message).toBe("Lot REFUSE-L1 is on hold (supplier recall); it cannot be issued");
    const noCost = await graphql(url, RECEIVE, { i: { materialId: nuts, locationId: warehouse, lotNumber: "X", quantity: 1 } });
    expect(noCost.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "input.unitCost", message: "is required" }] });
    const { material: m } = await mustQuery(url, `query($id: ID!) { material(id: $id) { onHand } }`, { id: nuts });
    expect(m.onHand).toBe(20);
  });

  it("transfers, scraps and adjusts with the books kept straight", async () => {
    const seal = await material("MOVE-SEAL");
    const lot = await receive(seal, "MOVE-L1", 100, 1.5);
    await mustQuery(url, `mutation($i: TransferStockInput!) { transferStock(input: $i) { quantity } }`, {
      i: { materialId: seal, lotId: lot, fromLocationId: warehouse, toLocationId: lineSide, quantity: 30 },
    });
    const scrapped = await mustQuery(url, `mutation($i: ScrapStockInput!) { scrapStock(input: $i) { totalCost } }`, {
      i: { materialId: seal, lotId: lot, locationId: lineSide, quantity: 5, reason: "damaged in handling" },
    });
    expect(scrapped.scrapStock.totalCost).toBe(-7.5);
    const found = await mustQuery(url, `mutation($i: AdjustStockInput!) { adjustStock(input: $i) { totalCost } }`, {
      i: { materialId: seal, lotId: lot, locationId: warehouse, quantityChange: 2, reason: "cycle count" },
    });
    expect(found.adjustStock.totalCost).toBe(3);
    const over = await graphql(url, `mutation($i: ScrapStockInput!) { scrapStock(input: $i) { totalCost } }`, {
      i: { materialId: seal, lotId: lot, locationId: lineSide, quantity: 26, reason: "x" },
    });
    expect(over.errors![0]!.message).toBe("Only 25 EA of lot MOVE-L1 is at LS; 26 cannot be taken out");
    const { material: m } = await mustQuery(url, `query($id: ID!) { material(id: $id) { onHand stock { items { quantity location { code } } } } }`, {
      id: seal,
    });
    expect(m.onHand).toBe(97);
    expect(m.stock.items.map((s: { quantity: number; location: { code: string } }) => `${s.location.code}:${s.quantity}`).sort()).toEqual([
      "LS:25",
      "WH:72",
    ]);
  });

  it("marks a lot CONSUMED when the last of it leaves by any movement, AVAILABLE when stock of it comes back, and keeps a hold", async () => {
    const pin = await material("LIFE-PIN");
    const lot = await receive(pin, "LIFE-L1", 10, 1);
    const wo = await createWorkOrder(url, await createProduct(url, plant, "LIFE-P", 1), "WO-LIFE", 10);
    const status = async () => (await mustQuery(url, `query($l: ID!) { lot(id: $l) { status onHand } }`, { l: lot })).lot;
    const move = (mutation: string, input: Record<string, unknown>) =>
      mustQuery(url, `mutation($i: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $i) { quantity } }`, {
        i: { materialId: pin, lotId: lot, ...input },
      });
    // Split over two locations: moving stock between them leaves the lot as it is.
    await move("transferStock", { fromLocationId: warehouse, toLocationId: lineSide, quantity: 4 });
    await mustIssue(pin, wo.id, 6, { lotId: lot, locationId: warehouse });
    expect(await status()).toEqual({ status: "AVAILABLE", onHand: 4 });
    await mustIssue(pin, wo.id, 4);
    expect(await status()).toEqual({ status: "CONSUMED", onHand: 0 });
    await move("returnStock", { workOrderId: wo.id, locationId: lineSide, quantity: 3 });
    expect(await status()).toEqual({ status: "AVAILABLE", onHand: 3 });
    await move("scrapStock", { locationId: lineSide, quantity: 3, reason: "bent" });
    expect(await status()).toEqual({ status: "CONSUMED", onHand: 0 });
    await move("adjustStock", { locationId: warehouse, quantityChange: 2, reason: "cycle count found two" });
    expect(await status()).toEqual({ status: "AVAILABLE", onHand: 2 });
    // A held lot stays held whatever leaves it; released with nothing left, it is CONSUMED.
    await mustQuery(url, `mutation($l: ID!) { holdLot(lotId: $l, reason: "inspection") { status } }`, { l: lot });
    await move("adjustStock", { locationId: warehouse, quantityChange: -2, reason: "cycle count found none" });
    expect(await status()).toEqual({ status: "ON_HOLD", onHand: 0 });
    const released = await mustQuery(url, `mutation($l: ID!) { releaseLot(lotId: $l) { status holdReason } }`, { l: lot });
    expect(released.releaseLot).toEqual({ status: "CONSUMED", holdReason: null });
    // A receipt of the same lot number brings it back.
    await mustQuery(url, RECEIVE, { i: { materialId: pin, locationId: warehouse, lotNumber: "LIFE-L1", quantity: 5, unitCost: 1 } });
    expect(await status()).toEqual({ status: "AVAILABLE", onHand: 5 });
    // Other subgraphs' copies of the lot follow (Lot is published reference data with its status).
    const { rows } = await stack.subgraphs.inventory.pool.query(
      `SELECT payload->>'status' AS status FROM "OutboxEvent" WHERE type = 'ReferenceChanged' AND "aggregateId" = $1 ORDER BY id`,
      [`Lot:${lot}`],
    );
    expect(rows.map((r) => r.status)).toEqual(["AVAILABLE", "CONSUMED", "AVAILABLE", "CONSUMED", "AVAILABLE", "ON_HOLD", "CONSUMED", "AVAILABLE"]);
  });

  it("settles, on upgrade, the lots emptied before lots were settled by their movements (migration 20261127030000)", async () => {
    const nut = await material("UPG-NUT");
    const [empty, stocked, held] = [await receive(nut, "UPG-L1", 3, 1), await receive(nut, "UPG-L2", 3, 1), await receive(nut, "UPG-L3", 3, 1)];
    await mustQuery(url, `mutation($l: ID!) { holdLot(lotId: $l, reason: "inspection") { status } }`, { l: held });
    // As a database from before: the stock gone, the lot still AVAILABLE (and the held one emptied too).
    const admin = adminPool(stack, "inventory");
    await admin.query(`UPDATE "Stock" SET quantity = 0 WHERE "lotId" = ANY($1::uuid[])`, [[empty, held]]);
    await admin.query(`UPDATE "Lot" SET status = 'AVAILABLE' WHERE id = $1`, [empty]);
    const migration = new URL("../prisma/inventory/migrations/20261127030000_settle_lot_status/migration.sql", import.meta.url);
    await admin.query(readFileSync(migration, "utf8"));
    const { rows } = await admin.query(`SELECT id::text, status::text FROM "Lot" WHERE id = ANY($1::uuid[])`, [[empty, stocked, held]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [empty]: "CONSUMED", [stocked]: "AVAILABLE", [held]: "ON_HOLD" });
  });
});

describe("low stock alerts", () => {
  it("writes one event when stock crosses below the reorder point, none while it stays below, one when restocked", async () => {
    const paint = await material("LOW-PAINT", 100, 40);
    await receive(paint, "LOW-L1", 150, 9.5);
    const wo = await createWorkOrder(url, await createProduct(url, plant, "LOW-P", 1), "WO-LOW", 1);
    expect(await events("LowStockAlert", paint)).toEqual([]);

    await mustIssue(paint, wo.id, 60); // 90 left: below the reorder point
    await mustIssue(paint, wo.id, 20); // 70 left: still below, no second event
    const alerts = await events("LowStockAlert", paint);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ code: "LOW-PAINT", severity: "BELOW_REORDER_POINT", available: "90", reorderPoint: "100", safetyStock: "40" });
    const { stockAlerts } = await mustQuery(url, `query($p: ID!) { stockAlerts(plantId: $p) { items { severity available material { code } } } }`, {
      p: plant.plantId,
    });
    expect(stockAlerts.items).toContainEqual({ severity: "BELOW_REORDER_POINT", available: 70, material: { code: "LOW-PAINT" } });

    await mustIssue(paint, wo.id, 40); // 30 left: below safety stock, still the same alert
    expect(await events("LowStockAlert", paint)).toHaveLength(1);
    expect(
      (
        await mustQuery(url, `query($id: ID!, $p: ID!) { material(id: $id) { stockAlert(plantId: $p) { severity } } }`, {
          id: paint,
          p: plant.plantId,
        })
      ).material.stockAlert,
    ).toEqual({ severity: "BELOW_SAFETY_STOCK" });

    await receive(paint, "LOW-L2", 80, 9.5); // 110: back above
    const restocked = await events("Restocked", paint);
    expect(restocked).toHaveLength(1);
    expect(restocked[0]).toMatchObject({ available: "110" });
    expect(
      (
        await mustQuery(url, `query($id: ID!, $p: ID!) { material(id: $id) { stockAlert(plantId: $p) { severity } } }`, {
          id: paint,
          p: plant.plantId,
        })
      ).material.stockAlert,
    ).toBeNull();
  });
});

describe("reservations", () => {
  it("reserve a released work order's bill of materials and free what was not issued when it ends", async () => {
    const grease = await material("RES-GREASE", 10, 5);
    await receive(grease, "RES-L1", 50, 7.2);
    const productId = await createProduct(url, plant, "RES-P", 1, [{ materialId: grease, quantityPer: 0.5 }]);
    const wo = await createWorkOrder(url, productId, "WO-RES", 80);
    const planner = await bearer({ organizationId: ORG, userId: "planner.pia", roles: ["PLANNER"] });
    await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { status } }`, { id: wo.id }, planner);
    await stack.subgraphs.inventory.consumers[0]!.drain();

    // The reservation is inventory's effect of production's event: audited as the planner who
    // released the order, in the request that released it, not as "system".
    const {
      rows: [released],
    } = await stack.subgraphs.production.pool.query(
      `SELECT actor, "requestId" FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged' AND "aggregateId" = $1 AND payload->>'to' = 'RELEASED'`,
      [wo.id],
    );
    expect(released).toEqual({ actor: "planner.pia", requestId: expect.any(String) });
    const { rows: audit } = await stack.subgraphs.inventory.pool.query(
      `SELECT actor, operation, "requestId" FROM "AuditLog" WHERE entity = 'Reservation' AND action = 'INSERT' AND after->>'workOrderId' = $1`,
      [wo.id],
    );
    expect(audit).toEqual([
      { actor: "planner.pia", operation: "inventory<-production:work-orders:WorkOrderStatusChanged", requestId: released.requestId },
    ]);

    const q = `query($id: ID!, $p: ID!, $w: ID!) { material(id: $id) { onHand reserved(plantId: $p) available(plantId: $p) stockAlert(plantId: $p) { severity } } workOrder(id: $w) { reservations { quantity material { code } } } }`;
    const after = await mustQuery(url, q, { id: grease, p: plant.plantId, w: wo.id });
    // 80 units x 0.5 = 40 reserved of 50 on hand: 10 available, at the reorder point (not below).
    expect(after).toEqual({
      material: { onHand: 50, reserved: 40, available: 10, stockAlert: null },
      workOrder: { reservations: [{ quantity: 40, material: { code: "RES-GREASE" } }] },
    });

    await mustIssue(grease, wo.id, 15);
    const issued = await mustQuery(url, q, { id: grease, p: plant.plantId, w: wo.id });
    expect(issued.material).toEqual({ onHand: 35, reserved: 25, available: 10, stockAlert: null });

    await mustQuery(url, `mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "order withdrawn") { status } }`, { id: wo.id });
    await stack.subgraphs.inventory.consumers[0]!.drain();
    const freed = await mustQuery(url, q, { id: grease, p: plant.plantId, w: wo.id });
    expect(freed).toEqual({ material: { onHand: 35, reserved: 0, available: 35, stockAlert: null }, workOrder: { reservations: [] } });
  });
});

describe("lot genealogy", () => {
  it("traces a finished lot to its raw material lots through two levels of work orders, and back", async () => {
    const steel = await material("GEN-STEEL"),
      bolt = await material("GEN-BOLT"),
      frame = await material("GEN-FRAME"),
      paint = await material("GEN-PAINT"),
      unit = await material("GEN-UNIT");
    const steelLot = await receive(steel, "GEN-S-1", 100, 4);
    const boltLot = await receive(bolt, "GEN-B-1", 1000, 0.1);
    const paintLot = await receive(paint, "GEN-P-1", 50, 10);

    // Level 1: frames from steel and bolts.
    const frameWo = await createWorkOrder(url, await createProduct(url, plant, "GEN-FRAME-P", 1), "WO-GEN-FRAME", 10);
    await mustIssue(steel, frameWo.id, 20);
    await mustIssue(bolt, frameWo.id, 80);
    const frameLot = await receive(frame, "GEN-F-1", 10, undefined, frameWo.id);
    // Level 2: painted units from frames and paint.
    const unitWo = await createWorkOrder(url, await createProduct(url, plant, "GEN-UNIT-P", 1), "WO-GEN-UNIT", 10);
    await mustIssue(frame, unitWo.id, 10);
    await mustIssue(paint, unitWo.id, 5);
    const unitLot = await receive(unit, "GEN-U-1", 10, undefined, unitWo.id);

    const { lot } = await mustQuery(
      url,
      `query($id: ID!) { lot(id: $id) { lotNumber producedBy { number }
      ancestors { depth lot { lotNumber material { code } } workOrder { number status } } } }`,
      { id: unitLot },
    );
    expect(lot).toEqual({
      lotNumber: "GEN-U-1",
      producedBy: { number: "WO-GEN-UNIT" },
      ancestors: [
        { depth: 1, lot: { lotNumber: "GEN-F-1", material: { code: "GEN-FRAME" } }, workOrder: { number: "WO-GEN-UNIT", status: "PLANNED" } },
        { depth: 1, lot: { lotNumber: "GEN-P-1", material: { code: "GEN-PAINT" } }, workOrder: { number: "WO-GEN-UNIT", status: "PLANNED" } },
        { depth: 2, lot: { lotNumber: "GEN-B-1", material: { code: "GEN-BOLT" } }, workOrder: { number: "WO-GEN-FRAME", status: "PLANNED" } },
        { depth: 2, lot: { lotNumber: "GEN-S-1", material: { code: "GEN-STEEL" } }, workOrder: { number: "WO-GEN-FRAME", status: "PLANNED" } },
      ],
    });

    // The recall query: everything made from the steel lot.
    const recall = await mustQuery(
      url,
      `query($id: ID!) { lot(id: $id) { consumedBy { items { number } } descendants { depth lot { lotNumber } workOrder { number } } } }`,
      { id: steelLot },
    );
    expect(recall.lot).toEqual({
      consumedBy: { items: [{ number: "WO-GEN-FRAME" }] },
      descendants: [
        { depth: 1, lot: { lotNumber: "GEN-F-1" }, workOrder: { number: "WO-GEN-FRAME" } },
        { depth: 2, lot: { lotNumber: "GEN-U-1" }, workOrder: { number: "WO-GEN-UNIT" } },
      ],
    });
    // The finished lot is valued at what went into it: frames (20x4 + 80x0.1 = 88 for 10) plus paint 5x10.
    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) { materialCost producedLots { lotNumber onHand } consumedLots { lotNumber } } }`,
      { id: unitWo.id },
    );
    expect(workOrder).toEqual({
      materialCost: 138,
      producedLots: [{ lotNumber: "GEN-U-1", onHand: 10 }],
      consumedLots: [{ lotNumber: "GEN-F-1" }, { lotNumber: "GEN-P-1" }],
    });
    const { lot: frameOrigin } = await mustQuery(
      url,
      `query($id: ID!) { lot(id: $id) { producedBy { number } ancestors(maxDepth: 1) { lot { lotNumber } } } }`,
      { id: frameLot },
    );
    expect(frameOrigin).toEqual({
      producedBy: { number: "WO-GEN-FRAME" },
      ancestors: [{ lot: { lotNumber: "GEN-B-1" } }, { lot: { lotNumber: "GEN-S-1" } }],
    });
    const { lot: paintUse } = await mustQuery(url, `query($id: ID!) { lot(id: $id) { producedBy { number } descendants { lot { lotNumber } } } }`, {
      id: paintLot,
    });
    expect(paintUse).toEqual({ producedBy: null, descendants: [{ lot: { lotNumber: "GEN-U-1" } }] });
    expect(boltLot).not.toBe(steelLot);
  });
});
