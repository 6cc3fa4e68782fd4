import { startEventConsumer, withTx, type EventConsumer, type FeedEvent, type FeedSettings, type Logger } from "@mes/shared";
import { Prisma } from "./generated/prisma/client.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";
import { evaluateStockAlert, lockMaterialAtPlant } from "./alerts.ts";
import { lockWorkOrderCost, settleOnCompletion } from "./settlement.ts";
import { ENDED_STATUSES } from "./shortages.ts";

/**
 * Reservations follow production's work orders through its event feed: a release reserves the bill
 * of materials; completion, closing or cancelling frees what was not issued. Completion (or closing,
 * should completion not have been seen) settles the order's cost, exactly once.
 */
export async function applyWorkOrderEvent(tx: InventoryTx, event: FeedEvent<"WorkOrderStatusChanged">): Promise<void> {
  const { payload } = event;
  const plantId = event.plantId!;
  if (payload.to === "RELEASED") {
    for (const line of payload.materialRequirements ?? []) {
      // Materials unknown here (another organization's, or deleted) cannot be reserved.
      const material = await tx.material.findUnique({ where: { id: line.materialId } });
      if (!material || material.organizationId !== event.organizationId) continue;
      await lockMaterialAtPlant(tx, line.materialId, plantId);
      const quantity = new Prisma.Decimal(line.quantity);
      await tx.reservation.upsert({
        where: { workOrderId_materialId: { workOrderId: payload.workOrderId, materialId: line.materialId } },
        create: { organizationId: event.organizationId, plantId, workOrderId: payload.workOrderId, materialId: line.materialId, quantity },
        update: { quantity },
      });
      await evaluateStockAlert(tx, line.materialId, plantId);
    }
  } else if (ENDED_STATUSES.has(payload.to)) {
    // The order's cost lock first, then material locks: the order every cost movement takes them in.
    await lockWorkOrderCost(tx, payload.workOrderId);
    if (payload.to === "COMPLETED" || payload.to === "CLOSED")
      await settleOnCompletion(tx, { workOrderId: payload.workOrderId, organizationId: event.organizationId, plantId }, payload.actor);
    const held = await tx.reservation.findMany({ where: { workOrderId: payload.workOrderId } });
    for (const r of held) {
      await lockMaterialAtPlant(tx, r.materialId, r.plantId);
      await tx.reservation.delete({ where: { id: r.id } });
      await evaluateStockAlert(tx, r.materialId, r.plantId);
    }
  }
}

export function reservationConsumer(db: InventoryDb, productionUrl: string, log: Logger, feed: FeedSettings): EventConsumer {
  return startEventConsumer<InventoryTx, "WorkOrderStatusChanged">({
    name: "inventory<-production:work-orders",
    sourceUrl: productionUrl.replace(/\/graphql\/?$/, ""),
    types: ["WorkOrderStatusChanged"],
    transaction: (fn) => withTx(db, fn),
    handle: (event, tx) => applyWorkOrderEvent(tx, event),
    log,
    ...feed,
  });
}
