import { describe, expect, it } from "vitest";
import type { Operation } from "./generated/prisma/client.ts";
import { assertRoutingOrder, routingPredecessors, routingSuccessors } from "./routing-order.ts";
import { at, ids, operation, schedule, workOrder } from "./schedule-fixtures.ts";

const a = workOrder("WO-A", "23:00");

describe("routing chains", () => {
  it("run back and forward through every step until a parallel one", () => {
    const ops = [operation(a, 10), operation(a, 20), operation(a, 30, { parallel: true }), operation(a, 40), operation(a, 50)];
    expect(ids(routingPredecessors(ops[4]!, ops))).toEqual(["WO-A/40", "WO-A/30"]); // 30 runs in parallel: it does not wait for 20
    expect(ids(routingPredecessors(ops[1]!, ops))).toEqual(["WO-A/10"]);
    expect(ids(routingPredecessors(ops[2]!, ops))).toEqual([]);
    expect(ids(routingSuccessors(ops[0]!, ops))).toEqual(["WO-A/20"]);
    expect(ids(routingSuccessors(ops[2]!, ops))).toEqual(["WO-A/40", "WO-A/50"]);
  });
});

describe("precedence across steps without a plan", () => {
  const precedence = (ops: Operation[]) =>
    schedule([a], ops)
      .conflicts.filter((c) => c.kind === "PRECEDENCE")
      .map((c) => [c.message, ids(c.operations)]);

  it("is checked against a planned step two steps back", () => {
    const ops = [operation(a, 10, { start: "08:00", end: "10:00" }), operation(a, 20), operation(a, 30, { start: "09:00", end: "11:00" })];
    expect(precedence(ops)).toEqual([
      ["WO-A op 30 starts at 2027-03-01T09:00:00Z, before op 10 ends at 2027-03-01T10:00:00Z", ["WO-A/10", "WO-A/30"]],
    ]);
  });

  it("is checked against a planned step three steps back, across two without a plan", () => {
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00" }),
      operation(a, 20),
      operation(a, 30),
      operation(a, 40, { start: "09:30", end: "12:00" }),
    ];
    expect(precedence(ops)).toEqual([
      ["WO-A op 40 starts at 2027-03-01T09:30:00Z, before op 10 ends at 2027-03-01T10:00:00Z", ["WO-A/10", "WO-A/40"]],
    ]);
  });

  it("names the step that ends last when several are violated", () => {
    // 10 ends at 12:00; 20 (08:30-09:00) itself starts before 10 ends; 30 starts at 10:00, before both.
    const ops = [
      operation(a, 10, { start: "08:00", end: "12:00" }),
      operation(a, 20, { start: "08:30", end: "09:00" }),
      operation(a, 30, { start: "10:00", end: "11:00" }),
    ];
    expect(precedence(ops)).toEqual([
      ["WO-A op 20 starts at 2027-03-01T08:30:00Z, before op 10 ends at 2027-03-01T12:00:00Z", ["WO-A/10", "WO-A/20"]],
      ["WO-A op 30 starts at 2027-03-01T10:00:00Z, before op 10 ends at 2027-03-01T12:00:00Z", ["WO-A/10", "WO-A/30"]],
    ]);
  });

  it("does not pass through a parallel step", () => {
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00" }),
      operation(a, 20, { parallel: true }),
      operation(a, 30, { start: "09:00", end: "11:00" }),
    ];
    expect(precedence(ops)).toEqual([]);
  });
});

describe("planning a chain of four with gaps", () => {
  // 10 planned 08-10, 20 and 30 without a plan, 40 planned 13-14.
  const plan = () => [
    operation(a, 10, { start: "08:00", end: "10:00" }),
    operation(a, 20),
    operation(a, 30),
    operation(a, 40, { start: "13:00", end: "14:00" }),
  ];
  const refusal = (ops: Operation[], sequence: number, start: string, end: string) => {
    try {
      assertRoutingOrder(ops.find((o) => o.sequence === sequence)!, a, ops, at(start), at(end));
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const place = (ops: Operation[], sequence: number, start: string, end: string) =>
    ops.map((o) => (o.sequence === sequence ? { ...o, plannedStart: at(start), plannedEnd: at(end) } : o));

  it("refuses moving the last step before the first one ends, across the unplanned ones", () => {
    expect(refusal(plan(), 40, "09:00", "10:00")).toBe(
      "Operation 40 of WO-A cannot start at 2027-03-01T09:00:00Z: operation 10 ends at 2027-03-01T10:00:00Z",
    );
    expect(refusal(plan(), 10, "12:00", "13:30")).toBe(
      "Operation 10 of WO-A cannot end at 2027-03-01T13:30:00Z: operation 40 starts at 2027-03-01T13:00:00Z",
    );
  });

  it("can plan the unplanned steps in any order, each between its planned neighbours", () => {
    let ops = plan();
    expect(refusal(ops, 30, "11:00", "12:00")).toBeNull();
    ops = place(ops, 30, "11:00", "12:00");
    // 20 now lies between 10 (ends 10:00) and 30 (starts 11:00).
    expect(refusal(ops, 20, "11:30", "12:00")).toBe(
      "Operation 20 of WO-A cannot end at 2027-03-01T12:00:00Z: operation 30 starts at 2027-03-01T11:00:00Z",
    );
    expect(refusal(ops, 20, "09:30", "10:30")).toBe(
      "Operation 20 of WO-A cannot start at 2027-03-01T09:30:00Z: operation 10 ends at 2027-03-01T10:00:00Z",
    );
    expect(refusal(ops, 20, "10:00", "11:00")).toBeNull();
    ops = place(ops, 20, "10:00", "11:00");
    expect(schedule([a], ops).conflicts).toEqual([]);
  });
});
