import { requireId } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";

/**
 * Lookups by business key. The scoped client adds the caller's organization and plants, so an
 * entity of another tenant answers null, like a missing one.
 */
export const lookupsResolvers = {
  Query: {
    machineByCode: (_, args, ctx) =>
      ctx.db.machine.findUnique({ where: { plantId_code: { plantId: requireId(args.plantId, "plantId"), code: args.code } } }),
    plantByCode: (_, { code }, ctx) =>
      ctx.db.plant.findUnique({ where: { organizationId_code: { organizationId: ctx.tenant.organizationId, code } } }),
  },
} satisfies Resolvers;
