import { z } from "zod";
import {
  liveField, badUserInput, entityRef, decimalToNumber, notFound, paginate, parseInput, requireId, scalarResolvers,
  zCode, zDate, zId, zName, zNonNegative, zQuantity, type Resolvers,
} from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";
import type { BomLine, Operation, Product, RoutingStep, WorkOrder } from "./generated/prisma/client.ts";
import type { ProductionContext } from "./context.ts";
import { workflowFields, workflowResolvers } from "./workflow-resolvers.ts";


const createProductInput = z.object({
  plantId: zId,
  code: zCode,
  name: zName,
  unitOfMeasure: zCode,
  routing: z.array(z.object({
    sequence: z.number().int().positive("must be greater than 0"),
    name: zName,
    workCenterId: zId,
    setupMinutes: zNonNegative,
    cycleTimeSeconds: zQuantity,
    parallel: z.boolean(),
  })).min(1, "needs at least one step"),
  billOfMaterials: z.array(z.object({ materialId: zId, quantityPer: zQuantity })),
}).superRefine((v, ctx) => {
  const seqs = v.routing.map((s) => s.sequence);
  if (new Set(seqs).size !== seqs.length) ctx.addIssue({ code: "custom", path: ["routing"], message: "step sequences must be unique" });
  const mats = v.billOfMaterials.map((l) => l.materialId);
  if (new Set(mats).size !== mats.length) ctx.addIssue({ code: "custom", path: ["billOfMaterials"], message: "each material may appear once" });
});

const createWorkOrderInput = z.object({
  productId: zId,
  number: zCode,
  quantity: zQuantity,
  dueDate: zDate,
  plannedStart: zDate.nullish(),
  plannedEnd: zDate.nullish(),
  priority: z.number().int().min(1, "must be between 1 and 5").max(5, "must be between 1 and 5"),
}).refine((v) => !v.plannedStart || !v.plannedEnd || v.plannedStart < v.plannedEnd, {
  path: ["plannedEnd"], message: "must be after plannedStart",
});

interface WorkOrderFilter {
  plantId?: string | null;
  status?: WorkOrder["status"][] | null;
  productId?: string | null;
  dueAfter?: Date | null;
  dueBefore?: Date | null;
}

function workOrderWhere(filter: WorkOrderFilter | null | undefined): Prisma.WorkOrderWhereInput {
  if (!filter) return {};
  return {
    ...(filter.plantId ? { plantId: requireId(filter.plantId, "filter.plantId") } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.productId ? { productId: requireId(filter.productId, "filter.productId") } : {}),
    ...(filter.dueAfter || filter.dueBefore ? { dueDate: { ...(filter.dueAfter ? { gte: filter.dueAfter } : {}), ...(filter.dueBefore ? { lt: filter.dueBefore } : {}) } } : {}),
  };
}

