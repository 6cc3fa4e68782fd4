import { isUuid, type ReferenceBook, clockNow } from "@mes/shared";
import type { EquipmentTx } from "./context.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import { clip, minutes, span } from "./intervals.ts";
import { computeOee, reliability, type OeeMachine, type OeeResult, type Reliability } from "./performance.ts";
import { plannedFromShifts, type PlannedTime } from "./shift-calendar.ts";

// What OEE and reliability read from the database, and the plant's shift calendar they plan by.

/**
 * The planned operation time of a window for a plant's machines: the parts of [from, to) covered by
 * the plant's shifts, read from equipment's copy of the shifts subgraph's shift windows (kept by the
 * reference-data follower, see `referenceKinds` in subgraph.ts; `shiftsBetween` is the book's or the
 * request's loader of it). See plannedFromShifts.
 */
export async function plannedTimeOfWindow(
  shiftsBetween: ReferenceBook["shiftsBetween"],
  organizationId: string,
  plantId: string,
  from: Date,
  to: Date,
): Promise<PlannedTime> {
  return plannedFromShifts(await shiftsBetween(organizationId, plantId, from, to), from, to);
}

/**
 * The production counts OEE takes: those logged in [from, to), or for a shift (production's rule,
 * docs/kpis/production.md) the logs naming it wherever they were logged, and the logs naming no
 * shift logged in its window.
 */
function countsWhere(machineIds: string[], from: Date, to: Date, shiftId?: string): Prisma.MachineProductionWhereInput {
  const inWindow = { loggedAt: { gte: from, lt: to } };
  if (shiftId === undefined) return { machineId: { in: machineIds }, ...inWindow };
  // A key that is no uuid is named by no log (the column is a uuid).
  const unnamed = { shiftId: null, ...inWindow };
  return { machineId: { in: machineIds }, OR: isUuid(shiftId) ? [{ shiftId }, unnamed] : [unnamed] };
}

/** The downtimes (with reasons), non-RUNNING status intervals and production counts of machines in [from, to) (a shift's counts with `shiftId`). */
export async function oeeInputs(tx: EquipmentTx, machineIds: string[], from: Date, to: Date, shiftId?: string) {
  const overlapping = { machineId: { in: machineIds }, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] };
  const [downtimes, statuses, counts] = await Promise.all([
    tx.downtime.findMany({ where: overlapping, include: { reason: true } }),
    tx.machineStatusChange.findMany({ where: { ...overlapping, state: { not: "RUNNING" } } }),
    tx.machineProduction.findMany({ where: countsWhere(machineIds, from, to, shiftId) }),
  ]);
  return { downtimes, statuses, counts };
}

/** OEE of `machines` over [from, to) with the given planned time (plannedTimeOfWindow, or a shift's own window and breaks with its id). */
export async function machinesOee(
  tx: EquipmentTx,
  machines: OeeMachine[],
  from: Date,
  to: Date,
  planned: PlannedTime,
  shiftId?: string,
): Promise<OeeResult> {
  const facts = await oeeInputs(
    tx,
    machines.map((m) => m.id),
    from,
    to,
    shiftId,
  );
  return computeOee({ ...planned, now: clockNow() }, { machines, ...facts });
}

export async function machineReliability(tx: EquipmentTx, machineId: string, from: Date, to: Date): Promise<Reliability> {
  const { downtimes, statuses } = await oeeInputs(tx, [machineId], from, to);
  return reliability(from, to, downtimes, clockNow(), statuses);
}

/** A plant's machines, or only one machine or one work center's machines of it. */
export function plantMachines(tx: EquipmentTx, plantId: string, only: { machineId?: string; workCenterId?: string }) {
  const where = only.machineId ? { id: only.machineId } : only.workCenterId ? { workCenterId: only.workCenterId } : {};
  return tx.machine.findMany({ where: { plantId, ...where } });
}

/** Minutes of downtime of a plant's machines within [from, to) (open downtime counts until now). */
export async function plantDowntimeMinutes(tx: EquipmentTx, plantId: string, from: Date, to: Date): Promise<number> {
  const downtimes = await tx.downtime.findMany({ where: { plantId, startedAt: { lt: to }, OR: [{ endedAt: null }, { endedAt: { gt: from } }] } });
  const now = clockNow();
  return minutes(
    clip(
      downtimes.map((d) => span(d.startedAt, d.endedAt, now)),
      { start: from.getTime(), end: Math.min(to.getTime(), Math.max(from.getTime(), now.getTime())) },
    ),
  );
}
