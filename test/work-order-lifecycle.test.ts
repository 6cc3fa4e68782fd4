import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, mustQuery } from "./support/graphql.ts";
import { startTestStack, type TestStack } from "./support/stack.ts";
import { createPlant, createProduct, createWorkOrder, type PlantFixture } from "./support/fixtures.ts";
import { actAs, bearer } from "./support/auth.ts";

const ORG = "11111111-2222-4333-8444-555555555555";
actAs({ organizationId: ORG });
let stack: TestStack;
let url: string;
let plant: PlantFixture;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl;
  plant = await createPlant(url, ORG);
});
afterAll(async () => stack?.stop());

async function act(query: string, variables: Record<string, unknown>, user = "planner.pat") {
  const res = await graphql(url, query, variables, await bearer({ userId: user, organizationId: ORG }));
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}
const errorOf = async (query: string, variables: Record<string, unknown>) => (await graphql(url, query, variables)).errors![0]!;

describe("work order lifecycle", () => {
  it("runs PLANNED to CLOSED through its operations, recording every step", async () => {
    const productId = await createProduct(url, plant, "LIFE-1", 2);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-1", 100);
    const [op10, op20] = wo.operations as [string, string];

    // Nothing runs before release.
    const early = await errorOf(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op10 });
    expect(early.extensions!.code).toBe("CONFLICT");
    expect(early.message).toBe("Work order WO-LIFE-1 is PLANNED; its operations can run once it is RELEASED or IN_PROGRESS");

    await act(`mutation($id: ID!) { releaseWorkOrder(id: $id, reason: "material staged") { status } }`, { id: wo.id });
    // Operation 20 waits for operation 10.
    const blocked = await errorOf(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: op20 });
    expect(blocked.message).toBe("The operation 20 (Step 2) of WO-LIFE-1 cannot start before operation 10 (Step 1) is completed");

    const started = await act(`mutation($id: ID!) { startOperation(id: $id) { status workOrder { status } } }`, { id: op10 }, "op.olga");
    expect(started.startOperation).toEqual({ status: "IN_PROGRESS", workOrder: { status: "IN_PROGRESS" } });
    await act(
      `mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 98, scrapQuantity: 2 }) { goodQuantity } }`,
      { id: op10 },
      "op.olga",
    );
    await act(`mutation($id: ID!) { completeOperation(id: $id) { status } }`, { id: op10 }, "op.olga");

    // Completing the order before its last operation is refused.
    const premature = await errorOf(`mutation($id: ID!) { completeWorkOrder(id: $id) { id } }`, { id: wo.id });
    expect(premature.message).toBe("Work order WO-LIFE-1 cannot complete: operation(s) 20 are not completed");

    await act(`mutation($id: ID!) { startOperation(id: $id) { status } }`, { id: op20 }, "op.olga");
    await act(
      `mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 97, scrapQuantity: 1 }) { id } }`,
      { id: op20 },
      "op.olga",
    );
    await act(`mutation($id: ID!) { completeOperation(id: $id) { status } }`, { id: op20 }, "op.olga");
    await act(`mutation($id: ID!) { completeWorkOrder(id: $id) { status } }`, { id: wo.id }, "super.sam");
    const closed = await act(
      `mutation($id: ID!) { closeWorkOrder(id: $id, reason: "booked") { status allowedTransitions goodQuantity scrapQuantity
      operations { sequence status goodQuantity scrapQuantity progress productionLogs { totalCount items { goodQuantity scrapQuantity loggedBy } } }
      history { totalCount items { from to actor reason } } } }`,
      { id: wo.id },
      "super.sam",
    );

    expect(closed.closeWorkOrder).toEqual({
      status: "CLOSED",
      allowedTransitions: [],
      goodQuantity: 97,
      scrapQuantity: 3,
      operations: [
        {
          sequence: 10,
          status: "COMPLETED",
          goodQuantity: 98,
          scrapQuantity: 2,
          progress: 1,
          productionLogs: { totalCount: 1, items: [{ goodQuantity: 98, scrapQuantity: 2, loggedBy: "op.olga" }] },
        },
        {
          sequence: 20,
          status: "COMPLETED",
          goodQuantity: 97,
          scrapQuantity: 1,
          progress: 1,
          productionLogs: { totalCount: 1, items: [{ goodQuantity: 97, scrapQuantity: 1, loggedBy: "op.olga" }] },
        },
      ],
      history: {
        totalCount: 4,
        items: [
          { from: "PLANNED", to: "RELEASED", actor: "planner.pat", reason: "material staged" },
          { from: "RELEASED", to: "IN_PROGRESS", actor: "op.olga", reason: "operation 10 started" },
          { from: "IN_PROGRESS", to: "COMPLETED", actor: "super.sam", reason: null },
          { from: "COMPLETED", to: "CLOSED", actor: "super.sam", reason: "booked" },
        ],
      },
    });

    // Every transition also went to the outbox, in order, in the same transactions.
    const { rows } = await stack.subgraphs.production.pool.query(
      `SELECT payload FROM "OutboxEvent" WHERE type = 'WorkOrderStatusChanged' AND "aggregateId" = $1 ORDER BY id`,
      [wo.id],
    );
    expect(rows.map((r) => `${r.payload.from}->${r.payload.to}`)).toEqual([
      "PLANNED->RELEASED",
      "RELEASED->IN_PROGRESS",
      "IN_PROGRESS->COMPLETED",
      "COMPLETED->CLOSED",
    ]);
  });

  it("refuses invalid transitions with CONFLICT naming the allowed next states", async () => {
    const productId = await createProduct(url, plant, "LIFE-2", 1);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-2", 10);
    const err = await errorOf(`mutation($id: ID!) { closeWorkOrder(id: $id) { id } }`, { id: wo.id });
    expect(err.extensions).toMatchObject({ code: "CONFLICT", currentStatus: "PLANNED", allowedNextStatuses: ["RELEASED", "CANCELLED"] });
    expect(err.message).toBe("Work order WO-LIFE-2 is PLANNED; it can go to RELEASED or CANCELLED, not CLOSED");
    await act(`mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "customer cancelled") { status } }`, { id: wo.id });
    const again = await errorOf(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    expect(again.message).toBe("Work order WO-LIFE-2 is CANCELLED; it can go to no other status, not RELEASED");
    const noReason = await errorOf(`mutation($id: ID!) { cancelWorkOrder(id: $id, reason: "  ") { id } }`, { id: wo.id });
    expect(noReason.extensions!.code).toBe("BAD_USER_INPUT");
  });

  it("holds a running order until every hold is released", async () => {
    const productId = await createProduct(url, plant, "LIFE-3", 2);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-3", 10);
    await act(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await act(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    const { placeWorkOrderHold: h1 } = await act(
      `mutation($id: ID!) { placeWorkOrderHold(workOrderId: $id, reason: "suspect material lot") { id workOrder { status } } }`,
      { id: wo.id },
      "qa.quinn",
    );
    expect(h1.workOrder.status).toBe("ON_HOLD");
    const { placeWorkOrderHold: h2 } = await act(
      `mutation($id: ID!) { placeWorkOrderHold(workOrderId: $id, reason: "fixture check") { id } }`,
      { id: wo.id },
      "qa.quinn",
    );

    const refused = await errorOf(`mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 1 }) { id } }`, {
      id: wo.operations[0],
    });
    expect(refused.extensions!.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/^Work order WO-LIFE-3 is ON_HOLD; its operations can run once it is RELEASED or IN_PROGRESS/);

    const first = await act(`mutation($id: ID!) { releaseWorkOrderHold(holdId: $id) { active workOrder { status } } }`, { id: h1.id }, "qa.quinn");
    expect(first.releaseWorkOrderHold).toEqual({ active: false, workOrder: { status: "ON_HOLD" } });
    const last = await act(
      `mutation($id: ID!) { releaseWorkOrderHold(holdId: $id) { workOrder { status holds(activeOnly: true) { id } history { items { to actor } } } } }`,
      { id: h2.id },
      "qa.quinn",
    );
    expect(last.releaseWorkOrderHold.workOrder).toEqual({
      status: "IN_PROGRESS",
      holds: [],
      history: {
        items: [
          { to: "RELEASED", actor: "planner.pat" },
          { to: "IN_PROGRESS", actor: "planner.pat" },
          { to: "ON_HOLD", actor: "qa.quinn" },
          { to: "IN_PROGRESS", actor: "qa.quinn" },
        ],
      },
    });
  });

  it("refuses production logs beyond the remaining quantity plus the 5% tolerance", async () => {
    const productId = await createProduct(url, plant, "LIFE-4", 1);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-4", 100);
    await act(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await act(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    await act(`mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 90, scrapQuantity: 10 }) { id } }`, {
      id: wo.operations[0],
    });
    const over = await errorOf(`mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 6 }) { id } }`, { id: wo.operations[0] });
    expect(over.extensions!.code).toBe("BAD_USER_INPUT");
    expect(over.message).toBe(
      "The operation 10 (Step 1) of WO-LIFE-4 can take at most 5 more units (order quantity 100 plus 5% tolerance, 100 already reported)",
    );
    await act(`mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 5 }) { id } }`, { id: wo.operations[0] });
    const negative = await errorOf(`mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: -1, scrapQuantity: 0 }) { id } }`, {
      id: wo.operations[0],
    });
    expect(negative.extensions!.fields).toEqual([{ field: "input.goodQuantity", message: "must not be negative" }]);
  });

  it("assigns operations to machines and operators, and logs production against them", async () => {
    const productId = await createProduct(url, plant, "LIFE-6", 1);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-6", 10);
    const { assignOperation } = await act(
      `mutation($id: ID!, $m: ID!) { assignOperation(id: $id, machineId: $m, operatorId: "op.omar") { operatorId machine { code state } } }`,
      { id: wo.operations[0], m: plant.machineIds[1] },
    );
    expect(assignOperation).toEqual({ operatorId: "op.omar", machine: { code: "M-2", state: "IDLE" } });
    await act(`mutation($id: ID!) { releaseWorkOrder(id: $id) { id } }`, { id: wo.id });
    await act(`mutation($id: ID!) { startOperation(id: $id) { id } }`, { id: wo.operations[0] });
    const { logProduction } = await act(
      `mutation($id: ID!) { logProduction(input: { operationId: $id, goodQuantity: 4 }) { operatorId machine { code } workOrder { number } } }`,
      { id: wo.operations[0] },
    );
    expect(logProduction).toEqual({ operatorId: "op.omar", machine: { code: "M-2" }, workOrder: { number: "WO-LIFE-6" } });
    const nothing = await errorOf(`mutation($id: ID!) { assignOperation(id: $id) { id } }`, { id: wo.operations[0] });
    expect(nothing.message).toBe("Give a machineId, an operatorId or both");
  });

  it("tracks problem reports from OPEN through ACKNOWLEDGED to RESOLVED", async () => {
    const productId = await createProduct(url, plant, "LIFE-5", 1);
    const wo = await createWorkOrder(url, productId, "WO-LIFE-5", 10);
    const { reportProblem: p } = await act(
      `mutation($id: ID!) { reportProblem(input: { operationId: $id, kind: MATERIAL_MISSING, description: "no bolts at line side" }) { id status reportedBy } }`,
      { id: wo.operations[0] },
      "op.olga",
    );
    expect(p).toMatchObject({ status: "OPEN", reportedBy: "op.olga" });
    const resolvedEarly = await act(`mutation($id: ID!) { acknowledgeProblem(id: $id) { status acknowledgedBy } }`, { id: p.id }, "lead.lee");
    expect(resolvedEarly.acknowledgeProblem).toEqual({ status: "ACKNOWLEDGED", acknowledgedBy: "lead.lee" });
    const twice = await errorOf(`mutation($id: ID!) { acknowledgeProblem(id: $id) { id } }`, { id: p.id });
    expect(twice.message).toBe(`Problem report ${p.id} is ACKNOWLEDGED; it cannot become ACKNOWLEDGED`);
    const done = await act(
      `mutation($id: ID!) { resolveProblem(id: $id, resolution: "bolts delivered") { status resolution resolvedBy } }`,
      { id: p.id },
      "lead.lee",
    );
    expect(done.resolveProblem).toEqual({ status: "RESOLVED", resolution: "bolts delivered", resolvedBy: "lead.lee" });
  });
});

describe("schedule", () => {
  it("reports a machine overlap and refuses to reschedule into a conflict", async () => {
    const productId = await createProduct(url, plant, "SCHED-1", 2);
    const a = await createWorkOrder(url, productId, "WO-SCHED-A", 10, "2027-03-01T16:00:00Z");
    const b = await createWorkOrder(url, productId, "WO-SCHED-B", 10, "2027-03-01T10:00:00Z");
    const [m1, m2] = plant.machineIds as [string, string];
    const move = (id: string, machineId: string, start: string, end: string) =>
      graphql(url, `mutation($i: RescheduleOperationInput!) { rescheduleOperation(input: $i) { id } }`, {
        i: { operationId: id, machineId, plannedStart: start, plannedEnd: end },
      });

    expect((await move(a.operations[0]!, m1, "2027-03-01T08:00:00Z", "2027-03-01T10:00:00Z")).errors).toBeUndefined();
    expect((await move(a.operations[1]!, m2, "2027-03-01T10:00:00Z", "2027-03-01T12:00:00Z")).errors).toBeUndefined();
    expect((await move(b.operations[0]!, m2, "2027-03-01T07:00:00Z", "2027-03-01T08:30:00Z")).errors).toBeUndefined();

    // Into an occupied slot: refused, nothing changes.
    const clash = await move(b.operations[1]!, m1, "2027-03-01T09:00:00Z", "2027-03-01T11:00:00Z");
    expect(clash.errors![0]!.extensions!.code).toBe("CONFLICT");
    expect(clash.errors![0]!.message).toBe("Machine is busy from 2027-03-01T08:00:00Z to 2027-03-01T10:00:00Z with WO-SCHED-A operation 10");
    // Before its predecessor ends: refused.
    const early = await move(b.operations[1]!, m1, "2027-03-01T08:00:00Z", "2027-03-01T08:10:00Z");
    expect(early.errors![0]!.message).toBe(
      "Operation 20 of WO-SCHED-B cannot start at 2027-03-01T08:00:00Z: operation 10 ends at 2027-03-01T08:30:00Z",
    );
    expect((await move(b.operations[1]!, m1, "2027-03-01T10:00:00Z", "2027-03-01T11:30:00Z")).errors).toBeUndefined();

    // An overlap created where the schedule was not checked (e.g. imported plans) is reported.
    await stack.subgraphs.production.pool.query(
      `UPDATE "Operation" SET "plannedStart" = '2027-03-01T11:00:00Z', "plannedEnd" = '2027-03-01T13:00:00Z' WHERE id = $1`,
      [b.operations[1]],
    );
    const { schedule } = await mustQuery(
      url,
      `query($p: ID!) { schedule(plantId: $p, from: "2027-03-01T00:00:00Z", to: "2027-03-02T00:00:00Z") {
      lanes { machine { code } operations { workOrderNumber sequence plannedStart plannedEnd progress } }
      conflicts { kind message operations { sequence } workOrder { number } }
      criticalPath { operations { sequence workOrder { number } } durationMinutes }
    } }`,
      { p: plant.plantId },
    );
    // Lanes come ordered by machine id; compare them by machine code.
    const lanes = [...schedule.lanes].sort((x: { machine: { code: string } }, y: { machine: { code: string } }) =>
      x.machine.code.localeCompare(y.machine.code),
    );
    expect(lanes).toEqual([
      {
        machine: { code: "M-1" },
        operations: [
          {
            workOrderNumber: "WO-SCHED-A",
            sequence: 10,
            plannedStart: "2027-03-01T08:00:00.000Z",
            plannedEnd: "2027-03-01T10:00:00.000Z",
            progress: 0,
          },
          {
            workOrderNumber: "WO-SCHED-B",
            sequence: 20,
            plannedStart: "2027-03-01T11:00:00.000Z",
            plannedEnd: "2027-03-01T13:00:00.000Z",
            progress: 0,
          },
        ],
      },
      {
        machine: { code: "M-2" },
        operations: [
          {
            workOrderNumber: "WO-SCHED-B",
            sequence: 10,
            plannedStart: "2027-03-01T07:00:00.000Z",
            plannedEnd: "2027-03-01T08:30:00.000Z",
            progress: 0,
          },
          {
            workOrderNumber: "WO-SCHED-A",
            sequence: 20,
            plannedStart: "2027-03-01T10:00:00.000Z",
            plannedEnd: "2027-03-01T12:00:00.000Z",
            progress: 0,
          },
        ],
      },
    ]);
    expect(schedule.conflicts).toEqual([
      {
        kind: "LATE",
        message: "WO-SCHED-B ends at 2027-03-01T13:00:00Z, after its due date 2027-03-01T10:00:00Z",
        operations: [{ sequence: 20 }],
        workOrder: { number: "WO-SCHED-B" },
      },
    ]);
    // Put A20 (10-12) on M-1 as well, where B20 (11-13) runs: now the lane overlaps.
    await stack.subgraphs.production.pool.query(`UPDATE "Operation" SET "machineId" = $2 WHERE id = $1`, [a.operations[1], m1]);
    const again = await mustQuery(
      url,
      `query($p: ID!) { schedule(plantId: $p, from: "2027-03-01T00:00:00Z", to: "2027-03-02T00:00:00Z") { conflicts { kind message } criticalPath { operations { sequence workOrder { number } } durationMinutes } } }`,
      { p: plant.plantId },
    );
    expect(again.schedule.conflicts).toContainEqual({
      kind: "MACHINE_OVERLAP",
      message: "WO-SCHED-A op 20 (until 2027-03-01T12:00:00Z) overlaps WO-SCHED-B op 20 (from 2027-03-01T11:00:00Z) on one machine",
    });
    // B20 ends last (13:00) and starts at its planned 11:00, an hour after A10 before it on the same
    // machine (ends 10:00) and 2.5 h after its routing predecessor B10 (08:30): A10 has an hour of
    // slack, so only B20 has none (critical path method): B20 alone, 11:00 to 13:00.
    expect(schedule.criticalPath).toEqual({
      operations: [{ sequence: 20, workOrder: { number: "WO-SCHED-B" } }],
      durationMinutes: 120,
    });
  });
});

describe("production KPIs", () => {
  it("computes on-time delivery, cycle time and schedule adherence by hand-checkable definitions", async () => {
    const k1 = await createProduct(url, plant, "KPI-1", 1);
    const k2 = await createProduct(url, plant, "KPI-2", 1);
    const orders = {
      a: await createWorkOrder(url, k1, "WO-KPI-A", 1),
      b: await createWorkOrder(url, k1, "WO-KPI-B", 1),
      c: await createWorkOrder(url, k2, "WO-KPI-C", 1),
      d: await createWorkOrder(url, k2, "WO-KPI-D", 1),
    };
    // Completed orders with fixed dates, so the expected values can be worked out by hand (in the
    // past: a completion time that has not happened yet is not counted).
    const set = (id: string, released: string, completed: string, due: string, plannedEnd: string | null) =>
      stack.subgraphs.production.pool.query(
        `UPDATE "WorkOrder" SET status = 'COMPLETED', "releasedAt" = $2, "completedAt" = $3, "dueDate" = $4, "plannedEnd" = $5 WHERE id = $1`,
        [id, released, completed, due, plannedEnd],
      );
    await set(orders.a.id, "2025-01-01T00:00Z", "2025-01-03T00:00Z", "2025-01-04T00:00Z", "2025-01-02T00:00Z"); // 48 h, on time, after plan
    await set(orders.b.id, "2025-01-02T00:00Z", "2025-01-02T12:00Z", "2025-01-02T06:00Z", "2025-01-03T00:00Z"); // 12 h, late, within plan
    await set(orders.c.id, "2025-01-05T00:00Z", "2025-01-06T00:00Z", "2025-01-10T00:00Z", null); // 24 h, on time, no plan
    await set(orders.d.id, "2025-02-10T00:00Z", "2025-02-15T00:00Z", "2025-02-20T00:00Z", null); // outside the window

    const q = `query($p: ID!, $f: DateTime!, $t: DateTime!) { productionKpis(plantId: $p, from: $f, to: $t) {
      completedWorkOrders averageCycleTimeHours
      onTimeDelivery { value numerator denominator } scheduleAdherence { value numerator denominator }
      byProduct { product { code } completedWorkOrders averageCycleTimeHours onTimeDelivery { value } scheduleAdherence { value numerator denominator } } } }`;
    const { productionKpis } = await mustQuery(url, q, { p: plant.plantId, f: "2025-01-01T00:00:00Z", t: "2025-02-01T00:00:00Z" });
    expect(productionKpis).toEqual({
      completedWorkOrders: 3,
      averageCycleTimeHours: 28, // (48 + 12 + 24) / 3
      onTimeDelivery: { value: 2 / 3, numerator: 2, denominator: 3 },
      scheduleAdherence: { value: 0.5, numerator: 1, denominator: 2 },
      byProduct: [
        {
          product: { code: "KPI-1" },
          completedWorkOrders: 2,
          averageCycleTimeHours: 30,
          onTimeDelivery: { value: 0.5 },
          scheduleAdherence: { value: 0.5, numerator: 1, denominator: 2 },
        },
        {
          product: { code: "KPI-2" },
          completedWorkOrders: 1,
          averageCycleTimeHours: 24,
          onTimeDelivery: { value: 1 },
          scheduleAdherence: { value: null, numerator: 0, denominator: 0 },
        },
      ],
    });
    // Nothing completed: every ratio is null, not NaN.
    const empty = await mustQuery(url, q, { p: plant.plantId, f: "2026-01-01T00:00:00Z", t: "2026-02-01T00:00:00Z" });
    expect(empty.productionKpis).toEqual({
      completedWorkOrders: 0,
      averageCycleTimeHours: null,
      onTimeDelivery: { value: null, numerator: 0, denominator: 0 },
      scheduleAdherence: { value: null, numerator: 0, denominator: 0 },
      byProduct: [],
    });
  });
});
