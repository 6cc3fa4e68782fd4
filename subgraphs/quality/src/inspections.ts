import { z } from "zod";
import {
  badUserInput,
  orderByOf,
  paginate,
  zId,
  zMeasure,
  zOptionalText,
  type OrderArg,
  type Page,
  type PageArgs,
  type InputShape,
} from "@mes/shared";
import type { Inspection, InspectionResult, Prisma } from "./generated/prisma/client.ts";
import { NcrSeverity } from "./generated/prisma/enums.ts";
import type { QualityTx } from "./context.ts";
import { MAX_CHARACTERISTICS } from "./inspection-plans.ts";
import { failedInspectionNcr, readMeasurements, unitsPassed } from "./measurements.ts";
import { announceNcrOpened } from "./ncrs.ts";
import type { MeasurementInput, RecordInspectionInput } from "./resolvers-types.generated.ts";

/** Most units one inspection records (and readings per characteristic). */
export const MAX_SAMPLE = 10_000;

const measurementInput = z.object({
  characteristicId: zId,
  // Stored like the characteristic's limits (NUMERIC(18,6)).
  value: zMeasure.nullish(),
  values: z.array(zMeasure).max(MAX_SAMPLE, `at most ${MAX_SAMPLE} values`).nullish(),
  passed: z.boolean().nullish(),
  defectiveUnits: z.number().int().min(0, "must be 0 or more").nullish(),
} satisfies InputShape<MeasurementInput>);

export const recordInspectionInput = z.object({
  planId: zId,
  workOrderId: zId.nullish(),
  materialId: zId.nullish(),
  lotId: zId.nullish(),
  quantityInspected: z.number().int().min(1, "must be at least 1").max(MAX_SAMPLE, `must be at most ${MAX_SAMPLE}`),
  quantityPassed: z.number().int().min(0, "must be 0 or more").nullish(),
  reinspectionOf: zId.nullish(),
  // One per characteristic of the plan: more can never be right.
  measurements: z.array(measurementInput).max(MAX_CHARACTERISTICS, `at most ${MAX_CHARACTERISTICS} (one per characteristic of the plan)`),
  inspector: zOptionalText(200),
  openNcrOnFailure: z.boolean(),
  ncrSeverity: z.enum(NcrSeverity),
} satisfies InputShape<RecordInspectionInput>);

export type InspectionRecord = z.infer<typeof recordInspectionInput>;

/** The earlier inspection a re-inspection repeats: of the same plan, and visible to the caller. */
async function reinspected(tx: QualityTx, id: string, planId: string): Promise<Inspection> {
  const earlier = await tx.inspection.findUnique({ where: { id } });
  if (!earlier) throw badUserInput(`Inspection ${id} does not exist`, [{ field: "input.reinspectionOf", message: "no such inspection" }]);
  if (earlier.planId !== planId) {
    throw badUserInput("A re-inspection repeats an inspection of the same plan", [
      { field: "input.reinspectionOf", message: "an inspection of another plan" },
    ]);
  }
  return earlier;
}

/**
 * Records an inspection by its plan: every characteristic judged with its defective units, the
 * units passed counted (unitsPassed), the inspection PASS when every unit passed. A re-inspection
 * names the earlier inspection of the same plan it repeats. A failure opens an NCR (announced like
 * one opened by hand) unless told not to.
 * `actor` (the token's subject) is always the recorder, and the inspector when the input names none.
 */
export async function recordInspection(tx: QualityTx, input: InspectionRecord, actor: string): Promise<Inspection> {
  const plan = await tx.inspectionPlan.findUnique({ where: { id: input.planId }, include: { characteristics: true } });
  if (!plan) throw badUserInput(`Inspection plan ${input.planId} does not exist`, [{ field: "input.planId", message: "no such inspection plan" }]);
  const quantityInspected = input.quantityInspected ?? 1;
  const { readings, problems } = readMeasurements(plan, input.measurements, quantityInspected);
  const quantityPassed = unitsPassed(readings, quantityInspected, input.quantityPassed ?? null);
  if (typeof quantityPassed !== "number") problems.push(quantityPassed);
  if (problems.length || typeof quantityPassed !== "number")
    throw badUserInput(`Invalid input: ${problems.map((p) => p.message).join("; ")}`, problems);
  if (input.reinspectionOf) await reinspected(tx, input.reinspectionOf, plan.id);
  const failed = readings.filter((r) => !r.passed);
  const inspection = await tx.inspection.create({
    data: {
      organizationId: plan.organizationId,
      plantId: plan.plantId,
      planId: plan.id,
      workOrderId: input.workOrderId ?? null,
      materialId: input.materialId ?? null,
      lotId: input.lotId ?? null,
      quantityInspected,
      quantityPassed,
      reinspectionOfId: input.reinspectionOf ?? null,
      inspector: input.inspector ?? actor,
      recordedBy: actor,
      result: quantityPassed === quantityInspected ? "PASS" : "FAIL",
      measurements: {
        create: readings.map((r) => ({
          characteristicId: r.characteristic.id,
          value: r.value,
          values: r.values,
          passed: r.passed,
          defectiveUnits: r.defectiveUnits,
        })),
      },
    },
  });
  if (inspection.result === "FAIL" && input.openNcrOnFailure) {
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

/** Columns of InspectionOrderField; left out, newest first. */
const INSPECTION_ORDER = { INSPECTED_AT: "inspectedAt", RESULT: "result", QUANTITY_INSPECTED: "quantityInspected" } as const;

/** Inspections, newest first unless `orderBy` says otherwise, of a plant, with some results, recorded in [from, to). */
export function listInspections(
  db: QualityTx,
  filter: { plantId: string | null; result?: InspectionResult[] | null; from?: Date | null; to?: Date | null },
  page: PageArgs & { orderBy?: OrderArg<keyof typeof INSPECTION_ORDER> | null },
): Promise<Page<Inspection>> {
  const where: Prisma.InspectionWhereInput = {
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.result?.length ? { result: { in: filter.result } } : {}),
    ...(filter.from || filter.to ? { inspectedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  };
  const orderBy = orderByOf(page.orderBy, INSPECTION_ORDER, [{ inspectedAt: "desc" }]);
  return paginate(
    page,
    (w) => db.inspection.findMany({ where, orderBy, ...w }),
    () => db.inspection.count({ where }),
  );
}
