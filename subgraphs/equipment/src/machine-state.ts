import { appendEvent, badUserInput, conflict } from "@mes/shared";
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
 * What entering `state` does to the machine's downtime: a stop opens one unless one is open already
 * (DOWN -> MAINTENANCE stays one downtime); RUNNING ends the open one; anything else keeps it as is.
 */
export function downtimeChange(state: MachineState, hasOpenDowntime: boolean): "open" | "end" | "keep" {
  if (needsReasonCode(state)) return hasOpenDowntime ? "keep" : "open";
  if (state === "RUNNING" && hasOpenDowntime) return "end";
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

/**
 * Records a machine's new state: closes its status interval and opens the next. Going DOWN or into
 * MAINTENANCE opens a downtime with the given reason; returning to RUNNING ends the open downtime.
 * Writes MachineStatusChanged to the outbox. Changes of one machine apply one at a time (row lock).
 */
export async function setMachineState(tx: EquipmentTx, { machineId, state, reasonCode, note }: StateChange, actor: string) {
  const machine = await lockMachine(tx, machineId, "machineId");
  // A given reason code must name a reason, also when the state is repeated and nothing changes.
  const reason = reasonCode ? await reasonByCode(tx, machine.organizationId, reasonCode, "reasonCode") : null;
  if (machine.state === state) return machine;
  if (needsReasonCode(state) && !reason) {
    throw badUserInput(`A reason code is needed when a machine goes ${state}`, [{ field: "reasonCode", message: "is required" }]);
  }
  const now = new Date();
  const tenant = { organizationId: machine.organizationId, plantId: machine.plantId };
  await tx.machineStatusChange.updateMany({ where: { machineId, endedAt: null }, data: { endedAt: now } });
  await tx.machineStatusChange.create({ data: { ...tenant, machineId, state, startedAt: now } });
  const open = await tx.downtime.findFirst({ where: { machineId, endedAt: null } });
  const change = downtimeChange(state, open !== null);
  if (change === "open") {
    await tx.downtime.create({ data: { ...tenant, machineId, reasonId: reason!.id, startedAt: now, note: note ?? null, recordedBy: actor } });
  } else if (change === "end") {
    await tx.downtime.update({ where: { id: open!.id }, data: { endedAt: now } });
  }
  const updated = await tx.machine.update({ where: { id: machineId }, data: { state, stateSince: now } });
  await appendEvent(tx, {
    ...tenant,
    type: "MachineStatusChanged",
    aggregateId: machineId,
    payload: { machineId, code: machine.code, from: machine.state, to: state, reasonCode: reasonCode ?? null, actor, at: now.toISOString() },
  });
  return updated;
}

/** Downtime entered after the fact (a stop nobody recorded live, or a planned stop); its end is checked by logDowntimeInput. */
export async function logDowntime(tx: EquipmentTx, input: LogDowntimeInput, actor: string) {
  const machine = await lockMachine(tx, input.machineId, "input.machineId");
  const reason = await reasonByCode(tx, machine.organizationId, input.reasonCode, "input.reasonCode");
  const overlap = await tx.downtime.findFirst({
    where: { machineId: machine.id, startedAt: { lt: input.endedAt }, OR: [{ endedAt: null }, { endedAt: { gt: input.startedAt } }] },
  });
  if (overlap) {
    throw conflict(
      `Machine ${machine.code} already has downtime from ${overlap.startedAt.toISOString()} to ${overlap.endedAt?.toISOString() ?? "now"}`,
    );
  }
  return tx.downtime.create({
    data: {
      organizationId: machine.organizationId,
      plantId: machine.plantId,
      machineId: machine.id,
      reasonId: reason.id,
      startedAt: input.startedAt,
      endedAt: input.endedAt,
      note: input.note ?? null,
      recordedBy: actor,
    },
  });
}
