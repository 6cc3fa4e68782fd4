import { z } from "zod";
import { zCode, zId, zMeasure, zName, zOptionalText, type InputShape } from "@mes/shared";
import type { InspectionPlan } from "./generated/prisma/client.ts";
import { CharacteristicKind } from "./generated/prisma/enums.ts";
import type { QualityTx } from "./context.ts";
import type { CharacteristicInput, CreateInspectionPlanInput } from "./resolvers-types.generated.ts";

/** Most characteristics one plan has (an inspection records one measurement each). */
export const MAX_CHARACTERISTICS = 200;

export const characteristicInput = z
  .object({
    name: zName,
    kind: z.enum(CharacteristicKind),
    // NUMERIC(18,6) columns: a 7th decimal place would be rounded away.
    nominal: zMeasure.nullish(),
    lowerLimit: zMeasure.nullish(),
    upperLimit: zMeasure.nullish(),
    unit: zOptionalText(32),
  } satisfies InputShape<CharacteristicInput>)
  .superRefine((c, ctx) => {
    if (c.kind === "NUMERIC") {
      if (c.lowerLimit == null && c.upperLimit == null)
        ctx.addIssue({ code: "custom", path: ["lowerLimit"], message: "a numeric characteristic needs a lower or upper limit" });
      if (c.lowerLimit != null && c.upperLimit != null && c.lowerLimit > c.upperLimit)
        ctx.addIssue({ code: "custom", path: ["upperLimit"], message: "must not be below lowerLimit" });
      // A nominal outside the limits would fail every part made to it.
      else if (c.nominal != null && ((c.lowerLimit != null && c.nominal < c.lowerLimit) || (c.upperLimit != null && c.nominal > c.upperLimit)))
        ctx.addIssue({ code: "custom", path: ["nominal"], message: "must lie within lowerLimit and upperLimit" });
    } else if (c.nominal != null || c.lowerLimit != null || c.upperLimit != null) {
      ctx.addIssue({ code: "custom", path: ["kind"], message: "an attribute (pass/fail) characteristic has no nominal or limits" });
    }
  });

export const createInspectionPlanInput = z
  .object({
    plantId: zId,
    code: zCode,
    name: zName,
    productId: zId.nullish(),
    materialId: zId.nullish(),
    operationSequence: z.number().int().positive().nullish(),
    workCenterId: zId.nullish(),
    sampleSize: z.number().int().min(1, "must be at least 1").max(10_000),
    characteristics: z
      .array(characteristicInput)
      .min(1, "needs at least one characteristic")
      .max(MAX_CHARACTERISTICS, `at most ${MAX_CHARACTERISTICS} characteristics`),
  } satisfies InputShape<CreateInspectionPlanInput>)
  .superRefine((p, ctx) => {
    if (!p.productId && !p.materialId) ctx.addIssue({ code: "custom", path: ["productId"], message: "a plan applies to a product or a material" });
    if (p.operationSequence != null && !p.productId)
      ctx.addIssue({ code: "custom", path: ["operationSequence"], message: "an operation belongs to a product's routing; give productId" });
    const names = p.characteristics.map((c) => c.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: "custom", path: ["characteristics"], message: "characteristic names must be unique" });
  });

export type NewInspectionPlan = z.infer<typeof createInspectionPlanInput>;

/** Creates a plan with its characteristics (one statement). */
export function createInspectionPlan(db: QualityTx, organizationId: string, input: NewInspectionPlan): Promise<InspectionPlan> {
  const { characteristics, ...plan } = input;
  return db.inspectionPlan.create({ data: { ...plan, organizationId, characteristics: { create: characteristics } } });
}

/** Plans of one plant, or of every plant the caller may see: by code, then plant. */
export function listPlans(db: QualityTx, plantId: string | null): Promise<InspectionPlan[]> {
  return db.inspectionPlan.findMany({ where: plantId ? { plantId } : {}, orderBy: [{ code: "asc" }, { plantId: "asc" }, { id: "asc" }] });
}
