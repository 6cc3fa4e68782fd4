import { paginate, pageWindow, type PageArgs } from "@mes/shared";
import { Prisma, type StockTransaction } from "./generated/prisma/client.ts";
import type { StockTransactionFilter } from "./resolvers-types.generated.ts";
import type { InventoryDb } from "./context.ts";
import { materialCostOf, perUnit, sumQuantity } from "./costing.ts";

// Stock value: what the open cost layers hold, by material and plant; apportioned over stock rows
// (lot at location) by quantity, since layers are kept per material and plant, not per location.

const ZERO = new Prisma.Decimal(0);

/** One material's stock at one plant and its value. */
export interface MaterialValuation {
  materialId: string;
  materialCode: string;
  plantId: string;
  quantity: Prisma.Decimal;
  value: Prisma.Decimal;
}

/** Value per unit on hand, for a field that is null with nothing on hand. */
export const unitCostOf = (value: Prisma.Decimal, quantity: Prisma.Decimal) =>
  quantity.gt(0) ? (perUnit(value, quantity)?.toNumber() ?? null) : null;

/** Stock value per material at a plant, by material code, with the plant's total over all materials. */
export async function valuationPage(db: InventoryDb, plantId: string, page: PageArgs) {
  const window = pageWindow(page);
  const [quantities, values] = await Promise.all([
    db.stock.groupBy({ by: ["materialId"], where: { plantId, quantity: { gt: 0 } }, _sum: { quantity: true } }),
    db.costLayer.groupBy({ by: ["materialId"], where: { plantId, remainingQuantity: { gt: 0 } }, _sum: { remainingValue: true } }),
  ]);
  const valueByMaterial = new Map(values.map((v) => [v.materialId, v._sum.remainingValue ?? ZERO]));
  const totalValue = values.reduce((acc, v) => acc.add(v._sum.remainingValue ?? ZERO), ZERO);
  const quantityOf = new Map(quantities.map((q) => [q.materialId, q._sum.quantity ?? ZERO]));
  const items = await db.material.findMany({
    where: { id: { in: [...quantityOf.keys()] } },
    orderBy: [{ code: "asc" }, { id: "asc" }],
    select: { id: true, code: true },
    ...window,
  });
  return {
    items: items.map(
      (m): MaterialValuation => ({
        materialId: m.id,
        materialCode: m.code,
        plantId,
        quantity: quantityOf.get(m.id) ?? ZERO,
        value: valueByMaterial.get(m.id) ?? ZERO,
      }),
    ),
    totalValue: totalValue.toNumber(),
    totalCount: quantityOf.size,
    limit: window.take,
    offset: window.skip,
    hasMore: window.skip + items.length < quantityOf.size,
  };
}

/** Cost layers of a material, oldest first; the ids are valid UUIDs. */
export function costLayerPage(db: InventoryDb, filter: { materialId: string; plantId: string | null; includeEmpty: boolean }, page: PageArgs) {
  const where: Prisma.CostLayerWhereInput = {
    materialId: filter.materialId,
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.includeEmpty ? {} : { remainingQuantity: { gt: 0 } }),
  };
  return paginate(
    page,
    (w) => db.costLayer.findMany({ where, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], ...w }),
    () => db.costLayer.count({ where }),
  );
}

/** A work order's settlement, summed from its movements (see CostSettlement in the schema). */
export interface SettlementSummary {
  settledAt: Date;
  materialCost: Prisma.Decimal;
  producedQuantity: Prisma.Decimal;
  provisionalValue: Prisma.Decimal;
  variance: Prisma.Decimal;
  capitalised: Prisma.Decimal;
}

type Move = Pick<StockTransaction, "type" | "quantity" | "totalCost" | "variance">;

/**
 * What a settled order's movements add up to. With nothing produced there is nothing to carry the
 * cost: all of it is a variance, expensed.
 */
export function settlementSummary(settledAt: Date, moves: readonly Move[]): SettlementSummary {
  const of = (type: Move["type"]) => moves.filter((t) => t.type === type);
  const materialCost = materialCostOf(moves.filter((t) => t.type === "ISSUE" || t.type === "RETURN"));
  const receipts = of("RECEIPT");
  const settlements = of("SETTLEMENT");
  const producedQuantity = sumQuantity(receipts);
  const provisionalValue = receipts.reduce((acc, t) => acc.add(t.totalCost), ZERO);
  const variance = producedQuantity.gt(0) ? settlements.reduce((acc, t) => acc.add(t.variance ?? ZERO), ZERO) : materialCost;
  const capitalised = settlements.reduce((acc, t) => acc.add(t.totalCost), ZERO);
  return { settledAt, materialCost, producedQuantity, provisionalValue, variance, capitalised };
}

/** Stock transactions, newest first; the filter's ids are valid UUIDs. */
export function transactionPage(db: InventoryDb, filter: StockTransactionFilter, page: PageArgs) {
  const where: Prisma.StockTransactionWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.materialId ? { materialId: filter.materialId } : {}),
    ...(filter.lotId ? { lotId: filter.lotId } : {}),
    ...(filter.workOrderId ? { workOrderId: filter.workOrderId } : {}),
    ...(filter.type?.length ? { type: { in: filter.type } } : {}),
  };
  return paginate(
    page,
    (w) => db.stockTransaction.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }),
    () => db.stockTransaction.count({ where }),
  );
}
