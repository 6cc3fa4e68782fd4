import { z } from "zod";
import { badUserInput, requireId, zCode, zDate, zId, type InputShape } from "@mes/shared";
import type { Prisma, WorkOrder } from "./generated/prisma/client.ts";
import type { CreateWorkOrderInput, QueryWorkOrdersArgs } from "./resolvers-types.generated.ts";
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

/** Checks an optional [from, to) range of a list: `to` after `from`, refused naming the `to` argument. */
function range(from: Date | null | undefined, to: Date | null | undefined, toName: string): Prisma.DateTimeFilter | undefined {
  optionalWindow(from, to, toName);
  if (!from && !to) return undefined;
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) };
}

/** The query of the work-order list's filter arguments; malformed ids and reversed ranges are refused naming the argument. */
export function workOrderWhere(args: Omit<QueryWorkOrdersArgs, "limit" | "offset" | "orderBy">): Prisma.WorkOrderWhereInput {
  const created = range(args.from, args.to, "to");
  const due = range(args.dueFrom, args.dueTo, "dueTo");
  const completed = range(args.completedFrom, args.completedTo, "completedTo");
  return {
    ...(args.plantId != null ? { plantId: requireId(args.plantId, "plantId") } : {}),
    ...(args.status?.length ? { status: { in: args.status } } : {}),
    ...(args.productId != null ? { productId: requireId(args.productId, "productId") } : {}),
    ...(created ? { createdAt: created } : {}),
    ...(due ? { dueDate: due } : {}),
    ...(completed ? { completedAt: completed } : {}),
  };
}

/** Columns of WorkOrderOrderField; left out, earliest due first. */
export const WORK_ORDER_ORDER = { NUMBER: "number", DUE_DATE: "dueDate", PRIORITY: "priority", STATUS: "status", CREATED_AT: "createdAt" } as const;
