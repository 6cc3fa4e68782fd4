import { appendEvent, badUserInput, conflict, notFound } from "@mes/shared";
import { Prisma, type Operation, type WorkOrder } from "./generated/prisma/client.ts";
import { assertNotHeld, lockWorkOrder, transition, type Tx } from "./lifecycle.ts";

/** Locks an operation's work order (changes to one order apply one at a time) and returns both. */
export async function lockOperation(tx: Tx, operationId: string): Promise<{ op: Operation; wo: WorkOrder }> {
  const found = await tx.operation.findUnique({ where: { id: operationId }, select: { workOrderId: true } });
  if (!found) throw notFound("Operation", operationId);
  const wo = await lockWorkOrder(tx, found.workOrderId);
  const op = await tx.operation.findUniqueOrThrow({ where: { id: operationId } });
  return { op, wo };
}

const label = (wo: WorkOrder, op: Operation) => `operation ${op.sequence} (${op.name}) of ${wo.number}`;

function assertRunnable(wo: WorkOrder, op: Operation) {
  if (wo.status !== "RELEASED" && wo.status !== "IN_PROGRESS") {
    throw conflict(`Work order ${wo.number} is ${wo.status}; its operations can run once it is RELEASED or IN_PROGRESS`);
  }
  if (op.status === "COMPLETED") throw conflict(`The ${label(wo, op)} is already completed`);
}

export async function startOperation(tx: Tx, operationId: string, actor: string): Promise<Operation> {
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
  return tx.operation.update({ where: { id: op.id }, data: { status: "IN_PROGRESS", startedAt: op.startedAt ?? new Date() } });
}

export async function pauseOperation(tx: Tx, operationId: string): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; only a running operation can be paused`);
  return tx.operation.update({ where: { id: op.id }, data: { status: "PAUSED" } });
}

export async function completeOperation(tx: Tx, operationId: string): Promise<Operation> {
  const { op, wo } = await lockOperation(tx, operationId);
  assertRunnable(wo, op);
  await assertNotHeld(tx, wo);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; start it before completing it`);
  const next = await tx.operation.findFirst({ where: { workOrderId: wo.id, sequence: { gt: op.sequence } }, orderBy: { sequence: "asc" } });
  const done = await tx.operation.update({ where: { id: op.id }, data: { status: "COMPLETED", completedAt: new Date() } });
  if (next && next.status === "PENDING") await tx.operation.update({ where: { id: next.id }, data: { status: "READY" } });
  return done;
}

export interface LogProductionInput {
  operationId: string;
  goodQuantity: number;
  scrapQuantity: number;
  machineId?: string | null;
  operatorId?: string | null;
  shiftId?: string | null;
  loggedAt?: Date | null;
}

/**
 * Records good and scrap counts on a running operation. All counts of an operation together may
 * not exceed the work-order quantity plus the over-production tolerance; the work-order lock
 * makes that check hold under concurrent reports.
 */
export async function logProduction(tx: Tx, input: LogProductionInput, actor: string, tolerancePercent: number) {
  const { op, wo } = await lockOperation(tx, input.operationId);
  assertRunnable(wo, op);
  await assertNotHeld(tx, wo);
  if (op.status !== "IN_PROGRESS") throw conflict(`The ${label(wo, op)} is ${op.status}; production is logged on a running operation`);
  const good = new Prisma.Decimal(input.goodQuantity);
  const scrap = new Prisma.Decimal(input.scrapQuantity);
  const limit = wo.quantity.mul(new Prisma.Decimal(100 + tolerancePercent)).div(100);
  const remaining = limit.sub(op.goodQuantity).sub(op.scrapQuantity);
  if (good.add(scrap).gt(remaining)) {
    throw badUserInput(
      `The ${label(wo, op)} can take at most ${Prisma.Decimal.max(remaining, 0).toString()} more units ` +
        `(order quantity ${wo.quantity.toString()} plus ${tolerancePercent}% tolerance, ${op.goodQuantity.add(op.scrapQuantity).toString()} already reported)`,
      [{ field: "input.goodQuantity", message: "more than the remaining quantity" }],
    );
  }
  const log = await tx.productionLog.create({
    data: {
      organizationId: wo.organizationId, plantId: wo.plantId, operationId: op.id, workOrderId: wo.id,
      machineId: input.machineId ?? op.machineId, operatorId: input.operatorId ?? op.operatorId, shiftId: input.shiftId ?? null,
      goodQuantity: good, scrapQuantity: scrap, loggedBy: actor, ...(input.loggedAt ? { loggedAt: input.loggedAt } : {}),
    },
  });
  await tx.operation.update({ where: { id: op.id }, data: { goodQuantity: { increment: good }, scrapQuantity: { increment: scrap } } });
  await appendEvent(tx, {
    organizationId: wo.organizationId, plantId: wo.plantId, type: "ProductionLogged", aggregateId: wo.id,
    payload: {
      productionLogId: log.id, workOrderId: wo.id, operationId: op.id, sequence: op.sequence, machineId: log.machineId,
      shiftId: log.shiftId, goodQuantity: good.toString(), scrapQuantity: scrap.toString(), loggedAt: log.loggedAt.toISOString(),
    },
  });
  return log;
}

/** OPEN -> ACKNOWLEDGED -> RESOLVED, each step once: a conditional update, so racing clicks agree. */
export async function advanceProblem(tx: Tx, id: string, to: "ACKNOWLEDGED" | "RESOLVED", actor: string, resolution?: string) {
  const from = to === "ACKNOWLEDGED" ? ["OPEN" as const] : ["OPEN" as const, "ACKNOWLEDGED" as const];
  const now = new Date();
  const data = to === "ACKNOWLEDGED"
    ? { status: to, acknowledgedBy: actor, acknowledgedAt: now }
    : { status: to, resolvedBy: actor, resolvedAt: now, resolution: resolution ?? null };
  const { count } = await tx.problemReport.updateMany({ where: { id, status: { in: from } }, data });
  const report = await tx.problemReport.findUnique({ where: { id } });
  if (!report) throw notFound("Problem report", id);
  if (count === 0) throw conflict(`Problem report ${id} is ${report.status}; it cannot become ${to}`);
  return report;
}
