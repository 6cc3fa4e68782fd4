import { entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadAllRequired, loadRequired } from "./context.ts";
import { materialCostOf } from "./costing.ts";

/** The material side of production's work orders: cost, issues and returns, reservations, lots. */
export const workOrdersResolvers = {
  WorkOrder: {
    // Inventory knows work orders only by the movements and reservations that name them.
    __resolveReference: (r) => ({ id: r.id }),
    materialCost: async (w, _, ctx) => materialCostOf(await ctx.loaders.materialMovesOfWorkOrder.load(w.id)).toNumber(),
    materialTransactions: (w, _, ctx) => ctx.loaders.materialMovesOfWorkOrder.load(w.id),
    reservations: (w, _, ctx) => ctx.loaders.reservationsOfWorkOrder.load(w.id),
    consumedLots: async (w, _, ctx) => {
      const lotIds = [...new Set((await ctx.loaders.materialMovesOfWorkOrder.load(w.id)).filter((t) => t.type === "ISSUE").map((t) => t.lotId))];
      return loadAllRequired(ctx.loaders.lot, "Lot", lotIds);
    },
    producedLots: (w, _, ctx) => ctx.loaders.lotsProducedBy.load(w.id),
  },
  Reservation: {
    material: (r, _, ctx) => loadRequired(ctx.loaders.material, "Material", r.materialId),
    workOrder: (r) => entityRef("WorkOrder", r.workOrderId),
    plant: (r) => entityRef("Plant", r.plantId),
    quantity: (r) => r.quantity.toNumber(),
  },
} satisfies Resolvers;
