import { ratio, type Ratio } from "@mes/shared";
import type { WorkOrder } from "./generated/prisma/client.ts";
import type { ProductionDb } from "./context.ts";
import type { ProductKpisMapper } from "./mappers.ts";

type CompletedOrder = Pick<WorkOrder, "dueDate" | "plannedEnd" | "releasedAt"> & { completedAt: Date };

export interface DeliveryKpis {
  completedWorkOrders: number;
  /** Completed by their due date / completed. */
  onTimeDelivery: Ratio;
  /** Completion minus release, in hours, averaged over the orders that were released; null if none. */
  averageCycleTimeHours: number | null;
  /** Completed by their planned end / completed with a planned end. */
  scheduleAdherence: Ratio;
}

/** KPIs of a set of completed work orders; every factor is returned, zero denominators give null. */
export function kpisOf(orders: CompletedOrder[]): DeliveryKpis {
  const cycles = orders.filter((w) => w.releasedAt).map((w) => (w.completedAt.getTime() - w.releasedAt!.getTime()) / 3_600_000);
  const withPlan = orders.filter((w) => w.plannedEnd);
  return {
    completedWorkOrders: orders.length,
    onTimeDelivery: ratio(orders.filter((w) => w.completedAt <= w.dueDate).length, orders.length),
    averageCycleTimeHours: cycles.length ? cycles.reduce((a, b) => a + b, 0) / cycles.length : null,
    scheduleAdherence: ratio(withPlan.filter((w) => w.completedAt <= w.plannedEnd!).length, withPlan.length),
  };
}

/** Delivery KPIs of the work orders of a plant completed in [from, to), in total and per product. */
export async function productionKpis(db: ProductionDb, plantId: string, from: Date, to: Date) {
  const rows = await db.workOrder.findMany({ where: { plantId, completedAt: { gte: from, lt: to } }, orderBy: { completedAt: "asc" } });
  // The query asks for a completion in the window, so every row has one.
  const orders = rows.flatMap((w) => (w.completedAt ? [{ ...w, completedAt: w.completedAt }] : []));
  const byProduct = new Map<string, CompletedOrder[]>();
  for (const w of orders) byProduct.set(w.productId, [...(byProduct.get(w.productId) ?? []), w]);
  return {
    from,
    to,
    ...kpisOf(orders),
    byProduct: [...byProduct.entries()].map(([productId, list]): ProductKpisMapper => ({ productId, ...kpisOf(list) })),
  };
}
