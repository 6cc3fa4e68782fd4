import { describe, expect, it } from "vitest";
import { calendarDays, isDue, pmOrderDescription, pmOrderNumber, runHours, usageUntil } from "./pm-rules.ts";

const at = (iso: string) => new Date(iso);

describe("calendarDays", () => {
  it("counts elapsed days, fractions included", () => {
    expect(calendarDays(at("2026-05-01T06:00:00Z"), at("2026-05-08T18:00:00Z"))).toBe(7.5);
  });
  it("is 0 at and before the reset", () => {
    expect(calendarDays(at("2026-05-01T06:00:00Z"), at("2026-05-01T06:00:00Z"))).toBe(0);
    expect(calendarDays(at("2026-05-01T06:00:00Z"), at("2026-04-30T06:00:00Z"))).toBe(0);
  });
  it("counts real elapsed time across a daylight-saving change", () => {
    // Local midnight to local midnight a week later in Europe/Berlin, over the spring-forward night
    // (2026-03-29): the week is one hour short, so a 7-day schedule is not due at that midnight yet.
    const days = calendarDays(at("2026-03-24T23:00:00Z"), at("2026-03-31T22:00:00Z"));
    expect(days).toBeCloseTo(6 + 23 / 24, 12);
    expect(isDue(days, 7)).toBe(false);
  });
});

describe("runHours", () => {
  const reset = at("2026-05-01T00:00:00Z");
  const asOf = at("2026-05-02T00:00:00Z");
  it("adds up RUNNING intervals after the reset", () => {
    const running = [
      { startedAt: at("2026-05-01T06:00:00Z"), endedAt: at("2026-05-01T10:00:00Z") },
      { startedAt: at("2026-05-01T12:00:00Z"), endedAt: at("2026-05-01T13:30:00Z") },
    ];
    expect(runHours(running, reset, asOf)).toBe(5.5);
  });
  it("counts only the part after the reset of an interval started before it", () => {
    expect(runHours([{ startedAt: at("2026-04-30T22:00:00Z"), endedAt: at("2026-05-01T02:00:00Z") }], reset, asOf)).toBe(2);
  });
  it("counts a machine still running until asOf", () => {
    expect(runHours([{ startedAt: at("2026-05-01T20:00:00Z"), endedAt: null }], reset, asOf)).toBe(4);
  });
  it("is 0 without running time and at or before the reset", () => {
    expect(runHours([], reset, asOf)).toBe(0);
    expect(runHours([{ startedAt: at("2026-04-30T00:00:00Z"), endedAt: null }], reset, reset)).toBe(0);
  });
});

describe("isDue", () => {
  it("is due from the interval on", () => {
    expect(isDue(200, 200)).toBe(true);
    expect(isDue(200.5, 200)).toBe(true);
    expect(isDue(199.999, 200)).toBe(false);
  });
  it("is not due with no usage yet", () => {
    expect(isDue(0, 7)).toBe(false);
  });
});

describe("maintenance order of a schedule generation", () => {
  it("is numbered by machine, schedule and generation", () => {
    expect(pmOrderNumber("CNC-01", "0b9f3c2e-1111-2222-3333-444455556666", 3)).toBe("PM-CNC-01-0b9f3c2e-3");
  });
  it("says what is due and by which rule", () => {
    expect(pmOrderDescription("Weekly lubrication", "CALENDAR", "7")).toBe("Weekly lubrication (calendar interval 7)");
    expect(pmOrderDescription("Spindle inspection", "RUN_HOURS", "200")).toBe("Spindle inspection (run hours interval 200)");
    expect(pmOrderDescription("Tool change", "CYCLES", "5000")).toBe("Tool change (cycles interval 5000)");
  });
});

describe("usageUntil", () => {
  const now = at("2026-05-08T12:00:00Z");
  it("counts up to asOf when it has happened", () => {
    expect(usageUntil(at("2026-05-08T11:00:00Z"), now)).toEqual(at("2026-05-08T11:00:00Z"));
  });
  it("counts up to now for an asOf ahead of the clock (within the accepted clock skew)", () => {
    // A 7-day schedule reset 2026-05-01T12:03Z is due at 05-08T12:03Z: asked at 12:00 "as of 12:04", it is not due yet.
    const until = usageUntil(at("2026-05-08T12:04:00Z"), now);
    expect(until).toEqual(now);
    expect(isDue(calendarDays(at("2026-05-01T12:03:00Z"), until), 7)).toBe(false);
  });
});
