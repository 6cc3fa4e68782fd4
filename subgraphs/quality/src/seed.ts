import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { QualityDb } from "./context.ts";

/** Seeds the demo inspection plans, inspections and NCRs. */
export async function seedDemo(db: QualityDb, log: Logger): Promise<void> {
  if ((await db.inspectionPlan.count()) > 0) return;
  const demo = buildDemoData();
  const organizationId = demo.organizationId;
  await withTx(
    db,
    async (tx) => {
      for (const plant of demo.plants) {
        const tenant = { organizationId, plantId: plant.id };
        await tx.inspectionPlan.createMany({
          data: plant.inspectionPlans.map(({ characteristics: _c, ...p }) => ({ ...tenant, ...p })),
        });
        await tx.characteristic.createMany({
          data: plant.inspectionPlans.flatMap((p) => p.characteristics.map((c) => ({ ...c, planId: p.id }))),
        });
        // Demo inspectors recorded their own inspections.
        await tx.inspection.createMany({ data: plant.inspections.map((i) => ({ ...tenant, ...i, recordedBy: i.inspector })) });
        await tx.ncr.createMany({ data: plant.ncrs.map((n) => ({ ...tenant, ...n })) });
      }
    },
    { timeout: 60_000 },
  );
  log.info({ plants: demo.plants.length }, "demo quality data seeded");
}
