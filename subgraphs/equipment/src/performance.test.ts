import { describe, expect, it } from "vitest";
import { computeOee, reliability, type OeeCount, type OeeDowntime, type OeeMachine } from "./performance.ts";

const dec = (n: number) => ({ toNumber: () => n });
const at = (hhmm: string, day = "2026-03-10") => new Date(`${day}T${hhmm}:00Z`);
const win = (from: Date, to: Date) => ({ start: from.getTime(), end: to.getTime() });
const machine = (id: string, idealCycleSeconds: number): OeeMachine => ({ id, idealCycleSeconds: dec(idealCycleSeconds) });
const stop = (machineId: string, kind: "PLANNED" | "UNPLANNED", startedAt: Date, endedAt: Date | null): OeeDowntime => ({
  machineId,
  startedAt,
  endedAt,
  reason: { kind },
});
const made = (machineId: string, good: number, scrap: number): OeeCount => ({ machineId, goodQuantity: dec(good), scrapQuantity: dec(scrap) });

describe("computeOee", () => {
  const shift = win(at("06:00"), at("14:00")); // 480 min
  const lunch = [win(at("10:00"), at("10:30"))];
  const now = at("20:00");

  it("computes the factors of one machine with a break, a changeover and a failure", () => {
    const r = computeOee(
      shift,
      lunch,
      [machine("m1", 30)],
      [stop("m1", "PLANNED", at("07:00"), at("07:30")), stop("m1", "UNPLANNED", at("12:00"), at("12:45"))],
      [made("m1", 580, 20), made("m1", 20, 20)],
      now,
    );
    // planned = 480 - 30 - 30 = 420; run = 420 - 45 = 375; ideal = 30 s x 640 / 60 = 320 min.
    expect(r).toMatchObject({
      plannedProductionMinutes: 420,
      runMinutes: 375,
      breakMinutes: 30,
      plannedDowntimeMinutes: 30,
      unplannedDowntimeMinutes: 45,
      totalCount: 640,
      goodCount: 600,
      idealRunMinutes: 320,
    });
    expect(r.availability).toBeCloseTo(375 / 420, 12);
    expect(r.performance).toBeCloseTo(320 / 375, 12);
    expect(r.quality).toBe(0.9375);
    expect(r.oee).toBeCloseTo((320 / 420) * 0.9375, 12);
  });

  it("does not count planned downtime during a break twice, nor a failure during planned downtime", () => {
    const r = computeOee(
      shift,
      lunch,
      [machine("m1", 30)],
      [
        stop("m1", "PLANNED", at("10:15"), at("10:45")), // 15 min of it outside the break
        stop("m1", "UNPLANNED", at("10:40"), at("11:00")), // 15 min of it outside planned downtime
      ],
      [],
      now,
    );
    expect(r).toMatchObject({
      breakMinutes: 30,
      plannedDowntimeMinutes: 15,
      plannedProductionMinutes: 435,
      unplannedDowntimeMinutes: 15,
      runMinutes: 420,
    });
  });

  it("clips downtime to the window and counts an open one until now", () => {
    const r = computeOee(
      shift,
      [],
      [machine("m1", 60)],
      [
        stop("m1", "UNPLANNED", at("05:00"), at("06:30")), // 30 min in the shift
        stop("m1", "UNPLANNED", at("13:00"), null), // open: until now (13:30)
        stop("m2", "UNPLANNED", at("08:00"), at("09:00")), // another machine
      ],
      [made("m1", 100, 0)],
      at("13:30"),
    );
    expect(r).toMatchObject({ plannedProductionMinutes: 480, unplannedDowntimeMinutes: 60, runMinutes: 420, idealRunMinutes: 100, quality: 1 });
  });

  it("adds times and counts up over machines, weighing each machine's ideal cycle", () => {
    const r = computeOee(
      shift,
      [],
      [machine("m1", 30), machine("m2", 60)],
      [stop("m2", "UNPLANNED", at("06:00"), at("08:00"))],
      [
        made("m1", 480, 0), // 240 ideal minutes
        made("m2", 150, 30), // 180 ideal minutes
      ],
      now,
    );
    expect(r).toMatchObject({ plannedProductionMinutes: 960, runMinutes: 840, totalCount: 660, goodCount: 630, idealRunMinutes: 420 });
    expect(r.availability).toBeCloseTo(840 / 960, 12);
    expect(r.performance).toBe(0.5);
    expect(r.quality).toBeCloseTo(630 / 660, 12);
  });

  it("handles a night shift across midnight with a break after it", () => {
    const night = win(at("22:00"), at("06:00", "2026-03-11"));
    const r = computeOee(
      night,
      [win(at("02:00", "2026-03-11"), at("02:30", "2026-03-11"))],
      [machine("m1", 60)],
      [stop("m1", "UNPLANNED", at("23:30"), at("00:30", "2026-03-11"))],
      [made("m1", 330, 0)],
      at("12:00", "2026-03-11"),
    );
    // 480 - 30 break = 450 planned; 60 min failure over midnight -> 390 run; 330 ideal minutes.
    expect(r).toMatchObject({ plannedProductionMinutes: 450, runMinutes: 390, unplannedDowntimeMinutes: 60, idealRunMinutes: 330 });
    expect(r.oee).toBeCloseTo((390 / 450) * (330 / 390) * 1, 12);
  });

  it("gives null factors (and a null OEE) where there is nothing to divide by", () => {
    expect(computeOee(shift, lunch, [], [], [], now)).toEqual({
      plannedProductionMinutes: 0,
      runMinutes: 0,
      breakMinutes: 30,
      plannedDowntimeMinutes: 0,
      unplannedDowntimeMinutes: 0,
      totalCount: 0,
      goodCount: 0,
      idealRunMinutes: 0,
      availability: null,
      performance: null,
      quality: null,
      oee: null,
    });
  });

  it("has no quality (and so no OEE) without counts, but availability and a zero performance", () => {
    const r = computeOee(shift, [], [machine("m1", 30)], [], [], now);
    expect(r).toMatchObject({ availability: 1, performance: 0, quality: null, oee: null });
  });

  it("has no availability or performance when the whole window is planned downtime", () => {
    const r = computeOee(shift, [], [machine("m1", 30)], [stop("m1", "PLANNED", at("05:00"), at("15:00"))], [], now);
    expect(r).toMatchObject({
      plannedProductionMinutes: 0,
      runMinutes: 0,
      plannedDowntimeMinutes: 480,
      availability: null,
      performance: null,
      oee: null,
    });
  });
});

