import { appendEvent, badUserInput, conflict, notFound, periodicTask, withTx, type EventConsumer, type Logger, clockNow } from "@mes/shared";
import { Prisma, type MaintenanceOrder, type PmSchedule } from "./generated/prisma/client.ts";
import type { EquipmentDb, EquipmentTx } from "./context.ts";
import type { CreatePmScheduleInput } from "./resolvers-types.generated.ts";
import { calendarDays, isDue, pmOrderDescription, pmOrderNumber, runHours, usageUntil } from "./pm-rules.ts";

/** How far a schedule has come since its last reset, in its own unit (days, run hours, cycles). */
export async function usageSinceReset(tx: EquipmentTx, s: PmSchedule, asOf: Date): Promise<number> {
  if (asOf <= s.lastResetAt) return 0;
  switch (s.trigger) {
    case "CALENDAR":
      return calendarDays(s.lastResetAt, asOf);
    case "RUN_HOURS": {
      const running = await tx.machineStatusChange.findMany({
        where: { machineId: s.machineId, state: "RUNNING", startedAt: { lt: asOf }, OR: [{ endedAt: null }, { endedAt: { gt: s.lastResetAt } }] },
      });
      return runHours(running, s.lastResetAt, asOf);
    }
    case "CYCLES": {
      const made = await tx.machineProduction.aggregate({
        where: { machineId: s.machineId, loggedAt: { gte: s.lastResetAt, lt: asOf } },
        _sum: { goodQuantity: true, scrapQuantity: true },
      });
      return (made._sum.goodQuantity ?? new Prisma.Decimal(0)).add(made._sum.scrapQuantity ?? 0).toNumber();
    }
  }
}

/** A schedule whose usage counts from `startsAt` (default now). */
export async function createPmSchedule(tx: EquipmentTx, { startsAt, ...input }: CreatePmScheduleInput) {
  const machine = await tx.machine.findUnique({ where: { id: input.machineId } });
  if (!machine) throw badUserInput(`Machine ${input.machineId} does not exist`, [{ field: "input.machineId", message: "no such machine" }]);
  return tx.pmSchedule.create({
    data: { ...input, organizationId: machine.organizationId, plantId: machine.plantId, lastResetAt: startsAt ?? clockNow() },
  });
}

/**
 * Generates the maintenance order of every due schedule of a plant, with usage counted up to `asOf`
 * (never beyond now). A schedule yields one order per generation: each due schedule is locked and
 * checked again in the transaction that creates its order, so a generation is taken only by an
 * order created for it, and concurrent checks (or a completion resetting the schedule meanwhile)
 * make exactly one order, for the generation the schedule is at.
 */
export async function generateDueOrders(db: EquipmentDb, plantId: string, asOf: Date) {
  const until = usageUntil(asOf, clockNow());
  const schedules = await db.pmSchedule.findMany({ where: { plantId, active: true } });
  const created = [];
  for (const candidate of schedules) {
    // A cheap first look outside any transaction; the decision is taken on the locked row below.
    if (!isDue(await usageSinceReset(db, candidate, until), candidate.interval.toNumber())) continue;
    const order = await withTx(db, async (tx) => {
      await tx.$queryRaw`SELECT id FROM "PmSchedule" WHERE id = ${candidate.id}::uuid FOR UPDATE`;
      const s = await tx.pmSchedule.findUnique({ where: { id: candidate.id }, include: { machine: true } });
      if (!s?.active || !isDue(await usageSinceReset(tx, s, until), s.interval.toNumber())) return null;
      const key = { scheduleId_generation: { scheduleId: s.id, generation: s.generation } };
      if (await tx.maintenanceOrder.findUnique({ where: key })) return null; // this generation already has its order
      const mo = await tx.maintenanceOrder.create({
        data: {
          organizationId: s.organizationId,
          plantId: s.plantId,
          machineId: s.machineId,
          scheduleId: s.id,
          generation: s.generation,
          number: pmOrderNumber(s.machine.code, s.id, s.generation),
          description: pmOrderDescription(s.name, s.trigger, s.interval.toString()),
        },
      });
      await appendEvent(tx, {
        organizationId: s.organizationId,
        plantId: s.plantId,
        type: "MaintenanceOrderCreated",
        aggregateId: mo.id,
        payload: { maintenanceOrderId: mo.id, number: mo.number, machineId: s.machineId, scheduleId: s.id, generation: s.generation },
      });
      return mo;
    });
    if (order) created.push(order);
  }
  return created;
}

type MaintenanceOrderStatus = MaintenanceOrder["status"];

/**
 * Moves an order from one of `from` to its next status, racing callers included: the update's
 * condition lets one win, the others find the status it left and get a CONFLICT naming it.
 */
async function moveOrder(
  tx: EquipmentTx,
  id: string,
  from: MaintenanceOrderStatus[],
  data: Prisma.MaintenanceOrderUpdateManyMutationInput,
  verb: string,
) {
  const { count } = await tx.maintenanceOrder.updateMany({ where: { id, status: { in: from } }, data });
  const order = await tx.maintenanceOrder.findUnique({ where: { id } });
  if (!order) throw notFound("Maintenance order", id);
  if (count === 0) throw conflict(`Maintenance order ${order.number} is ${order.status}; it cannot be ${verb}`, { status: order.status });
  return order;
}

/** A PM order that ends (done or skipped) resets its schedule: usage counts again from now, for the next generation. */
async function resetSchedule(tx: EquipmentTx, order: MaintenanceOrder, now: Date) {
  if (!order.scheduleId) return;
  await tx.pmSchedule.updateMany({
    where: { id: order.scheduleId, generation: order.generation! },
    data: { generation: { increment: 1 }, lastResetAt: now },
  });
}

export function startMaintenanceOrder(tx: EquipmentTx, id: string, actor: string) {
  return moveOrder(tx, id, ["OPEN"], { status: "IN_PROGRESS", startedAt: clockNow(), startedBy: actor }, "started");
}

export async function completeMaintenanceOrder(tx: EquipmentTx, id: string, actor: string) {
  const now = clockNow();
  const order = await moveOrder(tx, id, ["OPEN", "IN_PROGRESS"], { status: "COMPLETED", completedAt: now, completedBy: actor }, "completed");
  await resetSchedule(tx, order, now);
  return order;
}

/** A skipped PM occurrence is not generated again at the next check: its schedule counts from now. */
export async function cancelMaintenanceOrder(tx: EquipmentTx, id: string, actor: string, reason: string) {
  const now = clockNow();
  const order = await moveOrder(
    tx,
    id,
    ["OPEN", "IN_PROGRESS"],
    { status: "CANCELLED", cancelledAt: now, cancelledBy: actor, cancelReason: reason },
    "cancelled",
  );
  await resetSchedule(tx, order, now);
  return order;
}

/**
 * Checks every plant's PM schedules periodically, so due maintenance orders appear without anyone
 * asking. Safe next to manual checks and other replicas: a schedule generation yields one order.
 */
export function periodicPmCheck(db: EquipmentDb, intervalMs: number, log: Logger): EventConsumer {
  return periodicTask(
    async () => {
      const plants = await db.pmSchedule.findMany({ where: { active: true }, distinct: ["plantId"], select: { plantId: true } });
      for (const { plantId } of plants) {
        const created = await generateDueOrders(db, plantId, clockNow());
        if (created.length) log.info({ plantId, orders: created.map((o) => o.number) }, "preventive maintenance orders generated");
      }
    },
    intervalMs,
    log,
    "PM check",
  );
}
