import { nestedPageKey, pageOfLoaded, parseInput, requireId, withTx, zText, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadRequired } from "./context.ts";
import { netConsumed, sumQuantity } from "./costing.ts";
import { ancestors, descendants, genealogyDepth } from "./genealogy.ts";
import { lotPage, setLotHold } from "./lots.ts";
import { checkRange } from "./nested-lists.ts";

/** Lots: their stock, holds, and genealogy (which work orders made and consumed them). */
export const lotsResolvers = {
  Query: {
    lot: (_, { id }, ctx) => ctx.loaders.lot.load(requireId(id)),
    lots: (_, args, ctx) => {
      checkRange(args.from, args.to);
      const filter = {
        from: args.from ?? null,
        to: args.to ?? null,
        plantId: args.plantId != null ? requireId(args.plantId, "plantId") : null,
        materialId: args.materialId != null ? requireId(args.materialId, "materialId") : null,
        status: args.status,
      };
      return lotPage(ctx.db, filter, args.orderBy, args);
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
    stock: (l, args, ctx) => ctx.loaders.stockOfLotPage.load(nestedPageKey(l.id, {}, args)),
    producedBy: (l) => entityRef("WorkOrder", l.producedByWorkOrderId),
    // Paged from the lot's issues and returns, which the net consumption needs whole anyway.
    consumedBy: async (l, args, ctx) => {
      const moves = await ctx.loaders.materialMovesOfLot.load(l.id);
      const firstIssued = new Map<string, Date>();
      for (const t of moves) if (t.workOrderId && !firstIssued.has(t.workOrderId)) firstIssued.set(t.workOrderId, t.createdAt);
      const consumers = netConsumed(moves, (t) => t.workOrderId).map((id) => ({ id, at: firstIssued.get(id)! }));
      return pageOfLoaded(
        consumers.map((c) => ({ ...entityRef("WorkOrder", c.id), at: c.at })),
        args,
        (c) => c.at,
      );
    },
    ancestors: (l, args, ctx) => ancestors(ctx.db, ctx.tenant, l.id, genealogyDepth(args.maxDepth)),
    descendants: (l, args, ctx) => descendants(ctx.db, ctx.tenant, l.id, genealogyDepth(args.maxDepth)),
  },
  GenealogyLink: {
    lot: (g, _, ctx) => loadRequired(ctx.loaders.lot, "Lot", g.lotId),
    workOrder: (g) => entityRef("WorkOrder", g.workOrderId),
  },
} satisfies Resolvers;
