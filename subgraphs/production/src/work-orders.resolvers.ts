import { orderByOf, paginate, parseInput, requireId, withTx, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { createWorkOrder, createWorkOrderInput, WORK_ORDER_ORDER, workOrderWhere } from "./work-orders.ts";

export const workOrdersResolvers = {
  Query: {
    workOrder: (_, { id }, ctx) => ctx.loaders.workOrder.load(requireId(id)),
    workOrders: (_, args, ctx) => {
      const where = workOrderWhere(args);
      const orderBy = orderByOf(args.orderBy, WORK_ORDER_ORDER, [{ dueDate: "asc" }]);
      return paginate(
        args,
        (w) => ctx.db.workOrder.findMany({ where, orderBy, ...w }),
        () => ctx.db.workOrder.count({ where }),
      );
    },
  },
  Mutation: {
    createWorkOrder: (_, args, ctx) => {
      const input = parseInput(createWorkOrderInput, args.input);
      return withTx(ctx.db, (tx) => createWorkOrder(tx, input));
    },
  },
  WorkOrder: {
    __resolveReference: (ref, ctx) => ctx.loaders.workOrder.load(ref.id),
    plant: (w) => entityRef("Plant", w.plantId),
    product: (w, _, ctx) => loadReferenced(ctx.loaders.product, "Product", w.productId),
    quantity: (w) => w.quantity.toNumber(),
    operations: (w, _, ctx) => ctx.loaders.operationsOfWorkOrder.load(w.id),
    goodQuantity: async (w, _, ctx) => {
      // What the order made is what its last operation made.
      const ops = await ctx.loaders.operationsOfWorkOrder.load(w.id);
      return ops.length ? ops.at(-1)!.goodQuantity.toNumber() : 0;
    },
    scrapQuantity: async (w, _, ctx) =>
      (await ctx.loaders.operationsOfWorkOrder.load(w.id)).reduce((sum, op) => sum + op.scrapQuantity.toNumber(), 0),
    materialRequirements: async (w, _, ctx) =>
      (await ctx.loaders.bomOfProduct.load(w.productId)).map((line) => ({
        materialId: line.materialId,
        quantityPer: line.quantityPer,
        requiredQuantity: line.quantityPer.mul(w.quantity),
      })),
  },
  MaterialRequirement: {
    material: (r) => entityRef("Material", r.materialId),
    quantityPer: (r) => r.quantityPer.toNumber(),
    requiredQuantity: (r) => r.requiredQuantity.toNumber(),
  },
} satisfies Resolvers;
