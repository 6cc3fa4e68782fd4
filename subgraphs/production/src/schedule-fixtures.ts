// Rows for the schedule's unit tests: work orders and operations on 2027-03-01 (UTC), planned by "hh:mm".
import { Prisma, type Operation, type WorkOrder } from "./generated/prisma/client.ts";
import { scheduleOf } from "./schedule-analysis.ts";

const DAY = "2027-03-01";
export const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00Z`);
export const d = (n: number) => new Prisma.Decimal(n);
export const from = at("00:00"),
  to = new Date("2027-03-02T00:00:00Z");

export function workOrder(number: string, due: string, quantity = 10): WorkOrder {
  return {
    id: number,
    organizationId: "org",
    plantId: "plant",
    number,
    productId: "product",
    quantity: d(quantity),
    dueDate: at(due),
    plannedStart: null,
    plannedEnd: null,
    status: "RELEASED",
    priority: 3,
    releasedAt: null,
    startedAt: null,
    completedAt: null,
    closedAt: null,
    createdAt: from,
    updatedAt: from,
  };
}

export function operation(
  wo: WorkOrder,
  sequence: number,
  plan: { start?: string; end?: string; machine?: string; parallel?: boolean } = {},
): Operation {
  return {
    id: `${wo.number}/${sequence}`,
    organizationId: "org",
    plantId: "plant",
    workOrderId: wo.id,
    sequence,
    name: `Step ${sequence}`,
    workCenterId: "wc",
    machineId: plan.machine ?? null,
    parallel: plan.parallel ?? false,
    status: "PENDING",
    plannedStart: plan.start ? at(plan.start) : null,
    plannedEnd: plan.end ? at(plan.end) : null,
    operatorId: null,
    startedAt: null,
    completedAt: null,
    pauseReason: null,
    pausedBy: null,
    pausedAt: null,
    goodQuantity: d(0),
    scrapQuantity: d(0),
    createdAt: from,
    updatedAt: from,
  };
}

/** The schedule of these orders' operations, all of them in the window, in start order as the query returns them. */
export function schedule(orders: WorkOrder[], ops: Operation[]) {
  const inWindow = ops
    .filter((o) => o.plannedStart)
    .sort((a, b) => a.plannedStart!.getTime() - b.plannedStart!.getTime() || a.id.localeCompare(b.id));
  return scheduleOf(from, to, inWindow, orders, ops);
}
export const ids = (ops: { id: string }[]) => ops.map((o) => o.id);
