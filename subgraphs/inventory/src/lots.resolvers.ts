import { parseInput, requireId, withTx, zText, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadRequired } from "./context.ts";
import { netConsumed, sumQuantity } from "./costing.ts";
import { ancestors, descendants, genealogyDepth } from "./genealogy.ts";
import { lotPage, setLotHold } from "./lots.ts";

/** Lots: their stock, holds, and genealogy (which work orders made and consumed them). */
export const lotsResolvers = {
  Query: {
    lot: (_, { id }, ctx) => ctx.loaders.lot.load(requireId(id)),
    lots: (_, args, ctx) => {
      const filter = {
        plantId: args.plantId != null ? requireId(args.plantId, "plantId") : null,
        materialId: args.materialId != null ? requireId(args.materialId, "materialId") : null,
        status: args.status,
      };
      return lotPage(ctx.db, filter, args);
    },
  },
  Mutation: {
    holdLot: (_, args, ctx) => {
      const reason = parseInput(zText, args.reason, "reason");
      return withTx(ctx.db, (tx) => setLotHold(tx, requireId(args.lotId, "lotId"), reason));
    },
    releaseLot: (_, args, ctx) => withTx(ctx.db, (tx) => setLotHold(tx, requireId(args.lotId, "lotId"), null)),
  },
  Lot: {
    __resolveReference: (r, ctx) => ctx.loaders.lot.load(r.id),
    plant: (l) => entityRef("Plant", l.plantId),
    material: (l, _, ctx) => loadRequired(ctx.loaders.material, "Material", l.materialId),
    onHand: async (l, _, ctx) => sumQuantity(await ctx.loaders.stockOfLot.load(l.id)).toNumber(),
    stock: (l, _, ctx) => ctx.loaders.stockOfLot.load(l.id),
    producedBy: (l) => entityRef("WorkOrder", l.producedByWorkOrderId),
    consumedBy: async (l, _, ctx) => {
      const workOrderIds = netConsumed(await ctx.loaders.materialMovesOfLot.load(l.id), (t) => t.workOrderId);
      return workOrderIds.map((id) => entityRef("WorkOrder", id));
    },
    ancestors: (l, args, ctx) => ancestors(ctx.db, ctx.tenant, l.id, genealogyDepth(args.maxDepth)),
    descendants: (l, args, ctx) => descendants(ctx.db, ctx.tenant, l.id, genealogyDepth(args.maxDepth)),
  },
  GenealogyLink: {
    lot: (g, _, ctx) => loadRequired(ctx.loaders.lot, "Lot", g.lotId),
    workOrder: (g) => entityRef("WorkOrder", g.workOrderId),
  },
} satisfies Resolvers;
