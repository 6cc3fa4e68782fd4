// Issue 17: the list convention on production's and quality's lists, through the gateway: filters as
// arguments, the plant optional, [from, to) ranges on a named instant, orderBy with id as the
// tie-breaker, and nested histories as pages with totals (batched across parents).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs, bearer } from "./support/auth.ts";

const ORG = "17a1b2c3-d4e5-4f60-8a71-b2c3d4e5f617";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let north: PlantFixture;
let south: PlantFixture;
let started: string; // an instant before anything was created
const orders = {} as Record<"a" | "b" | "c" | "d", { id: string; operations: string[] }>;
const products: Record<string, string> = {};

const fieldsOf = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await graphql(url, query, variables);
  return {
    code: res.errors?.[0]?.extensions?.code,
    fields: (res.errors?.[0]?.extensions?.fields as { field: string }[] | undefined)?.map((f) => f.field),
  };
};
const numbers = (page: { items: { number: string }[] }) => page.items.map((w) => w.number);

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  started = new Date(Date.now() - 1000).toISOString();
  north = await createPlant(url, ORG, "NOR");
  south = await createPlant(url, ORG, "SOU");
  const gear = await createProduct(url, north, "GEAR", 1);
  const axle = await createProduct(url, north, "AXLE", 1);
  const hub = await createProduct(url, south, "HUB", 1);
  Object.assign(products, { gear, hub });
  orders.a = await createWorkOrder(url, gear, "WO-A", 10, "2027-01-10T00:00:00Z");
  orders.b = await createWorkOrder(url, axle, "WO-B", 10, "2027-01-20T00:00:00Z");
  orders.c = await createWorkOrder(url, gear, "WO-C", 10, "2027-01-30T00:00:00Z");
  orders.d = await createWorkOrder(url, hub, "WO-D", 10, "2027-01-25T00:00:00Z");
  // WO-A runs to COMPLETED: four status changes, two production logs, one problem report.
  const op = orders.a.operations[0]!;
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: orders.a.id });
  await mustQuery(url, `mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op });
  for (const [good, at] of [
    [4, -7_200_000],
    [6, -60_000],
  ] as const) {
    const loggedAt = new Date(Date.now() + at).toISOString();
    await mustQuery(url, `mutation($i: LogProductionInput!) { logProduction(input: $i) { id } }`, {
      i: { operationId: op, goodQuantity: good, loggedAt },
    });
  }
  await mustQuery(url, `mutation($id: ID!) { reportProblem(input: { operationId: $id, kind: OTHER, description: "Coolant low" }) { id } }`, {
    id: op,
  });
  await mustQuery(url, `mutation($id: ID!) { completeOperation(id: $id) { id } }`, { id: op });
  await mustQuery(url, `mutation($id: ID!) { completeWorkOrder(id: $id) { id } }`, { id: orders.a.id });
  await mustQuery(url, `mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: orders.d.id });
  await mustQuery(
    url,
    `mutation($id: ID!) { reportProblem(input: { operationId: $id, kind: MACHINE_FAULT, description: "Spindle noise" }) { id } }`,
    {
      id: orders.d.operations[0]!,
    },
  );
});
afterAll(async () => stack?.stop());

