import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { InventoryDb } from "./context.ts";
import { receive } from "./stock.ts";

/**
 * Seeds the demo materials and locations, then books every demo lot as a real receipt (stock,
 * transaction, FIFO cost layer, low-stock alert evaluation), the way a storeroom would have.
 */
export async function seedDemo(db: InventoryDb, log: Logger): Promise<void> {
  if ((await db.material.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  const costOf = new Map(demo.materials.map((m) => [m.id, m.unitCost]));
  await withTx(
    db,
    async (tx) => {
      await tx.material.createMany({ data: demo.materials.map(({ unitCost: _c, ...m }) => ({ ...m, organizationId })) });
      for (const plant of demo.plants) {
        await tx.location.createMany({ data: plant.locations.map((l) => ({ ...l, organizationId, plantId: plant.id })) });
        // The lots exist first (with their demo ids and dates); each receipt then books into its lot.
        await tx.lot.createMany({
          data: plant.lots.map((l) => ({
            id: l.id,
            organizationId,
            plantId: plant.id,
            materialId: l.materialId,
            lotNumber: l.lotNumber,
            supplier: l.supplier,
            receivedAt: l.receivedAt,
          })),
        });
        for (const lot of plant.lots) {
          if (lot.quantity <= 0) continue;
          const code = plant.locations.find((l) => l.id === lot.locationId)!.code;
          await receive(
            tx,
            {
              materialId: lot.materialId,
              locationId: lot.locationId,
              lotNumber: lot.lotNumber,
              quantity: lot.quantity,
              unitCost: costOf.get(lot.materialId)!,
              supplier: lot.supplier,
            },
            `demo-seed:${code}`,
          );
        }
      }
    },
    { timeout: 120_000 },
  );
  log.info({ materials: demo.materials.length }, "demo inventory data seeded");
}
