import { requireId } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";

/**
 * Lookups by business key. The scoped client adds the caller's organization and plants, so an
 * entity of another tenant answers null, like a missing one.
 */
export const lookupsResolvers = {
  Query: {
    workOrderByNumber: (_, { number }, ctx) =>
      ctx.db.workOrder.findUnique({ where: { organizationId_number: { organizationId: ctx.tenant.organizationId, number } } }),
    productByCode: (_, args, ctx) =>
      ctx.db.product.findUnique({
        where: {
          organizationId_plantId_code: { organizationId: ctx.tenant.organizationId, plantId: requireId(args.plantId, "plantId"), code: args.code },
        },
      }),
  },
} satisfies Resolvers;
