// The Gantt view's logic without the database: lanes, conflicts (machine overlap, precedence,
// late orders), the critical path, and the routing-order check of a reschedule.
import { conflict } from "@mes/shared";
import type { Operation, WorkOrder } from "./generated/prisma/client.ts";
import type { ScheduleConflictKind } from "./resolvers-types.generated.ts";

export type PlannedOp = Operation & { plannedStart: Date; plannedEnd: Date };

export const isPlanned = (op: Operation): op is PlannedOp => op.plannedStart !== null && op.plannedEnd !== null;
/** An instant in messages: ISO 8601 without zero milliseconds. */
export const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
const byEndDesc = (a: PlannedOp, b: PlannedOp) => b.plannedEnd.getTime() - a.plannedEnd.getTime();

/** Good quantity as a share of the order quantity, 0 to 1; a completed operation is done whatever it counted. */
export function progressOf(op: Pick<Operation, "status" | "goodQuantity">, wo: Pick<WorkOrder, "quantity">): number {
  if (op.status === "COMPLETED") return 1;
  if (wo.quantity.isZero()) return 0;
  return Math.min(1, op.goodQuantity.div(wo.quantity).toNumber());
}

/** Predecessor an operation must wait for: the previous one in the routing, unless it runs in parallel. */
export function predecessorOf<T extends Operation>(op: Operation, siblings: T[]): T | undefined {
  if (op.parallel) return undefined;
  return siblings.filter((o) => o.sequence < op.sequence).sort((a, b) => b.sequence - a.sequence)[0];
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
 * steps outside the window).
 */
export function scheduleOf(from: Date, to: Date, inWindow: Operation[], orders: WorkOrder[], allOps: Operation[]) {
  const planned = inWindow.filter(isPlanned);
  const woById = new Map(orders.map((w) => [w.id, w]));
  const opsByWo = new Map<string, Operation[]>();
  for (const op of allOps) opsByWo.set(op.workOrderId, [...(opsByWo.get(op.workOrderId) ?? []), op]);
  const lanesByMachine = new Map<string, PlannedOp[]>();
  for (const op of planned) if (op.machineId) lanesByMachine.set(op.machineId, [...(lanesByMachine.get(op.machineId) ?? []), op]);

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
    criticalPath: criticalPath(planned, opsByWo, lanesByMachine),
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
    const pred = predecessorOf(op, opsByWo.get(wo.id)!);
    if (pred?.plannedEnd && pred.plannedEnd > op.plannedStart) {
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

/**
 * From the operation that ends last, walk back through whatever it waited for (its routing
 * predecessor or the operation before it on its machine), always to the one that ends latest:
 * the chain of operations whose delay would delay the end of the window's work.
 */
export function criticalPath(planned: PlannedOp[], opsByWo: Map<string, Operation[]>, lanes: Map<string, PlannedOp[]>) {
  if (planned.length === 0) return { operations: [], start: null, end: null, durationMinutes: 0 };
  let current: PlannedOp | undefined = [...planned].sort((a, b) => byEndDesc(a, b) || a.id.localeCompare(b.id))[0];
  const chain: PlannedOp[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    chain.unshift(current);
    seen.add(current.id);
    const start: Date = current.plannedStart;
    const routing = predecessorOf(current, opsByWo.get(current.workOrderId) ?? []);
    const machine = current.machineId
      ? lanes
          .get(current.machineId)!
          .filter((o) => o.id !== current!.id && o.plannedEnd <= start)
          .sort(byEndDesc)[0]
      : undefined;
    const candidates = [routing, machine].filter((o): o is PlannedOp => !!o && isPlanned(o) && o.plannedEnd <= start);
    current = candidates.sort(byEndDesc)[0];
  }
  const begin = chain[0]!.plannedStart,
    end = chain.at(-1)!.plannedEnd;
  return { operations: chain, start: begin, end, durationMinutes: (end.getTime() - begin.getTime()) / 60_000 };
}

/** Refuses moving `op` to [start, end) before its routing predecessor ends or past its (non-parallel) successor's start. */
export function assertRoutingOrder(op: Operation, wo: Pick<WorkOrder, "number">, siblings: Operation[], start: Date, end: Date): void {
  const pred = predecessorOf(op, siblings);
  if (pred?.plannedEnd && start < pred.plannedEnd) {
    throw conflict(
      `Operation ${op.sequence} of ${wo.number} cannot start at ${iso(start)}: operation ${pred.sequence} ends at ${iso(pred.plannedEnd)}`,
    );
  }
  const succ = siblings.filter((o) => o.sequence > op.sequence).sort((a, b) => a.sequence - b.sequence)[0];
  if (succ && !succ.parallel && succ.plannedStart && end > succ.plannedStart) {
    throw conflict(
      `Operation ${op.sequence} of ${wo.number} cannot end at ${iso(end)}: operation ${succ.sequence} starts at ${iso(succ.plannedStart)}`,
    );
  }
}
