import { ratio, type Ratio, clockNow } from "@mes/shared";
import { Prisma, type WorkOrder } from "./generated/prisma/client.ts";
import type { ProductionDb } from "./context.ts";
import type { ProductKpisMapper } from "./mappers.ts";

type CompletedOrder = Pick<WorkOrder, "dueDate" | "plannedEnd" | "releasedAt" | "startedAt"> & { completedAt: Date };
/** A production log's counts, with whether it was reported on the last operation of its routing. */
export interface LoggedCounts {
  goodQuantity: Prisma.Decimal;
  scrapQuantity: Prisma.Decimal;
  onLastOperation: boolean;
}

export interface DeliveryKpis {
  completedWorkOrders: number;
  /** Completed by their due date / completed. */
  onTimeDelivery: Ratio;
  /** Completion minus release, in hours, averaged over the orders that were released; null if none. */
  averageCycleTimeHours: number | null;
  /** Completion minus start (ISO 22400-2 AOET), in hours, averaged over the orders that were started; null if none. */
  averageExecutionTimeHours: number | null;
  /** Completed by their planned end / completed with a planned end. */
  scheduleAdherence: Ratio;
}

export interface OutputKpis {
  /** Good units on the last operation of the routing (finished units). */
  goodQuantity: number;
  /** Scrap on every operation. */
  scrapQuantity: number;
  /** scrap / (good + scrap), ISO 22400-2 scrap ratio SQ / PQ. */
  scrapRatio: Ratio;
}

const HOUR = 3_600_000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The end of what a window [from, to) can count at `now`: what has happened, never before `from`. */
export function countedUntil(from: Date, to: Date, now: Date): Date {
  return new Date(Math.max(from.getTime(), Math.min(to.getTime(), now.getTime())));
}

/** KPIs of a set of completed work orders; every factor is returned, zero denominators give null. */
export function kpisOf(orders: CompletedOrder[]): DeliveryKpis {
  const withPlan = orders.filter((w) => w.plannedEnd);
  return {
    completedWorkOrders: orders.length,
    onTimeDelivery: ratio(orders.filter((w) => w.completedAt <= w.dueDate).length, orders.length),
    averageCycleTimeHours: mean(orders.flatMap((w) => (w.releasedAt ? [(w.completedAt.getTime() - w.releasedAt.getTime()) / HOUR] : []))),
    averageExecutionTimeHours: mean(orders.flatMap((w) => (w.startedAt ? [(w.completedAt.getTime() - w.startedAt.getTime()) / HOUR] : []))),
    scheduleAdherence: ratio(withPlan.filter((w) => w.completedAt <= w.plannedEnd!).length, withPlan.length),
  };
}

/** Finished good units, scrap of all operations and the scrap ratio of a set of logs, summed exactly. */
export function outputOf(logs: LoggedCounts[]): OutputKpis {
  let good = new Prisma.Decimal(0),
    scrap = new Prisma.Decimal(0);
  for (const l of logs) {
    if (l.onLastOperation) good = good.add(l.goodQuantity);
    scrap = scrap.add(l.scrapQuantity);
  }
  return { goodQuantity: good.toNumber(), scrapQuantity: scrap.toNumber(), scrapRatio: ratio(scrap.toNumber(), good.add(scrap).toNumber()) };
}

const OPEN: WorkOrder["status"][] = ["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD"];

/** Production KPIs of a plant over [from, to), counting until the earlier of `to` and now, in total and per product. */
export async function productionKpis(db: ProductionDb, plantId: string, from: Date, to: Date, now = clockNow()) {
  const until = countedUntil(from, to, now);
  const window = { gte: from, lt: until };
  const [rows, logs, overdue] = await Promise.all([
    db.workOrder.findMany({ where: { plantId, completedAt: window }, orderBy: [{ completedAt: "asc" }, { id: "asc" }] }),
    db.productionLog.findMany({
      where: { plantId, loggedAt: window },
      select: { workOrderId: true, goodQuantity: true, scrapQuantity: true, operation: { select: { sequence: true } } },
    }),
    db.workOrder.findMany({ where: { plantId, status: { in: OPEN }, dueDate: window }, select: { productId: true } }),
  ]);
  // The query asks for a completion in the window, so every row has one.
  const orders = rows.flatMap((w) => (w.completedAt ? [{ ...w, completedAt: w.completedAt }] : []));
  const logOrderIds = [...new Set(logs.map((l) => l.workOrderId))];
  const [lastSteps, logOrders] = await Promise.all([
    db.operation.groupBy({ by: ["workOrderId"], where: { workOrderId: { in: logOrderIds } }, _max: { sequence: true } }),
    db.workOrder.findMany({ where: { id: { in: logOrderIds } }, select: { id: true, productId: true } }),
  ]);
  const lastSequence = new Map(lastSteps.map((s) => [s.workOrderId, s._max.sequence]));
  const productOf = new Map(logOrders.map((w) => [w.id, w.productId]));
  const counts = logs.map((l) => ({
    ...l,
    productId: productOf.get(l.workOrderId)!,
    onLastOperation: l.operation.sequence === lastSequence.get(l.workOrderId),
  }));

  // Products in order of first completion, then those with only counts or overdue orders.
  const productIds = [...new Set([...orders.map((w) => w.productId), ...counts.map((l) => l.productId), ...overdue.map((w) => w.productId)])];
  const all = (): OutputKpis & DeliveryKpis & { overdueOpenWorkOrders: number } => ({
    ...kpisOf(orders),
    overdueOpenWorkOrders: overdue.length,
    ...outputOf(counts),
  });
  return {
    from,
    to,
    ...all(),
    byProduct: productIds.map(
      (productId): ProductKpisMapper => ({
        productId,
        ...kpisOf(orders.filter((w) => w.productId === productId)),
        overdueOpenWorkOrders: overdue.filter((w) => w.productId === productId).length,
        ...outputOf(counts.filter((l) => l.productId === productId)),
      }),
    ),
  };
}
