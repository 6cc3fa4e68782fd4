import { buildDemoData, type Logger } from "@mes/shared";
import type { ProductionDb } from "./context.ts";

/** Seeds the demo plant's products and work orders into an empty production database. */
export async function seedDemo(db: ProductionDb, log: Logger): Promise<void> {
  if ((await db.product.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  await db.$transaction(async (tx) => {
    for (const plant of demo.plants) {
      const tenant = { organizationId, plantId: plant.id };
      await tx.product.createMany({ data: plant.products.map((p) => ({ ...tenant, id: p.id, code: p.code, name: p.name })) });
      await tx.routingStep.createMany({ data: plant.products.flatMap((p) => p.routing.map((s) => ({ ...tenant, ...s, productId: p.id }))) });
      await tx.bomLine.createMany({ data: plant.products.flatMap((p) => p.bom.map((l) => ({ ...tenant, ...l, productId: p.id }))) });
      await tx.workOrder.createMany({ data: plant.workOrders.map(({ operations: _ops, ...wo }) => ({ ...tenant, ...wo })) });
      await tx.operation.createMany({ data: plant.workOrders.flatMap((wo) => wo.operations.map((op) => ({ ...tenant, ...op, workOrderId: wo.id }))) });
    }
  }, { timeout: 60_000 });
  log.info({ plants: demo.plants.length }, "demo production data seeded");
}
