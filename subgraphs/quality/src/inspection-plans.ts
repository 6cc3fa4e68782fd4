import { z } from "zod";
import { zCode, zId, zName, type InputShape } from "@mes/shared";
import type { InspectionPlan } from "./generated/prisma/client.ts";
import { CharacteristicKind } from "./generated/prisma/enums.ts";
import type { QualityTx } from "./context.ts";
import type { CharacteristicInput, CreateInspectionPlanInput } from "./resolvers-types.generated.ts";

const finite = z.number().finite();

export const characteristicInput = z
  .object({
    name: zName,
    kind: z.enum(CharacteristicKind),
    nominal: finite.nullish(),
    lowerLimit: finite.nullish(),
    upperLimit: finite.nullish(),
    unit: z.string().trim().max(32).nullish(),
  } satisfies InputShape<CharacteristicInput>)
  .superRefine((c, ctx) => {
    if (c.kind === "NUMERIC") {
      if (c.lowerLimit == null && c.upperLimit == null)
        ctx.addIssue({ code: "custom", path: ["lowerLimit"], message: "a numeric characteristic needs a lower or upper limit" });
      if (c.lowerLimit != null && c.upperLimit != null && c.lowerLimit > c.upperLimit)
        ctx.addIssue({ code: "custom", path: ["upperLimit"], message: "must not be below lowerLimit" });
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
    characteristics: z.array(characteristicInput).min(1, "needs at least one characteristic"),
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

export function plansOfPlant(db: QualityTx, plantId: string): Promise<InspectionPlan[]> {
  return db.inspectionPlan.findMany({ where: { plantId }, orderBy: { code: "asc" } });
}
