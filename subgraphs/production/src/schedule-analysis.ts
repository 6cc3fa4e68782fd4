// The Gantt view's logic without the database: lanes, conflicts (machine overlap, precedence,
// late orders) and the slack of every operation with the critical path (schedule-slack.ts).
import type { Operation, WorkOrder } from "./generated/prisma/client.ts";
import type { ScheduleConflictKind } from "./resolvers-types.generated.ts";
import { bindingPredecessor, isPlanned, iso, type PlannedOp } from "./routing-order.ts";
import { scheduleSlack } from "./schedule-slack.ts";

export { assertRoutingOrder, isPlanned, iso, type PlannedOp } from "./routing-order.ts";

const byEndDesc = (a: PlannedOp, b: PlannedOp) => b.plannedEnd.getTime() - a.plannedEnd.getTime();

/** Good quantity as a share of the order quantity, 0 to 1; a completed operation is done whatever it counted. */
export function progressOf(op: Pick<Operation, "status" | "goodQuantity">, wo: Pick<WorkOrder, "quantity">): number {
  if (op.status === "COMPLETED") return 1;
  if (wo.quantity.isZero()) return 0;
  return Math.min(1, op.goodQuantity.div(wo.quantity).toNumber());
}

export interface ScheduleConflictFound {
  kind: ScheduleConflictKind;
  message: string;
  operations: Operation[];
  workOrder: WorkOrder;
}

/**
 * The Gantt data of the operations planned in [from, to): `inWindow` in start order, `orders`
 * their work orders and `allOps` every operation of those orders (to check precedence against
 * steps outside the window and across steps without a plan).
 */
export function scheduleOf(from: Date, to: Date, inWindow: Operation[], orders: WorkOrder[], allOps: Operation[]) {
  const planned = inWindow.filter(isPlanned);
  const woById = new Map(orders.map((w) => [w.id, w]));
  const opsByWo = new Map<string, Operation[]>();
  for (const op of allOps) opsByWo.set(op.workOrderId, [...(opsByWo.get(op.workOrderId) ?? []), op]);
  const lanesByMachine = new Map<string, PlannedOp[]>();
  for (const op of planned) if (op.machineId) lanesByMachine.set(op.machineId, [...(lanesByMachine.get(op.machineId) ?? []), op]);
  const { slack, criticalPath } = scheduleSlack(planned, opsByWo);

  const scheduled = (op: PlannedOp) => {
    const wo = woById.get(op.workOrderId)!;
    return {
      operation: op,
      workOrderNumber: wo.number,
      sequence: op.sequence,
      name: op.name,
      status: op.status,
      plannedStart: op.plannedStart,
      plannedEnd: op.plannedEnd,
      progress: progressOf(op, wo),
      ...slack.get(op.id)!,
    };
  };
  return {
    from,
    to,
    lanes: [...lanesByMachine.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([machineId, ops]) => ({ machine: { __typename: "Machine" as const, id: machineId }, operations: ops.map(scheduled) })),
    unassigned: planned.filter((o) => !o.machineId).map(scheduled),
    conflicts: scheduleConflicts(planned, orders, woById, opsByWo, lanesByMachine),
    criticalPath,
  };
}

function scheduleConflicts(
  planned: PlannedOp[],
  orders: WorkOrder[],
  woById: Map<string, WorkOrder>,
  opsByWo: Map<string, Operation[]>,
  lanes: Map<string, PlannedOp[]>,
): ScheduleConflictFound[] {
  const conflicts: ScheduleConflictFound[] = [];
  for (const [, lane] of lanes) {
    // Sorted by start: an operation overlaps every earlier one that ends after it starts.
    lane.forEach((op, i) => {
      for (const earlier of lane.slice(0, i)) {
        if (earlier.plannedEnd > op.plannedStart) {
          const a = woById.get(earlier.workOrderId)!,
            b = woById.get(op.workOrderId)!;
          conflicts.push({
            kind: "MACHINE_OVERLAP",
            workOrder: b,
            operations: [earlier, op],
            message: `${a.number} op ${earlier.sequence} (until ${iso(earlier.plannedEnd)}) overlaps ${b.number} op ${op.sequence} (from ${iso(op.plannedStart)}) on one machine`,
          });
        }
      }
    });
  }
  for (const op of planned) {
    const wo = woById.get(op.workOrderId)!;
    // The planned step it waits for that ends last, also across unplanned steps between them.
    const pred = bindingPredecessor(op, opsByWo.get(wo.id)!);
    if (pred && pred.plannedEnd > op.plannedStart) {
      conflicts.push({
        kind: "PRECEDENCE",
        workOrder: wo,
        operations: [pred, op],
        message: `${wo.number} op ${op.sequence} starts at ${iso(op.plannedStart)}, before op ${pred.sequence} ends at ${iso(pred.plannedEnd)}`,
      });
    }
  }
  for (const wo of orders) {
    const last = opsByWo.get(wo.id)!.filter(isPlanned).sort(byEndDesc)[0];
    if (last && last.plannedEnd > wo.dueDate) {
      conflicts.push({
        kind: "LATE",
        workOrder: wo,
        operations: [last],
        message: `${wo.number} ends at ${iso(last.plannedEnd)}, after its due date ${iso(wo.dueDate)}`,
      });
    }
  }
  return conflicts;
}
