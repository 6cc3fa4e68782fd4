import { buildDemoData, type Logger } from "@mes/shared";
import type { InventoryDb } from "./context.ts";

/** Seeds the demo materials, locations, lots and stock into an empty inventory database. */
export async function seedDemo(db: InventoryDb, log: Logger): Promise<void> {
  if ((await db.material.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  await db.$transaction(async (tx) => {
    await tx.material.createMany({ data: demo.materials.map((m) => ({ ...m, organizationId })) });
    for (const plant of demo.plants) {
      const tenant = { organizationId, plantId: plant.id };
      await tx.location.createMany({ data: plant.locations.map((l) => ({ ...tenant, ...l })) });
      await tx.lot.createMany({
        data: plant.lots.map((l) => ({ ...tenant, id: l.id, materialId: l.materialId, lotNumber: l.lotNumber, supplier: l.supplier, receivedAt: l.receivedAt })),
      });
      await tx.stock.createMany({
        data: plant.lots.map((l) => ({ ...tenant, materialId: l.materialId, locationId: l.locationId, lotId: l.id, quantity: l.quantity })),
      });
    }
  }, { timeout: 60_000 });
  log.info({ materials: demo.materials.length }, "demo inventory data seeded");
}
