import { appendEvent, badUserInput, conflict, notFound, clockNow } from "@mes/shared";
import type { WorkOrder, WorkOrderHold, WorkOrderStatus } from "./generated/prisma/client.ts";
import type { ProductionTx } from "./context.ts";
import { assertHoldable, assertTransition, statusUpdate } from "./work-order-status.ts";

/** Locks a work order for the rest of the transaction: its changes apply one after another. */
export async function lockWorkOrder(tx: ProductionTx, id: string): Promise<WorkOrder> {
  await tx.$queryRaw`SELECT id FROM "WorkOrder" WHERE id = ${id}::uuid FOR UPDATE`;
  const wo = await tx.workOrder.findUnique({ where: { id } });
  if (!wo) throw notFound("Work order", id);
  return wo;
}

export async function activeHold(tx: ProductionTx, workOrderId: string): Promise<WorkOrderHold | null> {
  return tx.workOrderHold.findFirst({ where: { workOrderId, releasedAt: null }, orderBy: { placedAt: "asc" } });
}

/** Refuses any progress on a work order with an active hold. */
export async function assertNotHeld(tx: ProductionTx, wo: WorkOrder): Promise<void> {
  const hold = await activeHold(tx, wo.id);
  if (hold) throw conflict(`Work order ${wo.number} is on hold (${hold.reason}); release the hold first`, { holdId: hold.id });
}

/** What the release event carries so inventory can reserve the bill of materials. */
async function materialRequirements(tx: ProductionTx, wo: WorkOrder) {
  const bom = await tx.bomLine.findMany({ where: { productId: wo.productId }, orderBy: { materialId: "asc" } });
  return bom.map((line) => ({ materialId: line.materialId, quantity: line.quantityPer.mul(wo.quantity).toString() }));
}

/**
 * Moves a locked work order to `to`, or refuses with CONFLICT naming the allowed next statuses.
 * Records the transition and writes a WorkOrderStatusChanged event in the same transaction.
 */
export async function transition(tx: ProductionTx, wo: WorkOrder, to: WorkOrderStatus, actor: string, reason?: string | null): Promise<WorkOrder> {
  assertTransition(wo, to);
  const at = clockNow();
  const updated = await tx.workOrder.update({ where: { id: wo.id }, data: statusUpdate(wo, to, at) });
  await tx.workOrderTransition.create({
    data: {
      organizationId: wo.organizationId,
      plantId: wo.plantId,
      workOrderId: wo.id,
      fromStatus: wo.status,
      toStatus: to,
      actor,
      reason: reason ?? null,
      at,
    },
  });
  await appendEvent(tx, {
    organizationId: wo.organizationId,
    plantId: wo.plantId,
    type: "WorkOrderStatusChanged",
    aggregateId: wo.id,
    payload: {
      workOrderId: wo.id,
      number: wo.number,
      from: wo.status,
      to,
      actor,
      reason: reason ?? null,
      at: at.toISOString(),
      ...(to === "RELEASED" ? { materialRequirements: await materialRequirements(tx, wo) } : {}),
    },
  });
  return updated;
}

/** PLANNED -> RELEASED, unless a hold stops it. */
export async function releaseWorkOrder(tx: ProductionTx, id: string, actor: string, reason: string | null): Promise<WorkOrder> {
  const wo = await lockWorkOrder(tx, id);
  await assertNotHeld(tx, wo);
  return transition(tx, wo, "RELEASED", actor, reason);
}

/** IN_PROGRESS -> COMPLETED, once no hold stops it and every operation is completed. */
export async function completeWorkOrder(tx: ProductionTx, id: string, actor: string, reason: string | null): Promise<WorkOrder> {
  const wo = await lockWorkOrder(tx, id);
  await assertNotHeld(tx, wo);
  // From another status, transition() explains what is allowed.
  if (wo.status === "IN_PROGRESS") {
    const open = await tx.operation.findMany({ where: { workOrderId: wo.id, status: { not: "COMPLETED" } }, orderBy: { sequence: "asc" } });
    if (open.length) {
      throw badUserInput(`Work order ${wo.number} cannot complete: operation(s) ${open.map((o) => o.sequence).join(", ")} are not completed`);
    }
  }
  return transition(tx, wo, "COMPLETED", actor, reason);
}

export async function closeWorkOrder(tx: ProductionTx, id: string, actor: string, reason: string | null): Promise<WorkOrder> {
  return transition(tx, await lockWorkOrder(tx, id), "CLOSED", actor, reason);
}

/** Cancels a work order and releases its holds: a cancelled order has nothing left to hold. */
export async function cancelWorkOrder(tx: ProductionTx, id: string, actor: string, reason: string): Promise<WorkOrder> {
  const wo = await lockWorkOrder(tx, id);
  const cancelled = await transition(tx, wo, "CANCELLED", actor, reason);
  await tx.workOrderHold.updateMany({ where: { workOrderId: wo.id, releasedAt: null }, data: { releasedAt: clockNow(), releasedBy: actor } });
  return cancelled;
}

/** Puts an open work order on hold; a running one stops (ON_HOLD), a PLANNED or RELEASED one keeps its status but cannot progress. */
export async function placeHold(tx: ProductionTx, workOrderId: string, reason: string, actor: string): Promise<WorkOrderHold> {
  const wo = await lockWorkOrder(tx, workOrderId);
  assertHoldable(wo);
  const hold = await tx.workOrderHold.create({
    data: { organizationId: wo.organizationId, plantId: wo.plantId, workOrderId: wo.id, reason, placedBy: actor },
  });
  if (wo.status === "IN_PROGRESS") await transition(tx, wo, "ON_HOLD", actor, reason);
  return hold;
}

/** Releases a hold; releasing the last one resumes an ON_HOLD work order. */
export async function releaseHold(tx: ProductionTx, holdId: string, actor: string, reason?: string | null): Promise<WorkOrderHold> {
  const hold = await tx.workOrderHold.findUnique({ where: { id: holdId } });
  if (!hold) throw notFound("Hold", holdId);
  const wo = await lockWorkOrder(tx, hold.workOrderId);
  const { count } = await tx.workOrderHold.updateMany({
    where: { id: holdId, releasedAt: null },
    data: { releasedAt: clockNow(), releasedBy: actor },
  });
  if (count === 0) throw conflict(`Hold ${holdId} was already released`);
  if (wo.status === "ON_HOLD" && !(await activeHold(tx, wo.id))) {
    await transition(tx, wo, "IN_PROGRESS", actor, reason ?? `hold released: ${hold.reason}`);
  }
  return tx.workOrderHold.findUniqueOrThrow({ where: { id: holdId } });
}