describe("workOrders", () => {
  it("filters by arguments (plant, status, product, due range) and is earliest due first by default", async () => {
    const q = `query($p: ID, $s: [WorkOrderStatus!], $prod: ID, $df: DateTime, $dt: DateTime) {
      workOrders(plantId: $p, status: $s, productId: $prod, dueFrom: $df, dueTo: $dt) { totalCount items { number } } }`;
    expect(numbers((await mustQuery(url, q)).workOrders)).toEqual(["WO-A", "WO-B", "WO-D", "WO-C"]);
    expect(numbers((await mustQuery(url, q, { p: north.plantId })).workOrders)).toEqual(["WO-A", "WO-B", "WO-C"]);
    expect(numbers((await mustQuery(url, q, { s: ["RELEASED", "COMPLETED"] })).workOrders)).toEqual(["WO-A", "WO-D"]);
    expect(numbers((await mustQuery(url, q, { s: [] })).workOrders)).toHaveLength(4); // empty: every status
    // [dueFrom, dueTo): due exactly at dueTo is left out.
    const due = (await mustQuery(url, q, { df: "2027-01-20T00:00:00Z", dt: "2027-01-30T00:00:00Z" })).workOrders;
    expect(due).toEqual({ totalCount: 2, items: [{ number: "WO-B" }, { number: "WO-D" }] });
  });

  it("filters by when they were created and completed", async () => {
    const q = `query($f: DateTime, $t: DateTime, $cf: DateTime, $ct: DateTime) {
      workOrders(from: $f, to: $t, completedFrom: $cf, completedTo: $ct) { totalCount } }`;
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await mustQuery(url, q, { f: started, t: later })).workOrders.totalCount).toBe(4);
    expect((await mustQuery(url, q, { t: started })).workOrders.totalCount).toBe(0);
    expect((await mustQuery(url, q, { cf: started, ct: later })).workOrders.totalCount).toBe(1); // only WO-A completed
    expect((await mustQuery(url, q, { cf: later })).workOrders.totalCount).toBe(0);
  });

  it("sorts by orderBy, then id; refuses reversed ranges naming the end", async () => {
    const q = `query($o: WorkOrderOrder) { workOrders(orderBy: $o) { items { number } } }`;
    expect(numbers((await mustQuery(url, q, { o: { field: "NUMBER", direction: "DESC" } })).workOrders)).toEqual(["WO-D", "WO-C", "WO-B", "WO-A"]);
    const byStatus = await mustQuery(url, `{ workOrders(orderBy: { field: STATUS }) { items { status } } }`);
    // The enum's order: PLANNED, RELEASED, ..., COMPLETED.
    expect(byStatus.workOrders.items.map((w: { status: string }) => w.status)).toEqual(["PLANNED", "PLANNED", "RELEASED", "COMPLETED"]);
    expect(numbers((await mustQuery(url, q, { o: { field: "DUE_DATE", direction: "DESC" } })).workOrders)).toEqual(["WO-C", "WO-D", "WO-B", "WO-A"]);
    for (const [args, field] of [
      [`dueFrom: "2027-01-20T00:00:00Z", dueTo: "2027-01-10T00:00:00Z"`, "dueTo"],
      [`completedFrom: "2027-01-20T00:00:00Z", completedTo: "2027-01-20T00:00:00Z"`, "completedTo"],
      [`from: "2027-01-20T00:00:00Z", to: "2027-01-10T00:00:00Z"`, "to"],
    ]) {
      expect(await fieldsOf(`{ workOrders(${args}) { totalCount } }`)).toEqual({ code: "BAD_USER_INPUT", fields: [field] });
    }
  });
});

describe("products and problem reports", () => {
  it("products sort by orderBy", async () => {
    const q = `query($o: ProductOrder) { products(orderBy: $o) { items { code } } }`;
    const codes = async (o?: unknown) => (await mustQuery(url, q, { o })).products.items.map((p: { code: string }) => p.code);
    expect(await codes()).toEqual(["AXLE", "GEAR", "HUB"]);
    expect(await codes({ field: "CODE", direction: "DESC" })).toEqual(["HUB", "GEAR", "AXLE"]);
    expect(await codes({ field: "NAME" })).toEqual(["AXLE", "GEAR", "HUB"]);
  });

  it("problemReports span every plant without plantId, filter by reported at and sort by orderBy", async () => {
    const q = `query($p: ID, $f: DateTime, $t: DateTime, $o: ProblemReportOrder) {
      problemReports(plantId: $p, from: $f, to: $t, orderBy: $o) { totalCount items { description } } }`;
    const descriptions = async (v: Record<string, unknown>) =>
      (await mustQuery(url, q, v)).problemReports.items.map((r: { description: string }) => r.description);
    expect(await descriptions({})).toEqual(["Spindle noise", "Coolant low"]); // newest first
    expect(await descriptions({ p: north.plantId })).toEqual(["Coolant low"]);
    expect(await descriptions({ o: { field: "KIND" } })).toEqual(["Spindle noise", "Coolant low"]); // MACHINE_FAULT before OTHER
    expect(await descriptions({ o: { field: "REPORTED_AT" } })).toEqual(["Coolant low", "Spindle noise"]);
    expect(await descriptions({ t: started })).toEqual([]);
    expect(await fieldsOf(`{ problemReports(from: "2027-01-02T00:00:00Z", to: "2027-01-01T00:00:00Z") { totalCount } }`)).toEqual({
      code: "BAD_USER_INPUT",
      fields: ["to"],
    });
  });
});

