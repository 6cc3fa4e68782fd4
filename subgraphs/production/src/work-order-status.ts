import { conflict } from "@mes/shared";
import type { WorkOrder, WorkOrderStatus } from "./generated/prisma/client.ts";

/** The work-order state machine: for each status, the statuses it may move to. */
export const NEXT_STATUSES: Record<WorkOrderStatus, WorkOrderStatus[]> = {
  PLANNED: ["RELEASED", "CANCELLED"],
  RELEASED: ["IN_PROGRESS", "CANCELLED"],
  IN_PROGRESS: ["ON_HOLD", "COMPLETED"],
  ON_HOLD: ["IN_PROGRESS", "CANCELLED"],
  COMPLETED: ["CLOSED"],
  CLOSED: [],
  CANCELLED: [],
};

type LifecycleStamp = "releasedAt" | "startedAt" | "completedAt" | "closedAt";

/** Lifecycle timestamps kept on the work order for KPIs. */
const STAMP: Partial<Record<WorkOrderStatus, LifecycleStamp>> = {
  RELEASED: "releasedAt",
  IN_PROGRESS: "startedAt",
  COMPLETED: "completedAt",
  CLOSED: "closedAt",
};

/** "no other status", "A", or "A, B or C". */
export function describeStatuses(statuses: WorkOrderStatus[]): string {
  if (statuses.length === 0) return "no other status";
  return statuses.length === 1 ? statuses[0]! : `${statuses.slice(0, -1).join(", ")} or ${statuses.at(-1)}`;
}

/** Refuses a move the state machine does not allow, with CONFLICT naming the allowed next statuses. */
export function assertTransition(wo: Pick<WorkOrder, "number" | "status">, to: WorkOrderStatus): void {
  const allowed = NEXT_STATUSES[wo.status];
  if (!allowed.includes(to)) {
    throw conflict(`Work order ${wo.number} is ${wo.status}; it can go to ${describeStatuses(allowed)}, not ${to}`, {
      currentStatus: wo.status,
      allowedNextStatuses: allowed,
    });
  }
}

/** The work-order columns a move to `to` at `at` sets: the status and its lifecycle timestamp. */
export function statusUpdate(
  wo: Pick<WorkOrder, "startedAt">,
  to: WorkOrderStatus,
  at: Date,
): { status: WorkOrderStatus } & Partial<Record<LifecycleStamp, Date>> {
  const stamp = STAMP[to];
  // startedAt keeps the first start: resuming from a hold is not a new start.
  if (!stamp || (stamp === "startedAt" && wo.startedAt)) return { status: to };
  return { status: to, [stamp]: at };
}

/** Only an open work order can be put on hold. */
export function assertHoldable(wo: Pick<WorkOrder, "number" | "status">): void {
  if (wo.status === "COMPLETED" || wo.status === "CLOSED" || wo.status === "CANCELLED") {
    throw conflict(`Work order ${wo.number} is ${wo.status}; only an open work order can be put on hold`);
  }
}
