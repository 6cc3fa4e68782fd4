import { appendEvent, badUserInput, clockNow } from "@mes/shared";
import type { MachineState } from "./generated/prisma/client.ts";
import type { EquipmentTx } from "./context.ts";
import type { LogDowntimeInput } from "./resolvers-types.generated.ts";

/** A validated setMachineState request (reason code and note only with a stop). */
export interface StateChange {
  machineId: string;
  state: MachineState;
  reasonCode?: string | null;
  note?: string | null;
}

/** States in which a machine is not producing: entering one needs a reason and opens a downtime. */
const STOPPED: readonly MachineState[] = ["DOWN", "MAINTENANCE"];

export function needsReasonCode(state: MachineState): boolean {
  return STOPPED.includes(state);
}

/**
 * What a state change does to the machine's downtime, given the open one's reason and the new reason:
 * a stop opens a downtime, or, when one is open with another reason, ends it and opens the next with
 * the new reason (planned maintenance then a breakdown are two records, so the breakdown counts as a
 * failure and the maintenance never as repair time); RUNNING ends the open one; IDLE and SETUP keep
 * it (the machine is still not producing).
 */
export function downtimeChange(state: MachineState, open: { reasonId: string } | null, reasonId: string | null): "open" | "switch" | "end" | "keep" {
  if (needsReasonCode(state)) {
    if (!open) return "open";
    return reasonId !== null && reasonId !== open.reasonId ? "switch" : "keep";
  }
  if (state === "RUNNING" && open) return "end";
  return "keep";
}

/** A downtime's length in minutes; an open one counts until `now`. */
export function downtimeMinutes(startedAt: Date, endedAt: Date | null, now: Date): number {
  return ((endedAt ?? now).getTime() - startedAt.getTime()) / 60_000;
}

/** Locks a machine for the rest of the transaction; an unknown one is refused naming `field`. */
async function lockMachine(tx: EquipmentTx, machineId: string, field: string) {
  await tx.$queryRaw`SELECT id FROM "Machine" WHERE id = ${machineId}::uuid FOR UPDATE`;
  const machine = await tx.machine.findUnique({ where: { id: machineId } });
  if (!machine) throw badUserInput(`Machine ${machineId} does not exist`, [{ field, message: "no such machine" }]);
  return machine;
}

async function reasonByCode(tx: EquipmentTx, organizationId: string, code: string, field: string) {
  const reason = await tx.downtimeReason.findUnique({ where: { organizationId_code: { organizationId, code } } });
  if (!reason) throw badUserInput(`Downtime reason ${code} does not exist`, [{ field, message: "no such reason code" }]);
  return reason;
}

type Tenant = { organizationId: string; plantId: string };
interface DowntimeStep {
  machineId: string;
  tenant: Tenant;
  open: { id: string; startedAt: Date; reasonId: string } | null;
  reasonId: string | null;
  note: string | null;
  actor: string;
  now: Date;
}

/** Applies a downtimeChange decision. An open downtime never ends before it started (a clock stepping back). */
async function applyDowntimeChange(tx: EquipmentTx, change: ReturnType<typeof downtimeChange>, step: DowntimeStep) {
  const { open, now } = step;
  const endOfOpen = open && open.startedAt > now ? open.startedAt : now;
  const openNext = () =>
    tx.downtime.create({
      data: { ...step.tenant, machineId: step.machineId, reasonId: step.reasonId!, startedAt: endOfOpen, note: step.note, recordedBy: step.actor },
    });
  if (change === "open") await openNext();
  else if (change === "end") await tx.downtime.update({ where: { id: open!.id }, data: { endedAt: endOfOpen } });
  else if (change === "switch") {
    // Within the same instant there is nothing to close: the open record takes the new reason.
    if (open!.startedAt.getTime() >= now.getTime()) {
      await tx.downtime.update({ where: { id: open!.id }, data: { reasonId: step.reasonId!, note: step.note } });
    } else {
      await tx.downtime.update({ where: { id: open!.id }, data: { endedAt: endOfOpen } });
      await openNext();
    }
  }
}

/**
 * Records a machine's new state: closes its status interval and opens the next, and keeps its
 * downtime records in step (downtimeChange), so that downtime records of one machine follow each
 * other without overlapping. Repeating the current state changes nothing, except that a stop given a
 * different reason than its open downtime's splits the downtime there. Writes MachineStatusChanged to
 * the outbox. Changes of one machine apply one at a time (row lock).
 */
