import { ratio } from "@mes/shared";
import type { PrismaClient, WorkOrder } from "./generated/prisma/client.ts";

/** KPIs of a set of completed work orders; every factor is returned, zero denominators give null. */
function kpisOf(orders: WorkOrder[]) {
  const cycles = orders.filter((w) => w.releasedAt).map((w) => (w.completedAt!.getTime() - w.releasedAt!.getTime()) / 3_600_000);
  const withPlan = orders.filter((w) => w.plannedEnd);
  return {
    completedWorkOrders: orders.length,
    onTimeDelivery: ratio(orders.filter((w) => w.completedAt! <= w.dueDate).length, orders.length),
    averageCycleTimeHours: cycles.length ? cycles.reduce((a, b) => a + b, 0) / cycles.length : null,
    scheduleAdherence: ratio(withPlan.filter((w) => w.completedAt! <= w.plannedEnd!).length, withPlan.length),
  };
}

/** Delivery KPIs of the work orders of a plant completed in [from, to), in total and per product. */
export async function productionKpis(db: PrismaClient, plantId: string, from: Date, to: Date) {
  const orders = await db.workOrder.findMany({ where: { plantId, completedAt: { gte: from, lt: to } }, orderBy: { completedAt: "asc" } });
  const byProduct = new Map<string, WorkOrder[]>();
  for (const w of orders) byProduct.set(w.productId, [...(byProduct.get(w.productId) ?? []), w]);
  return {
    from, to, ...kpisOf(orders),
    byProduct: [...byProduct.entries()].map(([productId, list]) => ({ productId, ...kpisOf(list) })),
  };
}
