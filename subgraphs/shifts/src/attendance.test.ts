import { describe, expect, it } from "vitest";
import { arrivalStatus, coverage, isOnSite, minutesLate } from "./attendance.ts";

const start = new Date("2026-02-02T07:00:00Z");
const after = (ms: number) => new Date(start.getTime() + ms);

describe("arrivalStatus", () => {
  it("is PRESENT up to and including 5 minutes after the start", () => {
    expect(arrivalStatus(start, after(-10 * 60_000))).toBe("PRESENT"); // early
    expect(arrivalStatus(start, start)).toBe("PRESENT");
    expect(arrivalStatus(start, after(4 * 60_000))).toBe("PRESENT");
    expect(arrivalStatus(start, after(5 * 60_000))).toBe("PRESENT");
  });

  it("is LATE from the first millisecond after the grace period", () => {
    expect(arrivalStatus(start, after(5 * 60_000 + 1))).toBe("LATE");
    expect(arrivalStatus(start, after(20 * 60_000))).toBe("LATE");
  });
});

describe("minutesLate", () => {
  it("is whole minutes after the start, rounded down; 0 when on time or early; null without a clock-in", () => {
    expect(minutesLate(start, after(-10 * 60_000))).toBe(0);
    expect(minutesLate(start, start)).toBe(0);
    expect(minutesLate(start, after(5 * 60_000 + 59_999))).toBe(5);
    expect(minutesLate(start, after(17 * 60_000))).toBe(17);
    expect(minutesLate(start, null)).toBeNull();
  });

  it("counts from the local start on a clock-change night (Berlin 22:00 CET = 21:00Z on 28 March 2026)", () => {
    // Arriving at 03:10 CEST (01:10Z), after the clocks jumped: 4 h 10 min of real time.
    expect(minutesLate(new Date("2026-03-28T21:00:00Z"), new Date("2026-03-29T01:10:00Z"))).toBe(250);
  });
});

describe("isOnSite", () => {
  const now = new Date("2026-02-02T13:00:00Z");
  const clockIn = new Date("2026-02-02T07:00:00Z");
  it("counts the present and the late until they clock out, never the absent", () => {
    expect(isOnSite({ status: "PRESENT", clockIn, clockOut: null }, now)).toBe(true);
    expect(isOnSite({ status: "LATE", clockIn, clockOut: null }, now)).toBe(true);
    expect(isOnSite({ status: "PRESENT", clockIn, clockOut: new Date("2026-02-02T12:00:00Z") }, now)).toBe(false);
    expect(isOnSite({ status: "ABSENT", clockIn: null, clockOut: null }, now)).toBe(false);
  });

  it("never counts what has not happened yet: a clock-in after now, or a clock-out after now still on site", () => {
    expect(isOnSite({ status: "PRESENT", clockIn: new Date("2026-02-02T13:03:00Z"), clockOut: null }, now)).toBe(false);
    expect(isOnSite({ status: "PRESENT", clockIn: now, clockOut: null }, now)).toBe(true);
    expect(isOnSite({ status: "PRESENT", clockIn, clockOut: new Date("2026-02-02T13:02:00Z") }, now)).toBe(true);
    expect(isOnSite({ status: "PRESENT", clockIn, clockOut: now }, now)).toBe(false);
  });
});

describe("coverage", () => {
  const WC1 = "wc-1";
  const WC2 = "wc-2";
  const NOW = new Date("2026-02-02T13:00:00Z");
  const at = (workCenterId: string | null, status: "PRESENT" | "LATE" | "ABSENT", clockOut: Date | null = null) => ({
    workCenterId,
    status,
    clockIn: status === "ABSENT" ? null : new Date("2026-02-02T07:00:00Z"),
    clockOut,
  });

  it("counts on-site people per work center with a requirement, in the requirements' order", () => {
    const attendance = [
      at(WC1, "PRESENT"),
      at(WC1, "LATE"),
      at(WC1, "ABSENT"),
      at(WC1, "PRESENT", new Date("2026-02-02T12:00:00Z")),
      at(WC2, "PRESENT"),
      at(null, "PRESENT"),
      at("wc-without-requirement", "PRESENT"),
    ];
    expect(
      coverage(
        [
          { workCenterId: WC2, requiredPeople: 1 },
          { workCenterId: WC1, requiredPeople: 3 },
        ],
        attendance,
        NOW,
      ),
    ).toEqual([
      { workCenterId: WC2, required: 1, present: 1, short: 0 },
      { workCenterId: WC1, required: 3, present: 2, short: 1 },
    ]);
  });

  it("is never short by a negative number, also with nobody required", () => {
    expect(
      coverage(
        [
          { workCenterId: WC1, requiredPeople: 1 },
          { workCenterId: WC2, requiredPeople: 0 },
        ],
        [at(WC1, "PRESENT"), at(WC1, "LATE"), at(WC2, "PRESENT")],
        NOW,
      ),
    ).toEqual([
      { workCenterId: WC1, required: 1, present: 2, short: 0 },
      { workCenterId: WC2, required: 0, present: 1, short: 0 },
    ]);
  });

  it("is all short without attendance, and empty without requirements", () => {
    expect(coverage([{ workCenterId: WC1, requiredPeople: 3 }], [], NOW)).toEqual([{ workCenterId: WC1, required: 3, present: 0, short: 3 }]);
    expect(coverage([], [at(WC1, "PRESENT")], NOW)).toEqual([]);
  });

  it("leaves out a clock-in ahead of now (recorded within the allowed clock difference)", () => {
    const early = { workCenterId: WC1, status: "PRESENT" as const, clockIn: new Date("2026-02-02T13:04:00Z"), clockOut: null };
    expect(coverage([{ workCenterId: WC1, requiredPeople: 2 }], [at(WC1, "PRESENT"), early], NOW)).toEqual([
      { workCenterId: WC1, required: 2, present: 1, short: 1 },
    ]);
  });
});
