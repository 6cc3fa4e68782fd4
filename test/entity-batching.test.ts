import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoData } from "@mes/shared";
import { graphql } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { PLANT_DASHBOARD, WORK_ORDER_DETAIL } from "./support/dashboard-queries.ts";

// SQL per request is what this file measures: every request runs (the read cache would answer repeats).
const UNCACHED = { READ_CACHE_ENTRIES: 0 };

// A gateway resolves references in one `_entities` call per subgraph and type. The subgraph must
// answer N references with a constant number of SQL queries, not one per reference.
let stack: TestStack;
const demo = buildDemoData();
const plant = demo.plants[0]!;

// Each request's SQL count is in its log line (sqlQueries), found by its request id.
const logLines: { requestId?: string; msg?: string; sqlQueries?: number }[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split("\n")) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

beforeAll(async () => {
  stack = await startTestStack({ seed: true, log: pino({ level: "info" }, capture), subgraphConfig: UNCACHED });
});
afterAll(async () => stack?.stop());

const cases = [
  {
    subgraph: "production",
    typename: "WorkOrder",
    ids: plant.workOrders.map((w) => w.id),
    fields: "number status quantity product { code } operations { sequence }",
    queries: 3,
  },
  {
    subgraph: "production",
    typename: "Product",
    ids: plant.products.map((p) => p.id),
    fields: "code routing { sequence } billOfMaterials { quantityPer }",
    queries: 3,
  },
  {
    subgraph: "inventory",
    typename: "Material",
    ids: demo.materials.map((m) => m.id),
    fields: "code onHand lots { items { lotNumber onHand } }",
    queries: 4,
  },
  { subgraph: "inventory", typename: "Lot", ids: plant.lots.map((l) => l.id), fields: "lotNumber onHand material { code }", queries: 3 },
  {
    subgraph: "equipment",
    typename: "Machine",
    ids: plant.machines.map((m) => m.id),
    fields: "code state workCenter { code } plant { code }",
    queries: 3,
  },
  { subgraph: "equipment", typename: "Plant", ids: demo.plants.map((p) => p.id), fields: "code areas { code } machines { code }", queries: 3 },
  {
    subgraph: "quality",
    typename: "WorkOrder",
    ids: plant.workOrders.map((w) => w.id),
    fields: "inspections { totalCount items { result plan { code } } } ncrs { totalCount items { number } }",
    queries: 3,
  },
  { subgraph: "quality", typename: "Ncr", ids: plant.ncrs.map((n) => n.id), fields: "number status inspection { result }", queries: 2 },
  {
    subgraph: "shifts",
    typename: "Plant",
    ids: demo.plants.map((p) => p.id),
    fields: "currentShift { name pattern { name } crewAssignments { crew { name members { displayName } } } handovers { notes } }",
    queries: 6,
  },
] as const;

async function entitiesQueryCount(subgraph: keyof TestStack["subgraphs"], typename: string, ids: readonly string[], fields: string) {
  const running = stack.subgraphs[subgraph];
  const requestId = randomUUID();
  const res = await graphql(
    running.url,
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${fields} } } }`,
    {
      r: ids.map((id) => ({ __typename: typename, id })),
    },
    { "x-request-id": requestId },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!._entities).toHaveLength(ids.length);
  expect(res.data!._entities.every((e: unknown) => e !== null)).toBe(true);
  const line = logLines.find((l) => l.requestId === requestId && l.msg === "graphql request");
  expect(line?.sqlQueries).toBeTypeOf("number");
  return line!.sqlQueries!;
}

describe("_entities resolution is batched", () => {
  for (const c of cases) {
    // The budget is one query per type or relation selected, whatever the number of references.
    it(`${c.subgraph} resolves ${c.ids.length} ${c.typename} references in ${c.queries} queries`, async () => {
      expect(c.ids.length).toBeGreaterThan(1);
      const one = await entitiesQueryCount(c.subgraph, c.typename, c.ids.slice(0, 1), c.fields);
      const all = await entitiesQueryCount(c.subgraph, c.typename, c.ids, c.fields);
      expect(all).toBe(c.queries);
      expect(one).toBeLessThanOrEqual(c.queries);
    });
  }

  it("answers unknown and malformed ids with null, not an error", async () => {
    const res = await graphql(
      stack.subgraphs.production.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkOrder { number } } }`,
      {
        r: [
          { __typename: "WorkOrder", id: plant.workOrders[0]!.id },
          { __typename: "WorkOrder", id: "00000000-0000-4000-8000-000000000000" },
          { __typename: "WorkOrder", id: "not-a-uuid" },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ number: plant.workOrders[0]!.number }, null, null]);
  });
});

