import { describe, expect, it } from "vitest";
import { downtimeChange, downtimeMinutes, needsReasonCode } from "./machine-state.ts";

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
  it("opens a downtime when a running or idle machine stops", () => {
    expect(downtimeChange("DOWN", false)).toBe("open");
    expect(downtimeChange("MAINTENANCE", false)).toBe("open");
  });
  it("keeps one downtime from DOWN into MAINTENANCE (and back)", () => {
    expect(downtimeChange("MAINTENANCE", true)).toBe("keep");
    expect(downtimeChange("DOWN", true)).toBe("keep");
  });
  it("ends the open downtime when the machine runs again", () => {
    expect(downtimeChange("RUNNING", true)).toBe("end");
  });
  it("leaves downtime alone otherwise", () => {
    expect(downtimeChange("RUNNING", false)).toBe("keep");
    // IDLE or SETUP after a stop: the machine is still not producing, so the downtime goes on.
    expect(downtimeChange("IDLE", true)).toBe("keep");
    expect(downtimeChange("SETUP", true)).toBe("keep");
    expect(downtimeChange("IDLE", false)).toBe("keep");
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
