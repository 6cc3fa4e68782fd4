import { decimalToNumber, entityRef, parseInput, requireId, requireWindow } from "@mes/shared";
import { capabilityOf, capabilityReadings } from "./capability.ts";
import { createInspectionPlan, createInspectionPlanInput, listPlans } from "./inspection-plans.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";

export const inspectionPlansResolvers = {
  Query: {
    inspectionPlan: (_, { id }, ctx) => ctx.loaders.plan.load(requireId(id)),
    inspectionPlans: (_, { plantId }, ctx) => listPlans(ctx.db, plantId != null ? requireId(plantId, "plantId") : null),
  },
  Mutation: {
    createInspectionPlan: (_, { input }, ctx) =>
      createInspectionPlan(ctx.db, ctx.tenant.organizationId, parseInput(createInspectionPlanInput, input)),
  },
  InspectionPlan: {
    __resolveReference: (r, ctx) => ctx.loaders.plan.load(r.id),
    // Every plan has a plant (entityRef is for the optional references).
    plant: (p) => ({ id: p.plantId }),
    workCenter: (p) => entityRef("WorkCenter", p.workCenterId),
    product: (p) => entityRef("Product", p.productId),
    material: (p) => entityRef("Material", p.materialId),
    characteristics: (p, _, ctx) => ctx.loaders.characteristicsOfPlan.load(p.id),
  },
  Characteristic: {
    nominal: (c) => decimalToNumber(c.nominal),
    lowerLimit: (c) => decimalToNumber(c.lowerLimit),
    upperLimit: (c) => decimalToNumber(c.upperLimit),
    capability: async (c, { from, to }, ctx) => {
      requireWindow(from, to, 366);
      if (c.kind !== "NUMERIC") return null;
      const values = await capabilityReadings(ctx.db, c.id, from, to);
      return { from, to, ...capabilityOf(values, decimalToNumber(c.lowerLimit), decimalToNumber(c.upperLimit)) };
    },
  },
} satisfies Resolvers;
