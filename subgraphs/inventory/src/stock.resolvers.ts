import { parseInput, requireId, withTx, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadAllRequired, loadRequired, plantKey, type InventoryContext, type InventoryTx } from "./context.ts";
import { sumCost, sumQuantity, transactionUnitCost } from "./costing.ts";
import { adjust, issue, receive, returnToStock, scrap, transfer, type Movement } from "./stock.ts";
import { costLayerPage, transactionPage, unitCostOf, valuationPage } from "./valuation.ts";
import { checkRange } from "./nested-lists.ts";
import { adjustInput, issueInput, receiptInput, returnInput, scrapInput, transferInput } from "./stock-input.ts";

/** Every stock mutation is one transaction: movement, cost layers, alerts and events commit together. */
const move = (ctx: InventoryContext, fn: (tx: InventoryTx) => Promise<Movement>) => withTx(ctx.db, fn);

// An empty or malformed id is the caller's mistake, named by its argument, never "no filter".
const optionalId = (value: string | null | undefined, name: string) => (value != null ? requireId(value, name) : null);

const transactionsOf = (m: Movement, ctx: InventoryContext) => loadAllRequired(ctx.loaders.transaction, "StockTransaction", m.transactionIds);

/** Stock movements (receipt, issue, return, adjustment, scrap, transfer), their transactions and stock rows. */
export const stockResolvers = {
  Query: {
    stockTransactions: (_, args, ctx) => {
      checkRange(args.from, args.to);
      const filter = {
        plantId: optionalId(args.plantId, "plantId"),
        materialId: optionalId(args.materialId, "materialId"),
        lotId: optionalId(args.lotId, "lotId"),
        workOrderId: optionalId(args.workOrderId, "workOrderId"),
        type: args.type ?? null,
        from: args.from ?? null,
        to: args.to ?? null,
      };
      return transactionPage(ctx.db, filter, args.orderBy, args);
    },
    stockValuation: (_, args, ctx) => valuationPage(ctx.db, ctx.tenant, optionalId(args.plantId, "plantId"), args.orderBy, args),
    costLayers: (_, args, ctx) => {
      const filter = {
        materialId: requireId(args.materialId, "materialId"),
        plantId: optionalId(args.plantId, "plantId"),
        includeEmpty: args.includeEmpty ?? false,
      };
      return costLayerPage(ctx.db, filter, args.orderBy, args);
    },
  },
  Mutation: {
    receiveStock: (_, args, ctx) => {
      const input = parseInput(receiptInput, args.input);
      return move(ctx, (tx) => receive(tx, input, ctx.actor));
    },
    issueStock: (_, args, ctx) => {
      const input = parseInput(issueInput, args.input);
      return move(ctx, (tx) => issue(tx, input, ctx.actor));
    },
    returnStock: (_, args, ctx) => {
      const input = parseInput(returnInput, args.input);
      return move(ctx, (tx) => returnToStock(tx, input, ctx.actor));
    },
    adjustStock: (_, args, ctx) => {
      const input = parseInput(adjustInput, args.input);
      return move(ctx, (tx) => adjust(tx, input, ctx.actor));
    },
    scrapStock: (_, args, ctx) => {
      const input = parseInput(scrapInput, args.input);
      return move(ctx, (tx) => scrap(tx, input, ctx.actor));
    },
    transferStock: (_, args, ctx) => {
      const input = parseInput(transferInput, args.input);
      return move(ctx, (tx) => transfer(tx, input, ctx.actor));
    },
  },
  StockMovement: {
    transactions: (m, _, ctx) => transactionsOf(m, ctx),
    quantity: async (m, _, ctx) => sumQuantity(await transactionsOf(m, ctx)).toNumber(),
    totalCost: async (m, _, ctx) => sumCost(await transactionsOf(m, ctx)).toNumber(),
  },
  StockTransaction: {
    plant: (t) => entityRef("Plant", t.plantId),
    material: (t, _, ctx) => loadRequired(ctx.loaders.material, "Material", t.materialId),
    lot: (t, _, ctx) => loadRequired(ctx.loaders.lot, "Lot", t.lotId),
    location: (t, _, ctx) => loadRequired(ctx.loaders.location, "Location", t.locationId),
    toLocation: (t, _, ctx) => (t.toLocationId ? ctx.loaders.location.load(t.toLocationId) : null),
    workOrder: (t) => entityRef("WorkOrder", t.workOrderId),
    quantity: (t) => t.quantity.toNumber(),
    totalCost: (t) => t.totalCost.toNumber(),
    unitCost: (t) => transactionUnitCost(t),
    variance: (t) => t.variance?.toNumber() ?? null,
    settles: (t, _, ctx) => (t.settlesTransactionId ? ctx.loaders.transaction.load(t.settlesTransactionId) : null),
  },
  Stock: {
    plant: (s) => entityRef("Plant", s.plantId),
    material: (s, _, ctx) => loadRequired(ctx.loaders.material, "Material", s.materialId),
    location: (s, _, ctx) => loadRequired(ctx.loaders.location, "Location", s.locationId),
    lot: (s, _, ctx) => loadRequired(ctx.loaders.lot, "Lot", s.lotId),
    quantity: (s) => s.quantity.toNumber(),
    value: async (s, _, ctx) => (await ctx.loaders.rowValuesOfMaterial.load(plantKey(s.materialId, s.plantId))).get(s.id)?.toNumber() ?? 0,
  },
  CostLayer: {
    plant: (l) => entityRef("Plant", l.plantId),
    material: (l, _, ctx) => loadRequired(ctx.loaders.material, "Material", l.materialId),
    source: (l, _, ctx) => ctx.loaders.transaction.load(l.sourceTransactionId),
    originalQuantity: (l) => l.originalQuantity.toNumber(),
    remainingQuantity: (l) => l.remainingQuantity.toNumber(),
    remainingValue: (l) => l.remainingValue.toNumber(),
    unitCost: (l) => l.unitCost.toNumber(),
  },
  MaterialValuation: {
    material: (v, _, ctx) => loadRequired(ctx.loaders.material, "Material", v.materialId),
    plant: (v) => entityRef("Plant", v.plantId),
    quantity: (v) => v.quantity.toNumber(),
    value: (v) => v.value.toNumber(),
    unitCost: (v) => unitCostOf(v.value, v.quantity),
  },
} satisfies Resolvers;
