import { describe, expect, it } from "vitest";
import { downtimeChange, downtimeMinutes, happenedEnd, needsReasonCode, overlapField } from "./machine-state.ts";

describe("needsReasonCode", () => {
  it("asks for a reason when a machine stops", () => {
    expect(needsReasonCode("DOWN")).toBe(true);
    expect(needsReasonCode("MAINTENANCE")).toBe(true);
  });
  it("does not for producing or waiting states", () => {
    expect(needsReasonCode("RUNNING")).toBe(false);
    expect(needsReasonCode("IDLE")).toBe(false);
    expect(needsReasonCode("SETUP")).toBe(false);
  });
});

describe("downtimeChange", () => {
  const mech = { reasonId: "MECH" };
  const pm = { reasonId: "PM" };
  it("opens a downtime when a running or idle machine stops", () => {
    expect(downtimeChange("DOWN", null, "MECH")).toBe("open");
    expect(downtimeChange("MAINTENANCE", null, "PM")).toBe("open");
  });
  it("switches to a new record when a stop comes with another reason than the open one's", () => {
    // Planned maintenance, then DOWN with a mechanical failure: a PLANNED record, then an UNPLANNED one.
    expect(downtimeChange("DOWN", pm, "MECH")).toBe("switch");
    // The reverse order: the repair ends, the maintenance is booked as maintenance.
    expect(downtimeChange("MAINTENANCE", mech, "PM")).toBe("switch");
  });
  it("keeps the open downtime when the reason is the same", () => {
    expect(downtimeChange("MAINTENANCE", mech, "MECH")).toBe("keep");
    expect(downtimeChange("DOWN", mech, "MECH")).toBe("keep");
  });
  it("ends the open downtime when the machine runs again", () => {
    expect(downtimeChange("RUNNING", mech, null)).toBe("end");
  });
  it("leaves downtime alone otherwise", () => {
    expect(downtimeChange("RUNNING", null, null)).toBe("keep");
    // IDLE or SETUP after a stop: the machine is still not producing, so the downtime goes on.
    expect(downtimeChange("IDLE", mech, null)).toBe("keep");
    expect(downtimeChange("SETUP", mech, null)).toBe("keep");
    expect(downtimeChange("IDLE", null, null)).toBe("keep");
  });
});

describe("overlapField", () => {
  const existing = { startedAt: new Date("2026-03-10T08:00:00Z") };
  it("names the start when it lies inside the existing downtime", () => {
    expect(overlapField(new Date("2026-03-10T08:30:00Z"), existing)).toBe("input.startedAt");
    expect(overlapField(new Date("2026-03-10T08:00:00Z"), existing)).toBe("input.startedAt");
  });
  it("names the end when the new downtime reaches into the existing one", () => {
    expect(overlapField(new Date("2026-03-10T07:30:00Z"), existing)).toBe("input.endedAt");
  });
});

describe("happenedEnd", () => {
  const now = new Date("2026-03-10T12:00:00Z");
  it("keeps an end in the past", () => {
    expect(happenedEnd(new Date("2026-03-10T11:59:00Z"), now)).toEqual(new Date("2026-03-10T11:59:00Z"));
  });
  it("cuts an end ahead of the clock (clock skew) to now", () => {
    expect(happenedEnd(new Date("2026-03-10T12:04:00Z"), now)).toEqual(now);
  });
});

describe("downtimeMinutes", () => {
  const start = new Date("2026-03-10T08:00:00Z");
  it("is end minus start", () => {
    expect(downtimeMinutes(start, new Date("2026-03-10T09:45:00Z"), new Date("2026-03-10T12:00:00Z"))).toBe(105);
  });
  it("counts an open downtime until now", () => {
    expect(downtimeMinutes(start, null, new Date("2026-03-10T08:30:30Z"))).toBe(30.5);
  });
  it("spans midnight", () => {
    expect(downtimeMinutes(new Date("2026-03-10T23:50:00Z"), new Date("2026-03-11T00:20:00Z"), start)).toBe(30);
  });
});