describe("nested histories are pages with totals", () => {
  it("WorkOrder.history pages its status changes, oldest first, for every order of a list at once", async () => {
    const { workOrders } = await mustQuery(
      url,
      `{ workOrders(orderBy: { field: NUMBER }) { items { number history(limit: 1, offset: 1) { totalCount limit offset hasMore items { to } } } } }`,
    );
    const byNumber = Object.fromEntries(workOrders.items.map((w: { number: string; history: unknown }) => [w.number, w.history]));
    // Creation is no status change: WO-A was released, started and completed.
    expect(byNumber["WO-A"]).toEqual({ totalCount: 3, limit: 1, offset: 1, hasMore: true, items: [{ to: "IN_PROGRESS" }] });
    expect(byNumber["WO-B"]).toEqual({ totalCount: 0, limit: 1, offset: 1, hasMore: false, items: [] });
    expect(byNumber["WO-D"]).toEqual({ totalCount: 1, limit: 1, offset: 1, hasMore: false, items: [] });
  });

  it("Operation.productionLogs and problems page with a [from, to) range", async () => {
    const q = `query($id: ID!, $f: DateTime) { workOrder(id: $id) { operations {
      productionLogs(from: $f) { totalCount items { goodQuantity } } all: productionLogs(limit: 1) { totalCount hasMore items { goodQuantity } }
      problems { totalCount items { description } } } } }`;
    const [op] = (await mustQuery(url, q, { id: orders.a.id, f: new Date(Date.now() - 3_600_000).toISOString() })).workOrder.operations;
    expect(op).toEqual({
      productionLogs: { totalCount: 1, items: [{ goodQuantity: 6 }] },
      all: { totalCount: 2, hasMore: true, items: [{ goodQuantity: 4 }] },
      problems: { totalCount: 1, items: [{ description: "Coolant low" }] },
    });
  });

  it("refuses a page size out of range and a reversed range, naming the argument", async () => {
    const q = (args: string) => `query($id: ID!) { workOrder(id: $id) { history(${args}) { totalCount } } }`;
    expect(await fieldsOf(q("limit: 0"), { id: orders.a.id })).toEqual({ code: "BAD_USER_INPUT", fields: ["limit"] });
    expect(await fieldsOf(q("limit: 101"), { id: orders.a.id })).toEqual({ code: "BAD_USER_INPUT", fields: ["limit"] });
    expect(await fieldsOf(q("offset: -1"), { id: orders.a.id })).toEqual({ code: "BAD_USER_INPUT", fields: ["offset"] });
    expect(await fieldsOf(q(`from: "2027-01-02T00:00:00Z", to: "2027-01-01T00:00:00Z"`), { id: orders.a.id })).toEqual({
      code: "BAD_USER_INPUT",
      fields: ["to"],
    });
  });
});

