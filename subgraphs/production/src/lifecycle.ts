import { appendEvent, conflict, notFound, type RawSqlClient } from "@mes/shared";
import type { Prisma, WorkOrder, WorkOrderStatus } from "./generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient & RawSqlClient;

/** The work-order state machine: for each status, the statuses it may move to. */
export const NEXT_STATUSES: Record<WorkOrderStatus, WorkOrderStatus[]> = {
  PLANNED: ["RELEASED", "CANCELLED"],
  RELEASED: ["IN_PROGRESS", "CANCELLED"],
  IN_PROGRESS: ["ON_HOLD", "COMPLETED"],
  ON_HOLD: ["IN_PROGRESS", "CANCELLED"],
  COMPLETED: ["CLOSED"],
  CLOSED: [],
  CANCELLED: [],
};

/** Lifecycle timestamps kept on the work order for KPIs. */
const STAMP: Partial<Record<WorkOrderStatus, "releasedAt" | "startedAt" | "completedAt" | "closedAt">> = {
  RELEASED: "releasedAt",
  IN_PROGRESS: "startedAt",
  COMPLETED: "completedAt",
  CLOSED: "closedAt",
};

/** Locks a work order for the rest of the transaction: its changes apply one after another. */
export async function lockWorkOrder(tx: Tx, id: string): Promise<WorkOrder> {
  await tx.$queryRaw`SELECT id FROM "WorkOrder" WHERE id = ${id}::uuid FOR UPDATE`;
  const wo = await tx.workOrder.findUnique({ where: { id } });
  if (!wo) throw notFound("Work order", id);
  return wo;
}

export async function activeHold(tx: Tx, workOrderId: string) {
  return tx.workOrderHold.findFirst({ where: { workOrderId, releasedAt: null }, orderBy: { placedAt: "asc" } });
}

/** Refuses any progress on a work order with an active hold. */
export async function assertNotHeld(tx: Tx, wo: WorkOrder): Promise<void> {
  const hold = await activeHold(tx, wo.id);
  if (hold) throw conflict(`Work order ${wo.number} is on hold (${hold.reason}); release the hold first`, { holdId: hold.id });
}

function describe(statuses: WorkOrderStatus[]): string {
  if (statuses.length === 0) return "no other status";
  return statuses.length === 1 ? statuses[0]! : `${statuses.slice(0, -1).join(", ")} or ${statuses.at(-1)}`;
}

/** What the release event carries so inventory can reserve the bill of materials. */
async function materialRequirements(tx: Tx, wo: WorkOrder) {
  const bom = await tx.bomLine.findMany({ where: { productId: wo.productId }, orderBy: { materialId: "asc" } });
  return bom.map((line) => ({ materialId: line.materialId, quantity: line.quantityPer.mul(wo.quantity).toString() }));
}

/**
 * Moves a locked work order to `to`, or refuses with CONFLICT naming the allowed next statuses.
 * Records the transition and writes a WorkOrderStatusChanged event in the same transaction.
 */
export async function transition(tx: Tx, wo: WorkOrder, to: WorkOrderStatus, actor: string, reason?: string | null): Promise<WorkOrder> {
  const allowed = NEXT_STATUSES[wo.status];
  if (!allowed.includes(to)) {
    throw conflict(`Work order ${wo.number} is ${wo.status}; it can go to ${describe(allowed)}, not ${to}`, {
      currentStatus: wo.status,
      allowedNextStatuses: allowed,
    });
  }
  const at = new Date();
  const stamp = STAMP[to];
  const updated = await tx.workOrder.update({
    where: { id: wo.id },
    // startedAt keeps the first start: resuming from a hold is not a new start.
    data: { status: to, ...(stamp && !(stamp === "startedAt" && wo.startedAt) ? { [stamp]: at } : {}) },
  });
  await tx.workOrderTransition.create({
    data: { organizationId: wo.organizationId, plantId: wo.plantId, workOrderId: wo.id, fromStatus: wo.status, toStatus: to, actor, reason: reason ?? null, at },
  });
  await appendEvent(tx, {
    organizationId: wo.organizationId,
    plantId: wo.plantId,
    type: "WorkOrderStatusChanged",
    aggregateId: wo.id,
    payload: {
      workOrderId: wo.id, number: wo.number, from: wo.status, to, actor, reason: reason ?? null, at: at.toISOString(),
      ...(to === "RELEASED" ? { materialRequirements: await materialRequirements(tx, wo) } : {}),
    },
  });
  return updated;
}

export async function placeHold(tx: Tx, wo: WorkOrder, reason: string, actor: string) {
  if (wo.status === "COMPLETED" || wo.status === "CLOSED" || wo.status === "CANCELLED") {
    throw conflict(`Work order ${wo.number} is ${wo.status}; only an open work order can be put on hold`);
  }
  const hold = await tx.workOrderHold.create({
    data: { organizationId: wo.organizationId, plantId: wo.plantId, workOrderId: wo.id, reason, placedBy: actor },
  });
  // A running order stops; a PLANNED or RELEASED one keeps its status but cannot progress.
  if (wo.status === "IN_PROGRESS") await transition(tx, wo, "ON_HOLD", actor, reason);
  return hold;
}

export async function releaseHold(tx: Tx, holdId: string, actor: string, reason?: string | null) {
  const hold = await tx.workOrderHold.findUnique({ where: { id: holdId } });
  if (!hold) throw notFound("Hold", holdId);
  const wo = await lockWorkOrder(tx, hold.workOrderId);
  const { count } = await tx.workOrderHold.updateMany({ where: { id: holdId, releasedAt: null }, data: { releasedAt: new Date(), releasedBy: actor } });
  if (count === 0) throw conflict(`Hold ${holdId} was already released`);
  if (wo.status === "ON_HOLD" && !(await activeHold(tx, wo.id))) {
    await transition(tx, wo, "IN_PROGRESS", actor, reason ?? `hold released: ${hold.reason}`);
  }
  return tx.workOrderHold.findUniqueOrThrow({ where: { id: holdId } });
}
