import { conflict, notFound } from "@mes/shared";
import type { Operation, Prisma, PrismaClient, WorkOrder } from "./generated/prisma/client.ts";
import { lockOperation } from "./operations.ts";
import type { Tx } from "./lifecycle.ts";

type PlannedOp = Operation & { plannedStart: Date; plannedEnd: Date };
const ACTIVE: Prisma.WorkOrderWhereInput = { status: { notIn: ["CANCELLED", "CLOSED"] } };
const isPlanned = (op: Operation): op is PlannedOp => op.plannedStart !== null && op.plannedEnd !== null;
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

export function progressOf(op: Operation, wo: WorkOrder): number {
  if (op.status === "COMPLETED") return 1;
  if (wo.quantity.isZero()) return 0;
  return Math.min(1, op.goodQuantity.div(wo.quantity).toNumber());
}

/** Predecessor an operation must wait for: the previous one in the routing, unless it runs in parallel. */
function predecessorOf(op: Operation, siblings: Operation[]): Operation | undefined {
  if (op.parallel) return undefined;
  return siblings.filter((o) => o.sequence < op.sequence).sort((a, b) => b.sequence - a.sequence)[0];
}

export async function buildSchedule(db: PrismaClient, plantId: string, from: Date, to: Date) {
  const inWindow = await db.operation.findMany({
    where: { plantId, plannedStart: { lt: to }, plannedEnd: { gt: from }, workOrder: ACTIVE },
    orderBy: [{ plannedStart: "asc" }, { id: "asc" }],
  });
  const planned = inWindow.filter(isPlanned);
  const woIds = [...new Set(planned.map((o) => o.workOrderId))];
  // All operations of the orders in view, to check precedence against steps outside the window.
  const [orders, allOps] = await Promise.all([
    db.workOrder.findMany({ where: { id: { in: woIds } } }),
    db.operation.findMany({ where: { workOrderId: { in: woIds } } }),
  ]);
  const woById = new Map(orders.map((w) => [w.id, w]));
  const opsByWo = new Map<string, Operation[]>();
  for (const op of allOps) opsByWo.set(op.workOrderId, [...(opsByWo.get(op.workOrderId) ?? []), op]);

  const scheduled = (op: PlannedOp) => {
    const wo = woById.get(op.workOrderId)!;
    return { operation: op, workOrderNumber: wo.number, sequence: op.sequence, name: op.name, status: op.status, plannedStart: op.plannedStart, plannedEnd: op.plannedEnd, progress: progressOf(op, wo) };
  };
  const lanesByMachine = new Map<string, PlannedOp[]>();
  for (const op of planned) if (op.machineId) lanesByMachine.set(op.machineId, [...(lanesByMachine.get(op.machineId) ?? []), op]);

  const conflicts: { kind: string; message: string; operations: Operation[]; workOrder: WorkOrder }[] = [];
  for (const [, lane] of lanesByMachine) {
    // Sorted by start: an operation overlaps every earlier one that ends after it starts.
    lane.forEach((op, i) => {
      for (const earlier of lane.slice(0, i)) {
        if (earlier.plannedEnd > op.plannedStart) {
          const a = woById.get(earlier.workOrderId)!, b = woById.get(op.workOrderId)!;
          conflicts.push({
            kind: "MACHINE_OVERLAP", workOrder: b, operations: [earlier, op],
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
        kind: "PRECEDENCE", workOrder: wo, operations: [pred, op],
        message: `${wo.number} op ${op.sequence} starts at ${iso(op.plannedStart)}, before op ${pred.sequence} ends at ${iso(pred.plannedEnd)}`,
      });
    }
  }
  for (const wo of orders) {
    const last = opsByWo.get(wo.id)!.filter(isPlanned).sort((a, b) => b.plannedEnd.getTime() - a.plannedEnd.getTime())[0];
    if (last && last.plannedEnd > wo.dueDate) {
      conflicts.push({
        kind: "LATE", workOrder: wo, operations: [last],
        message: `${wo.number} ends at ${iso(last.plannedEnd)}, after its due date ${iso(wo.dueDate)}`,
      });
    }
  }

  return {
    from, to,
    lanes: [...lanesByMachine.entries()].sort(([a], [b]) => a.localeCompare(b))
      .map(([machineId, ops]) => ({ machine: { __typename: "Machine", id: machineId }, operations: ops.map(scheduled) })),
    unassigned: planned.filter((o) => !o.machineId).map(scheduled),
    conflicts,
    criticalPath: criticalPath(planned, opsByWo, lanesByMachine),
  };
}

/**
 * From the operation that ends last, walk back through whatever it waited for (its routing
 * predecessor or the operation before it on its machine), always to the one that ends latest:
 * the chain of operations whose delay would delay the end of the window's work.
 */
function criticalPath(planned: PlannedOp[], opsByWo: Map<string, Operation[]>, lanes: Map<string, PlannedOp[]>) {
  if (planned.length === 0) return { operations: [], start: null, end: null, durationMinutes: 0 };
  let current: PlannedOp | undefined = [...planned].sort((a, b) => b.plannedEnd.getTime() - a.plannedEnd.getTime() || a.id.localeCompare(b.id))[0];
  const chain: PlannedOp[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    chain.unshift(current);
    seen.add(current.id);
    const start: Date = current.plannedStart;
    const routing = predecessorOf(current, opsByWo.get(current.workOrderId) ?? []);
    const machine = current.machineId
      ? lanes.get(current.machineId)!.filter((o) => o.id !== current!.id && o.plannedEnd <= start).sort((a, b) => b.plannedEnd.getTime() - a.plannedEnd.getTime())[0]
      : undefined;
    const candidates = [routing, machine].filter((o): o is PlannedOp => !!o && isPlanned(o) && o.plannedEnd <= start);
    current = candidates.sort((a, b) => b.plannedEnd.getTime() - a.plannedEnd.getTime())[0];
  }
  const begin = chain[0]!.plannedStart, end = chain.at(-1)!.plannedEnd;
  return { operations: chain, start: begin, end, durationMinutes: (end.getTime() - begin.getTime()) / 60_000 };
}

export interface RescheduleInput {
  operationId: string;
  machineId?: string | null;
  plannedStart: Date;
  plannedEnd: Date;
}

/** Moves an operation, refusing a machine overlap or a precedence violation with CONFLICT. */
export async function rescheduleOperation(tx: Tx, input: RescheduleInput): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, input.operationId);
  if (!["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD"].includes(wo.status)) throw conflict(`Work order ${wo.number} is ${wo.status}; its operations can no longer be rescheduled`);
  if (op.status === "COMPLETED") throw conflict(`Operation ${op.sequence} of ${wo.number} is completed; it cannot be rescheduled`);
  const machineId = input.machineId ?? op.machineId;
  const { plannedStart: start, plannedEnd: end } = input;
  const siblings = await tx.operation.findMany({ where: { workOrderId: wo.id } });
  const pred = predecessorOf(op, siblings);
  if (pred?.plannedEnd && start < pred.plannedEnd) {
    throw conflict(`Operation ${op.sequence} of ${wo.number} cannot start at ${iso(start)}: operation ${pred.sequence} ends at ${iso(pred.plannedEnd)}`);
  }
  const succ = siblings.filter((o) => o.sequence > op.sequence).sort((a, b) => a.sequence - b.sequence)[0];
  if (succ && !succ.parallel && succ.plannedStart && end > succ.plannedStart) {
    throw conflict(`Operation ${op.sequence} of ${wo.number} cannot end at ${iso(end)}: operation ${succ.sequence} starts at ${iso(succ.plannedStart)}`);
  }
  if (machineId) {
    // One rescheduling per machine at a time, so two moves cannot both claim the same slot.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`machine:${machineId}`}))`;
    const clash = await tx.operation.findFirst({
      where: { machineId, id: { not: op.id }, status: { not: "COMPLETED" }, plannedStart: { lt: end }, plannedEnd: { gt: start }, workOrder: ACTIVE },
      include: { workOrder: { select: { number: true } } },
      orderBy: { plannedStart: "asc" },
    });
    if (clash) {
      throw conflict(
        `Machine is busy from ${iso(clash.plannedStart!)} to ${iso(clash.plannedEnd!)} with ${clash.workOrder.number} operation ${clash.sequence}`,
        { conflictingOperationId: clash.id },
      );
    }
  }
  const updated = await tx.operation.update({ where: { id: op.id }, data: { machineId, plannedStart: start, plannedEnd: end } });
  const bounds = await tx.operation.aggregate({ where: { workOrderId: wo.id }, _min: { plannedStart: true }, _max: { plannedEnd: true } });
  await tx.workOrder.update({ where: { id: wo.id }, data: { plannedStart: bounds._min.plannedStart, plannedEnd: bounds._max.plannedEnd } });
  return updated;
}

export async function requireOperation(db: PrismaClient, id: string) {
  const op = await db.operation.findUnique({ where: { id } });
  if (!op) throw notFound("Operation", id);
  return op;
}