describe("quality lists", () => {
  let plans: Record<string, string>;
  beforeAll(async () => {
    plans = {};
    for (const [f, code, productId] of [
      [north, "IP-N", products.gear],
      [south, "IP-S", products.hub],
    ] as const) {
      const { createInspectionPlan } = await mustQuery(url, `mutation($i: CreateInspectionPlanInput!) { createInspectionPlan(input: $i) { id } }`, {
        i: {
          plantId: f.plantId,
          code,
          name: code,
          productId,
          workCenterId: f.workCenterId,
          characteristics: [{ name: "Finish", kind: "ATTRIBUTE" }],
        },
      });
      plans[code] = createInspectionPlan.id;
    }
    const finish = async (plan: string) =>
      (await mustQuery(url, `query($id: ID!) { inspectionPlan(id: $id) { characteristics { id } } }`, { id: plan })).inspectionPlan.characteristics[0]
        .id;
    const inspect = (plan: string, characteristicId: string, workOrderId: string, passed: boolean, quantityInspected: number) =>
      mustQuery(url, `mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }`, {
        i: { planId: plan, workOrderId, quantityInspected, measurements: [{ characteristicId, passed }] },
      });
    const n = await finish(plans["IP-N"]!);
    const s = await finish(plans["IP-S"]!);
    await inspect(plans["IP-N"]!, n, orders.a.id, true, 5);
    await inspect(plans["IP-N"]!, n, orders.a.id, false, 2); // opens an NCR
    await inspect(plans["IP-N"]!, n, orders.a.id, true, 3);
    await inspect(plans["IP-S"]!, s, orders.d.id, true, 1);
  });

  it("inspectionPlans span every plant without plantId, by code", async () => {
    const codes = async (p?: string) =>
      (await mustQuery(url, `query($p: ID) { inspectionPlans(plantId: $p) { code } }`, { p })).inspectionPlans.map((x: { code: string }) => x.code);
    expect(await codes()).toEqual(["IP-N", "IP-S"]);
    expect(await codes(south.plantId)).toEqual(["IP-S"]);
  });

  it("inspections filter by result and recorded at, and sort by orderBy", async () => {
    const q = `query($r: [InspectionResult!], $f: DateTime, $t: DateTime, $o: InspectionOrder) {
      inspections(result: $r, from: $f, to: $t, orderBy: $o) { totalCount items { quantityInspected } } }`;
    const sizes = async (v: Record<string, unknown>) =>
      (await mustQuery(url, q, v)).inspections.items.map((i: { quantityInspected: number }) => i.quantityInspected);
    expect(await sizes({})).toEqual([1, 3, 2, 5]); // newest first
    expect(await sizes({ r: ["FAIL"] })).toEqual([2]);
    expect(await sizes({ o: { field: "QUANTITY_INSPECTED", direction: "DESC" } })).toEqual([5, 3, 2, 1]);
    expect(await sizes({ t: started })).toEqual([]);
    expect(await sizes({ f: started, t: new Date(Date.now() + 3_600_000).toISOString() })).toHaveLength(4);
    expect(await fieldsOf(`{ inspections(from: "2027-01-02T00:00:00Z", to: "2027-01-01T00:00:00Z") { totalCount } }`)).toEqual({
      code: "BAD_USER_INPUT",
      fields: ["to"],
    });
  });

  it("ncrs sort by orderBy", async () => {
    const { ncrs } = await mustQuery(url, `{ ncrs(orderBy: { field: NUMBER }) { totalCount items { severity } } }`);
    expect(ncrs).toEqual({ totalCount: 1, items: [{ severity: "MAJOR" }] });
  });

  it("WorkOrder.inspections and ncrs are pages, newest first, per order of a list", async () => {
    const { workOrders } = await mustQuery(
      url,
      `{ workOrders(orderBy: { field: NUMBER }) { items { number lastInspection { quantityInspected }
        inspections(limit: 2) { totalCount hasMore items { quantityInspected } } ncrs { totalCount } } } }`,
    );
    const byNumber = Object.fromEntries(workOrders.items.map((w: { number: string }) => [w.number, w]));
    expect(byNumber["WO-A"]).toEqual({
      number: "WO-A",
      lastInspection: { quantityInspected: 3 },
      inspections: { totalCount: 3, hasMore: true, items: [{ quantityInspected: 3 }, { quantityInspected: 2 }] },
      ncrs: { totalCount: 1 },
    });
    expect(byNumber["WO-B"]).toMatchObject({
      lastInspection: null,
      inspections: { totalCount: 0, hasMore: false, items: [] },
      ncrs: { totalCount: 0 },
    });
    expect(byNumber["WO-D"].inspections.totalCount).toBe(1);
  });

  it("nested pages read in SQL keep to the caller's organization and plants", async () => {
    // Quality answers any WorkOrder reference: the pages themselves must leave out what the caller may not see.
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkOrder { inspections { totalCount } ncrs { totalCount } } } }`;
    const pagesFor = async (caller: Parameters<typeof bearer>[0]) =>
      (await mustQuery(stack.subgraphs.quality.url, q, { r: [{ __typename: "WorkOrder", id: orders.a.id }] }, await bearer(caller)))._entities[0];
    expect(await pagesFor({ organizationId: ORG })).toEqual({ inspections: { totalCount: 3 }, ncrs: { totalCount: 1 } });
    expect(await pagesFor({ organizationId: ORG, plantIds: [north.plantId] })).toEqual({ inspections: { totalCount: 3 }, ncrs: { totalCount: 1 } });
    expect(await pagesFor({ organizationId: ORG, plantIds: [south.plantId] })).toEqual({ inspections: { totalCount: 0 }, ncrs: { totalCount: 0 } });
    expect(await pagesFor({ organizationId: "5ca1e000-0000-4000-8000-0000000000ee" })).toEqual({
      inspections: { totalCount: 0 },
      ncrs: { totalCount: 0 },
    });
  });
});
