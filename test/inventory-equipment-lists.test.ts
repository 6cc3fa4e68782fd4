import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs } from "./support/auth.ts";

// Issue 17: inventory's and equipment's lists by the one convention: filters as arguments, plant
// optional (the organization-wide view), from/to on the list's instant, orderBy, pages with totals,
// nested histories paged.

const ORG = "1157a000-bbbb-4ccc-8ddd-eeeeeeeeeeee";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let north: PlantFixture;
let south: PlantFixture;
const locations: Record<string, string> = {};

const location = async (plant: PlantFixture, code: string) => {
  const { createLocation } = await mustQuery(
    url,
    `mutation($p: ID!, $c: String!) { createLocation(input: { plantId: $p, code: $c, name: $c }) { id } }`,
    {
      p: plant.plantId,
      c: code,
    },
  );
  locations[code] = createLocation.id;
};
const material = async (code: string, reorderPoint = 0) =>
  (
    await mustQuery(
      url,
      `mutation($c: String!, $r: Float!) { createMaterial(input: { code: $c, description: $c, unitOfMeasure: "EA", reorderPoint: $r }) { id } }`,
      {
        c: code,
        r: reorderPoint,
      },
    )
  ).createMaterial.id as string;
const receive = async (materialId: string, locationCode: string, lotNumber: string, quantity: number, unitCost: number) =>
  (
    await mustQuery(url, `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { transactions { id lot { id } } } }`, {
      i: { materialId, locationId: locations[locationCode], lotNumber, quantity, unitCost },
    })
  ).receiveStock.transactions[0] as { id: string; lot: { id: string } };
const codeOf = (error: { extensions?: Record<string, unknown> } | undefined) => error?.extensions;

let bolt: string;
let nut: string;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  north = await createPlant(url, ORG, "NORTH", 3);
  south = await createPlant(url, ORG, "SOUTH", 1);
  await location(north, "N-WH");
  await location(north, "N-LS");
  await location(south, "S-WH");
  bolt = await material("LST-BOLT", 50);
  nut = await material("LST-NUT");
  await receive(bolt, "N-WH", "BOLT-1", 10, 2); // 10 < 50: a low-stock alert at NORTH
  await receive(bolt, "N-WH", "BOLT-2", 20, 3);
  await receive(bolt, "S-WH", "BOLT-3", 5, 4); // and one at SOUTH
  await receive(nut, "N-LS", "NUT-1", 100, 1);
  await receive(nut, "S-WH", "NUT-2", 300, 1);
});
afterAll(async () => stack?.stop());