export async function setMachineState(tx: EquipmentTx, { machineId, state, reasonCode, note }: StateChange, actor: string) {
  const machine = await lockMachine(tx, machineId, "machineId");
  // A given reason code must name a reason, also when the state is repeated and nothing changes.
  const reason = reasonCode ? await reasonByCode(tx, machine.organizationId, reasonCode, "reasonCode") : null;
  const tenant = { organizationId: machine.organizationId, plantId: machine.plantId };
  const open = await tx.downtime.findFirst({ where: { machineId, endedAt: null }, orderBy: { startedAt: "desc" } });
  const step = { machineId, tenant, open, reasonId: reason?.id ?? null, note: note ?? null, actor, now: clockNow() };
  if (machine.state === state) {
    if (reason) await applyDowntimeChange(tx, downtimeChange(state, open, reason.id), step);
    return machine;
  }
  if (needsReasonCode(state) && !reason) {
    throw badUserInput(`A reason code is needed when a machine goes ${state}`, [{ field: "reasonCode", message: "is required" }]);
  }
  const { now } = step;
  await tx.machineStatusChange.updateMany({ where: { machineId, endedAt: null }, data: { endedAt: now } });
  await tx.machineStatusChange.create({ data: { ...tenant, machineId, state, startedAt: now } });
  await applyDowntimeChange(tx, downtimeChange(state, open, step.reasonId), step);
  const updated = await tx.machine.update({ where: { id: machineId }, data: { state, stateSince: now } });
  await appendEvent(tx, {
    ...tenant,
    type: "MachineStatusChanged",
    aggregateId: machineId,
    payload: { machineId, code: machine.code, from: machine.state, to: state, reasonCode: reasonCode ?? null, actor, at: now.toISOString() },
  });
  return updated;
}

/**
 * The field a logged downtime [startedAt, endedAt) collides with `existing` on: its start when that
 * lies inside the existing downtime, otherwise its end (it reaches into the existing one).
 */
export function overlapField(startedAt: Date, existing: { startedAt: Date }): "input.startedAt" | "input.endedAt" {
  return existing.startedAt <= startedAt ? "input.startedAt" : "input.endedAt";
}

/** A logged downtime's end as stored: an end ahead of the clock (allowed as clock skew) is cut to now, as it has not happened yet. */
export function happenedEnd(endedAt: Date, now: Date): Date {
  return endedAt > now ? now : endedAt;
}

/**
 * Downtime entered after the fact (a stop nobody recorded live, or a planned stop); its end is
 * checked by logDowntimeInput. Overlapping any recorded downtime of the machine (an open one runs
 * on without end) is refused naming the field, and nothing is written.
 */
export async function logDowntime(tx: EquipmentTx, input: LogDowntimeInput, actor: string) {
  const machine = await lockMachine(tx, input.machineId, "input.machineId");
  const reason = await reasonByCode(tx, machine.organizationId, input.reasonCode, "input.reasonCode");
  const endedAt = happenedEnd(input.endedAt, clockNow());
  if (!(input.startedAt < endedAt)) {
    throw badUserInput("startedAt must be in the past", [{ field: "input.startedAt", message: "must be before now" }]);
  }
  const overlap = await tx.downtime.findFirst({
    where: { machineId: machine.id, startedAt: { lt: endedAt }, OR: [{ endedAt: null }, { endedAt: { gt: input.startedAt } }] },
    orderBy: { startedAt: "asc" },
  });
  if (overlap) {
    const until = overlap.endedAt?.toISOString() ?? "now (still open)";
    const message = `overlaps the machine's downtime from ${overlap.startedAt.toISOString()} to ${until}`;
    throw badUserInput(`Machine ${machine.code} already has downtime from ${overlap.startedAt.toISOString()} to ${until}`, [
      { field: overlapField(input.startedAt, overlap), message },
    ]);
  }
  return tx.downtime.create({
    data: {
      organizationId: machine.organizationId,
      plantId: machine.plantId,
      machineId: machine.id,
      reasonId: reason.id,
      startedAt: input.startedAt,
      endedAt,
      note: input.note ?? null,
      recordedBy: actor,
    },
  });
}
