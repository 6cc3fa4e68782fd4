import { ratio as ratioOf } from "@mes/shared";
import type { DowntimeKind, MachineState } from "./generated/prisma/enums.ts";
import { clip, happened, intersect, minutes, span, subtract, type Interval } from "./intervals.ts";

// OEE and reliability as pure functions of what was recorded; docs/kpis/equipment.md gives the
// formulas with worked examples (the hand-computed tests beside this file).

const ratio = (n: number, d: number) => ratioOf(n, d).value;

// What OEE and reliability read of machines, downtimes, states and production counts (Prisma rows fit).
interface Decimal {
  toNumber(): number;
}
export interface OeeMachine {
  id: string;
  idealCycleSeconds: Decimal;
}
export interface OeeDowntime {
  machineId: string;
  startedAt: Date;
  endedAt: Date | null;
  reason: { kind: DowntimeKind };
}
/** A recorded status interval; only those that are not RUNNING matter (they are not run time). */
export interface OeeStatus {
  machineId: string;
  state: MachineState;
  startedAt: Date;
  endedAt: Date | null;
}
export interface OeeCount {
  machineId: string;
  goodQuantity: Decimal;
  scrapQuantity: Decimal;
}

/**
 * The time OEE is asked about: the planned operation time (a shift, or for a period without a shift
 * calendar the whole period), the breaks in it, and now (time after now has not happened and counts
 * as nothing).
 */
export interface OeePeriod {
  planned: Interval[];
  breaks: Interval[];
  now: Date;
}
export interface OeeFacts {
  machines: OeeMachine[];
  downtimes: OeeDowntime[];
  counts: OeeCount[];
  statuses?: OeeStatus[];
}

export interface OeeResult {
  plannedProductionMinutes: number;
  runMinutes: number;
  plannedDowntimeMinutes: number;
  unplannedDowntimeMinutes: number;
  idleMinutes: number;
  breakMinutes: number;
  totalCount: number;
  goodCount: number;
  idealRunMinutes: number;
  idealGoodMinutes: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
}

/** One machine's time buckets within the period, as intervals. */
export interface MachineTime {
  /** Planned busy time (ISO 22400-2 PBT): planned operation time - breaks - planned downtime. */
  plannedBusy: Interval[];
  plannedStops: Interval[];
  unplannedStops: Interval[];
  /** Actual production time (ISO 22400-2 APT): planned busy time, not in downtime, not in a non-RUNNING state. */
  running: Interval[];
}

const spans = (items: { startedAt: Date; endedAt: Date | null }[], now: Date) => items.map((d) => span(d.startedAt, d.endedAt, now));

/**
 * Splits a machine's planned operation time (already cut at now, breaks taken out) into planned
 * downtime, unplanned downtime, idle time and run time. Downtime records win over states; time in
 * IDLE, SETUP (or a stop state with no downtime record) is idle: planned, but not run. Time before a
 * machine's first recorded state has no state to go by and counts as running unless downtime covers it.
 */
export function machineTime(operating: Interval[], downtimes: OeeDowntime[], statuses: OeeStatus[], now: Date): MachineTime {
  const plannedStops = intersect(
    spans(
      downtimes.filter((d) => d.reason.kind === "PLANNED"),
      now,
    ),
    operating,
  );
  const plannedBusy = subtract(operating, plannedStops);
  const unplannedStops = intersect(
    spans(
      downtimes.filter((d) => d.reason.kind === "UNPLANNED"),
      now,
    ),
    plannedBusy,
  );
  const notRunning = spans(
    statuses.filter((s) => s.state !== "RUNNING"),
    now,
  );
  const running = subtract(subtract(plannedBusy, unplannedStops), notRunning);
  return { plannedBusy, plannedStops, unplannedStops, running };
}

/**
 * OEE of machines over a period (ISO 22400-2 OEE index = availability x effectiveness x quality ratio):
 * planned production time = planned operation time up to now - breaks - planned downtime;
 * run time = planned production time - unplanned downtime - idle time;
 * Availability = run / planned; Performance = ideal cycle time x total count / run;
 * Quality = ideal cycle time x good count / (ideal cycle time x total count), i.e. good / total for one machine.
 * Over several machines every time and ideal time is summed first and the ratios taken of the sums
 * (time-weighted, never a mean of ratios), so OEE = sum of ideal good minutes / sum of planned minutes.
 */
