import { appendEvent, badUserInput, conflict, notFound, type RawSqlClient } from "@mes/shared";
import type { MachineState, Prisma } from "./generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient & RawSqlClient;

const STOPPED: MachineState[] = ["DOWN", "MAINTENANCE"];

async function lockMachine(tx: Tx, machineId: string) {
  await tx.$queryRaw`SELECT id FROM "Machine" WHERE id = ${machineId}::uuid FOR UPDATE`;
  const machine = await tx.machine.findUnique({ where: { id: machineId } });
  if (!machine) throw badUserInput(`Machine ${machineId} does not exist`, [{ field: "machineId", message: "no such machine" }]);
  return machine;
}

async function reasonByCode(tx: Tx, organizationId: string, code: string, field: string) {
  const reason = await tx.downtimeReason.findUnique({ where: { organizationId_code: { organizationId, code } } });
  if (!reason) throw badUserInput(`Downtime reason ${code} does not exist`, [{ field, message: "no such reason code" }]);
  return reason;
}

/**
 * Records a machine's new state: closes its status interval and opens the next. Going DOWN or into
 * MAINTENANCE opens a downtime with the given reason; returning to RUNNING ends the open downtime.
 * Writes MachineStatusChanged to the outbox. Changes of one machine apply one at a time (row lock).
 */
export async function setMachineState(tx: Tx, machineId: string, state: MachineState, actor: string, reasonCode?: string | null, note?: string | null) {
  const machine = await lockMachine(tx, machineId);
  if (machine.state === state) return machine;
  if (STOPPED.includes(state) && !reasonCode) {
    throw badUserInput(`A reason code is needed when a machine goes ${state}`, [{ field: "reasonCode", message: "is required" }]);
  }
  const now = new Date();
  const tenant = { organizationId: machine.organizationId, plantId: machine.plantId };
  await tx.machineStatusChange.updateMany({ where: { machineId, endedAt: null }, data: { endedAt: now } });
  await tx.machineStatusChange.create({ data: { ...tenant, machineId, state, startedAt: now } });
  const open = await tx.downtime.findFirst({ where: { machineId, endedAt: null } });
  if (STOPPED.includes(state) && !open) {
    const reason = await reasonByCode(tx, machine.organizationId, reasonCode!, "reasonCode");
    await tx.downtime.create({ data: { ...tenant, machineId, reasonId: reason.id, startedAt: now, note: note ?? null, recordedBy: actor } });
  } else if (state === "RUNNING" && open) {
    await tx.downtime.update({ where: { id: open.id }, data: { endedAt: now } });
  }
  const updated = await tx.machine.update({ where: { id: machineId }, data: { state, stateSince: now } });
  await appendEvent(tx, {
    ...tenant, type: "MachineStatusChanged", aggregateId: machineId,
    payload: { machineId, code: machine.code, from: machine.state, to: state, reasonCode: reasonCode ?? null, actor, at: now.toISOString() },
  });
  return updated;
}

export interface LogDowntimeInput { machineId: string; reasonCode: string; startedAt: Date; endedAt: Date; note?: string | null }

/** Downtime entered after the fact (a stop nobody recorded live, or a planned stop). */
export async function logDowntime(tx: Tx, input: LogDowntimeInput, actor: string) {
  const machine = await lockMachine(tx, input.machineId);
  if (input.endedAt > new Date()) throw badUserInput("endedAt must not be in the future", [{ field: "input.endedAt", message: "in the future" }]);
  const reason = await reasonByCode(tx, machine.organizationId, input.reasonCode, "input.reasonCode");
  const overlap = await tx.downtime.findFirst({
    where: { machineId: machine.id, startedAt: { lt: input.endedAt }, OR: [{ endedAt: null }, { endedAt: { gt: input.startedAt } }] },
  });
  if (overlap) {
    throw conflict(`Machine ${machine.code} already has downtime from ${overlap.startedAt.toISOString()} to ${overlap.endedAt?.toISOString() ?? "now"}`);
  }
  return tx.downtime.create({
    data: { organizationId: machine.organizationId, plantId: machine.plantId, machineId: machine.id, reasonId: reason.id, startedAt: input.startedAt, endedAt: input.endedAt, note: input.note ?? null, recordedBy: actor },
  });
}

export async function requireMachine(tx: Tx, machineId: string) {
  const machine = await tx.machine.findUnique({ where: { id: machineId } });
  if (!machine) throw notFound("Machine", machineId);
  return machine;
}
