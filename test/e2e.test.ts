import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { actAs, bearer } from "./support/auth.ts";

const ORG = "7d3c5a52-9a4e-4f0a-8a51-2b7f2f1a0c01";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
});
afterAll(async () => stack?.stop());

describe("the federated graph end to end", () => {
  it("answers one query with data written to all five subgraphs", async () => {
    // Equipment: plant > area > work center > machine.
    const { createPlant: plant } = await mustQuery(
      url,
      `mutation { createPlant(input: { code: "P1", name: "Test Plant", timeZone: "Europe/Berlin" }) { id } }`,
    );
    const { createArea: area } = await mustQuery(
      url,
      `mutation($p: ID!) { createArea(input: { plantId: $p, code: "A1", name: "Machining" }) { id } }`,
      { p: plant.id },
    );
    const { createWorkCenter: wc } = await mustQuery(
      url,
      `mutation($a: ID!) { createWorkCenter(input: { areaId: $a, code: "LATHE", name: "CNC turning" }) { id } }`,
      { a: area.id },
    );
    const { createMachine: machine } = await mustQuery(
      url,
      `mutation($w: ID!) { createMachine(input: { workCenterId: $w, code: "LATHE-01", name: "Lathe 1", idealCycleSeconds: 42.5 }) { id state } }`,
      { w: wc.id },
    );
    expect(machine.state).toBe("IDLE");
    await mustQuery(url, `mutation($m: ID!) { setMachineState(machineId: $m, state: RUNNING) { state } }`, { m: machine.id });

    // Inventory: material, location, two receipts into one lot.
    const { createMaterial: material } = await mustQuery(
      url,
      `mutation { createMaterial(input: { code: "STL-20", description: "Steel bar 20 mm", unitOfMeasure: "M", reorderPoint: 100, safetyStock: 40 }) { id } }`,
    );
    const { createLocation: loc } = await mustQuery(
      url,
      `mutation($p: ID!) { createLocation(input: { plantId: $p, code: "WH-01", name: "Warehouse" }) { id } }`,
      { p: plant.id },
    );
    for (const quantity of [120.5, 79.5]) {
      await mustQuery(
        url,
        `mutation($m: ID!, $l: ID!, $q: Float!) { receiveStock(input: { materialId: $m, locationId: $l, lotNumber: "LOT-1", quantity: $q, unitCost: 2.5 }) { quantity } }`,
        { m: material.id, l: loc.id, q: quantity },
      );
    }

    // Production: product with routing and BOM, then a work order whose operations come from the routing.
    const { createProduct: product } = await mustQuery(url, `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, {
      i: {
        plantId: plant.id,
        code: "SHAFT",
        name: "Drive shaft",
        routing: [
          { sequence: 10, name: "Turn", workCenterId: wc.id, cycleTimeSeconds: 45 },
          { sequence: 20, name: "Wash", workCenterId: wc.id, cycleTimeSeconds: 10 },
        ],
        billOfMaterials: [{ materialId: material.id, quantityPer: 0.45 }],
      },
    });
    const { createWorkOrder: wo } = await mustQuery(
      url,
      `mutation($i: CreateWorkOrderInput!) { createWorkOrder(input: $i) { id status operations { id sequence status } } }`,
      {
        i: { productId: product.id, number: "WO-1", quantity: 100, dueDate: "2026-12-01T12:00:00Z" },
      },
    );
    expect(wo.status).toBe("PLANNED");
    expect(wo.operations.map((o: { sequence: number }) => o.sequence)).toEqual([10, 20]);

    // Quality: a plan, an inspection of the work order, and an NCR.
    const { createInspectionPlan: ip } = await mustQuery(
      url,
      `mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id characteristics { id } } }`,
      {
        i: {
          plantId: plant.id,
          code: "IP-1",
          name: "Final",
          productId: product.id,
          characteristics: [{ name: "Diameter", kind: "NUMERIC", nominal: 40, lowerLimit: 39.95, upperLimit: 40.05, unit: "mm" }],
        },
      },
    );
    await mustQuery(
      url,
      `mutation($p: ID!, $w: ID!, $c: ID!) { recordInspection(input: { planId: $p, workOrderId: $w, quantityInspected: 5, inspector: "QA",
      measurements: [{ characteristicId: $c, value: 40.2 }], openNcrOnFailure: false }) { result } }`,
      { p: ip.id, w: wo.id, c: ip.characteristics[0].id },
    );
    await mustQuery(
      url,
      `mutation($w: ID!, $m: ID!, $p: ID!) { openNcr(input: { plantId: $p, number: "NCR-1", title: "Diameter over limit", severity: MAJOR, workOrderId: $w, materialId: $m }) { id } }`,
      { w: wo.id, m: material.id, p: plant.id },
    );

    // Shifts: a night pattern crossing midnight, and the shift running now.
    const { createShiftPattern: pattern } = await mustQuery(
      url,
      `mutation($p: ID!) { createShiftPattern(input: { plantId: $p, name: "All day", timeZone: "Europe/Berlin", startTime: "00:00", durationMinutes: 1440 }) { id } }`,
      { p: plant.id },
    );
    // Dates are the plant's (Berlin): from the UTC day before to the UTC day after, so the local
    // day of now is among them at any hour (after 23:00 UTC Berlin is a day ahead).
    const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    await mustQuery(url, `mutation($id: ID!, $f: Date!, $t: Date!) { generateShifts(patternId: $id, fromDate: $f, toDate: $t) { id } }`, {
      id: pattern.id,
      f: utcDay(-1),
      t: utcDay(1),
    });

    const data = await mustQuery(
      url,
      `query($id: ID!) {
      workOrder(id: $id) {
        number status quantity
        product { code billOfMaterials { quantityPer material { code onHand reorderPoint } } }
        operations { sequence name machine { code } workCenter { code machines { code state } plant { name currentShift { name } } } }
        inspections { totalCount items { result inspector } }
        ncrs { totalCount items { number severity status material { code } } }
      }
    }`,
      { id: wo.id },
    );

    expect(data.workOrder).toEqual({
      number: "WO-1",
      status: "PLANNED",
      quantity: 100,
      product: { code: "SHAFT", billOfMaterials: [{ quantityPer: 0.45, material: { code: "STL-20", onHand: 200, reorderPoint: 100 } }] },
      operations: [10, 20].map((sequence, i) => ({
        sequence,
        name: ["Turn", "Wash"][i],
        machine: null,
        workCenter: {
          code: "LATHE",
          machines: [{ code: "LATHE-01", state: "RUNNING" }],
          plant: { name: "Test Plant", currentShift: { name: "All day" } },
        },
      })),
      inspections: { totalCount: 1, items: [{ result: "FAIL", inspector: "QA" }] },
      ncrs: { totalCount: 1, items: [{ number: "NCR-1", severity: "MAJOR", status: "OPEN", material: { code: "STL-20" } }] },
    });
  });

  it("serves the demo plant seeded on first start", async () => {
    const seeded = await startTestStack({ seed: true });
    const demoAdmin = await bearer(); // the demo organization's administrator, all plants
    try {
      const data = await mustQuery(
        seeded.gatewayUrl,
        `{
        plants { code timeZone machines { id } currentShift { name } }
        workOrders(limit: 100) { totalCount items { status } }
        materials(limit: 100) { totalCount items { code onHand } }
        ncrs { totalCount }
      }`,
        {},
        demoAdmin,
      );
      expect(data.plants.map((p: { code: string }) => p.code)).toEqual(["LAK", "RIV"]);
      expect(data.plants.reduce((n: number, p: { machines: unknown[] }) => n + p.machines.length, 0)).toBeGreaterThanOrEqual(24);
      // Some shift runs at any hour of the day, the night one across midnight.
      for (const p of data.plants) expect(["Early", "Late", "Night"]).toContain(p.currentShift.name);
      const statuses = new Set(data.workOrders.items.map((w: { status: string }) => w.status));
      expect([...statuses].sort()).toEqual(["CANCELLED", "CLOSED", "COMPLETED", "IN_PROGRESS", "ON_HOLD", "PLANNED", "RELEASED"]);
      expect(data.materials.totalCount).toBe(16); // 14 bought, 2 made at Lakeside (the genealogy demo)
      expect(data.materials.items.every((m: { onHand: number }) => m.onHand > 0)).toBe(true);
      expect(data.ncrs.totalCount).toBeGreaterThan(0);

      // Production's seeded history reached inventory through the event feed: released orders hold
      // reservations, finished ones none; nothing that started lies in the future.
      await seeded.subgraphs.inventory.consumers[0]!.drain();
      const orders = await mustQuery(
        seeded.gatewayUrl,
        `{ workOrders(status: [RELEASED, IN_PROGRESS, ON_HOLD, CLOSED], limit: 100) {
        items { status startedAt reservations { quantity } } } }`,
        {},
        demoAdmin,
      );
      for (const wo of orders.workOrders.items) {
        if (wo.status === "CLOSED") expect(wo.reservations).toEqual([]);
        else expect(wo.reservations.length).toBeGreaterThan(0);
        if (wo.startedAt) expect(new Date(wo.startedAt).getTime()).toBeLessThan(Date.now());
      }

      // The running orders have reported counts in the current shift: each plant's shift shows its
      // production, and equipment (counts from production's feed, window from shifts) its OEE.
      await seeded.subgraphs.equipment.consumers[0]!.drain();
      const shifts = await mustQuery(
        seeded.gatewayUrl,
        `{ plants { currentShift { producedQuantity scrappedQuantity oee { availability performance quality oee totalCount } } } }`,
      );
      for (const { currentShift } of shifts.plants) {
        expect(currentShift.producedQuantity).toBeGreaterThan(0);
        expect(currentShift.scrappedQuantity).toBe(8); // 4 running orders x 2 logs x 1
        expect(currentShift.oee.totalCount).toBe(currentShift.producedQuantity + currentShift.scrappedQuantity);
        expect(currentShift.oee.oee).toBeGreaterThan(0);
      }
    } finally {
      await seeded.stop();
    }
  }, 180_000); // seeding five databases with a week of demo history takes a while on 2 cores
});