export function computeOee(period: OeePeriod, facts: OeeFacts): OeeResult {
  const { now } = period;
  const sofar = period.planned.map((p) => happened(p, now));
  const breakParts = intersect(period.breaks, sofar);
  const operating = subtract(sofar, breakParts);
  let planned = 0,
    run = 0,
    plannedDown = 0,
    unplannedDown = 0,
    idle = 0,
    ideal = 0,
    idealGood = 0,
    total = 0,
    good = 0;
  for (const machine of facts.machines) {
    const own = <T extends { machineId: string }>(rows: T[]) => rows.filter((r) => r.machineId === machine.id);
    const t = machineTime(operating, own(facts.downtimes), own(facts.statuses ?? []), now);
    planned += minutes(t.plannedBusy);
    run += minutes(t.running);
    plannedDown += minutes(t.plannedStops);
    unplannedDown += minutes(t.unplannedStops);
    idle += minutes(t.plannedBusy) - minutes(t.unplannedStops) - minutes(t.running);
    const made = own(facts.counts);
    const machineGood = made.reduce((s, c) => s + c.goodQuantity.toNumber(), 0);
    const machineTotal = machineGood + made.reduce((s, c) => s + c.scrapQuantity.toNumber(), 0);
    const cycleMinutes = machine.idealCycleSeconds.toNumber() / 60;
    total += machineTotal;
    good += machineGood;
    ideal += cycleMinutes * machineTotal;
    idealGood += cycleMinutes * machineGood;
  }
  const availability = ratio(run, planned),
    performance = ratio(ideal, run),
    quality = ratio(idealGood, ideal);
  return {
    plannedProductionMinutes: planned,
    runMinutes: run,
    plannedDowntimeMinutes: plannedDown,
    unplannedDowntimeMinutes: unplannedDown,
    idleMinutes: idle,
    breakMinutes: minutes(breakParts),
    totalCount: total,
    goodCount: good,
    idealRunMinutes: ideal,
    idealGoodMinutes: idealGood,
    availability,
    performance,
    quality,
    oee: availability === null || performance === null || quality === null ? null : availability * performance * quality,
  };
}

export interface Reliability {
  operatingHours: number;
  failures: number;
  mtbfHours: number | null;
  repairs: number;
  repairHours: number;
  mttrHours: number | null;
}

/**
 * MTBF = operating time / failures; MTTR = repair time / repairs, over [from, to) cut at now.
 * Operating time: the period up to now minus all downtime and non-RUNNING states (as in OEE's run
 * time, with no breaks). A failure is an unplanned downtime starting in the period. A repair is an
 * unplanned downtime ending in the period, counted there with its whole duration, also the part
 * before `from` (so each repair counts once, in full, in the period where it ends; an open one is
 * not a repair yet). Null where there is nothing to divide by.
 */
export function reliability(from: Date, to: Date, downtimes: OeeDowntime[], now: Date, statuses: OeeStatus[] = []): Reliability {
  const window = happened({ start: from.getTime(), end: to.getTime() }, now);
  const allStops = clip(spans(downtimes, now), window);
  const operating =
    minutes(
      subtract(
        subtract([window], allStops),
        spans(
          statuses.filter((s) => s.state !== "RUNNING"),
          now,
        ),
      ),
    ) / 60;
  const inWindow = (at: Date) => at.getTime() >= window.start && at.getTime() < window.end;
  const unplanned = downtimes.filter((d) => d.reason.kind === "UNPLANNED");
  const failures = unplanned.filter((d) => inWindow(d.startedAt)).length;
  const repaired = unplanned.filter((d) => d.endedAt !== null && inWindow(d.endedAt));
  const repairHours = repaired.reduce((s, d) => s + (d.endedAt!.getTime() - d.startedAt.getTime()) / 3_600_000, 0);
  return {
    operatingHours: operating,
    failures,
    mtbfHours: ratio(operating, failures),
    repairs: repaired.length,
    repairHours,
    mttrHours: ratio(repairHours, repaired.length),
  };
}
