// One rule for every write that puts an operation on a machine at a time (assignOperation,
// rescheduleOperation): the machine runs one operation at a time.
import { conflict } from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";
import type { ProductionTx } from "./context.ts";
import { iso } from "./routing-order.ts";

/** Work orders whose operations still occupy machines. */
export const ACTIVE_ORDER: Prisma.WorkOrderWhereInput = { status: { notIn: ["CANCELLED", "CLOSED"] } };

/**
 * Takes the machine's lane for this transaction and refuses [start, end) if another operation of an
 * active order, not completed, is planned on it overlapping that slot (touching ends do not
 * overlap). The lane lock (a transaction-scoped advisory lock per machine) serializes every write
 * into one lane, so of two simultaneous claims on one slot exactly one succeeds: the second reads
 * the first's committed plan once it gets the lock.
 */
export async function claimMachineSlot(tx: ProductionTx, machineId: string, operationId: string, start: Date, end: Date): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`machine:${machineId}`}))`;
  const clash = await tx.operation.findFirst({
    where: {
      machineId,
      id: { not: operationId },
      status: { not: "COMPLETED" },
      plannedStart: { lt: end },
      plannedEnd: { gt: start },
      workOrder: ACTIVE_ORDER,
    },
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
