import { describe, expect, it } from "vitest";
import { localDate, localToUtc, offsetAt } from "./time.ts";

const day = (date: string) => new Date(`${date}T00:00:00Z`);
const at = (date: string, hhmm: string, tz: string) => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return localToUtc(day(date), h * 60 + m, tz).toISOString();
};

describe("offsetAt", () => {
  it("is the zone's offset in milliseconds at an instant", () => {
    expect(offsetAt("Europe/Berlin", Date.parse("2026-01-15T12:00:00Z"))).toBe(3_600_000);
    expect(offsetAt("Europe/Berlin", Date.parse("2026-07-15T12:00:00Z"))).toBe(7_200_000);
    expect(offsetAt("America/Chicago", Date.parse("2026-01-15T12:00:00Z"))).toBe(-6 * 3_600_000);
  });
});

describe("localToUtc: ordinary times", () => {
  it("converts by the offset in force (Berlin winter +1, summer +2; Chicago winter -6, summer -5)", () => {
    expect(at("2026-01-15", "06:00", "Europe/Berlin")).toBe("2026-01-15T05:00:00.000Z");
    expect(at("2026-07-15", "06:00", "Europe/Berlin")).toBe("2026-07-15T04:00:00.000Z");
    expect(at("2026-01-15", "06:00", "America/Chicago")).toBe("2026-01-15T12:00:00.000Z");
    expect(at("2026-07-15", "06:00", "America/Chicago")).toBe("2026-07-15T11:00:00.000Z");
  });

  it("takes minutes past 24:00 as the next local day (a shift ending after midnight)", () => {
    expect(localToUtc(day("2026-01-15"), 30 * 60, "Europe/Berlin").toISOString()).toBe("2026-01-16T05:00:00.000Z");
  });
});

describe("localToUtc: a time skipped when clocks go forward is the instant of the jump", () => {
  it("Europe/Berlin, 29 March 2026: 02:00-03:00 does not exist; 02:00 and 02:30 are 03:00 CEST", () => {
    // The jump: 01:59:59 CET (00:59:59Z) is followed by 03:00:00 CEST (01:00:00Z).
    expect(at("2026-03-29", "01:59", "Europe/Berlin")).toBe("2026-03-29T00:59:00.000Z");
    expect(at("2026-03-29", "02:00", "Europe/Berlin")).toBe("2026-03-29T01:00:00.000Z");
    expect(at("2026-03-29", "02:30", "Europe/Berlin")).toBe("2026-03-29T01:00:00.000Z");
    expect(at("2026-03-29", "03:00", "Europe/Berlin")).toBe("2026-03-29T01:00:00.000Z");
    expect(at("2026-03-29", "03:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
  });

  it("America/Chicago, 8 March 2026: 02:30 is 03:00 CDT (08:00Z), the same direction as Berlin", () => {
    expect(at("2026-03-08", "01:59", "America/Chicago")).toBe("2026-03-08T07:59:00.000Z");
    expect(at("2026-03-08", "02:30", "America/Chicago")).toBe("2026-03-08T08:00:00.000Z");
    expect(at("2026-03-08", "03:00", "America/Chicago")).toBe("2026-03-08T08:00:00.000Z");
  });
});

describe("localToUtc: a time that happens twice when clocks go back is its first occurrence", () => {
  it("Europe/Berlin, 25 October 2026: 02:30 is 02:30 CEST (00:30Z), not 02:30 CET (01:30Z)", () => {
    expect(at("2026-10-25", "02:00", "Europe/Berlin")).toBe("2026-10-25T00:00:00.000Z");
    expect(at("2026-10-25", "02:30", "Europe/Berlin")).toBe("2026-10-25T00:30:00.000Z");
    expect(at("2026-10-25", "03:00", "Europe/Berlin")).toBe("2026-10-25T02:00:00.000Z");
  });

  it("America/Chicago, 1 November 2026: 01:30 is 01:30 CDT (06:30Z), not 01:30 CST (07:30Z)", () => {
    expect(at("2026-11-01", "01:30", "America/Chicago")).toBe("2026-11-01T06:30:00.000Z");
    expect(at("2026-11-01", "02:00", "America/Chicago")).toBe("2026-11-01T08:00:00.000Z");
  });
});

describe("localDate", () => {
  it("is the calendar date on the plant's clock", () => {
    expect(localDate(new Date("2026-03-08T05:30:00Z"), "America/Chicago")).toEqual(day("2026-03-07"));
    expect(localDate(new Date("2026-03-28T23:30:00Z"), "Europe/Berlin")).toEqual(day("2026-03-29"));
  });
});
