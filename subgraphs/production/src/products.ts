import { z } from "zod";
import { zCode, zId, zName, type InputShape } from "@mes/shared";
import type { Product } from "./generated/prisma/client.ts";
import type { BomLineInput, CreateProductInput, RoutingStepInput } from "./resolvers-types.generated.ts";
import type { ProductionDb } from "./context.ts";
import { zCycleSeconds, zQuantity, zSetupMinutes } from "./inputs.ts";

export const createProductInput = z
  .object({
    plantId: zId,
    code: zCode,
    name: zName,
    unitOfMeasure: zCode,
    routing: z
      .array(
        z.object({
          sequence: z.number().int().positive("must be greater than 0"),
          name: zName,
          workCenterId: zId,
          setupMinutes: zSetupMinutes,
          cycleTimeSeconds: zCycleSeconds,
          parallel: z.boolean(),
        } satisfies InputShape<RoutingStepInput>),
      )
      .min(1, "needs at least one step"),
    billOfMaterials: z.array(z.object({ materialId: zId, quantityPer: zQuantity } satisfies InputShape<BomLineInput>)),
  } satisfies InputShape<CreateProductInput>)
  .superRefine((v, ctx) => {
    const seqs = v.routing.map((s) => s.sequence);
    if (new Set(seqs).size !== seqs.length) ctx.addIssue({ code: "custom", path: ["routing"], message: "step sequences must be unique" });
    const mats = v.billOfMaterials.map((l) => l.materialId);
    if (new Set(mats).size !== mats.length) ctx.addIssue({ code: "custom", path: ["billOfMaterials"], message: "each material may appear once" });
  });

/** Creates a product with its routing and bill of materials in one nested create: all or nothing. */
export function createProduct(db: ProductionDb, organizationId: string, input: z.output<typeof createProductInput>): Promise<Product> {
  const tenant = { organizationId, plantId: input.plantId };
  return db.product.create({
    data: {
      ...tenant,
      code: input.code,
      name: input.name,
      unitOfMeasure: input.unitOfMeasure,
      routingSteps: { create: input.routing.map((s) => ({ ...tenant, ...s })) },
      bomLines: { create: input.billOfMaterials.map((l) => ({ ...tenant, ...l })) },
    },
  });
}
