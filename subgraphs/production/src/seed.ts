import { appendEvent, buildDemoData, withTx, type DemoPlant, type Logger } from "@mes/shared";
import { Prisma, type WorkOrderStatus } from "./generated/prisma/client.ts";
import type { ProductionDb, ProductionTx } from "./context.ts";

const HOUR = 3_600_000;

/** The statuses a demo order passed through to reach its current one. */
const PATH: Record<WorkOrderStatus, WorkOrderStatus[]> = {
  PLANNED: [],
  RELEASED: ["RELEASED"],
  IN_PROGRESS: ["RELEASED", "IN_PROGRESS"],
  ON_HOLD: ["RELEASED", "IN_PROGRESS", "ON_HOLD"],
  COMPLETED: ["RELEASED", "IN_PROGRESS", "COMPLETED"],
  CLOSED: ["RELEASED", "IN_PROGRESS", "COMPLETED", "CLOSED"],
  CANCELLED: ["RELEASED", "CANCELLED"],
};

/**
 * The past week's counts, per machine and shift, each with the event a logProduction would have
 * written: equipment's OEE and run-hour maintenance count them from production's feed.
 */
async function seedHistoryLogs(tx: ProductionTx, tenant: { organizationId: string; plantId: string }, logs: DemoPlant["productionLogs"]) {
  await tx.productionLog.createMany({
    data: logs.map(({ sequence: _s, ...l }) => ({ ...tenant, ...l, loggedBy: "demo-seed" })),
  });
  for (const l of logs) {
    await appendEvent(tx, {
      ...tenant,
      type: "ProductionLogged",
      aggregateId: l.workOrderId,
      payload: {
        productionLogId: l.id,
        workOrderId: l.workOrderId,
        operationId: l.operationId,
        sequence: l.sequence,
        machineId: l.machineId,
        shiftId: l.shiftId,
        goodQuantity: String(l.goodQuantity),
        scrapQuantity: String(l.scrapQuantity),
        loggedAt: l.loggedAt.toISOString(),
      },
    });
  }
}

/**
 * Seeds the demo plant's products and work orders into an empty production database, with each
 * order's history and the events its transitions would have written (inventory reserves from them).
 */
