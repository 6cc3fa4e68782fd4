import { z } from "zod";
import { badUserInput, paginate, zId, zMeasure, zOptionalText, type Page, type PageArgs, type InputShape } from "@mes/shared";
import type { Inspection, InspectionResult, Prisma } from "./generated/prisma/client.ts";
import { NcrSeverity } from "./generated/prisma/enums.ts";
import type { QualityTx } from "./context.ts";
import { MAX_CHARACTERISTICS } from "./inspection-plans.ts";
import { failedInspectionNcr, readMeasurements } from "./measurements.ts";
import { announceNcrOpened } from "./ncrs.ts";
import type { MeasurementInput, RecordInspectionInput } from "./resolvers-types.generated.ts";

const measurementInput = z.object({
  characteristicId: zId,
  // Stored like the characteristic's limits (NUMERIC(18,6)).
  value: zMeasure.nullish(),
  passed: z.boolean().nullish(),
} satisfies InputShape<MeasurementInput>);

export const recordInspectionInput = z.object({
  planId: zId,
  workOrderId: zId.nullish(),
  materialId: zId.nullish(),
  lotId: zId.nullish(),
  quantityInspected: z.number().int().min(1, "must be at least 1"),
  // One per characteristic of the plan: more can never be right.
  measurements: z.array(measurementInput).max(MAX_CHARACTERISTICS, `at most ${MAX_CHARACTERISTICS} (one per characteristic of the plan)`),
  inspector: zOptionalText(200),
  openNcrOnFailure: z.boolean(),
  ncrSeverity: z.enum(NcrSeverity),
} satisfies InputShape<RecordInspectionInput>);

export type InspectionRecord = z.infer<typeof recordInspectionInput>;

/**
 * Records an inspection by its plan: every characteristic judged, the inspection PASS when all
 * pass. A failure opens an NCR (announced like one opened by hand) unless told not to.
 * `actor` (the token's subject) is always the recorder, and the inspector when the input names none.
 */
export async function recordInspection(tx: QualityTx, input: InspectionRecord, actor: string): Promise<Inspection> {
  const plan = await tx.inspectionPlan.findUnique({ where: { id: input.planId }, include: { characteristics: true } });
  if (!plan) throw badUserInput(`Inspection plan ${input.planId} does not exist`, [{ field: "input.planId", message: "no such inspection plan" }]);
  const { readings, problems } = readMeasurements(plan, input.measurements);
  if (problems.length) throw badUserInput(`Invalid input: ${problems.map((p) => p.message).join("; ")}`, problems);
  const failed = readings.filter((r) => !r.passed);
  const inspection = await tx.inspection.create({
    data: {
      organizationId: plan.organizationId,
      plantId: plan.plantId,
      planId: plan.id,
      workOrderId: input.workOrderId ?? null,
      materialId: input.materialId ?? null,
      lotId: input.lotId ?? null,
      quantityInspected: input.quantityInspected,
      inspector: input.inspector ?? actor,
      recordedBy: actor,
      result: failed.length ? "FAIL" : "PASS",
      measurements: { create: readings.map((r) => ({ characteristicId: r.characteristic.id, value: r.value, passed: r.passed })) },
    },
  });
  if (failed.length && input.openNcrOnFailure) {
    const ncr = await tx.ncr.create({
      data: {
        organizationId: plan.organizationId,
        plantId: plan.plantId,
        severity: input.ncrSeverity,
        ...failedInspectionNcr(inspection.id, plan.code, failed),
        workOrderId: input.workOrderId ?? null,
        materialId: input.materialId ?? plan.materialId,
        lotId: input.lotId ?? null,
        inspectionId: inspection.id,
      },
    });
    await announceNcrOpened(tx, ncr);
  }
  return inspection;
}

/** Inspections, newest first, of a plant and/or with some results. */
export function listInspections(
  db: QualityTx,
  filter: { plantId: string | null; result?: InspectionResult[] | null },
  page: PageArgs,
): Promise<Page<Inspection>> {
  const where: Prisma.InspectionWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.result?.length ? { result: { in: filter.result } } : {}),
  };
  return paginate(
    page,
    (w) => db.inspection.findMany({ where, orderBy: [{ inspectedAt: "desc" }, { id: "asc" }], ...w }),
    () => db.inspection.count({ where }),
  );
}
