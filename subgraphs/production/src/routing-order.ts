// Routing order over a plan: which operations an operation waits for, however far back, also
// across operations that have no plan yet; one rule for the schedule's conflicts, its slack and
// rescheduling.
import { conflict } from "@mes/shared";
import type { Operation, WorkOrder } from "./generated/prisma/client.ts";

export type PlannedOp = Operation & { plannedStart: Date; plannedEnd: Date };

export const isPlanned = (op: Operation): op is PlannedOp => op.plannedStart !== null && op.plannedEnd !== null;
/** An instant in messages: ISO 8601 without zero milliseconds. */
export const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

type Step = Pick<Operation, "id" | "sequence" | "parallel">;

/**
 * Every operation `op` waits for, nearest first: the previous step in the routing unless `op` runs
 * in parallel, and so on back while the step reached is not parallel itself (a parallel step may
 * start before its predecessor completes, so it does not pass that predecessor on).
 */
export function routingPredecessors<T extends Step>(op: Step, siblings: T[]): T[] {
  const earlier = siblings.filter((o) => o.sequence < op.sequence).sort((a, b) => b.sequence - a.sequence);
  const chain: T[] = [];
  let current: Step = op;
  for (const prev of earlier) {
    if (current.parallel) break;
    chain.push(prev);
    current = prev;
  }
  return chain;
}

/** Every operation that waits for `op` (the operations whose routing predecessors include it), nearest first. */
export function routingSuccessors<T extends Step>(op: Step, siblings: T[]): T[] {
  const later = siblings.filter((o) => o.sequence > op.sequence).sort((a, b) => a.sequence - b.sequence);
  const chain: T[] = [];
  for (const next of later) {
    if (next.parallel) break;
    chain.push(next);
  }
  return chain;
}

/** Of the planned operations `op` waits for, the one ending last (ties: the nearest); the one that bounds its start. */
export function bindingPredecessor<T extends Operation>(op: Step, siblings: T[]): (T & PlannedOp) | undefined {
  let found: (T & PlannedOp) | undefined;
  for (const p of routingPredecessors(op, siblings)) {
    if (isPlanned(p) && (!found || p.plannedEnd > found.plannedEnd)) found = p as T & PlannedOp;
  }
  return found;
}

/** Of the planned operations waiting for `op`, the one starting first (ties: the nearest); the one that bounds its end. */
export function bindingSuccessor<T extends Operation>(op: Step, siblings: T[]): (T & PlannedOp) | undefined {
  let found: (T & PlannedOp) | undefined;
  for (const s of routingSuccessors(op, siblings)) {
    if (isPlanned(s) && (!found || s.plannedStart < found.plannedStart)) found = s as T & PlannedOp;
  }
  return found;
}

/**
 * Refuses planning `op` in [start, end) before a planned operation it waits for ends, or past the
 * start of a planned operation that waits for it, however many unplanned steps lie between: so
 * an unplanned step between two planned ones always keeps a place in the order.
 */
export function assertRoutingOrder(op: Operation, wo: Pick<WorkOrder, "number">, siblings: Operation[], start: Date, end: Date): void {
  const pred = bindingPredecessor(op, siblings);
  if (pred && start < pred.plannedEnd) {
    throw conflict(
      `Operation ${op.sequence} of ${wo.number} cannot start at ${iso(start)}: operation ${pred.sequence} ends at ${iso(pred.plannedEnd)}`,
    );
  }
  const succ = bindingSuccessor(op, siblings);
  if (succ && end > succ.plannedStart) {
    throw conflict(
      `Operation ${op.sequence} of ${wo.number} cannot end at ${iso(end)}: operation ${succ.sequence} starts at ${iso(succ.plannedStart)}`,
    );
  }
}
