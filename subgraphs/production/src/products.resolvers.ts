import { orderByOf, paginate, parseInput, requireId, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { createProduct, createProductInput } from "./products.ts";

/** Columns of ProductOrderField; left out, by code. */
const PRODUCT_ORDER = { CODE: "code", NAME: "name", CREATED_AT: "createdAt" } as const;

export const productsResolvers = {
  Query: {
    product: (_, { id }, ctx) => ctx.loaders.product.load(requireId(id)),
    products: (_, args, ctx) => {
      const where = args.plantId != null ? { plantId: requireId(args.plantId, "plantId") } : {};
      return paginate(
        args,
        (w) => ctx.db.product.findMany({ where, orderBy: orderByOf(args.orderBy, PRODUCT_ORDER, [{ code: "asc" }]), ...w }),
        () => ctx.db.product.count({ where }),
      );
    },
  },
  Mutation: {
    createProduct: (_, args, ctx) => createProduct(ctx.db, ctx.tenant.organizationId, parseInput(createProductInput, args.input)),
  },
  Product: {
    __resolveReference: (ref, ctx) => ctx.loaders.product.load(ref.id),
    plant: (p) => entityRef("Plant", p.plantId),
    routing: (p, _, ctx) => ctx.loaders.routingOfProduct.load(p.id),
    billOfMaterials: (p, _, ctx) => ctx.loaders.bomOfProduct.load(p.id),
  },
  RoutingStep: {
    workCenter: (s) => entityRef("WorkCenter", s.workCenterId),
    setupMinutes: (s) => s.setupMinutes.toNumber(),
    cycleTimeSeconds: (s) => s.cycleTimeSeconds.toNumber(),
  },
  BomLine: {
    material: (l) => entityRef("Material", l.materialId),
    quantityPer: (l) => l.quantityPer.toNumber(),
  },
} satisfies Resolvers;
