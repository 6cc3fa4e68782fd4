import { childPageKey } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";

/** Quality's part of a work order: its inspections and NCRs. */
export const workOrdersResolvers = {
  WorkOrder: {
    // Quality holds no work-order rows; any referenced id is a work order it may know inspections of.
    __resolveReference: (r) => ({ id: r.id }),
    inspections: (w, args, ctx) => ctx.loaders.inspectionsOfWorkOrder.load(childPageKey(w.id, args)),
    lastInspection: async (w, _, ctx) => (await ctx.loaders.inspectionsOfWorkOrder.load(childPageKey(w.id, { limit: 1 }))).items[0] ?? null,
    ncrs: (w, args, ctx) => ctx.loaders.ncrsOfWorkOrder.load(childPageKey(w.id, args)),
  },
} satisfies Resolvers;
