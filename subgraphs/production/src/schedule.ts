import { z } from "zod";
import { conflict, zId, type InputShape } from "@mes/shared";
import type { Operation } from "./generated/prisma/client.ts";
import type { RescheduleOperationInput } from "./resolvers-types.generated.ts";
import type { ProductionDb, ProductionTx } from "./context.ts";
import { lockOperation } from "./operations.ts";
import { ACTIVE_ORDER as ACTIVE, claimMachineSlot } from "./machine-lane.ts";
import { assertRoutingOrder, isPlanned, scheduleOf } from "./schedule-analysis.ts";

/** Gantt data of the operations planned in [from, to) at a plant, with conflicts and the critical path. */
export async function buildSchedule(db: ProductionDb, plantId: string, from: Date, to: Date) {
  const inWindow = await db.operation.findMany({
    where: { plantId, plannedStart: { lt: to }, plannedEnd: { gt: from }, workOrder: ACTIVE },
    orderBy: [{ plannedStart: "asc" }, { id: "asc" }],
  });
  const woIds = [...new Set(inWindow.filter(isPlanned).map((o) => o.workOrderId))];
  // All operations of the orders in view, to check precedence against steps outside the window.
  const [orders, allOps] = await Promise.all([
    db.workOrder.findMany({ where: { id: { in: woIds } } }),
    db.operation.findMany({ where: { workOrderId: { in: woIds } } }),
  ]);
  return scheduleOf(from, to, inWindow, orders, allOps);
}

export const rescheduleOperationInput = z
  .object({
    operationId: zId,
    machineId: zId.nullish(),
    plannedStart: z.date(),
    plannedEnd: z.date(),
  } satisfies InputShape<RescheduleOperationInput>)
  .refine((v) => v.plannedStart < v.plannedEnd, { path: ["plannedEnd"], message: "must be after plannedStart" });

/** Moves an operation, refusing a machine overlap or a precedence violation with CONFLICT. */
export async function rescheduleOperation(tx: ProductionTx, input: z.output<typeof rescheduleOperationInput>): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, input.operationId);
  if (!["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD"].includes(wo.status))
    throw conflict(`Work order ${wo.number} is ${wo.status}; its operations can no longer be rescheduled`);
  if (op.status === "COMPLETED") throw conflict(`Operation ${op.sequence} of ${wo.number} is completed; it cannot be rescheduled`);
  const machineId = input.machineId ?? op.machineId;
  const { plannedStart: start, plannedEnd: end } = input;
  assertRoutingOrder(op, wo, await tx.operation.findMany({ where: { workOrderId: wo.id } }), start, end);
  if (machineId) await claimMachineSlot(tx, machineId, op.id, start, end);
  const updated = await tx.operation.update({ where: { id: op.id }, data: { machineId, plannedStart: start, plannedEnd: end } });
  const bounds = await tx.operation.aggregate({ where: { workOrderId: wo.id }, _min: { plannedStart: true }, _max: { plannedEnd: true } });
  await tx.workOrder.update({ where: { id: wo.id }, data: { plannedStart: bounds._min.plannedStart, plannedEnd: bounds._max.plannedEnd } });
  return updated;
}