describe("inventory lists", () => {
  it("stockTransactions: filters as arguments, [from, to) on when they were recorded, orderBy", async () => {
    const all = await mustQuery(url, `{ stockTransactions(type: [RECEIPT], limit: 100) { totalCount items { quantity createdAt } } }`);
    expect(all.stockTransactions.totalCount).toBe(5);
    const times = (all.stockTransactions.items as { createdAt: string }[]).map((t) => t.createdAt);
    expect(times).toEqual([...times].sort().reverse()); // newest first by default
    const oldest = times[times.length - 1]!;
    const second = times[times.length - 2]!;
    // Half-open: `from` included, `to` excluded.
    const range = await mustQuery(
      url,
      `query($f: DateTime!, $t: DateTime!) { stockTransactions(from: $f, to: $t) { totalCount items { createdAt } } }`,
      {
        f: oldest,
        t: second,
      },
    );
    expect(range.stockTransactions.items.map((t: { createdAt: string }) => t.createdAt)).toEqual([oldest]);
    const byQuantity = await mustQuery(
      url,
      `query($p: ID!) { stockTransactions(plantId: $p, orderBy: { field: QUANTITY, direction: DESC }) { items { quantity } } }`,
      { p: north.plantId },
    );
    expect(byQuantity.stockTransactions.items.map((t: { quantity: number }) => t.quantity)).toEqual([100, 20, 10]);
    const reversed = await graphql(url, `query($f: DateTime!) { stockTransactions(from: $f, to: $f) { totalCount } }`, { f: second });
    expect(codeOf(reversed.errors?.[0])).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "to" }] });
    const malformed = await graphql(url, `{ stockTransactions(lotId: "nope") { totalCount } }`);
    expect(codeOf(malformed.errors?.[0])).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "lotId" }] });
  });

  it("stockValuation, stockAlerts and locations span every plant when plantId is left out", async () => {
    const q = `query($p: ID) {
      stockValuation(plantId: $p, orderBy: { field: VALUE, direction: DESC }) { totalValue totalCount items { materialCode value plant { id } } }
      stockAlerts(plantId: $p) { totalCount items { severity material { code } plant { id } } }
      locations(plantId: $p) { code }
    }`;
    const everywhere = await mustQuery(url, q);
    // NORTH: bolts 10 × 2 + 20 × 3 = 80, nuts 100; SOUTH: bolts 5 × 4 = 20, nuts 300.
    expect(everywhere.stockValuation).toMatchObject({ totalValue: 500, totalCount: 4 });
    expect(everywhere.stockValuation.items.map((i: { materialCode: string; value: number }) => `${i.materialCode}:${i.value}`)).toEqual([
      "LST-NUT:300",
      "LST-NUT:100",
      "LST-BOLT:80",
      "LST-BOLT:20",
    ]);
    expect(everywhere.stockAlerts.totalCount).toBe(2);
    expect(new Set(everywhere.stockAlerts.items.map((a: { plant: { id: string } }) => a.plant.id))).toEqual(new Set([north.plantId, south.plantId]));
    expect(everywhere.locations.map((l: { code: string }) => l.code)).toEqual(["N-LS", "N-WH", "S-WH"]);

    const atNorth = await mustQuery(url, q, { p: north.plantId });
    expect(atNorth.stockValuation).toMatchObject({ totalValue: 180, totalCount: 2 });
    // 30 bolts at NORTH, 5 at SOUTH: both below the reorder point of 50 (no safety stock set).
    expect(atNorth.stockAlerts.items).toEqual([{ severity: "BELOW_REORDER_POINT", material: { code: "LST-BOLT" }, plant: { id: north.plantId } }]);
    expect(atNorth.locations.map((l: { code: string }) => l.code)).toEqual(["N-LS", "N-WH"]);
    const stockouts = await mustQuery(url, `{ stockAlerts(severity: [STOCKOUT]) { totalCount } }`);
    expect(stockouts.stockAlerts.totalCount).toBe(0);
  });

  it("lots: [from, to) on when they were received, orderBy; a material's and a location's lists are pages with totals", async () => {
    const { lots } = await mustQuery(
      url,
      `query($m: ID!) { lots(materialId: $m, orderBy: { field: LOT_NUMBER, direction: DESC }) { items { lotNumber receivedAt } } }`,
      {
        m: bolt,
      },
    );
    expect(lots.items.map((l: { lotNumber: string }) => l.lotNumber)).toEqual(["BOLT-3", "BOLT-2", "BOLT-1"]);
    const since = lots.items[1].receivedAt as string; // BOLT-2
    const later = await mustQuery(url, `query($m: ID!, $f: DateTime!) { lots(materialId: $m, from: $f) { items { lotNumber } } }`, {
      m: bolt,
      f: since,
    });
    expect(later.lots.items.map((l: { lotNumber: string }) => l.lotNumber)).toEqual(["BOLT-2", "BOLT-3"]);

    const nested = await mustQuery(
      url,
      `query($m: ID!, $f: DateTime!) { material(id: $m) {
        lots(limit: 1, offset: 1) { totalCount hasMore items { lotNumber stock { totalCount items { location { code } quantity } } } }
        recent: lots(from: $f) { totalCount }
        stock(limit: 2) { totalCount hasMore items { location { code } lot { lotNumber } quantity } }
      } }`,
      { m: bolt, f: since },
    );
    expect(nested.material.lots).toEqual({
      totalCount: 3,
      hasMore: true,
      items: [{ lotNumber: "BOLT-2", stock: { totalCount: 1, items: [{ location: { code: "N-WH" }, quantity: 20 }] } }],
    });
    expect(nested.material.recent.totalCount).toBe(2);
    // By plant, location, oldest lot: 2 of 3 rows on the page.
    expect(nested.material.stock.totalCount).toBe(3);
    expect(nested.material.stock.hasMore).toBe(true);
    expect(nested.material.stock.items).toHaveLength(2);
    const { locations: list } = await mustQuery(
      url,
      `query($p: ID!) { locations(plantId: $p) { code stock(limit: 1) { totalCount hasMore items { lot { lotNumber } } } } }`,
      {
        p: north.plantId,
      },
    );
    expect(list.find((l: { code: string }) => l.code === "N-WH").stock).toEqual({
      totalCount: 2,
      hasMore: true,
      items: [{ lot: { lotNumber: "BOLT-1" } }],
    });
    const tooMany = await graphql(url, `query($m: ID!) { material(id: $m) { lots(limit: 101) { totalCount } } }`, { m: bolt });
    expect(codeOf(tooMany.errors?.[0])).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "limit" }] });
  });

  it("a work order's movements and a lot's consumers are pages with totals", async () => {
    const product = await createProduct(url, north, "LST-P", 1);
    const wo = await createWorkOrder(url, product, "WO-LST-1", 1);
    for (const quantity of [1, 2, 3])
      await mustQuery(url, `mutation($i: IssueStockInput!) { issueStock(input: $i) { totalCost } }`, {
        i: { materialId: nut, workOrderId: wo.id, quantity, plantId: north.plantId },
      });
    const { workOrder } = await mustQuery(
      url,
      `query($id: ID!) { workOrder(id: $id) {
        first: materialTransactions(limit: 2) { totalCount hasMore items { quantity } }
        rest: materialTransactions(limit: 2, offset: 2) { totalCount hasMore items { quantity } }
        returns: materialTransactions(type: [RETURN]) { totalCount }
      } }`,
      { id: wo.id },
    );
    expect(workOrder.first).toEqual({ totalCount: 3, hasMore: true, items: [{ quantity: -1 }, { quantity: -2 }] });
    expect(workOrder.rest).toEqual({ totalCount: 3, hasMore: false, items: [{ quantity: -3 }] });
    expect(workOrder.returns.totalCount).toBe(0);
    const { lots } = await mustQuery(
      url,
      `{ lots(plantId: "${north.plantId}", status: [AVAILABLE], limit: 100) { items { lotNumber consumedBy { totalCount items { number } } } } }`,
    );
    const nut1 = lots.items.find((l: { lotNumber: string }) => l.lotNumber === "NUT-1");
    expect(nut1.consumedBy).toEqual({ totalCount: 1, items: [{ number: "WO-LST-1" }] });
  });
});

