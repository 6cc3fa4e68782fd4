import { randomUUID } from "node:crypto";
import { Prisma } from "./generated/prisma/client.ts";
import type { InventoryTx } from "./context.ts";
import { lockMaterialAtPlant } from "./alerts.ts";
import { capitalisedVariance, settlementVariances } from "./costing.ts";
import { averageLayer, revalueLayer } from "./layers.ts";

// Cost settlement of a work order's output: when it completes, its actual material cost is
// apportioned over everything it produced and each receipt's variance is posted as a SETTLEMENT
// transaction. Once settled, every later movement of the order (a return, a late issue or receipt)
// settles again, so its output always carries its actual cost.

const ZERO = new Prisma.Decimal(0);

/**
 * Serializes the cost movements of one work order (issues, returns, receipts, settlement). Taken
 * before any material lock, so locks are always taken in the order work order, then materials.
 */
export async function lockWorkOrderCost(tx: InventoryTx, workOrderId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`wo-cost:${workOrderId}`}))`;
}

/** Material cost of a work order: what was issued to it at cost, less what came back. */
export async function workOrderMaterialCost(tx: InventoryTx, workOrderId: string): Promise<Prisma.Decimal> {
  const sum = await tx.stockTransaction.aggregate({ where: { workOrderId, type: { in: ["ISSUE", "RETURN"] } }, _sum: { totalCost: true } });
  return (sum._sum.totalCost ?? ZERO).neg();
}

/** Quantity a work order has received as output so far. */
export async function receivedQuantity(tx: InventoryTx, workOrderId: string): Promise<Prisma.Decimal> {
  const sum = await tx.stockTransaction.aggregate({ where: { workOrderId, type: "RECEIPT" }, _sum: { quantity: true } });
  return sum._sum.quantity ?? ZERO;
}

export interface WorkOrderRef {
  workOrderId: string;
  organizationId: string;
  plantId: string;
}

/**
 * Settles a work order when it completes: exactly once (the settlement row is unique per order;
 * a repeated completion event finds it and does nothing). Returns whether it settled now.
 */
export async function settleOnCompletion(tx: InventoryTx, wo: WorkOrderRef, actor: string): Promise<boolean> {
  await lockWorkOrderCost(tx, wo.workOrderId);
  const existing = await tx.workOrderSettlement.findUnique({ where: { workOrderId: wo.workOrderId } });
  if (existing) return false;
  await tx.workOrderSettlement.create({ data: { organizationId: wo.organizationId, plantId: wo.plantId, workOrderId: wo.workOrderId } });
  await postVariances(tx, wo.workOrderId, actor);
  return true;
}

/** After a movement of a work order: settles it again if it was already settled. Callers hold lockWorkOrderCost. */
export async function resettleIfSettled(tx: InventoryTx, workOrderId: string, actor: string): Promise<void> {
  if (await tx.workOrderSettlement.findUnique({ where: { workOrderId } })) await postVariances(tx, workOrderId, actor);
}

/**
 * Posts each receipt's variance (its share of the actual cost less what it carries): the part still
 * on hand goes into its cost layer (FIFO: the receipt's own layer; moving average: the material's
 * layer at the plant), the rest is expensed, recorded on the same SETTLEMENT transaction.
 */
async function postVariances(tx: InventoryTx, workOrderId: string, actor: string): Promise<void> {
  const receipts = await tx.stockTransaction.findMany({ where: { workOrderId, type: "RECEIPT" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  if (receipts.length === 0) return;
  const earlier = await tx.stockTransaction.groupBy({
    by: ["settlesTransactionId"],
    where: { workOrderId, type: "SETTLEMENT" },
    _sum: { variance: true },
  });
  const settledBefore = new Map(earlier.map((e) => [e.settlesTransactionId, e._sum.variance ?? ZERO]));
  const actual = await workOrderMaterialCost(tx, workOrderId);
  const bookings = receipts.map((r) => ({ id: r.id, quantity: r.quantity, booked: r.totalCost.add(settledBefore.get(r.id) ?? ZERO) }));
  const documentId = randomUUID();
  for (const v of settlementVariances(actual, bookings)) {
    if (v.variance.isZero()) continue;
    const receipt = receipts.find((r) => r.id === v.id)!;
    await lockMaterialAtPlant(tx, receipt.materialId, receipt.plantId);
    const material = await tx.material.findUniqueOrThrow({ where: { id: receipt.materialId } });
    const layer =
      material.costingMethod === "MOVING_AVERAGE"
        ? await averageLayer(tx, receipt.materialId, receipt.plantId)
        : await tx.costLayer.findFirst({ where: { sourceTransactionId: receipt.id } });
    const capitalised = layer ? capitalisedVariance(v.variance, layer.remainingQuantity, receipt.quantity, layer.remainingValue) : ZERO;
    if (layer && !capitalised.isZero()) await revalueLayer(tx, layer, capitalised);
    await tx.stockTransaction.create({
      data: {
        organizationId: receipt.organizationId,
        plantId: receipt.plantId,
        documentId,
        type: "SETTLEMENT",
        materialId: receipt.materialId,
        lotId: receipt.lotId,
        locationId: receipt.locationId,
        quantity: ZERO,
        totalCost: capitalised,
        variance: v.variance,
        settlesTransactionId: receipt.id,
        workOrderId,
        reason: "work order cost settlement",
        actor,
      },
    });
  }
}
