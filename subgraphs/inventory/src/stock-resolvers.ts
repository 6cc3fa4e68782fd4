import { z } from "zod";
import { badUserInput, decimalToNumber, entityRef, paginate, parseInput, requireId, zCode, zDate, zId, zQuantity, zText } from "@mes/shared";
import { Prisma, type Lot, type Material, type StockAlert, type StockTransaction, type StockTransactionType, type Reservation } from "./generated/prisma/client.ts";
import { plantKey, type InventoryContext } from "./context.ts";
import { adjust, issue, receive, returnToStock, scrap, setLotHold, transfer, type Movement } from "./stock.ts";
import { ancestors, descendants, MAX_GENEALOGY_DEPTH, type GenealogyLink } from "./genealogy.ts";
import type { Tx } from "./alerts.ts";

const reason = zText;
const receiptInput = z.object({
  materialId: zId, locationId: zId, lotNumber: zCode, quantity: zQuantity,
  unitCost: z.number().finite().min(0, "must not be negative").nullish(),
  supplier: z.string().trim().max(200).nullish(), expiresAt: zDate.nullish(), workOrderId: zId.nullish(),
});
const issueInput = z.object({ materialId: zId, workOrderId: zId, quantity: zQuantity, plantId: zId.nullish(), locationId: zId.nullish(), lotId: zId.nullish() });
const returnInput = z.object({ materialId: zId, workOrderId: zId, lotId: zId, locationId: zId, quantity: zQuantity });
const adjustInput = z.object({
  materialId: zId, lotId: zId, locationId: zId, reason,
  quantityChange: z.number().finite().refine((v) => v !== 0, "must not be 0"),
  unitCost: z.number().finite().min(0, "must not be negative").nullish(),
});
const scrapInput = z.object({ materialId: zId, lotId: zId, locationId: zId, quantity: zQuantity, reason });
const transferInput = z.object({ materialId: zId, lotId: zId, fromLocationId: zId, toLocationId: zId, quantity: zQuantity });

const SEVERITY_ORDER = { STOCKOUT: 0, BELOW_SAFETY_STOCK: 1, BELOW_REORDER_POINT: 2 } as const;
const sumOf = (rows: { quantity: Prisma.Decimal }[]) => rows.reduce((acc, r) => acc.add(r.quantity), new Prisma.Decimal(0));

/** Every stock mutation is one transaction: movement, cost layers, alerts and events commit together. */
function move(ctx: InventoryContext, fn: (tx: Tx) => Promise<Movement>) {
  return ctx.db.$transaction((tx) => fn(tx as Tx));
}

function depthOf(maxDepth?: number | null): number {
  const depth = maxDepth ?? MAX_GENEALOGY_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_GENEALOGY_DEPTH) {
    throw badUserInput(`maxDepth must be between 1 and ${MAX_GENEALOGY_DEPTH}`, [{ field: "maxDepth", message: `must be between 1 and ${MAX_GENEALOGY_DEPTH}` }]);
  }
  return depth;
}

interface TransactionFilter { plantId?: string | null; materialId?: string | null; lotId?: string | null; workOrderId?: string | null; type?: StockTransactionType[] | null }

