import { describe, expect, it } from "vitest";
import { computeOee, type OeeMachine } from "./performance.ts";
import { plannedFromShifts } from "./shift-calendar.ts";

// The worked example of docs/kpis/equipment.md, "A period and its shift calendar".
const at = (hhmm: string, day = "2026-03-10") => new Date(`${day}T${hhmm}:00Z`);
const win = (from: Date, to: Date) => ({ start: from.getTime(), end: to.getTime() });
const shift = (from: Date, to: Date) => ({ startsAt: from, endsAt: to });
const dec = (n: number) => ({ toNumber: () => n });
const dayFrom = at("00:00"),
  dayTo = at("00:00", "2026-03-11");
const early = shift(at("06:00"), at("14:00")),
  late = shift(at("14:00"), at("22:00"));

describe("plannedFromShifts", () => {
  it("plans the parts of the window the shifts cover, no breaks", () => {
    expect(plannedFromShifts([early, late], dayFrom, dayTo)).toEqual({ planned: [win(at("06:00"), at("22:00"))], breaks: [] });
  });

  it("clips a night shift across midnight to the window", () => {
    const nightBefore = shift(at("22:00", "2026-03-09"), at("06:00"));
    const nightAfter = shift(at("22:00"), at("06:00", "2026-03-11"));
    expect(plannedFromShifts([nightBefore, early, nightAfter], dayFrom, dayTo).planned).toEqual([
      win(at("00:00"), at("14:00")),
      win(at("22:00"), at("00:00", "2026-03-11")),
    ]);
  });

  it("counts time covered by two overlapping shifts once", () => {
    const maintenanceCrew = shift(at("12:00"), at("16:00"));
    expect(plannedFromShifts([early, maintenanceCrew], dayFrom, dayTo).planned).toEqual([win(at("06:00"), at("16:00"))]);
  });

  it("plans nothing without shifts, and skips a shift without a window", () => {
    expect(plannedFromShifts([], dayFrom, dayTo)).toEqual({ planned: [], breaks: [] });
    expect(plannedFromShifts([{ startsAt: null, endsAt: null }], dayFrom, dayTo).planned).toEqual([]);
  });
});

describe("plannedFromShifts with the shifts' breaks", () => {
  // Berlin is UTC+1 on 2026-03-10: a pattern starting 07:00 local starts 06:00 UTC.
  const pattern = { startMinute: 7 * 60, timeZone: "Europe/Berlin", breaks: [{ startOffsetMinutes: 240, durationMinutes: 30 }] };
  const withBreaks = (s: { startsAt: Date; endsAt: Date }, p: Record<string, unknown> | null = pattern) => ({
    ...s,
    details: { patternId: "p1", businessDate: "2026-03-10" },
    pattern: p,
  });

  it("takes out each shift's breaks at their local wall-clock time", () => {
    expect(plannedFromShifts([withBreaks(early)], dayFrom, dayTo)).toEqual({
      planned: [win(at("06:00"), at("14:00"))],
      breaks: [win(at("10:00"), at("10:30"))],
    });
  });

  it("keeps a break as planned time where another shift works, and cuts breaks at the window", () => {
    const overlapping = shift(at("09:00"), at("12:00"));
    expect(plannedFromShifts([withBreaks(early), overlapping], dayFrom, dayTo).breaks).toEqual([]);
    expect(plannedFromShifts([withBreaks(early)], at("10:15"), dayTo).breaks).toEqual([win(at("10:15"), at("10:30"))]);
  });

  it("plans a shift without breaks while the copy lacks its pattern or the pattern is malformed", () => {
    expect(plannedFromShifts([withBreaks(early, null)], dayFrom, dayTo).breaks).toEqual([]);
    expect(plannedFromShifts([withBreaks(early, { ...pattern, breaks: [{ startOffsetMinutes: "x" }] })], dayFrom, dayTo).breaks).toEqual([]);
  });

  it("gives a period equal to one shift the planned time Shift.oee gives that shift", () => {
    const m1: OeeMachine = { id: "m1", idealCycleSeconds: dec(60) };
    const facts = { machines: [m1], downtimes: [], counts: [] };
    const now = at("00:00", "2026-03-11");
    const period = computeOee({ ...plannedFromShifts([withBreaks(early)], at("06:00"), at("14:00")), now }, facts);
    const ofShift = computeOee({ planned: [win(at("06:00"), at("14:00"))], breaks: [win(at("10:00"), at("10:30"))], now }, facts);
    expect(period).toEqual(ofShift);
    expect(period).toMatchObject({ plannedProductionMinutes: 450, breakMinutes: 30 });
  });
});

describe("period OEE over the shift calendar", () => {
  const m1: OeeMachine = { id: "m1", idealCycleSeconds: dec(60) };
  const failure = { machineId: "m1", startedAt: at("21:30"), endedAt: at("23:00"), reason: { kind: "UNPLANNED" as const } };
  const made = { machineId: "m1", goodQuantity: dec(840), scrapQuantity: dec(60) };
  const oeeAt = (now: Date, shifts = [early, late]) =>
    computeOee({ ...plannedFromShifts(shifts, dayFrom, dayTo), now }, { machines: [m1], downtimes: [failure], counts: [made] });

  it("plans 960 of the day's 1440 minutes; a failure counts only within a shift", () => {
    const r = oeeAt(at("08:00", "2026-03-11"));
    // planned 960; unplanned 21:30-22:00 = 30 (22:00-23:00 is outside the shifts); run 930;
    // ideal 900 x 1 min = 900, ideal good 840.
    expect(r).toMatchObject({
      plannedProductionMinutes: 960,
      unplannedDowntimeMinutes: 30,
      runMinutes: 930,
      idealRunMinutes: 900,
      idealGoodMinutes: 840,
    });
    expect(r.availability).toBeCloseTo(930 / 960, 12);
    expect(r.performance).toBeCloseTo(900 / 930, 12);
    expect(r.quality).toBeCloseTo(840 / 900, 12);
    expect(r.oee).toBeCloseTo(840 / 960, 12); // 0.875
  });

  it("counts the shifts only up to now", () => {
    expect(oeeAt(at("18:00")).plannedProductionMinutes).toBe(720); // 06:00-18:00
    expect(oeeAt(at("05:00")).plannedProductionMinutes).toBe(0); // before the first shift
  });

  it("gives null factors and OEE for a period without shifts", () => {
    const r = oeeAt(at("08:00", "2026-03-11"), []);
    expect(r).toMatchObject({ plannedProductionMinutes: 0, runMinutes: 0, availability: null, performance: null, oee: null });
  });
});
