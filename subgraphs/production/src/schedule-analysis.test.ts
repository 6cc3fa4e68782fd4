import { describe, expect, it } from "vitest";
import { at, d, ids, operation, schedule, to, workOrder } from "./schedule-fixtures.ts";
import { assertRoutingOrder, progressOf, scheduleOf } from "./schedule-analysis.ts";

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
