import { conflict } from "@mes/shared";
import { Prisma, type Operation, type WorkOrder } from "./generated/prisma/client.ts";

type Decimal = Prisma.Decimal;

/** "operation 10 (Cut) of WO-1001", as messages name an operation. */
export const operationLabel = (wo: Pick<WorkOrder, "number">, op: Pick<Operation, "sequence" | "name">) =>
  `operation ${op.sequence} (${op.name}) of ${wo.number}`;

/** An operation runs (starts, completes, reports counts) only on a released or running order, and only until it is completed. */
export function assertRunnable(wo: Pick<WorkOrder, "number" | "status">, op: Pick<Operation, "sequence" | "name" | "status">): void {
  if (wo.status !== "RELEASED" && wo.status !== "IN_PROGRESS") {
    throw conflict(`Work order ${wo.number} is ${wo.status}; its operations can run once it is RELEASED or IN_PROGRESS`);
  }
  if (op.status === "COMPLETED") throw conflict(`The ${operationLabel(wo, op)} is already completed`);
}

/** What an operation may still report: its counts together stay within the order quantity plus the tolerance. */
export interface ReportCapacity {
  /** Order quantity plus the over-production tolerance. */
  limit: Decimal;
  /** Good plus scrap reported so far. */
  reported: Decimal;
  /** limit - reported; negative when the tolerance was lowered after counts were reported. */
  remaining: Decimal;
}

export function reportCapacity(orderQuantity: Decimal, tolerancePercent: number, reportedGood: Decimal, reportedScrap: Decimal): ReportCapacity {
  const limit = orderQuantity.mul(new Prisma.Decimal(100 + tolerancePercent)).div(100);
  const reported = reportedGood.add(reportedScrap);
  return { limit, reported, remaining: limit.sub(reportedGood).sub(reportedScrap) };
}

/** Whether `good` plus `scrap` more units fit; exactly the remaining quantity does. */
export function fitsCapacity(capacity: ReportCapacity, good: Decimal, scrap: Decimal): boolean {
  return !good.add(scrap).gt(capacity.remaining);
}
