import { z } from "zod";
import { Prisma } from "./generated/prisma/client.ts";
import { nestedPageKey, parseInput, requireId, withTx, zCode, zId, zName, zNonNegative, type InputShape, entityRef } from "@mes/shared";
import type { CreateLocationInput, CreateMaterialInput, Resolvers, UpdateMaterialInput } from "./resolvers-types.generated.ts";
import { plantKey } from "./context.ts";
import { createLocation, createMaterial, locationsAt, materialPage, updateMaterial } from "./materials.ts";
import { unitCostOf } from "./valuation.ts";
import { checkRange } from "./nested-lists.ts";

const zCostingMethod = z.enum(["FIFO", "MOVING_AVERAGE"]);

const createMaterialInput = z
  .object({
    code: zCode,
    description: zName,
    unitOfMeasure: zCode,
    reorderPoint: zNonNegative,
    safetyStock: zNonNegative,
    costingMethod: zCostingMethod,
  } satisfies InputShape<CreateMaterialInput>)
  .refine((v) => v.safetyStock <= v.reorderPoint, { path: ["safetyStock"], message: "must not exceed reorderPoint" });

const updateMaterialInput = z.object({
  description: zName.nullish(),
  costingMethod: zCostingMethod.nullish(),
} satisfies InputShape<UpdateMaterialInput>);

const createLocationInput = z.object({
  plantId: zId,
  code: zCode,
  name: zName,
  type: z.enum(["WAREHOUSE", "LINE_SIDE", "QUARANTINE", "SHIPPING"]),
} satisfies InputShape<CreateLocationInput>);

// An empty plantId is a mistake, not "across all plants": only an absent one means that.
const optionalPlant = (plantId?: string | null) => (plantId != null ? requireId(plantId, "plantId") : null);

/** Materials and locations, and a material's stock position (per plant or across plants). */
export const materialsResolvers = {
  Query: {
    material: (_, { id }, ctx) => ctx.loaders.material.load(requireId(id)),
    materials: (_, args, ctx) => materialPage(ctx.db, args),
    locations: (_, { plantId }, ctx) => locationsAt(ctx.db, optionalPlant(plantId)),
  },
  Mutation: {
    createMaterial: (_, args, ctx) => createMaterial(ctx.db, ctx.tenant.organizationId, parseInput(createMaterialInput, args.input)),
    updateMaterial: (_, args, ctx) => {
      const id = requireId(args.id);
      const input = parseInput(updateMaterialInput, args.input);
      return withTx(ctx.db, (tx) => updateMaterial(tx, id, input));
    },
    createLocation: (_, args, ctx) => createLocation(ctx.db, ctx.tenant.organizationId, parseInput(createLocationInput, args.input)),
  },
  Material: {
    __resolveReference: (r, ctx) => ctx.loaders.material.load(r.id),
    reorderPoint: (m) => m.reorderPoint.toNumber(),
    safetyStock: (m) => m.safetyStock.toNumber(),
    stockValue: async (m, args, ctx) => (await ctx.loaders.valueOfMaterial.load(plantKey(m.id, optionalPlant(args.plantId)))).toNumber(),
    unitCost: async (m, args, ctx) => {
      const key = plantKey(m.id, requireId(args.plantId, "plantId"));
      const [value, onHand] = await Promise.all([ctx.loaders.valueOfMaterial.load(key), ctx.loaders.onHandOfMaterial.load(key)]);
      return unitCostOf(value, onHand);
    },
    onHand: async (m, args, ctx) => (await ctx.loaders.onHandOfMaterial.load(plantKey(m.id, optionalPlant(args.plantId)))).toNumber(),
    stock: (m, args, ctx) => ctx.loaders.stockOfMaterialPage.load(nestedPageKey(m.id, { plantId: optionalPlant(args.plantId) }, args)),
    lots: (m, args, ctx) => {
      checkRange(args.from, args.to);
      const filter = { plantId: optionalPlant(args.plantId), from: args.from ?? null, to: args.to ?? null };
      return ctx.loaders.lotsOfMaterialPage.load(nestedPageKey(m.id, filter, args));
    },
    reserved: async (m, args, ctx) => (await ctx.loaders.reservedOfMaterial.load(plantKey(m.id, requireId(args.plantId, "plantId")))).toNumber(),
    available: async (m, args, ctx) => {
      const key = plantKey(m.id, requireId(args.plantId, "plantId"));
      const [onHand, reserved] = await Promise.all([ctx.loaders.onHandOfMaterial.load(key), ctx.loaders.reservedOfMaterial.load(key)]);
      return onHand.sub(reserved).toNumber();
    },
    stockAlert: async (m, args, ctx) => (await ctx.loaders.alertsOfMaterial.load(plantKey(m.id, requireId(args.plantId, "plantId"))))[0] ?? null,
  },
  Location: {
    __resolveReference: (r, ctx) => ctx.loaders.location.load(r.id),
    plant: (l) => entityRef("Plant", l.plantId),
    stock: (l, args, ctx) => ctx.loaders.stockOfLocationPage.load(nestedPageKey(l.id, {}, args)),
    stockValue: async (l, _, ctx) => {
      const rows = await ctx.loaders.stockOfLocation.load(l.id);
      const values = await Promise.all(
        rows.map(async (r) => (await ctx.loaders.rowValuesOfMaterial.load(plantKey(r.materialId, r.plantId))).get(r.id)),
      );
      return values.reduce<Prisma.Decimal>((acc, v) => (v ? acc.add(v) : acc), new Prisma.Decimal(0)).toNumber();
    },
  },
} satisfies Resolvers;