export const stockResolvers = {
  Query: {
    stockAlerts: async (_: unknown, { plantId }: { plantId: string }, ctx: InventoryContext) => {
      const alerts = await ctx.db.stockAlert.findMany({ where: { plantId: requireId(plantId, "plantId"), clearedAt: null }, orderBy: { openedAt: "asc" } });
      return alerts.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    },
    stockTransactions: (_: unknown, args: { filter?: TransactionFilter | null; limit?: number; offset?: number }, ctx: InventoryContext) => {
      const f = args.filter ?? {};
      const where: Prisma.StockTransactionWhereInput = {
        ...(f.plantId ? { plantId: requireId(f.plantId, "filter.plantId") } : {}),
        ...(f.materialId ? { materialId: requireId(f.materialId, "filter.materialId") } : {}),
        ...(f.lotId ? { lotId: requireId(f.lotId, "filter.lotId") } : {}),
        ...(f.workOrderId ? { workOrderId: requireId(f.workOrderId, "filter.workOrderId") } : {}),
        ...(f.type?.length ? { type: { in: f.type } } : {}),
      };
      return paginate(args, (w) => ctx.db.stockTransaction.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...w }), () => ctx.db.stockTransaction.count({ where }));
    },
  },
  Mutation: {
    receiveStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(receiptInput, a.input);
      return move(ctx, (tx) => receive(tx, input, ctx.actor));
    },
    issueStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(issueInput, a.input);
      return move(ctx, (tx) => issue(tx, input, ctx.actor));
    },
    returnStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(returnInput, a.input);
      return move(ctx, (tx) => returnToStock(tx, input, ctx.actor));
    },
    adjustStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(adjustInput, a.input);
      return move(ctx, (tx) => adjust(tx, input, ctx.actor));
    },
    scrapStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(scrapInput, a.input);
      return move(ctx, (tx) => scrap(tx, input, ctx.actor));
    },
    transferStock: (_: unknown, a: { input: unknown }, ctx: InventoryContext) => {
      const input = parseInput(transferInput, a.input);
      return move(ctx, (tx) => transfer(tx, input, ctx.actor));
    },
    holdLot: (_: unknown, a: { lotId: string; reason: string }, ctx: InventoryContext) => {
      const why = parseInput(reason, a.reason, "reason");
      return ctx.db.$transaction((tx) => setLotHold(tx as Tx, requireId(a.lotId, "lotId"), why));
    },
    releaseLot: (_: unknown, a: { lotId: string }, ctx: InventoryContext) =>
      ctx.db.$transaction((tx) => setLotHold(tx as Tx, requireId(a.lotId, "lotId"), null)),
  },
  StockMovement: {
    transactions: async (m: Movement, _: unknown, ctx: InventoryContext) => ctx.loaders.transaction.loadMany(m.transactionIds),
    quantity: async (m: Movement, _: unknown, ctx: InventoryContext) =>
      sumOf((await ctx.loaders.transaction.loadMany(m.transactionIds)) as StockTransaction[]).toNumber(),
    totalCost: async (m: Movement, _: unknown, ctx: InventoryContext) =>
      ((await ctx.loaders.transaction.loadMany(m.transactionIds)) as StockTransaction[]).reduce((acc, t) => acc.add(t.totalCost), new Prisma.Decimal(0)).toNumber(),
  },
  StockTransaction: {
    plant: (t: StockTransaction) => entityRef("Plant", t.plantId),
    material: (t: StockTransaction, _: unknown, ctx: InventoryContext) => ctx.loaders.material.load(t.materialId),
    lot: (t: StockTransaction, _: unknown, ctx: InventoryContext) => ctx.loaders.lot.load(t.lotId),
    location: (t: StockTransaction, _: unknown, ctx: InventoryContext) => ctx.loaders.location.load(t.locationId),
    toLocation: (t: StockTransaction, _: unknown, ctx: InventoryContext) => (t.toLocationId ? ctx.loaders.location.load(t.toLocationId) : null),
    workOrder: (t: StockTransaction) => entityRef("WorkOrder", t.workOrderId),
    quantity: (t: StockTransaction) => decimalToNumber(t.quantity),
    totalCost: (t: StockTransaction) => decimalToNumber(t.totalCost),
    unitCost: (t: StockTransaction) => (t.quantity.isZero() || t.type === "TRANSFER" ? null : t.totalCost.div(t.quantity).toDecimalPlaces(6).toNumber()),
  },
  StockAlert: {
    plant: (a: StockAlert) => entityRef("Plant", a.plantId),
    material: (a: StockAlert, _: unknown, ctx: InventoryContext) => ctx.loaders.material.load(a.materialId),
    available: (a: StockAlert) => decimalToNumber(a.available),
  },
  Reservation: {
    material: (r: Reservation, _: unknown, ctx: InventoryContext) => ctx.loaders.material.load(r.materialId),
    workOrder: (r: Reservation) => entityRef("WorkOrder", r.workOrderId),
    plant: (r: Reservation) => entityRef("Plant", r.plantId),
    quantity: (r: Reservation) => decimalToNumber(r.quantity),
  },
  GenealogyLink: {
    lot: (l: GenealogyLink, _: unknown, ctx: InventoryContext) => ctx.loaders.lot.load(l.lotId),
    workOrder: (l: GenealogyLink) => entityRef("WorkOrder", l.workOrderId),
  },
  WorkOrder: {
    // Inventory knows work orders only by the movements and reservations that name them.
    __resolveReference: (r: { id: string }) => ({ id: r.id }),
    materialCost: async (w: { id: string }, _: unknown, ctx: InventoryContext) =>
      (await ctx.loaders.materialMovesOfWorkOrder.load(w.id)).reduce((acc, t) => acc.sub(t.totalCost), new Prisma.Decimal(0)).toNumber(),
    materialTransactions: (w: { id: string }, _: unknown, ctx: InventoryContext) => ctx.loaders.materialMovesOfWorkOrder.load(w.id),
    reservations: (w: { id: string }, _: unknown, ctx: InventoryContext) => ctx.loaders.reservationsOfWorkOrder.load(w.id),
    consumedLots: async (w: { id: string }, _: unknown, ctx: InventoryContext) => {
      const lotIds = [...new Set((await ctx.loaders.materialMovesOfWorkOrder.load(w.id)).filter((t) => t.type === "ISSUE").map((t) => t.lotId))];
      return ctx.loaders.lot.loadMany(lotIds);
    },
    producedLots: (w: { id: string }, _: unknown, ctx: InventoryContext) => ctx.loaders.lotsProducedBy.load(w.id),
  },
};

/** Fields the stock side adds to Material and Lot. */
export const stockFields = {
  Material: {
    reserved: async (m: Material, a: { plantId: string }, ctx: InventoryContext) =>
      (await ctx.loaders.reservedOfMaterial.load(plantKey(m.id, requireId(a.plantId, "plantId")))).toNumber(),
    available: async (m: Material, a: { plantId: string }, ctx: InventoryContext) => {
      const key = plantKey(m.id, requireId(a.plantId, "plantId"));
      const [onHand, reserved] = await Promise.all([ctx.loaders.onHandOfMaterial.load(key), ctx.loaders.reservedOfMaterial.load(key)]);
      return onHand.sub(reserved).toNumber();
    },
    stockAlert: async (m: Material, a: { plantId: string }, ctx: InventoryContext) =>
      (await ctx.loaders.alertsOfMaterial.load(plantKey(m.id, requireId(a.plantId, "plantId"))))[0] ?? null,
  },
  Lot: {
    producedBy: (l: Lot) => entityRef("WorkOrder", l.producedByWorkOrderId),
    consumedBy: async (l: Lot, _: unknown, ctx: InventoryContext) =>
      [...new Set((await ctx.loaders.issuesOfLot.load(l.id)).map((t) => t.workOrderId!))].map((id) => entityRef("WorkOrder", id)),
    ancestors: (l: Lot, a: { maxDepth?: number | null }, ctx: InventoryContext) => ancestors(ctx.db, ctx.tenant, l.id, depthOf(a.maxDepth)),
    descendants: (l: Lot, a: { maxDepth?: number | null }, ctx: InventoryContext) => descendants(ctx.db, ctx.tenant, l.id, depthOf(a.maxDepth)),
  },
};
