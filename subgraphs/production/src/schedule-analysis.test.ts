import { describe, expect, it } from "vitest";
import { Prisma, type Operation, type WorkOrder } from "./generated/prisma/client.ts";
import { assertRoutingOrder, criticalPath, progressOf, scheduleOf } from "./schedule-analysis.ts";

const DAY = "2027-03-01";
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00Z`);
const d = (n: number) => new Prisma.Decimal(n);
const from = at("00:00"),
  to = new Date("2027-03-02T00:00:00Z");

function workOrder(number: string, due: string, quantity = 10): WorkOrder {
  return {
    id: number,
    organizationId: "org",
    plantId: "plant",
    number,
    productId: "product",
    quantity: d(quantity),
    dueDate: at(due),
    plannedStart: null,
    plannedEnd: null,
    status: "RELEASED",
    priority: 3,
    releasedAt: null,
    startedAt: null,
    completedAt: null,
    closedAt: null,
    createdAt: from,
    updatedAt: from,
  };
}

function operation(wo: WorkOrder, sequence: number, plan: { start?: string; end?: string; machine?: string; parallel?: boolean } = {}): Operation {
  return {
    id: `${wo.number}/${sequence}`,
    organizationId: "org",
    plantId: "plant",
    workOrderId: wo.id,
    sequence,
    name: `Step ${sequence}`,
    workCenterId: "wc",
    machineId: plan.machine ?? null,
    parallel: plan.parallel ?? false,
    status: "PENDING",
    plannedStart: plan.start ? at(plan.start) : null,
    plannedEnd: plan.end ? at(plan.end) : null,
    operatorId: null,
    startedAt: null,
    completedAt: null,
    pauseReason: null,
    pausedBy: null,
    pausedAt: null,
    goodQuantity: d(0),
    scrapQuantity: d(0),
    createdAt: from,
    updatedAt: from,
  };
}

/** The schedule of these orders' operations, all of them in the window, in start order as the query returns them. */
function schedule(orders: WorkOrder[], ops: Operation[]) {
  const inWindow = ops
    .filter((o) => o.plannedStart)
    .sort((a, b) => a.plannedStart!.getTime() - b.plannedStart!.getTime() || a.id.localeCompare(b.id));
  return scheduleOf(from, to, inWindow, orders, ops);
}
const ids = (ops: { id: string }[]) => ops.map((o) => o.id);

describe("progress", () => {
  it("is good quantity over order quantity, capped at 1; a completed operation is 1; a zero quantity gives 0", () => {
    const wo = workOrder("WO-1", "23:00", 10);
    expect(progressOf({ status: "IN_PROGRESS", goodQuantity: d(4) }, wo)).toBe(0.4);
    expect(progressOf({ status: "IN_PROGRESS", goodQuantity: d(12) }, wo)).toBe(1);
    expect(progressOf({ status: "COMPLETED", goodQuantity: d(0) }, wo)).toBe(1);
    expect(progressOf({ status: "IN_PROGRESS", goodQuantity: d(5) }, workOrder("WO-0", "23:00", 0))).toBe(0);
  });
});

describe("schedule conflicts", () => {
  it("report two operations overlapping on one machine, against the later one's order", () => {
    const a = workOrder("WO-A", "23:00"),
      b = workOrder("WO-B", "23:00");
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00", machine: "m1" }),
      operation(b, 10, { start: "09:00", end: "11:00", machine: "m1" }),
    ];
    const { conflicts } = schedule([a, b], ops);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      kind: "MACHINE_OVERLAP",
      workOrder: b,
      message: "WO-A op 10 (until 2027-03-01T10:00:00Z) overlaps WO-B op 10 (from 2027-03-01T09:00:00Z) on one machine",
    });
    expect(ids(conflicts[0]!.operations)).toEqual(["WO-A/10", "WO-B/10"]);
  });

  it("see no overlap when one operation ends as the next starts, or on different machines", () => {
    const a = workOrder("WO-A", "23:00"),
      b = workOrder("WO-B", "23:00");
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00", machine: "m1" }),
      operation(b, 10, { start: "10:00", end: "11:00", machine: "m1" }),
      operation(a, 20, { start: "10:00", end: "12:00", machine: "m2" }),
      operation(b, 20, { start: "11:00", end: "12:00", machine: "m3" }),
    ];
    expect(schedule([a, b], ops).conflicts).toEqual([]);
  });

  it("report every earlier operation a later one overlaps", () => {
    const a = workOrder("WO-A", "23:00"),
      b = workOrder("WO-B", "23:00"),
      c = workOrder("WO-C", "23:00");
    const ops = [
      operation(a, 10, { start: "08:00", end: "12:00", machine: "m1" }),
      operation(b, 10, { start: "09:00", end: "10:00", machine: "m1" }),
      operation(c, 10, { start: "09:30", end: "11:00", machine: "m1" }),
    ];
    const overlaps = schedule([a, b, c], ops).conflicts.map((x) => ids(x.operations).join(" x "));
    expect(overlaps).toEqual(["WO-A/10 x WO-B/10", "WO-A/10 x WO-C/10", "WO-B/10 x WO-C/10"]);
  });

  it("report an operation starting before its routing predecessor ends, unless it runs in parallel", () => {
    const a = workOrder("WO-A", "23:00");
    const ops = [operation(a, 10, { start: "08:00", end: "10:00" }), operation(a, 20, { start: "09:00", end: "11:00" })];
    const { conflicts } = schedule([a], ops);
    expect(conflicts.map((x) => [x.kind, x.message, ids(x.operations)])).toEqual([
      ["PRECEDENCE", "WO-A op 20 starts at 2027-03-01T09:00:00Z, before op 10 ends at 2027-03-01T10:00:00Z", ["WO-A/10", "WO-A/20"]],
    ]);
    const parallel = [ops[0]!, operation(a, 20, { start: "09:00", end: "11:00", parallel: true })];
    expect(schedule([a], parallel).conflicts).toEqual([]);
  });

  it("check precedence against a predecessor planned outside the window", () => {
    const a = workOrder("WO-A", "23:00");
    const before = { ...operation(a, 10), plannedStart: new Date("2027-02-28T20:00:00Z"), plannedEnd: at("01:00") };
    const inside = operation(a, 20, { start: "00:30", end: "02:00" });
    const { conflicts } = scheduleOf(at("00:30"), to, [inside], [a], [before, inside]);
    expect(conflicts.map((x) => x.kind)).toEqual(["PRECEDENCE"]);
  });

  it("report an order whose last operation ends after its due date, not one ending exactly on it", () => {
    const late = workOrder("WO-L", "10:00"),
      onTime = workOrder("WO-T", "12:00");
    const ops = [
      operation(late, 10, { start: "08:00", end: "09:00" }),
      operation(late, 20, { start: "09:00", end: "10:30" }),
      operation(onTime, 10, { start: "10:00", end: "12:00" }),
    ];
    const { conflicts } = schedule([late, onTime], ops);
    expect(conflicts.map((x) => [x.kind, x.message, ids(x.operations)])).toEqual([
      ["LATE", "WO-L ends at 2027-03-01T10:30:00Z, after its due date 2027-03-01T10:00:00Z", ["WO-L/20"]],
    ]);
  });
});

describe("schedule lanes", () => {
  it("group operations by machine (lanes by machine id) and list unassigned ones", () => {
    const a = workOrder("WO-A", "23:00", 10);
    const ops = [
      operation(a, 10, { start: "08:00", end: "09:00", machine: "m2" }),
      operation(a, 20, { start: "09:00", end: "10:00", machine: "m1" }),
      operation(a, 30, { start: "10:00", end: "11:00" }),
    ];
    ops[0]!.goodQuantity = d(5);
    const s = schedule([a], ops);
    expect(s.lanes.map((l) => [l.machine, ids(l.operations.map((o) => o.operation))])).toEqual([
      [{ __typename: "Machine", id: "m1" }, ["WO-A/20"]],
      [{ __typename: "Machine", id: "m2" }, ["WO-A/10"]],
    ]);
    expect(s.lanes[1]!.operations[0]).toMatchObject({ workOrderNumber: "WO-A", sequence: 10, name: "Step 10", status: "PENDING", progress: 0.5 });
    expect(ids(s.unassigned.map((o) => o.operation))).toEqual(["WO-A/30"]);
  });
});

describe("critical path", () => {
  it("is empty without planned operations", () => {
    expect(criticalPath([], new Map(), new Map())).toEqual({ operations: [], start: null, end: null, durationMinutes: 0 });
    expect(schedule([], []).criticalPath.durationMinutes).toBe(0);
  });

  it("follows the routing back from the operation that ends last, to whichever predecessor ends latest", () => {
    // A10 m1 08-10, A20 m2 10-12, B10 m2 07-08:30, B20 m1 10-11:30: A20 ends last; it waited for A10 (10:00)
    // rather than B10 on its machine (08:30); A10 waited for nothing.
    const a = workOrder("WO-A", "23:00"),
      b = workOrder("WO-B", "23:00");
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00", machine: "m1" }),
      operation(a, 20, { start: "10:00", end: "12:00", machine: "m2" }),
      operation(b, 10, { start: "07:00", end: "08:30", machine: "m2" }),
      operation(b, 20, { start: "10:00", end: "11:30", machine: "m1" }),
    ];
    const path = schedule([a, b], ops).criticalPath;
    expect(ids(path.operations)).toEqual(["WO-A/10", "WO-A/20"]);
    expect(path).toMatchObject({ start: at("08:00"), end: at("12:00"), durationMinutes: 240 });
  });

  it("follows the machine when an operation waited for the one before it there", () => {
    const x = workOrder("WO-X", "23:00"),
      y = workOrder("WO-Y", "23:00");
    const ops = [
      operation(x, 10, { start: "08:00", end: "09:00", machine: "m1" }),
      operation(y, 10, { start: "09:15", end: "10:00", machine: "m1" }),
    ];
    const path = schedule([x, y], ops).criticalPath;
    expect(ids(path.operations)).toEqual(["WO-X/10", "WO-Y/10"]);
    expect(path.durationMinutes).toBe(120);
  });

  it("starts from the lowest id among operations ending together", () => {
    const x = workOrder("WO-X", "23:00"),
      y = workOrder("WO-Y", "23:00");
    const ops = [operation(y, 10, { start: "08:00", end: "10:00" }), operation(x, 10, { start: "09:00", end: "10:00" })];
    const path = schedule([x, y], ops).criticalPath;
    expect(ids(path.operations)).toEqual(["WO-X/10"]);
    expect(path.durationMinutes).toBe(60);
  });
});

describe("rescheduling in routing order", () => {
  const a = workOrder("WO-A", "23:00");
  const siblings = [
    operation(a, 10, { start: "07:00", end: "08:30" }),
    operation(a, 20, { start: "09:00", end: "10:00" }),
    operation(a, 30, { start: "10:00", end: "11:00" }),
  ];
  const moved = siblings[1]!;
  const refusal = (start: string, end: string, ops = siblings) => {
    try {
      assertRoutingOrder(moved, a, ops, at(start), at(end));
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("refuses a start before the predecessor ends; accepts one exactly at its end", () => {
    expect(refusal("08:00", "09:00")).toBe("Operation 20 of WO-A cannot start at 2027-03-01T08:00:00Z: operation 10 ends at 2027-03-01T08:30:00Z");
    expect(refusal("08:30", "10:00")).toBeNull();
  });

  it("refuses an end after the next step starts, unless that step runs in parallel", () => {
    expect(refusal("09:00", "10:30")).toBe("Operation 20 of WO-A cannot end at 2027-03-01T10:30:00Z: operation 30 starts at 2027-03-01T10:00:00Z");
    const parallelNext = [siblings[0]!, moved, operation(a, 30, { start: "10:00", end: "11:00", parallel: true })];
    expect(refusal("09:00", "10:30", parallelNext)).toBeNull();
  });
});