describe("reliability", () => {
  const from = at("00:00"),
    to = at("00:00", "2026-03-11");
  const now = at("12:00", "2026-03-11");

  it("divides operating time by failures and repair time by repairs", () => {
    const r = reliability(
      from,
      to,
      [
        stop("m1", "UNPLANNED", at("02:00"), at("03:00")),
        stop("m1", "UNPLANNED", at("10:00"), at("10:30")),
        stop("m1", "PLANNED", at("05:00"), at("07:00")), // downtime, but neither failure nor repair
        stop("m1", "UNPLANNED", at("23:00", "2026-03-09"), at("00:30")), // failed before: a repair, not a failure
      ],
      now,
    );
    // operating = 24 - (1 + 0.5 + 2 + 0.5) = 20 h; failures 2; repairs 3 of 1 + 0.5 + 1.5 h.
    expect(r).toEqual({ operatingHours: 20, failures: 2, mtbfHours: 10, repairs: 3, repairHours: 3, mttrHours: 1 });
  });

  it("counts a failure still open as a failure but not a repair", () => {
    const r = reliability(from, to, [stop("m1", "UNPLANNED", at("22:00"), null)], at("23:00"));
    expect(r).toEqual({ operatingHours: 23, failures: 1, mtbfHours: 23, repairs: 0, repairHours: 0, mttrHours: null });
  });

  it("has no MTBF or MTTR without failures and repairs", () => {
    expect(reliability(from, to, [], now)).toEqual({ operatingHours: 24, failures: 0, mtbfHours: null, repairs: 0, repairHours: 0, mttrHours: null });
  });

  it("takes the period half-open: a failure at its start counts, a repair ending at its end does not", () => {
    const r = reliability(from, to, [stop("m1", "UNPLANNED", at("00:00"), at("01:00")), stop("m1", "UNPLANNED", at("23:00"), to)], now);
    expect(r).toMatchObject({ failures: 2, repairs: 1, repairHours: 1, operatingHours: 22, mtbfHours: 11 });
  });
});
