import { z } from "zod";
import {
  liveField, type FeedEvent, badUserInput, entityRef, decimalToNumber, notFound, paginate, parseInput, requireId, scalarResolvers,
  zCode, zDate, zId, zName, zNonNegative, zQuantity, type Resolvers,
} from "@mes/shared";
import { Prisma, type Location, type Lot, type Material, type Stock } from "./generated/prisma/client.ts";
import { plantKey, type InventoryContext } from "./context.ts";
import { stockFields, stockResolvers } from "./stock-resolvers.ts";

const optionalPlant = (plantId?: string | null) => (plantId ? requireId(plantId, "plantId") : null);

const createMaterialInput = z.object({
  code: zCode,
  description: zName,
  unitOfMeasure: zCode,
  reorderPoint: zNonNegative,
  safetyStock: zNonNegative,
}).refine((v) => v.safetyStock <= v.reorderPoint, { path: ["safetyStock"], message: "must not exceed reorderPoint" });

const createLocationInput = z.object({
  plantId: zId,
  code: zCode,
  name: zName,
  type: z.enum(["WAREHOUSE", "LINE_SIDE", "QUARANTINE", "SHIPPING"]),
});

const sum = (rows: { quantity: Prisma.Decimal }[]) => rows.reduce((acc, r) => acc.add(r.quantity), new Prisma.Decimal(0)).toNumber();

interface StockArgs { plantId?: string | null; materialId?: string | null; after?: string | null }
const stockMatches = (e: FeedEvent, a: StockArgs) => (!a.plantId || e.plantId === a.plantId) && (!a.materialId || e.aggregateId === a.materialId);
const stockEvent = (e: FeedEvent) => {
  const p = e.payload as Record<string, string | null>;
  const num = (k: string) => Number(p[k]);
  return { ...p, plantId: e.plantId, materialId: e.aggregateId, severity: p.severity ?? null, available: num("available"), onHand: num("onHand"), reserved: num("reserved"), reorderPoint: num("reorderPoint"), safetyStock: num("safetyStock") };
};

export const resolvers: Resolvers<InventoryContext> = {
  ...scalarResolvers,
  ...stockResolvers,
  Subscription: {
    lowStockAlert: liveField<StockArgs>(["LowStockAlert"], stockMatches, stockEvent),
    restocked: liveField<StockArgs>(["Restocked"], stockMatches, stockEvent),
  },
  StockLevelEvent: {
    material: (e: { materialId: string }, _: unknown, ctx: InventoryContext) => ctx.loaders.material.load(e.materialId),
    plant: (e: { plantId: string }) => entityRef("Plant", e.plantId),
  },
  Query: {
    ...stockResolvers.Query,
    material: (_: unknown, { id }: { id: string }, ctx: InventoryContext) => ctx.loaders.material.load(requireId(id)),
    materials: (_: unknown, args: { search?: string | null; limit?: number; offset?: number }, ctx: InventoryContext) => {
      const search = args.search?.trim();
      const where: Prisma.MaterialWhereInput = {
        ...(search ? { OR: [{ code: { contains: search, mode: "insensitive" } }, { description: { contains: search, mode: "insensitive" } }] } : {}),
      };
      return paginate(args, (w) => ctx.db.material.findMany({ where, orderBy: [{ code: "asc" }, { id: "asc" }], ...w }), () => ctx.db.material.count({ where }));
    },
    locations: (_: unknown, { plantId }: { plantId: string }, ctx: InventoryContext) =>
      ctx.db.location.findMany({ where: { plantId: requireId(plantId, "plantId") }, orderBy: { code: "asc" } }),
    lot: (_: unknown, { id }: { id: string }, ctx: InventoryContext) => ctx.loaders.lot.load(requireId(id)),
    lots: (_: unknown, args: { plantId?: string | null; materialId?: string | null; status?: Lot["status"][] | null; limit?: number; offset?: number }, ctx: InventoryContext) => {
      const where: Prisma.LotWhereInput = {
        ...(args.plantId ? { plantId: requireId(args.plantId, "plantId") } : {}),
        ...(args.materialId ? { materialId: requireId(args.materialId, "materialId") } : {}),
        ...(args.status?.length ? { status: { in: args.status } } : {}),
      };
      return paginate(args, (w) => ctx.db.lot.findMany({ where, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], ...w }), () => ctx.db.lot.count({ where }));
    },
  },
  Mutation: {
    createMaterial(_: unknown, args: { input: unknown }, ctx: InventoryContext) {
      return ctx.db.material.create({ data: { ...parseInput(createMaterialInput, args.input), organizationId: ctx.tenant.organizationId } });
    },
    createLocation(_: unknown, args: { input: unknown }, ctx: InventoryContext) {
      return ctx.db.location.create({ data: { ...parseInput(createLocationInput, args.input), organizationId: ctx.tenant.organizationId } });
    },
    ...stockResolvers.Mutation,
  },
  Material: {
    ...stockFields.Material,
    __resolveReference: (r: { id: string }, ctx: InventoryContext) => ctx.loaders.material.load(r.id),
    reorderPoint: (m: Material) => decimalToNumber(m.reorderPoint),
    safetyStock: (m: Material) => decimalToNumber(m.safetyStock),
    onHand: async (m: Material, args: { plantId?: string | null }, ctx: InventoryContext) =>
      (await ctx.loaders.onHandOfMaterial.load(plantKey(m.id, optionalPlant(args.plantId)))).toNumber(),
    stock: (m: Material, args: { plantId?: string | null }, ctx: InventoryContext) =>
      ctx.loaders.stockOfMaterial.load(plantKey(m.id, optionalPlant(args.plantId))),
    lots: (m: Material, args: { plantId?: string | null }, ctx: InventoryContext) =>
      ctx.loaders.lotsOfMaterial.load(plantKey(m.id, optionalPlant(args.plantId))),
  },
  Location: {
    __resolveReference: (r: { id: string }, ctx: InventoryContext) => ctx.loaders.location.load(r.id),
    plant: (l: Location) => entityRef("Plant", l.plantId),
    stock: (l: Location, _: unknown, ctx: InventoryContext) => ctx.loaders.stockOfLocation.load(l.id),
  },
  Lot: {
    ...stockFields.Lot,
    __resolveReference: (r: { id: string }, ctx: InventoryContext) => ctx.loaders.lot.load(r.id),
    plant: (l: Lot) => entityRef("Plant", l.plantId),
    material: async (l: Lot, _: unknown, ctx: InventoryContext) => {
      const material = await ctx.loaders.material.load(l.materialId);
      if (!material) throw notFound("Material", l.materialId);
      return material;
    },
    onHand: async (l: Lot, _: unknown, ctx: InventoryContext) => sum(await ctx.loaders.stockOfLot.load(l.id)),
    stock: (l: Lot, _: unknown, ctx: InventoryContext) => ctx.loaders.stockOfLot.load(l.id),
  },
  Stock: {
    plant: (s: Stock) => entityRef("Plant", s.plantId),
    material: (s: Stock, _: unknown, ctx: InventoryContext) => ctx.loaders.material.load(s.materialId),
    location: (s: Stock, _: unknown, ctx: InventoryContext) => ctx.loaders.location.load(s.locationId),
    lot: (s: Stock, _: unknown, ctx: InventoryContext) => ctx.loaders.lot.load(s.lotId),
    quantity: (s: Stock) => decimalToNumber(s.quantity),
  },
};
