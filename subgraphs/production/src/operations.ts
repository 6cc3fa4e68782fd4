import { z } from "zod";
import { appendEvent, badUserInput, conflict, notFound, zId, type InputShape, clockNow } from "@mes/shared";
import { Prisma, type Operation, type ProductionLog, type WorkOrder } from "./generated/prisma/client.ts";
import type { LogProductionInput } from "./resolvers-types.generated.ts";
import type { ProductionTx } from "./context.ts";
import { zCount, zHappened, zOperatorId } from "./inputs.ts";
import { assertNotHeld, lockWorkOrder, transition } from "./lifecycle.ts";
import { claimMachineSlot } from "./machine-lane.ts";
import { assertRunnable, fitsCapacity, operationLabel as label, reportCapacity } from "./operation-rules.ts";
import { isPlanned } from "./routing-order.ts";

/** Locks an operation's work order (changes to one order apply one at a time) and returns both. */
export async function lockOperation(tx: ProductionTx, operationId: string): Promise<{ op: Operation; wo: WorkOrder }> {
  const found = await tx.operation.findUnique({ where: { id: operationId }, select: { workOrderId: true } });
  if (!found) throw notFound("Operation", operationId);
  const wo = await lockWorkOrder(tx, found.workOrderId);
  const op = await tx.operation.findUniqueOrThrow({ where: { id: operationId } });
  return { op, wo };
}

/** Starts or resumes an operation once its routing predecessor is completed; the first start puts a RELEASED order IN_PROGRESS. */
export async function startOperation(tx: ProductionTx, operationId: string, actor: string): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  assertRunnable(wo, op);
  await assertNotHeld(tx, wo);
  if (op.status === "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is already running`);
  if (!op.parallel) {
    const predecessor = await tx.operation.findFirst({ where: { workOrderId: wo.id, sequence: { lt: op.sequence } }, orderBy: { sequence: "desc" } });
    if (predecessor && predecessor.status !== "COMPLETED") {
      throw conflict(`The ${label(wo, op)} cannot start before operation ${predecessor.sequence} (${predecessor.name}) is completed`, {
        blockingOperationId: predecessor.id,
      });
    }
  }
  if (wo.status === "RELEASED") await transition(tx, wo, "IN_PROGRESS", actor, `operation ${op.sequence} started`);
  return tx.operation.update({ where: { id: op.id }, data: { status: "IN_PROGRESS", startedAt: op.startedAt ?? clockNow() } });
}

/** Pauses a running operation, keeping why, who (the token's subject) and when; a repeat is a CONFLICT and the first pause stays. */
export async function pauseOperation(tx: ProductionTx, operationId: string, reason: string, actor: string): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; only a running operation can be paused`);
  return tx.operation.update({ where: { id: op.id }, data: { status: "PAUSED", pauseReason: reason, pausedBy: actor, pausedAt: clockNow() } });
}

/** Completes a running operation; the next one in the routing becomes READY. */
export async function completeOperation(tx: ProductionTx, operationId: string): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  assertRunnable(wo, op);
  await assertNotHeld(tx, wo);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; start it before completing it`);
  const next = await tx.operation.findFirst({ where: { workOrderId: wo.id, sequence: { gt: op.sequence } }, orderBy: { sequence: "asc" } });
  const done = await tx.operation.update({ where: { id: op.id }, data: { status: "COMPLETED", completedAt: clockNow() } });
  if (next && next.status === "PENDING") await tx.operation.update({ where: { id: next.id }, data: { status: "READY" } });
  return done;
}

/**
 * Assigns a machine, an operator or both; what is not given stays as it is. A setter: repeating it
 * changes nothing. Moving a planned, unfinished operation of an active order to another machine
 * follows rescheduleOperation's rule: refused with CONFLICT if it would overlap an operation there.
 */
export async function assignOperation(
  tx: ProductionTx,
  operationId: string,
  assignment: { machineId?: string; operatorId?: string },
): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  const occupiesLane = op.status !== "COMPLETED" && wo.status !== "CANCELLED" && wo.status !== "CLOSED";
  if (assignment.machineId && assignment.machineId !== op.machineId && occupiesLane && isPlanned(op)) {
    await claimMachineSlot(tx, assignment.machineId, op.id, op.plannedStart, op.plannedEnd);
  }
  return tx.operation.update({ where: { id: op.id }, data: assignment });
}

export const logProductionInput = z
  .object({
    operationId: zId,
    goodQuantity: zCount,
    scrapQuantity: zCount,
    machineId: zId.nullish(),
    operatorId: zOperatorId.nullish(),
    shiftId: zId.nullish(),
    loggedAt: zHappened.nullish(),
  } satisfies InputShape<LogProductionInput>)
  .refine((v) => v.goodQuantity < 0 || v.scrapQuantity < 0 || v.goodQuantity + v.scrapQuantity > 0, {
    path: ["goodQuantity"],
    message: "report at least one good or scrap unit",
  });
export type ProductionReport = z.output<typeof logProductionInput>;

/**
 * Records good and scrap counts on a running operation. All counts of an operation together may
 * not exceed the work-order quantity plus the over-production tolerance; the work-order lock
 * makes that check hold under concurrent reports.
 */
export async function logProduction(tx: ProductionTx, input: ProductionReport, actor: string, tolerancePercent: number): Promise<ProductionLog> {
  const { op, wo } = await lockOperation(tx, input.operationId);
  assertRunnable(wo, op);
  await assertNotHeld(tx, wo);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; production is logged on a running operation`);
  const good = new Prisma.Decimal(input.goodQuantity);
  const scrap = new Prisma.Decimal(input.scrapQuantity);
  const capacity = reportCapacity(wo.quantity, tolerancePercent, op.goodQuantity, op.scrapQuantity);
  if (!fitsCapacity(capacity, good, scrap)) {
    throw badUserInput(
      `The ${label(wo, op)} can take at most ${Prisma.Decimal.max(capacity.remaining, 0).toString()} more units ` +
        `(order quantity ${wo.quantity.toString()} plus ${tolerancePercent}% tolerance, ${capacity.reported.toString()} already reported)`,
      [{ field: "input.goodQuantity", message: "more than the remaining quantity" }],
    );
  }
  const log = await tx.productionLog.create({
    data: {
      organizationId: wo.organizationId,
      plantId: wo.plantId,
      operationId: op.id,
      workOrderId: wo.id,
      machineId: input.machineId ?? op.machineId,
      operatorId: input.operatorId ?? op.operatorId,
      shiftId: input.shiftId ?? null,
      goodQuantity: good,
      scrapQuantity: scrap,
      loggedBy: actor,
      ...(input.loggedAt ? { loggedAt: input.loggedAt } : {}),
    },
  });
  await tx.operation.update({ where: { id: op.id }, data: { goodQuantity: { increment: good }, scrapQuantity: { increment: scrap } } });
  await appendEvent(tx, {
    organizationId: wo.organizationId,
    plantId: wo.plantId,
    type: "ProductionLogged",
    aggregateId: wo.id,
    payload: {
      productionLogId: log.id,
      workOrderId: wo.id,
      operationId: op.id,
      sequence: op.sequence,
      machineId: log.machineId,
      shiftId: log.shiftId,
      goodQuantity: good.toString(),
      scrapQuantity: scrap.toString(),
      loggedAt: log.loggedAt.toISOString(),
    },
  });
  return log;
}