describe("equipment lists", () => {
  it("machines sort by orderBy; maintenance orders and PM schedules span every plant without plantId", async () => {
    const byCode = await mustQuery(url, `query($p: ID!) { machines(plantId: $p, orderBy: { field: CODE, direction: DESC }) { items { code } } }`, {
      p: north.plantId,
    });
    const codes = byCode.machines.items.map((m: { code: string }) => m.code);
    expect(codes).toEqual([...codes].sort().reverse());
    for (const [plant, name] of [
      [north, "North oiling"],
      [south, "South oiling"],
    ] as const) {
      await mustQuery(
        url,
        `mutation($m: ID!, $n: String!, $s: DateTime!) { createPmSchedule(input: { machineId: $m, name: $n, trigger: CALENDAR, interval: 1, startsAt: $s }) { id } }`,
        {
          m: plant.machineIds[0],
          n: name,
          s: new Date(Date.now() - 2 * 86_400_000).toISOString(),
        },
      );
      await mustQuery(url, `mutation($p: ID!) { checkPmSchedules(plantId: $p) { number } }`, { p: plant.plantId });
    }
    const { pmSchedules, maintenanceOrders } = await mustQuery(
      url,
      `{ pmSchedules { name } maintenanceOrders(status: [OPEN], orderBy: { field: NUMBER }) { totalCount items { number createdAt machine { id } } } }`,
    );
    expect(pmSchedules.map((s: { name: string }) => s.name)).toEqual(["North oiling", "South oiling"]);
    expect(maintenanceOrders.totalCount).toBe(2);
    const numbers = maintenanceOrders.items.map((o: { number: string }) => o.number);
    expect(numbers).toEqual([...numbers].sort());
    const created = maintenanceOrders.items.map((o: { createdAt: string }) => o.createdAt).sort();
    const fromSecond = await mustQuery(url, `query($f: DateTime!) { maintenanceOrders(from: $f) { totalCount } }`, { f: created[1] });
    expect(fromSecond.maintenanceOrders.totalCount).toBe(1);
    const before = await mustQuery(url, `query($t: DateTime!, $p: ID!) { maintenanceOrders(plantId: $p, to: $t) { totalCount } }`, {
      t: created[0],
      p: north.plantId,
    });
    expect(before.maintenanceOrders.totalCount).toBe(0);
    const { machine } = await mustQuery(
      url,
      `query($m: ID!) { machine(id: $m) { maintenanceOrders(status: [OPEN]) { totalCount items { number } } } }`,
      {
        m: north.machineIds[0],
      },
    );
    expect(machine.maintenanceOrders.totalCount).toBe(1);
  });

  it("a machine's status history and downtimes are pages with totals, newest first", async () => {
    const m = north.machineIds[1]!;
    for (const state of ["RUNNING", "IDLE", "RUNNING", "SETUP"])
      await mustQuery(url, `mutation($m: ID!, $s: MachineState!) { setMachineState(machineId: $m, state: $s) { state } }`, { m, s: state });
    const { machine } = await mustQuery(
      url,
      `query($m: ID!) { machine(id: $m) {
        newest: statusHistory(limit: 2) { totalCount hasMore limit offset items { state } }
        older: statusHistory(limit: 2, offset: 2) { totalCount hasMore items { state } }
        downtimes { totalCount hasMore items { id } }
      } }`,
      { m },
    );
    // IDLE at creation, then four changes: five intervals.
    expect(machine.newest).toEqual({ totalCount: 5, hasMore: true, limit: 2, offset: 0, items: [{ state: "SETUP" }, { state: "RUNNING" }] });
    expect(machine.older).toEqual({ totalCount: 5, hasMore: true, items: [{ state: "IDLE" }, { state: "RUNNING" }] });
    expect(machine.downtimes).toEqual({ totalCount: 0, hasMore: false, items: [] });
    const tooMany = await graphql(url, `query($m: ID!) { machine(id: $m) { statusHistory(limit: 101) { totalCount } } }`, { m });
    expect(codeOf(tooMany.errors?.[0])).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "limit" }] });
  });
});

describe("audit logs", () => {
  it("take a range of any length and sort by orderBy", async () => {
    // 200 years: lists have no span limit (the audit log's 3660 days went); paging bounds the work.
    const { inventoryAuditLog } = await mustQuery(
      url,
      `{ inventoryAuditLog(from: "1990-01-01T00:00:00Z", to: "2190-01-01T00:00:00Z", orderBy: { field: ENTITY }, limit: 100) { totalCount items { entity } } }`,
    );
    expect(inventoryAuditLog.totalCount).toBeGreaterThan(0);
    const entities = inventoryAuditLog.items.map((e: { entity: string }) => e.entity);
    expect(entities).toEqual([...entities].sort());
  });
});
