import { requireId } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";

/**
 * Lookups by business key. The scoped client adds the caller's organization and plants, so an
 * entity of another tenant answers null, like a missing one.
 */
export const lookupsResolvers = {
  Query: {
    materialByCode: (_, { code }, ctx) =>
      ctx.db.material.findUnique({ where: { organizationId_code: { organizationId: ctx.tenant.organizationId, code } } }),
    lotByNumber: (_, args, ctx) =>
      ctx.db.lot.findUnique({
        where: {
          organizationId_materialId_lotNumber: {
            organizationId: ctx.tenant.organizationId,
            materialId: requireId(args.materialId, "materialId"),
            lotNumber: args.lotNumber,
          },
        },
      }),
  },
} satisfies Resolvers;
