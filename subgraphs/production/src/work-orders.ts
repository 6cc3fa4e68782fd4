import { z } from "zod";
import { badUserInput, requireId, zCode, zDate, zId, type InputShape } from "@mes/shared";
import type { Prisma, WorkOrder } from "./generated/prisma/client.ts";
import type { CreateWorkOrderInput, WorkOrderFilter } from "./resolvers-types.generated.ts";
import type { ProductionTx } from "./context.ts";
import { optionalWindow, zQuantity } from "./inputs.ts";

export const createWorkOrderInput = z
  .object({
    productId: zId,
    number: zCode,
    quantity: zQuantity,
    dueDate: zDate,
    plannedStart: zDate.nullish(),
    plannedEnd: zDate.nullish(),
    priority: z.number().int().min(1, "must be between 1 and 5").max(5, "must be between 1 and 5"),
  } satisfies InputShape<CreateWorkOrderInput>)
  .refine((v) => !v.plannedStart || !v.plannedEnd || v.plannedStart < v.plannedEnd, {
    path: ["plannedEnd"],
    message: "must be after plannedStart",
  });

/** Creates a PLANNED work order with one operation per routing step of its product. */
export async function createWorkOrder(tx: ProductionTx, input: z.output<typeof createWorkOrderInput>): Promise<WorkOrder> {
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
}

/** The query of a work-order list filter; malformed ids and an empty due window are refused naming the filter field. */
export function workOrderWhere(filter: WorkOrderFilter | null | undefined): Prisma.WorkOrderWhereInput {
  if (!filter) return {};
  optionalWindow(filter.dueAfter, filter.dueBefore, "filter.dueBefore");
  return {
    ...(filter.plantId != null ? { plantId: requireId(filter.plantId, "filter.plantId") } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.productId != null ? { productId: requireId(filter.productId, "filter.productId") } : {}),
    ...(filter.dueAfter || filter.dueBefore
      ? { dueDate: { ...(filter.dueAfter ? { gte: filter.dueAfter } : {}), ...(filter.dueBefore ? { lt: filter.dueBefore } : {}) } }
      : {}),
  };
}