export const resolvers: Resolvers<ProductionContext> = {
  ...scalarResolvers,
  ...workflowResolvers,
  Subscription: {
    workOrderStatusChanged: liveField<{ plantId?: string | null; workOrderId?: string | null; after?: string | null }>(
      ["WorkOrderStatusChanged"],
      (e, a) => (!a.plantId || e.plantId === a.plantId) && (!a.workOrderId || e.aggregateId === a.workOrderId),
      (e) => ({ ...e.payload, workOrderId: e.aggregateId }),
    ),
  },
  WorkOrderStatusEvent: {
    workOrder: (e: { workOrderId: string }, _: unknown, ctx: ProductionContext) => ctx.loaders.workOrder.load(e.workOrderId),
  },
  Query: {
    ...workflowResolvers.Query,
    product: (_: unknown, { id }: { id: string }, ctx: ProductionContext) => ctx.loaders.product.load(requireId(id)),
    products: (_: unknown, args: { plantId?: string | null; limit?: number; offset?: number }, ctx: ProductionContext) => {
      const where = args.plantId ? { plantId: requireId(args.plantId, "plantId") } : {};
      return paginate(args, (w) => ctx.db.product.findMany({ where, orderBy: [{ code: "asc" }, { id: "asc" }], ...w }), () => ctx.db.product.count({ where }));
    },
    workOrder: (_: unknown, { id }: { id: string }, ctx: ProductionContext) => ctx.loaders.workOrder.load(requireId(id)),
    workOrders: (_: unknown, args: { filter?: WorkOrderFilter; limit?: number; offset?: number }, ctx: ProductionContext) => {
      const where = workOrderWhere(args.filter);
      return paginate(
        args,
        (w) => ctx.db.workOrder.findMany({ where, orderBy: [{ dueDate: "asc" }, { id: "asc" }], ...w }),
        () => ctx.db.workOrder.count({ where }),
      );
    },
  },
  Mutation: {
    ...workflowResolvers.Mutation,
    async createProduct(_: unknown, args: { input: unknown }, ctx: ProductionContext) {
      const input = parseInput(createProductInput, args.input);
      const tenant = { organizationId: ctx.tenant.organizationId, plantId: input.plantId };
      // Nested create: product, routing and BOM commit together or not at all.
      return ctx.db.product.create({
        data: {
          ...tenant,
          code: input.code,
          name: input.name,
          unitOfMeasure: input.unitOfMeasure,
          routingSteps: { create: input.routing.map((s) => ({ ...tenant, ...s })) },
          bomLines: { create: input.billOfMaterials.map((l) => ({ ...tenant, ...l })) },
        },
      });
    },
    async createWorkOrder(_: unknown, args: { input: unknown }, ctx: ProductionContext) {
      const input = parseInput(createWorkOrderInput, args.input);
      return ctx.db.$transaction(async (tx) => {
        const product = await tx.product.findUnique({
          where: { id: input.productId },
          include: { routingSteps: { orderBy: { sequence: "asc" } } },
        });
        if (!product) throw badUserInput(`Product ${input.productId} does not exist`, [{ field: "input.productId", message: "no such product" }]);
        const tenant = { organizationId: product.organizationId, plantId: product.plantId };
        return tx.workOrder.create({
          data: {
            ...tenant,
            number: input.number,
            productId: product.id,
            quantity: input.quantity,
            dueDate: input.dueDate,
            plannedStart: input.plannedStart ?? null,
            plannedEnd: input.plannedEnd ?? null,
            priority: input.priority,
            operations: {
              create: product.routingSteps.map((step) => ({
                ...tenant,
                sequence: step.sequence,
                name: step.name,
                workCenterId: step.workCenterId,
                parallel: step.parallel,
              })),
            },
          },
        });
      });
    },
  },
  Product: {
    __resolveReference: (ref: { id: string }, ctx: ProductionContext) => ctx.loaders.product.load(ref.id),
    plant: (p: Product) => entityRef("Plant", p.plantId),
    routing: (p: Product, _: unknown, ctx: ProductionContext) => ctx.loaders.routingOfProduct.load(p.id),
    billOfMaterials: (p: Product, _: unknown, ctx: ProductionContext) => ctx.loaders.bomOfProduct.load(p.id),
  },
  RoutingStep: {
    workCenter: (s: RoutingStep) => entityRef("WorkCenter", s.workCenterId),
    setupMinutes: (s: RoutingStep) => decimalToNumber(s.setupMinutes),
    cycleTimeSeconds: (s: RoutingStep) => decimalToNumber(s.cycleTimeSeconds),
  },
  BomLine: {
    material: (l: BomLine) => entityRef("Material", l.materialId),
    quantityPer: (l: BomLine) => decimalToNumber(l.quantityPer),
  },
  WorkOrder: {
    ...workflowFields.WorkOrder,
    __resolveReference: (ref: { id: string }, ctx: ProductionContext) => ctx.loaders.workOrder.load(ref.id),
    plant: (w: WorkOrder) => entityRef("Plant", w.plantId),
    product: async (w: WorkOrder, _: unknown, ctx: ProductionContext) => {
      const product = await ctx.loaders.product.load(w.productId);
      if (!product) throw notFound("Product", w.productId);
      return product;
    },
    quantity: (w: WorkOrder) => decimalToNumber(w.quantity),
    operations: (w: WorkOrder, _: unknown, ctx: ProductionContext) => ctx.loaders.operationsOfWorkOrder.load(w.id),
  },
  Operation: {
    ...workflowFields.Operation,
    __resolveReference: (ref: { id: string }, ctx: ProductionContext) => ctx.loaders.operation.load(ref.id),
    workOrder: (o: Operation, _: unknown, ctx: ProductionContext) => ctx.loaders.workOrder.load(o.workOrderId),
    workCenter: (o: Operation) => entityRef("WorkCenter", o.workCenterId),
    machine: (o: Operation) => entityRef("Machine", o.machineId),
  },
};
