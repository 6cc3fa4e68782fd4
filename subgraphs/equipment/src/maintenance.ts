import { appendEvent, conflict, notFound, periodicTask, startEventConsumer, type EventConsumer, type FeedEvent, type FeedSettings, type Logger } from "@mes/shared";
import { Prisma, type PmSchedule, type PrismaClient } from "./generated/prisma/client.ts";
import { clip, minutes, span } from "./intervals.ts";
import type { Tx } from "./machine-state.ts";

const DAY = 86_400_000;

/** How far a schedule has come since its last reset, in its own unit (days, run hours, cycles). */
export async function usageSinceReset(tx: Tx | PrismaClient, s: PmSchedule, asOf: Date): Promise<number> {
  if (asOf <= s.lastResetAt) return 0;
  switch (s.trigger) {
    case "CALENDAR":
      return (asOf.getTime() - s.lastResetAt.getTime()) / DAY;
    case "RUN_HOURS": {
      const running = await tx.machineStatusChange.findMany({
        where: { machineId: s.machineId, state: "RUNNING", startedAt: { lt: asOf }, OR: [{ endedAt: null }, { endedAt: { gt: s.lastResetAt } }] },
      });
      return minutes(clip(running.map((r) => span(r.startedAt, r.endedAt, asOf)), { start: s.lastResetAt.getTime(), end: asOf.getTime() })) / 60;
    }
    case "CYCLES": {
      const made = await tx.machineProduction.aggregate({
        where: { machineId: s.machineId, loggedAt: { gte: s.lastResetAt, lt: asOf } }, _sum: { goodQuantity: true, scrapQuantity: true },
      });
      return (made._sum.goodQuantity ?? new Prisma.Decimal(0)).add(made._sum.scrapQuantity ?? 0).toNumber();
    }
  }
}

/**
 * Generates the maintenance order of every due schedule of a plant. A schedule yields one order per
 * generation: the (schedule, generation) key is unique and the insert skips duplicates, so two
 * triggers running at once still make exactly one order.
 */
export async function generateDueOrders(db: PrismaClient, plantId: string, asOf: Date) {
  const schedules = await db.pmSchedule.findMany({ where: { plantId, active: true }, include: { machine: true } });
  const created = [];
  for (const s of schedules) {
    const usage = await usageSinceReset(db, s, asOf);
    if (usage < s.interval.toNumber()) continue;
    const order = await db.$transaction(async (txc) => {
      const tx = txc as Tx;
      const { count } = await tx.maintenanceOrder.createMany({
        data: [{
          organizationId: s.organizationId, plantId: s.plantId, machineId: s.machineId, scheduleId: s.id, generation: s.generation,
          number: `PM-${s.machine.code}-${s.id.slice(0, 8)}-${s.generation}`, description: `${s.name} (${s.trigger.toLowerCase().replace("_", " ")} interval ${s.interval})`,
        }],
        skipDuplicates: true,
      });
      if (count === 0) return null; // this generation already has its order
      const mo = await tx.maintenanceOrder.findUniqueOrThrow({ where: { scheduleId_generation: { scheduleId: s.id, generation: s.generation } } });
      await appendEvent(tx, { organizationId: s.organizationId, plantId: s.plantId, type: "MaintenanceOrderCreated", aggregateId: mo.id, payload: { maintenanceOrderId: mo.id, number: mo.number, machineId: s.machineId, scheduleId: s.id, generation: s.generation } });
      return mo;
    });
    if (order) created.push(order);
  }
  return created;
}

/** Completing a PM order resets its schedule: usage counts again from now, for the next generation. */
export async function completeMaintenanceOrder(tx: Tx, id: string, actor: string) {
  const now = new Date();
  const { count } = await tx.maintenanceOrder.updateMany({ where: { id, status: { in: ["OPEN", "IN_PROGRESS"] } }, data: { status: "COMPLETED", completedAt: now, completedBy: actor } });
  const order = await tx.maintenanceOrder.findUnique({ where: { id } });
  if (!order) throw notFound("Maintenance order", id);
  if (count === 0) throw conflict(`Maintenance order ${order.number} is ${order.status}; it cannot be completed`);
  if (order.scheduleId) {
    await tx.pmSchedule.updateMany({ where: { id: order.scheduleId, generation: order.generation! }, data: { generation: { increment: 1 }, lastResetAt: now } });
  }
  return order;
}

/** Keeps equipment's copy of production counts per machine, from production's event feed. */
export function productionCountConsumer(db: PrismaClient, productionUrl: string, log: Logger, feed: FeedSettings): EventConsumer {
  return startEventConsumer<Tx>({
    name: "equipment<-production:counts",
    sourceUrl: productionUrl.replace(/\/graphql\/?$/, ""),
    types: ["ProductionLogged"],
    transaction: (fn) => db.$transaction((tx) => fn(tx as Tx)),
    log,
    ...feed,
    handle: async (event: FeedEvent, tx: Tx) => {
      const p = event.payload as { productionLogId: string; machineId: string | null; shiftId: string | null; goodQuantity: string; scrapQuantity: string; loggedAt: string };
      if (!p.machineId) return;
      await tx.machineProduction.createMany({
        data: [{ id: p.productionLogId, organizationId: event.organizationId, plantId: event.plantId!, machineId: p.machineId, shiftId: p.shiftId, goodQuantity: p.goodQuantity, scrapQuantity: p.scrapQuantity, loggedAt: new Date(p.loggedAt) }],
        skipDuplicates: true,
      });
    },
  });
}

/**
 * Checks every plant's PM schedules periodically, so due maintenance orders appear without anyone
 * asking. Safe next to manual checks and other replicas: a schedule generation yields one order.
 */
export function periodicPmCheck(db: PrismaClient, intervalMs: number, log: Logger): EventConsumer {
  return periodicTask(async () => {
    const plants = await db.pmSchedule.findMany({ where: { active: true }, distinct: ["plantId"], select: { plantId: true } });
    for (const { plantId } of plants) {
      const created = await generateDueOrders(db, plantId, new Date());
      if (created.length) log.info({ plantId, orders: created.map((o) => o.number) }, "preventive maintenance orders generated");
    }
  }, intervalMs, log, "PM check");
}
