import type { Resolvers } from "./resolvers-types.generated.ts";

/**
 * Lookups by business key. The scoped client adds the caller's organization and plants, so an
 * NCR of another tenant answers null, like a missing one.
 */
export const lookupsResolvers = {
  Query: {
    ncrByNumber: (_, { number }, ctx) =>
      ctx.db.ncr.findUnique({ where: { organizationId_number: { organizationId: ctx.tenant.organizationId, number } } }),
  },
} satisfies Resolvers;
