import { ratio as ratioOf } from "@mes/shared";
import type { DowntimeKind } from "./generated/prisma/enums.ts";
import type { EquipmentTx } from "./context.ts";
import { clip, minutes, span, subtract, type Interval } from "./intervals.ts";

const ratio = (n: number, d: number) => ratioOf(n, d).value;

// What OEE and reliability read of machines, downtimes and production counts (Prisma rows fit).
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
export interface OeeCount {
  machineId: string;
  goodQuantity: Decimal;
  scrapQuantity: Decimal;
}

export interface OeeResult {
  plannedProductionMinutes: number;
  runMinutes: number;
  plannedDowntimeMinutes: number;
  unplannedDowntimeMinutes: number;
  breakMinutes: number;
  totalCount: number;
  goodCount: number;
  idealRunMinutes: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
}

/**
 * OEE of machines over a window (a shift, or any period) by its standard definition:
 * planned production time = window - breaks - planned downtime;
 * Availability = run time / planned production time, where run time = planned time - unplanned downtime;
 * Performance = ideal cycle time x total count / run time; Quality = good / total.
 * For several machines the times and counts add up (performance weighs each machine's ideal cycle).
 */
export function computeOee(
  window: Interval,
  breaks: Interval[],
  machines: OeeMachine[],
  downtimes: OeeDowntime[],
  counts: OeeCount[],
  now: Date,
): OeeResult {
  let planned = 0,
    run = 0,
    plannedDown = 0,
    unplannedDown = 0,
    ideal = 0,
    total = 0,
    good = 0;
  const breakParts = clip(breaks, window);
  for (const machine of machines) {
    const mine = downtimes.filter((d) => d.machineId === machine.id);
    const plannedStops = clip(
      mine.filter((d) => d.reason.kind === "PLANNED").map((d) => span(d.startedAt, d.endedAt, now)),
      window,
    );
    const failures = clip(
      mine.filter((d) => d.reason.kind === "UNPLANNED").map((d) => span(d.startedAt, d.endedAt, now)),
      window,
    );
    const available = subtract(subtract([window], breakParts), plannedStops);
    const running = subtract(available, failures);
    planned += minutes(available);
    run += minutes(running);
    plannedDown += minutes(subtract(plannedStops, breakParts));
    unplannedDown += minutes(available) - minutes(running);
    const made = counts.filter((c) => c.machineId === machine.id);
    const machineTotal = made.reduce((s, c) => s + c.goodQuantity.toNumber() + c.scrapQuantity.toNumber(), 0);
    total += machineTotal;
    good += made.reduce((s, c) => s + c.goodQuantity.toNumber(), 0);
    ideal += (machine.idealCycleSeconds.toNumber() * machineTotal) / 60;
  }
  const availability = ratio(run, planned),
    performance = ratio(ideal, run),
    quality = ratio(good, total);
  return {
    plannedProductionMinutes: planned,
    runMinutes: run,
    plannedDowntimeMinutes: plannedDown,
    unplannedDowntimeMinutes: unplannedDown,
    breakMinutes: minutes(breakParts),
    totalCount: total,
    goodCount: good,
    idealRunMinutes: ideal,
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
 * MTBF = operating time / number of failures; MTTR = total repair time / number of repairs, for
 * [from, to). Operating time is the period minus all downtime in it; a failure is an unplanned
 * downtime starting in the period; a repair is one ending in it, counted with its whole duration.
 */
export function reliability(from: Date, to: Date, downtimes: OeeDowntime[], now: Date): Reliability {
  const window = { start: from.getTime(), end: to.getTime() };
  const operating =
    minutes(
      subtract(
        [window],
        clip(
          downtimes.map((d) => span(d.startedAt, d.endedAt, now)),
          window,
        ),
      ),
    ) / 60;
  const unplanned = downtimes.filter((d) => d.reason.kind === "UNPLANNED");
  const failures = unplanned.filter((d) => d.startedAt >= from && d.startedAt < to).length;
  const repaired = unplanned.filter((d) => d.endedAt && d.endedAt >= from && d.endedAt < to);
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

/** The downtimes (with reasons) overlapping [from, to) and the production counts logged in it. */
export async function oeeInputs(tx: EquipmentTx, machineIds: string[], from: Date, to: Date) {
  const [downtimes, counts] = await Promise.all([
    tx.downtime.findMany({
      where: { machineId: { in: machineIds }, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] },
      include: { reason: true },
    }),
    tx.machineProduction.findMany({ where: { machineId: { in: machineIds }, loggedAt: { gte: from, lt: to } } }),
  ]);
  return { downtimes, counts };
}

/** OEE of `machines` over [from, to) without `breaks`, from what the database holds for that period. */
export async function machinesOee(tx: EquipmentTx, machines: OeeMachine[], from: Date, to: Date, breaks: Interval[] = []): Promise<OeeResult> {
  const { downtimes, counts } = await oeeInputs(
    tx,
    machines.map((m) => m.id),
    from,
    to,
  );
  return computeOee({ start: from.getTime(), end: to.getTime() }, breaks, machines, downtimes, counts, new Date());
}

export async function machineReliability(tx: EquipmentTx, machineId: string, from: Date, to: Date): Promise<Reliability> {
  const { downtimes } = await oeeInputs(tx, [machineId], from, to);
  return reliability(from, to, downtimes, new Date());
}

/** A plant's machines, or only one machine or one work center's machines of it. */
export function plantMachines(tx: EquipmentTx, plantId: string, only: { machineId?: string; workCenterId?: string }) {
  const where = only.machineId ? { id: only.machineId } : only.workCenterId ? { workCenterId: only.workCenterId } : {};
  return tx.machine.findMany({ where: { plantId, ...where } });
}

/** Minutes of downtime of a plant's machines within [from, to) (open downtime counts until now). */
export async function plantDowntimeMinutes(tx: EquipmentTx, plantId: string, from: Date, to: Date): Promise<number> {
  const downtimes = await tx.downtime.findMany({ where: { plantId, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] } });
  return minutes(
    clip(
      downtimes.map((d) => span(d.startedAt, d.endedAt, new Date())),
      { start: from.getTime(), end: to.getTime() },
    ),
  );
}
