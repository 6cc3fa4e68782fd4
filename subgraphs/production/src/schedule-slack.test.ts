import { describe, expect, it } from "vitest";
import { scheduleOf } from "./schedule-analysis.ts";
import { at, ids, operation, schedule, to, workOrder } from "./schedule-fixtures.ts";
import { processingOrder } from "./schedule-slack.ts";

/** Each scheduled operation's CPM values as "hh:mm" and slack minutes. */
function cpm(s: ReturnType<typeof scheduleOf>) {
  const hhmm = (x: Date) => x.toISOString().slice(11, 16);
  const rows = [...s.lanes.flatMap((l) => l.operations), ...s.unassigned].sort((a, b) => a.operation.id.localeCompare(b.operation.id));
  return Object.fromEntries(
    rows.map((o) => [
      o.operation.id,
      [hhmm(o.earliestStart), hhmm(o.earliestFinish), hhmm(o.latestStart), hhmm(o.latestFinish), o.totalSlackMinutes, o.critical],
    ]),
  );
}

describe("schedule slack (critical path method)", () => {
  const a = workOrder("WO-A", "23:00"),
    b = workOrder("WO-B", "23:00");

  it("finds two parallel branches both critical when both end together at the join", () => {
    // A10 m1 08-09 -> A20 m2 09-11 -> (m2) B30 11-12; A10 -> (m1) B10 09-10 -> B20 m3 10-11 -> B30.
    const ops = [
      operation(a, 10, { start: "08:00", end: "09:00", machine: "m1" }),
      operation(a, 20, { start: "09:00", end: "11:00", machine: "m2" }),
      operation(b, 10, { start: "09:00", end: "10:00", machine: "m1" }),
      operation(b, 20, { start: "10:00", end: "11:00", machine: "m3" }),
      operation(b, 30, { start: "11:00", end: "12:00", machine: "m2" }),
    ];
    const s = schedule([a, b], ops);
    expect(cpm(s)).toEqual({
      "WO-A/10": ["08:00", "09:00", "08:00", "09:00", 0, true],
      "WO-A/20": ["09:00", "11:00", "09:00", "11:00", 0, true],
      "WO-B/10": ["09:00", "10:00", "09:00", "10:00", 0, true],
      "WO-B/20": ["10:00", "11:00", "10:00", "11:00", 0, true],
      "WO-B/30": ["11:00", "12:00", "11:00", "12:00", 0, true],
    });
    expect(ids(s.criticalPath.operations)).toEqual(["WO-A/10", "WO-A/20", "WO-B/10", "WO-B/20", "WO-B/30"]);
    expect(s.criticalPath).toMatchObject({ start: at("08:00"), end: at("12:00"), durationMinutes: 240 });
  });

  it("gives the shorter branch its slack: it may slip until the join's latest start", () => {
    // As above, B20 only 10:00-10:30: B30 still waits for A20 (11:00), so B10 and B20 have 30 minutes.
    const ops = [
      operation(a, 10, { start: "08:00", end: "09:00", machine: "m1" }),
      operation(a, 20, { start: "09:00", end: "11:00", machine: "m2" }),
      operation(b, 10, { start: "09:00", end: "10:00", machine: "m1" }),
      operation(b, 20, { start: "10:00", end: "10:30", machine: "m3" }),
      operation(b, 30, { start: "11:00", end: "12:00", machine: "m2" }),
    ];
    const s = schedule([a, b], ops);
    expect(cpm(s)).toEqual({
      "WO-A/10": ["08:00", "09:00", "08:00", "09:00", 0, true],
      "WO-A/20": ["09:00", "11:00", "09:00", "11:00", 0, true],
      "WO-B/10": ["09:00", "10:00", "09:30", "10:30", 30, false],
      "WO-B/20": ["10:00", "10:30", "10:30", "11:00", 30, false],
      "WO-B/30": ["11:00", "12:00", "11:00", "12:00", 0, true],
    });
    expect(ids(s.criticalPath.operations)).toEqual(["WO-A/10", "WO-A/20", "WO-B/30"]);
  });

  it("does not put an operation on the path when a gap after it absorbs a delay", () => {
    // A10 m1 08-10, A20 m2 10-12, B10 m2 07-08:30, B20 m1 11-13. B20 ends last and starts at its own
    // planned start (11:00), an hour after A10 (m1) and 2.5 h after B10 (routing): only B20 is critical.
    // A10: latest finish = min(latest start of A20 = 13-2 = 11, of B20 = 11) = 11, slack 60.
    const ops = [
      operation(a, 10, { start: "08:00", end: "10:00", machine: "m1" }),
      operation(a, 20, { start: "10:00", end: "12:00", machine: "m2" }),
      operation(b, 10, { start: "07:00", end: "08:30", machine: "m2" }),
      operation(b, 20, { start: "11:00", end: "13:00", machine: "m1" }),
    ];
    const s = schedule([a, b], ops);
    expect(cpm(s)).toEqual({
      "WO-A/10": ["08:00", "10:00", "09:00", "11:00", 60, false],
      "WO-A/20": ["10:00", "12:00", "11:00", "13:00", 60, false],
      "WO-B/10": ["07:00", "08:30", "09:30", "11:00", 150, false],
      "WO-B/20": ["11:00", "13:00", "11:00", "13:00", 0, true],
    });
    expect(s.criticalPath).toMatchObject({ start: at("11:00"), end: at("13:00"), durationMinutes: 120 });
  });

  it("pushes an operation planned before a step it waits for ends, also across a step without a plan", () => {
    // A10 08-10, A20 unplanned, A30 planned 09-11: A30 can start at 10 at the earliest, ends 12.
    const ops = [operation(a, 10, { start: "08:00", end: "10:00" }), operation(a, 20), operation(a, 30, { start: "09:00", end: "11:00" })];
    const s = schedule([a], ops);
    expect(cpm(s)).toEqual({
      "WO-A/10": ["08:00", "10:00", "08:00", "10:00", 0, true],
      "WO-A/30": ["10:00", "12:00", "10:00", "12:00", 0, true],
    });
    expect(s.criticalPath).toMatchObject({ start: at("08:00"), end: at("12:00"), durationMinutes: 240 });
  });

  it("lets a parallel step start a new chain", () => {
    // A20 runs in parallel with A10: it waits for nothing; A10 ends at 10, A20 at 12, so A10 has 2 h.
    const ops = [operation(a, 10, { start: "08:00", end: "10:00" }), operation(a, 20, { start: "09:00", end: "12:00", parallel: true })];
    expect(cpm(schedule([a], ops))).toEqual({
      "WO-A/10": ["08:00", "10:00", "10:00", "12:00", 120, false],
      "WO-A/20": ["09:00", "12:00", "09:00", "12:00", 0, true],
    });
  });

  it("bounds the earliest start by a predecessor planned outside the window", () => {
    const before = { ...operation(a, 10), plannedStart: new Date("2027-02-28T20:00:00Z"), plannedEnd: at("01:00") };
    const inside = operation(a, 20, { start: "00:30", end: "02:00" });
    // Only `inside` is in view: the predecessor bounds it by its planned end (01:00), not by its plan's slack.
    const s = scheduleOf(at("00:30"), to, [inside], [a], [before, inside]);
    expect(cpm(s)).toEqual({ "WO-A/20": ["01:00", "02:30", "01:00", "02:30", 0, true] });
  });

  it("cuts a cycle that only a plan breaking the routing can make, and still ends", () => {
    // A20 is planned on m1 before A10, which it waits for: routing A10 -> A20, machine A20 -> A10.
    const ops = [
      operation(a, 10, { start: "09:00", end: "10:00", machine: "m1" }),
      operation(a, 20, { start: "08:00", end: "09:00", machine: "m1" }),
    ];
    const s = schedule([a], ops);
    expect(cpm(s)).toEqual({
      "WO-A/10": ["09:00", "10:00", "09:00", "10:00", 0, true],
      "WO-A/20": ["08:00", "09:00", "08:00", "09:00", 0, true],
    });
    expect(s.conflicts.map((c) => c.kind)).toEqual(["PRECEDENCE"]);
  });

  it("is empty without planned operations", () => {
    expect(schedule([], []).criticalPath).toEqual({ operations: [], start: null, end: null, durationMinutes: 0 });
  });
});

describe("processing order", () => {
  it("takes the earliest ready node first and breaks a cycle at the earliest node", () => {
    expect(processingOrder([[], [0], [0]])).toEqual([0, 1, 2]);
    expect(processingOrder([[2], [], [1]])).toEqual([1, 2, 0]);
    expect(processingOrder([[1], [0]])).toEqual([0, 1]);
  });
});
