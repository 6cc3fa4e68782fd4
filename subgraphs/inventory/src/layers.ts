import { Prisma, type CostLayer, type Material } from "./generated/prisma/client.ts";
import type { InventoryTx } from "./context.ts";
import { chargeLayers, mergeAverage, perUnit, type ValuedDraw } from "./costing.ts";

// Cost layers of a material at a plant, by its costing method. Every change of a layer's value is
// the totalCost of the transaction that caused it, so stock value and the ledger agree to the cent.

const ZERO = new Prisma.Decimal(0);

const openLayers = (tx: InventoryTx, materialId: string, plantId: string) =>
  tx.costLayer.findMany({
    where: { materialId, plantId, remainingQuantity: { gt: 0 } },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
  });

/** A moving-average material's one open layer at a plant (the newest, should there be several). */
export async function averageLayer(tx: InventoryTx, materialId: string, plantId: string): Promise<CostLayer | null> {
  const open = await openLayers(tx, materialId, plantId);
  return open.at(-1) ?? null;
}

/**
 * Puts `quantity` worth `value` into the material's layers at the plant: a new layer (FIFO, or the
 * first moving-average one) or, for MOVING_AVERAGE, the open layer's new average. `unitCost` is the
 * receipt's own unit cost when given (kept exact on a FIFO layer), else value / quantity.
 */
export async function addToLayers(
  tx: InventoryTx,
  m: Material,
  plantId: string,
  sourceTransactionId: string,
  quantity: Prisma.Decimal,
  value: Prisma.Decimal,
  unitCost: Prisma.Decimal | null,
): Promise<void> {
  const open = m.costingMethod === "MOVING_AVERAGE" ? await averageLayer(tx, m.id, plantId) : null;
  if (open) {
    const merged = mergeAverage(open, quantity, value);
    await tx.costLayer.update({
      where: { id: open.id },
      data: { remainingQuantity: merged.remainingQuantity, remainingValue: merged.remainingValue, unitCost: merged.unitCost ?? open.unitCost },
    });
    return;
  }
  await tx.costLayer.create({
    data: {
      organizationId: m.organizationId,
      plantId,
      materialId: m.id,
      sourceTransactionId,
      originalQuantity: quantity,
      remainingQuantity: quantity,
      remainingValue: value,
      unitCost: unitCost ?? perUnit(value, quantity) ?? ZERO,
    },
  });
}

/**
 * Takes `quantity` out of the material's open layers at the plant, oldest first (a moving-average
 * material has one, so it leaves at the average). Returns the draws and their value (to the cent).
 */
export async function takeFromLayers(
  tx: InventoryTx,
  m: Material,
  plantId: string,
  quantity: Prisma.Decimal,
): Promise<{ draws: ValuedDraw[]; value: Prisma.Decimal; uncovered: Prisma.Decimal }> {
  const charge = chargeLayers(await openLayers(tx, m.id, plantId), quantity);
  if (charge.uncovered.gt(0)) return charge;
  for (const draw of charge.draws) {
    await tx.costLayer.update({
      where: { id: draw.layerId },
      data: { remainingQuantity: { decrement: draw.quantity }, remainingValue: { decrement: draw.value } },
    });
  }
  return charge;
}

/** Adds `amount` (a settlement variance, to the cent) to one layer's value; its unit cost follows. */
export async function revalueLayer(tx: InventoryTx, layer: CostLayer, amount: Prisma.Decimal): Promise<void> {
  const remainingValue = layer.remainingValue.add(amount);
  const unitCost = perUnit(remainingValue, layer.remainingQuantity) ?? layer.unitCost;
  await tx.costLayer.update({ where: { id: layer.id }, data: { remainingValue, unitCost } });
}
