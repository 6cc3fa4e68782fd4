import { describe, expect, it } from "vitest";
import { computeOee, reliability, type OeeCount, type OeeDowntime, type OeeMachine, type OeeStatus } from "./performance.ts";
import type { Interval } from "./intervals.ts";

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
const state = (machineId: string, s: OeeStatus["state"], startedAt: Date, endedAt: Date | null): OeeStatus => ({
  machineId,
  state: s,
  startedAt,
  endedAt,
});
/** OEE of one planned window with its breaks. */
const oee = (
  window: Interval,
  breaks: Interval[],
  machines: OeeMachine[],
  downtimes: OeeDowntime[],
  counts: OeeCount[],
  now: Date,
  statuses: OeeStatus[] = [],
) => computeOee({ planned: [window], breaks, now }, { machines, downtimes, counts, statuses });

describe("computeOee", () => {
  const shift = win(at("06:00"), at("14:00")); // 480 min
  const lunch = [win(at("10:00"), at("10:30"))];
  const now = at("20:00");

  it("computes the factors of one machine with a break, a changeover and a failure", () => {
    const r = oee(
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
    const r = oee(
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

  it("clips downtime to the window, counts an open one until now and the window only up to now", () => {
    const r = oee(
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
    // Only 06:00-13:30 has happened: 450 planned; 30 + 30 minutes of failure; 390 run.
    expect(r).toMatchObject({ plannedProductionMinutes: 450, unplannedDowntimeMinutes: 60, runMinutes: 390, idealRunMinutes: 100, quality: 1 });
  });

  it("adds times and counts up over machines, weighing each machine's ideal cycle", () => {
    const r = oee(
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
    // Quality weighs units by ideal cycle time: 240 + 150 ideal good minutes of 240 + 180 ideal minutes.
    expect(r).toMatchObject({ idealGoodMinutes: 390, idleMinutes: 0 });
    expect(r.quality).toBeCloseTo(390 / 420, 12);
    expect(r.oee).toBeCloseTo(390 / 960, 12);
  });

  it("handles a night shift across midnight with a break after it", () => {
    const night = win(at("22:00"), at("06:00", "2026-03-11"));
    const r = oee(
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
    expect(oee(shift, lunch, [], [], [], now)).toEqual({
      plannedProductionMinutes: 0,
      runMinutes: 0,
      breakMinutes: 30,
      plannedDowntimeMinutes: 0,
      unplannedDowntimeMinutes: 0,
      idleMinutes: 0,
      totalCount: 0,
      goodCount: 0,
      idealRunMinutes: 0,
      idealGoodMinutes: 0,
      availability: null,
      performance: null,
      quality: null,
      oee: null,
    });
  });

  it("has no quality (and so no OEE) without counts, but availability and a zero performance", () => {
    const r = oee(shift, [], [machine("m1", 30)], [], [], now);
    expect(r).toMatchObject({ availability: 1, performance: 0, quality: null, oee: null });
  });

  it("has no availability or performance when the whole window is planned downtime", () => {
    const r = oee(shift, [], [machine("m1", 30)], [stop("m1", "PLANNED", at("05:00"), at("15:00"))], [], now);
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

describe("computeOee: time that has not happened", () => {
  const shift = win(at("06:00"), at("14:00"));

  it("counts a running shift only up to now (eleven minutes in, OEE is not ~2%)", () => {
    // 11 min planned and run; 10 units x 60 s = 10 ideal minutes: A = 1, P = 10/11, Q = 1.
    const r = oee(shift, [win(at("10:00"), at("10:30"))], [machine("m1", 60)], [], [made("m1", 10, 0)], at("06:11"));
    expect(r).toMatchObject({ plannedProductionMinutes: 11, runMinutes: 11, breakMinutes: 0, availability: 1, quality: 1 });
    expect(r.oee).toBeCloseTo(10 / 11, 12);
  });

  it("counts a break only as far as it has happened", () => {
    const r = oee(shift, [win(at("10:00"), at("10:30"))], [machine("m1", 60)], [], [], at("10:10"));
    expect(r).toMatchObject({ breakMinutes: 10, plannedProductionMinutes: 240 });
  });

  it("has nothing planned in a window that lies wholly in the future", () => {
    const r = oee(shift, [], [machine("m1", 60)], [], [], at("05:00"));
    expect(r).toMatchObject({ plannedProductionMinutes: 0, runMinutes: 0, availability: null, oee: null });
  });
});

describe("computeOee: idle time and aggregation over machines", () => {
  const shift = win(at("06:00"), at("14:00"));
  const now = at("20:00");
  const m1 = machine("m1", 30),
    m2 = machine("m2", 60),
    m3 = machine("m3", 45);
  const downtimes = [
    stop("m1", "UNPLANNED", at("09:00"), at("09:30")),
    stop("m2", "PLANNED", at("06:00"), at("07:00")),
    stop("m2", "UNPLANNED", at("12:00"), at("13:00")),
  ];
  const statuses = [
    state("m1", "RUNNING", at("05:00"), null),
    // The planned stop wins over RUNNING; the DOWN hour is unplanned downtime, not idle time.
    state("m2", "RUNNING", at("06:00"), at("08:00")),
    state("m2", "IDLE", at("08:00"), at("12:00")),
    state("m2", "DOWN", at("12:00"), at("13:00")),
    state("m2", "RUNNING", at("13:00"), null),
    state("m3", "IDLE", at("00:00"), null),
  ];
  const counts = [made("m1", 800, 40), made("m2", 100, 0)];

  it("counts IDLE time as planned but not run", () => {
    const r = oee(shift, [], [m2], downtimes, counts, now, statuses);
    // 480 - 60 planned stop = 420 planned; 60 unplanned; 240 idle; 120 run (07-08, 13-14).
    expect(r).toMatchObject({
      plannedProductionMinutes: 420,
      plannedDowntimeMinutes: 60,
      unplannedDowntimeMinutes: 60,
      idleMinutes: 240,
      runMinutes: 120,
    });
    expect(r.availability).toBeCloseTo(120 / 420, 12);
    expect(r.performance).toBeCloseTo(100 / 120, 12);
  });

  it("weighs machines by time: ratios of summed minutes, not the mean of the machines' ratios", () => {
    const r = oee(shift, [], [m1, m2], downtimes, counts, now, statuses);
    // m1: 480 planned, 30 unplanned, 450 run, 840 units x 0.5 min = 420 ideal, 400 ideal good.
    // m2: 420 planned, 120 run, 100 ideal, 100 ideal good. Sums: 900 planned, 570 run, 520 ideal, 500 good.
    expect(r).toMatchObject({ plannedProductionMinutes: 900, runMinutes: 570, idleMinutes: 240, idealRunMinutes: 520, idealGoodMinutes: 500 });
    expect(r.availability).toBeCloseTo(570 / 900, 12);
    expect(r.performance).toBeCloseTo(520 / 570, 12);
    expect(r.quality).toBeCloseTo(500 / 520, 12);
    expect(r.oee).toBeCloseTo(500 / 900, 12); // 0.5556, where the mean of 400/480 and 100/420 would be 0.5357
  });

  it("does not count an idle machine as running: it adds planned time and no run time", () => {
    const r = oee(shift, [], [m1, m2, m3], downtimes, counts, now, statuses);
    expect(r).toMatchObject({ plannedProductionMinutes: 1380, runMinutes: 570, idleMinutes: 720 });
    expect(r.oee).toBeCloseTo(500 / 1380, 12);
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
    // Asked at 23:00: 23 h have happened, the last of them down; 23:00-24:00 is not counted.
    expect(r).toEqual({ operatingHours: 22, failures: 1, mtbfHours: 22, repairs: 0, repairHours: 0, mttrHours: null });
  });

  it("has no MTBF or MTTR without failures and repairs", () => {
    expect(reliability(from, to, [], now)).toEqual({ operatingHours: 24, failures: 0, mtbfHours: null, repairs: 0, repairHours: 0, mttrHours: null });
  });

  it("takes the period half-open: a failure at its start counts, a repair ending at its end does not", () => {
    const r = reliability(from, to, [stop("m1", "UNPLANNED", at("00:00"), at("01:00")), stop("m1", "UNPLANNED", at("23:00"), to)], now);
    expect(r).toMatchObject({ failures: 2, repairs: 1, repairHours: 1, operatingHours: 22, mtbfHours: 11 });
  });

  it("counts a period ending in the future only up to now", () => {
    // Asked at noon about the whole day: 12 h, 1 h of it down.
    const r = reliability(from, to, [stop("m1", "UNPLANNED", at("02:00"), at("03:00"))], at("12:00"));
    expect(r).toEqual({ operatingHours: 11, failures: 1, mtbfHours: 11, repairs: 1, repairHours: 1, mttrHours: 1 });
  });

  it("counts a repair across midnight in the day where it ends, with its whole duration", () => {
    const overnight = [stop("m1", "UNPLANNED", at("23:00"), at("01:00", "2026-03-11"))];
    const day1 = reliability(from, to, overnight, now);
    const day2 = reliability(to, at("00:00", "2026-03-12"), overnight, at("12:00", "2026-03-13"));
    expect(day1).toEqual({ operatingHours: 23, failures: 1, mtbfHours: 23, repairs: 0, repairHours: 0, mttrHours: null });
    expect(day2).toEqual({ operatingHours: 23, failures: 0, mtbfHours: null, repairs: 1, repairHours: 2, mttrHours: 2 });
  });

  it("books maintenance then a breakdown as one failure, and the reverse as a repair of the breakdown only", () => {
    const maintenanceThenBreakdown = reliability(
      from,
      to,
      [stop("m1", "PLANNED", at("08:00"), at("09:00")), stop("m1", "UNPLANNED", at("09:00"), at("10:00"))],
      now,
    );
    expect(maintenanceThenBreakdown).toEqual({ operatingHours: 22, failures: 1, mtbfHours: 22, repairs: 1, repairHours: 1, mttrHours: 1 });
    const breakdownThenMaintenance = reliability(
      from,
      to,
      [stop("m1", "UNPLANNED", at("08:00"), at("09:00")), stop("m1", "PLANNED", at("09:00"), at("11:00"))],
      now,
    );
    expect(breakdownThenMaintenance).toEqual({ operatingHours: 21, failures: 1, mtbfHours: 21, repairs: 1, repairHours: 1, mttrHours: 1 });
  });

  it("does not count time in a state other than RUNNING as operating time", () => {
    const r = reliability(from, to, [stop("m1", "UNPLANNED", at("10:00"), at("11:00"))], now, [
      state("m1", "IDLE", at("00:00"), at("06:00")),
      state("m1", "RUNNING", at("06:00"), at("10:00")),
      state("m1", "DOWN", at("10:00"), at("11:00")),
      state("m1", "RUNNING", at("11:00"), null),
    ]);
    // 24 h - 6 h idle - 1 h down = 17 h operating.
    expect(r).toMatchObject({ operatingHours: 17, failures: 1, mtbfHours: 17 });
  });
});
