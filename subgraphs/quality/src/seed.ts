import { buildDemoData, withTx, type Logger } from "@mes/shared";
import type { QualityDb } from "./context.ts";

const DEMO_DEFECT_TYPES = ["Oversize diameter", "Undersize diameter", "Surface scratch", "Burr"];

/** Seeds the demo inspection plans, inspections (with unit counts) and NCRs with their defects. */
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
        // A failed demo sample had 1 or 2 bad units (first pass yield counts units).
        const passedOf = (i: (typeof plant.inspections)[number], k: number) =>
          i.result === "PASS" ? i.quantityInspected : i.quantityInspected - 1 - (k % 2);
        await tx.inspection.createMany({
          data: plant.inspections.map((i, k) => ({ ...tenant, ...i, quantityPassed: passedOf(i, k), recordedBy: i.inspector })),
        });
        await tx.ncr.createMany({ data: plant.ncrs.map((n) => ({ ...tenant, ...n })) });
        // Each NCR names its defects, so "NCRs this week by defect type" has an answer.
        await tx.ncrDefect.createMany({
          data: plant.ncrs.flatMap((n, k) => [
            { ncrId: n.id, type: DEMO_DEFECT_TYPES[k % DEMO_DEFECT_TYPES.length]!, quantity: 1 + (k % 3) },
            ...(k % 3 === 0 ? [{ ncrId: n.id, type: DEMO_DEFECT_TYPES[(k + 1) % DEMO_DEFECT_TYPES.length]!, quantity: 1 }] : []),
          ]),
        });
      }
    },
    { timeout: 60_000 },
  );
  log.info({ plants: demo.plants.length }, "demo quality data seeded");
}
