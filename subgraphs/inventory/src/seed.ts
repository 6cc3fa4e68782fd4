import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { InventoryDb } from "./context.ts";
import { issue, receive } from "./stock.ts";
import { settleLotStatuses } from "./lots.ts";

/**
 * Seeds the demo materials and locations, then books every demo lot as a real receipt (stock,
 * transaction, cost layer, low-stock alert evaluation), the way a storeroom would have; then the
 * genealogy orders' issues and receipts (raw lots -> intermediate lot -> finished lot).
 */
export async function seedDemo(db: InventoryDb, log: Logger): Promise<void> {
  if ((await db.material.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  await withTx(
    db,
    async (tx) => {
      await tx.material.createMany({ data: demo.materials.map(({ unitCost: _c, made: _m, ...m }) => ({ ...m, organizationId })) });
      for (const plant of demo.plants) {
        await tx.location.createMany({ data: plant.locations.map((l) => ({ ...l, organizationId, plantId: plant.id })) });
        // The lots exist first (with their demo ids and dates); each receipt then books into its lot.
        await tx.lot.createMany({
          data: [
            ...plant.lots.map((l) => ({
              id: l.id,
              organizationId,
              plantId: plant.id,
              materialId: l.materialId,
              lotNumber: l.lotNumber,
              supplier: l.supplier,
              receivedAt: l.receivedAt,
            })),
            ...plant.genealogy.map(({ workOrderId, receipt: r }) => ({
              id: r.lotId,
              organizationId,
              plantId: plant.id,
              materialId: r.materialId,
              lotNumber: r.lotNumber,
              receivedAt: r.receivedAt,
              producedByWorkOrderId: workOrderId,
            })),
          ],
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
              unitCost: lot.unitCost,
              supplier: lot.supplier,
            },
            `demo-seed:${code}`,
          );
        }
        // Each genealogy order consumed its lots, then received what it made (valued at that cost).
        for (const step of plant.genealogy) {
          for (const i of step.issues)
            await issue(tx, { materialId: i.materialId, workOrderId: step.workOrderId, lotId: i.lotId, quantity: i.quantity }, "demo-seed");
          const r = step.receipt;
          await receive(
            tx,
            { materialId: r.materialId, locationId: r.locationId, lotNumber: r.lotNumber, quantity: r.quantity, workOrderId: step.workOrderId },
            "demo-seed",
          );
        }
        for (const c of plant.consumption) await issue(tx, { ...c, plantId: plant.id }, "demo-seed");
        // A demo lot with nothing left in the plant's story (never received here) is used up.
        await settleLotStatuses(
          tx,
          plant.lots.map((l) => l.id),
        );
      }
    },
    { timeout: 120_000 },
  );
  log.info({ materials: demo.materials.length }, "demo inventory data seeded");
}