export async function seedDemo(db: ProductionDb, log: Logger): Promise<void> {
  if ((await db.product.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  await withTx(
    db,
    async (tx) => {
      for (const plant of demo.plants) {
        const tenant = { organizationId, plantId: plant.id };
        await tx.product.createMany({ data: plant.products.map((p) => ({ ...tenant, id: p.id, code: p.code, name: p.name })) });
        await tx.routingStep.createMany({ data: plant.products.flatMap((p) => p.routing.map((s) => ({ ...tenant, ...s, productId: p.id }))) });
        await tx.bomLine.createMany({ data: plant.products.flatMap((p) => p.bom.map((l) => ({ ...tenant, ...l, productId: p.id }))) });
        const now = new Date();
        const current = plant.shifts.find((sh) => sh.startsAt <= now && now < sh.endsAt);
        for (const [i, { operations, ...wo }] of plant.workOrders.entries()) {
          // When each step happened: released a day before the planned start, completed around the
          // planned end (every third one late), closed a day later.
          const at: Partial<Record<WorkOrderStatus, Date>> = {
            RELEASED: new Date(wo.plannedStart.getTime() - 24 * HOUR),
            IN_PROGRESS: wo.plannedStart,
            ON_HOLD: new Date(wo.plannedStart.getTime() + 2 * HOUR),
            COMPLETED: wo.completedAt ?? new Date(wo.plannedEnd.getTime() + (i % 3 === 0 ? 30 : -1) * HOUR),
            CANCELLED: new Date(wo.plannedStart.getTime() - 12 * HOUR),
          };
          at.CLOSED = at.COMPLETED && new Date(at.COMPLETED.getTime() + 24 * HOUR);
          const path = PATH[wo.status];
          await tx.workOrder.create({
            data: {
              ...tenant,
              ...wo,
              releasedAt: path.includes("RELEASED") ? at.RELEASED : null,
              startedAt: path.includes("IN_PROGRESS") ? at.IN_PROGRESS : null,
              completedAt: path.includes("COMPLETED") ? at.COMPLETED : null,
              closedAt: path.includes("CLOSED") ? at.CLOSED : null,
            },
          });
          // The past week's orders carry the scrap their machines logged (their good units are the quantity).
          const loggedScrap = (operationId: string) =>
            plant.productionLogs.reduce((sum, l) => sum + (l.operationId === operationId ? l.scrapQuantity : 0), 0);
          await tx.operation.createMany({
            data: operations.map((op) => ({
              ...tenant,
              ...op,
              workOrderId: wo.id,
              goodQuantity: op.status === "COMPLETED" ? wo.quantity : op.status === "IN_PROGRESS" ? Math.floor(wo.quantity / 3) : 0,
              scrapQuantity: loggedScrap(op.id),
            })),
          });
          // A running operation has reported its counts so far in the current shift, in two logs.
          const running = operations.find((op) => op.status === "IN_PROGRESS");
          if (running && current) {
            const good = Math.floor(wo.quantity / 3);
            const elapsed = now.getTime() - current.startsAt.getTime();
            const parts = [
              [Math.floor(good / 2), 0.3],
              [good - Math.floor(good / 2), 0.7],
            ] as const;
            await tx.operation.update({ where: { id: running.id }, data: { scrapQuantity: 2 } });
            for (const [part, share] of parts) {
              const log = await tx.productionLog.create({
                data: {
                  ...tenant,
                  operationId: running.id,
                  workOrderId: wo.id,
                  machineId: running.machineId,
                  shiftId: current.id,
                  goodQuantity: part,
                  scrapQuantity: 1,
                  loggedBy: "demo-seed",
                  loggedAt: new Date(current.startsAt.getTime() + elapsed * share),
                },
              });
              await appendEvent(tx, {
                ...tenant,
                type: "ProductionLogged",
                aggregateId: wo.id,
                payload: {
                  productionLogId: log.id,
                  workOrderId: wo.id,
                  operationId: running.id,
                  sequence: running.sequence,
                  machineId: running.machineId,
                  shiftId: current.id,
                  goodQuantity: String(part),
                  scrapQuantity: "1",
                  loggedAt: log.loggedAt.toISOString(),
                },
              });
            }
          }
          const bom = plant.products.find((p) => p.id === wo.productId)!.bom;
          let from: WorkOrderStatus = "PLANNED";
          for (const to of path) {
            const when = at[to]!;
            const reason =
              to === "ON_HOLD" ? "Suspect material, awaiting quality decision" : to === "CANCELLED" ? "Customer cancelled the order" : null;
            await tx.workOrderTransition.create({
              data: { ...tenant, workOrderId: wo.id, fromStatus: from, toStatus: to, actor: "demo-seed", reason, at: when },
            });
            if (to === "ON_HOLD")
              await tx.workOrderHold.create({ data: { ...tenant, workOrderId: wo.id, reason: reason!, placedBy: "demo-seed", placedAt: when } });
            await appendEvent(tx, {
              ...tenant,
              type: "WorkOrderStatusChanged",
              aggregateId: wo.id,
              payload: {
                workOrderId: wo.id,
                number: wo.number,
                from,
                to,
                actor: "demo-seed",
                reason,
                at: when.toISOString(),
                ...(to === "RELEASED"
                  ? {
                      materialRequirements: bom.map((l) => ({
                        materialId: l.materialId,
                        quantity: new Prisma.Decimal(l.quantityPer).mul(wo.quantity).toString(),
                      })),
                    }
                  : {}),
              },
            });
            from = to;
          }
        }
        await seedHistoryLogs(tx, tenant, plant.productionLogs);
      }
    },
    { timeout: 120_000 },
  );
  log.info({ plants: demo.plants.length }, "demo production data seeded");
}
