import type { Resolvers } from "./resolvers-types.generated.ts";

/** Quality's part of a work order: its inspections and NCRs. */
export const workOrdersResolvers = {
  WorkOrder: {
    // Quality holds no work-order rows; any referenced id is a work order it may know inspections of.
    __resolveReference: (r) => ({ id: r.id }),
    inspections: (w, _, ctx) => ctx.loaders.inspectionsOfWorkOrder.load(w.id),
    lastInspection: async (w, _, ctx) => (await ctx.loaders.inspectionsOfWorkOrder.load(w.id))[0] ?? null,
    ncrs: (w, _, ctx) => ctx.loaders.ncrsOfWorkOrder.load(w.id),
  },
} satisfies Resolvers;
