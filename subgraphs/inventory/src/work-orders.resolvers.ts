import { badUserInput, entityRef, pageOfLoaded } from "@mes/shared";
import { Prisma } from "./generated/prisma/client.ts";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadAllRequired, loadRequired, type InventoryContext } from "./context.ts";
import { materialCostOf, netConsumed } from "./costing.ts";
import { settlementSummary, unitCostOf } from "./valuation.ts";
import { mergeRequirements, shortagesOf, type MaterialPosition } from "./shortages.ts";

/** Issues to and returns from a work order, oldest first: what its material cost and consumed lots are made of. */
const materialMoves = async (ctx: InventoryContext, workOrderId: string) =>
  (await ctx.loaders.movesOfWorkOrder.load(workOrderId)).filter((t) => t.type === "ISSUE" || t.type === "RETURN");

/** The material side of production's work orders: cost, issues and returns, reservations, lots. */
export const workOrdersResolvers = {
  WorkOrder: {
    // Inventory knows work orders only by the movements and reservations that name them, and by
    // what a representation brings along for materialShortages (@requires).
    __resolveReference: (r) => r,
    materialCost: async (w, _, ctx) => materialCostOf(await materialMoves(ctx, w.id)).toNumber(),
    // Paged from the movements materialCost loads anyway (one query for the order's whole material side).
    materialTransactions: async (w, args, ctx) => {
      const types = args.type?.length ? args.type : null;
      const moves = await ctx.loaders.movesOfWorkOrder.load(w.id);
      return pageOfLoaded(types ? moves.filter((t) => types.includes(t.type)) : moves, args, (t) => t.createdAt);
    },
    costSettlement: async (w, _, ctx) => {
      const [settled] = await ctx.loaders.settlementOfWorkOrder.load(w.id);
      return settled ? settlementSummary(settled.settledAt, await ctx.loaders.costMovesOfWorkOrder.load(w.id)) : null;
    },
    reservations: (w, _, ctx) => ctx.loaders.reservationsOfWorkOrder.load(w.id),
    consumedLots: async (w, _, ctx) => {
      const lotIds = netConsumed(await materialMoves(ctx, w.id), (t) => t.lotId);
      return loadAllRequired(ctx.loaders.lot, "Lot", lotIds);
    },
    producedLots: (w, _, ctx) => ctx.loaders.lotsProducedBy.load(w.id),
    materialShortages: async (w, _, ctx) => {
      if (!w.plant || !w.materialRequirements)
        throw badUserInput("materialShortages needs the work order's plant and materialRequirements (@requires): ask through the gateway");
      const plantId = w.plant.id;
      const lines = mergeRequirements(
        w.materialRequirements.map((r) => ({ materialId: r.material.id, requiredQuantity: new Prisma.Decimal(r.requiredQuantity) })),
      );
      // One batch (one SQL statement) for every order's lines resolved in this tick.
      const positions = await ctx.loaders.materialPosition.loadMany(lines.map((l) => ({ workOrderId: w.id, plantId, materialId: l.materialId })));
      const failed = positions.find((p) => p instanceof Error);
      if (failed) throw failed;
      return shortagesOf(w.status, lines, positions as MaterialPosition[]);
    },
  },
  MaterialShortage: {
    material: (s, _, ctx) => loadRequired(ctx.loaders.material, "Material", s.materialId),
    requiredQuantity: (s) => s.requiredQuantity.toNumber(),
    issuedQuantity: (s) => s.issuedQuantity.toNumber(),
    stillNeededQuantity: (s) => s.stillNeededQuantity.toNumber(),
    reservedQuantity: (s) => s.reservedQuantity.toNumber(),
    availableQuantity: (s) => s.availableQuantity.toNumber(),
    shortQuantity: (s) => s.shortQuantity.toNumber(),
  },
  CostSettlement: {
    materialCost: (s) => s.materialCost.toNumber(),
    producedQuantity: (s) => s.producedQuantity.toNumber(),
    unitCost: (s) => unitCostOf(s.materialCost, s.producedQuantity),
    provisionalValue: (s) => s.provisionalValue.toNumber(),
    variance: (s) => s.variance.toNumber(),
    capitalised: (s) => s.capitalised.toNumber(),
    expensed: (s) => s.variance.sub(s.capitalised).toNumber(),
  },
  Reservation: {
    material: (r, _, ctx) => loadRequired(ctx.loaders.material, "Material", r.materialId),
    workOrder: (r) => entityRef("WorkOrder", r.workOrderId),
    plant: (r) => entityRef("Plant", r.plantId),
    quantity: (r) => r.quantity.toNumber(),
  },
} satisfies Resolvers;