describe("fields with their own arguments are batched too", () => {
  it("answers a machine list with status history and downtime in a fixed number of queries", async () => {
    const running = stack.subgraphs.equipment;
    const requestId = randomUUID();
    const res = await graphql(
      running.url,
      `{ machines(limit: 40) { totalCount items { code statusHistory(limit: 3) { totalCount items { state } } downtimes(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z") { totalCount items { durationMinutes } } } } }`,
      undefined,
      { "x-request-id": requestId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.machines.items.length).toBe(39);
    type HistoryPages = { statusHistory: { totalCount: number; items: unknown[] }; downtimes: { totalCount: number; items: unknown[] } };
    const machines = res.data!.machines.items as HistoryPages[];
    expect(machines.every((m) => m.statusHistory.items.length >= 1)).toBe(true);
    // Each machine's page holds its newest rows and the total of all of them.
    for (const m of machines) {
      expect(m.statusHistory.items.length).toBe(Math.min(3, m.statusHistory.totalCount));
      expect(m.downtimes.items.length).toBe(Math.min(25, m.downtimes.totalCount));
    }
    const line = logLines.find((l) => l.requestId === requestId && l.msg === "graphql request");
    // machines, count, status history, downtime
    expect(line!.sqlQueries).toBe(4);
  });
});

describe("the dashboard and detail page through the gateway", () => {
  // SQL statements per subgraph for one request, from the subgraphs' log lines (the gateway passes
  // its request id on). The counts must not grow with the number of work orders shown.
  async function sqlPerSubgraph(query: string, variables: Record<string, unknown>) {
    const requestId = randomUUID();
    const res = await graphql(stack.gatewayUrl, query, variables, { "x-request-id": requestId });
    expect(res.errors).toBeUndefined();
    const lines = logLines.filter(
      (l) => l.requestId === requestId && l.msg === "graphql request" && (l as { service?: string }).service !== "gateway",
    );
    const counts: Record<string, number> = {};
    for (const l of lines) {
      const service = (l as { service?: string }).service!;
      counts[service] = (counts[service] ?? 0) + l.sqlQueries!;
    }
    return { counts, data: res.data! };
  }

  it("answers the plant dashboard with a fixed number of queries per subgraph, whatever it shows", async () => {
    const small = await sqlPerSubgraph(PLANT_DASHBOARD.replace("limit: 50", "limit: 1"), { plant: plant.id });
    const full = await sqlPerSubgraph(PLANT_DASHBOARD, { plant: plant.id });
    expect(full.data.workOrders.items.length).toBeGreaterThan(5);
    expect(full.data.workOrders.items.every((w: { operations: { machine: unknown }[] }) => w.operations.every((o) => o.machine))).toBe(true);
    // production: orders, count, operations, products, BOM lines; inventory: materials, on hand,
    // reserved; quality: inspections; equipment: plant, machines; shifts: patterns, shifts.
    expect(full.counts).toEqual({ production: 5, inventory: 3, quality: 1, equipment: 2, shifts: 2 });
    expect(small.counts).toEqual(full.counts);
  });

  it("answers a work order's detail page with a fixed number of queries", async () => {
    const wo = plant.workOrders.find((w) => w.status === "IN_PROGRESS")!;
    const { counts, data } = await sqlPerSubgraph(WORK_ORDER_DETAIL, { id: wo.id });
    expect(data.workOrder.number).toBe(wo.number);
    // production: order, operations, product, history; inventory: moves (cost and transactions);
    // quality: inspections, NCRs; equipment: machines.
    expect(counts).toEqual({ production: 4, inventory: 1, quality: 2, equipment: 1 });
  });

  it("answers nested pages of a page of work orders with one statement per nested list, however many orders", async () => {
    const query = `query($n: Int) { workOrders(limit: $n) { items { number
      history(limit: 2) { totalCount items { to } }
      operations { productionLogs(limit: 2) { totalCount items { goodQuantity } } problems { totalCount } }
      inspections(limit: 2) { totalCount items { result } } ncrs(limit: 2) { totalCount } } } }`;
    const one = await sqlPerSubgraph(query, { n: 1 });
    const many = await sqlPerSubgraph(query, { n: 50 });
    expect(many.data.workOrders.items.length).toBeGreaterThan(20);
    // production: orders, count, operations, history, logs, problems; quality: inspections, NCRs.
    expect(many.counts).toEqual({ production: 6, quality: 2 });
    expect(one.counts).toEqual(many.counts);
  });
});
