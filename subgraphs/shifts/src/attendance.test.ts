import { describe, expect, it } from "vitest";
import { arrivalStatus, coverage, isOnSite } from "./attendance.ts";

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

describe("isOnSite", () => {
  it("counts the present and the late until they clock out, never the absent", () => {
    expect(isOnSite({ status: "PRESENT", clockOut: null })).toBe(true);
    expect(isOnSite({ status: "LATE", clockOut: null })).toBe(true);
    expect(isOnSite({ status: "PRESENT", clockOut: new Date("2026-02-02T12:00:00Z") })).toBe(false);
    expect(isOnSite({ status: "ABSENT", clockOut: null })).toBe(false);
  });
});

describe("coverage", () => {
  const WC1 = "wc-1";
  const WC2 = "wc-2";
  const at = (workCenterId: string | null, status: "PRESENT" | "LATE" | "ABSENT", clockOut: Date | null = null) => ({
    workCenterId,
    status,
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
      ),
    ).toEqual([
      { workCenterId: WC1, required: 1, present: 2, short: 0 },
      { workCenterId: WC2, required: 0, present: 1, short: 0 },
    ]);
  });

  it("is all short without attendance, and empty without requirements", () => {
    expect(coverage([{ workCenterId: WC1, requiredPeople: 3 }], [])).toEqual([{ workCenterId: WC1, required: 3, present: 0, short: 3 }]);
    expect(coverage([], [at(WC1, "PRESENT")])).toEqual([]);
  });
});
