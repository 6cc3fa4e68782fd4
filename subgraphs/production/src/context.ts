import type { RequestContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";

export type ProductionDb = PrismaClient;

/** Per-request loaders: every lookup by id or parent runs one query per type per tick. */
export function createLoaders(db: ProductionDb) {
  return {
    product: byIdLoader((ids) => db.product.findMany({ where: { id: { in: validIds(ids) } } })),
    workOrder: byIdLoader((ids) => db.workOrder.findMany({ where: { id: { in: validIds(ids) } } })),
    operation: byIdLoader((ids) => db.operation.findMany({ where: { id: { in: validIds(ids) } } })),
    operationsOfWorkOrder: childrenLoader(
      (ids) => db.operation.findMany({ where: { workOrderId: { in: ids } }, orderBy: { sequence: "asc" } }),
      (op) => op.workOrderId,
    ),
    routingOfProduct: childrenLoader(
      (ids) => db.routingStep.findMany({ where: { productId: { in: ids } }, orderBy: { sequence: "asc" } }),
      (step) => step.productId,
    ),
    bomOfProduct: childrenLoader(
      (ids) => db.bomLine.findMany({ where: { productId: { in: ids } }, orderBy: { id: "asc" } }),
      (line) => line.productId,
    ),
  };
}

export interface ProductionContext extends RequestContext {
  db: ProductionDb;
  loaders: ReturnType<typeof createLoaders>;
}
