import { orderByOf, orderBySql, paginate, pageWindow, plantFilter, type OrderArg, type PageArgs, type Tenant } from "@mes/shared";
import { Prisma, type StockTransaction, type StockTransactionType } from "./generated/prisma/client.ts";
import type { InventoryDb } from "./context.ts";
import { inRange } from "./nested-lists.ts";
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

const VALUATION_ORDER = { MATERIAL_CODE: `"materialCode"`, QUANTITY: "quantity", VALUE: "value" } as const;

/**
 * Stock value per material and plant (one row each), by material code then plant unless `orderBy`
 * says otherwise, with the total over every page: at one plant, or at every plant of the tenant.
 */
export async function valuationPage(
  db: InventoryDb,
  tenant: Tenant,
  plantId: string | null,
  orderBy: OrderArg<keyof typeof VALUATION_ORDER> | null | undefined,
  page: PageArgs,
) {
  const window = pageWindow(page);
  const plants = plantFilter(tenant);
  // Raw SQL (the sort is over sums): the tenant is added here; row-level security holds too.
  const scope = Prisma.sql`"organizationId" = ${tenant.organizationId}::uuid
    AND (${plants}::uuid[] IS NULL OR "plantId" = ANY(${plants}::uuid[])) AND (${plantId}::uuid IS NULL OR "plantId" = ${plantId}::uuid)`;
  const sums = Prisma.sql`
    q AS (SELECT "materialId", "plantId", SUM(quantity) AS quantity FROM "Stock" WHERE quantity > 0 AND ${scope} GROUP BY 1, 2),
    v AS (SELECT "materialId", "plantId", SUM("remainingValue") AS value FROM "CostLayer" WHERE "remainingQuantity" > 0 AND ${scope} GROUP BY 1, 2)`;
  const order = orderBySql(orderBy, VALUATION_ORDER, `"materialCode" ASC, id ASC`);
  const [items, [totals]] = await Promise.all([
    db.$queryRaw<(MaterialValuation & { id: string })[]>`
      WITH ${sums}, r AS (
        SELECT q."materialId"::text AS "materialId", q."plantId"::text AS "plantId", m.code AS "materialCode", q.quantity,
               COALESCE(v.value, 0)::numeric AS value, m.code || '|' || q."plantId"::text AS id
          FROM q JOIN "Material" m ON m.id = q."materialId"
          LEFT JOIN v ON v."materialId" = q."materialId" AND v."plantId" = q."plantId")
      SELECT * FROM r ORDER BY ${Prisma.raw(order)} LIMIT ${window.take} OFFSET ${window.skip}`,
    db.$queryRaw<{ count: bigint; total: Prisma.Decimal | null }[]>`
      WITH ${sums} SELECT (SELECT count(*) FROM q) AS count, (SELECT SUM(value) FROM v) AS total`,
  ]);
  const totalCount = Number(totals?.count ?? 0);
  return {
    items: items.map(
      ({ id: _id, ...row }): MaterialValuation => ({ ...row, quantity: new Prisma.Decimal(row.quantity), value: new Prisma.Decimal(row.value) }),
    ),
    totalValue: new Prisma.Decimal(totals?.total ?? 0).toNumber(),
    totalCount,
    limit: window.take,
    offset: window.skip,
    hasMore: window.skip + items.length < totalCount,
  };
}

const COST_LAYER_ORDER = {
  RECEIVED_AT: "receivedAt",
  REMAINING_QUANTITY: "remainingQuantity",
  REMAINING_VALUE: "remainingValue",
  UNIT_COST: "unitCost",
} as const;

/** Cost layers of a material, oldest first unless `orderBy` says otherwise; the ids are valid UUIDs. */
export function costLayerPage(
  db: InventoryDb,
  filter: { materialId: string; plantId: string | null; includeEmpty: boolean },
  orderBy: OrderArg<keyof typeof COST_LAYER_ORDER> | null | undefined,
  page: PageArgs,
) {
  const where: Prisma.CostLayerWhereInput = {
    materialId: filter.materialId,
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.includeEmpty ? {} : { remainingQuantity: { gt: 0 } }),
  };
  const order = orderByOf(orderBy, COST_LAYER_ORDER, [{ receivedAt: "asc" }, { id: "asc" }]);
  return paginate(
    page,
    (w) => db.costLayer.findMany({ where, orderBy: order, ...w }),
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

/** What stockTransactions filters by; the ids are valid UUIDs and the range is checked. */
export interface TransactionFilter {
  plantId: string | null;
  materialId: string | null;
  lotId: string | null;
  workOrderId: string | null;
  type: StockTransactionType[] | null;
  from: Date | null;
  to: Date | null;
}

const TRANSACTION_ORDER = { CREATED_AT: "createdAt", TYPE: "type", QUANTITY: "quantity", TOTAL_COST: "totalCost" } as const;

/** Stock transactions, newest recorded first unless `orderBy` says otherwise. */
export function transactionPage(
  db: InventoryDb,
  filter: TransactionFilter,
  orderBy: OrderArg<keyof typeof TRANSACTION_ORDER> | null | undefined,
  page: PageArgs,
) {
  const createdAt = inRange(filter.from, filter.to);
  const where: Prisma.StockTransactionWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.materialId ? { materialId: filter.materialId } : {}),
    ...(filter.lotId ? { lotId: filter.lotId } : {}),
    ...(filter.workOrderId ? { workOrderId: filter.workOrderId } : {}),
    ...(filter.type?.length ? { type: { in: filter.type } } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
  const order = orderByOf(orderBy, TRANSACTION_ORDER, [{ createdAt: "desc" }, { id: "asc" }]);
  return paginate(
    page,
    (w) => db.stockTransaction.findMany({ where, orderBy: order, ...w }),
    () => db.stockTransaction.count({ where }),
  );
}
