import type { SubgraphContext, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, notFound, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";
import { shiftLogsLoader } from "./shift-attribution.ts";

export type ProductionDb = PrismaClient;
/** One interactive transaction of the production database: what domain functions write through. */
export type ProductionTx = Tx<ProductionDb>;

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
    historyOfWorkOrder: childrenLoader(
      (ids) => db.workOrderTransition.findMany({ where: { workOrderId: { in: ids } }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
      (t) => t.workOrderId,
    ),
    holdsOfWorkOrder: childrenLoader(
      (ids) => db.workOrderHold.findMany({ where: { workOrderId: { in: ids } }, orderBy: { placedAt: "asc" } }),
      (h) => h.workOrderId,
    ),
    logsOfOperation: childrenLoader(
      (ids) => db.productionLog.findMany({ where: { operationId: { in: ids } }, orderBy: { loggedAt: "asc" } }),
      (l) => l.operationId,
    ),
    /** Logs of a shift by shiftKey: the ones naming it and, without a shift, the ones in its window at its plant. */
    logsOfShift: shiftLogsLoader(db),
    problemsOfOperation: childrenLoader(
      (ids) => db.problemReport.findMany({ where: { operationId: { in: ids } }, orderBy: { reportedAt: "asc" } }),
      (p) => p.operationId,
    ),
    bomOfProduct: childrenLoader(
      (ids) => db.bomLine.findMany({ where: { productId: { in: ids } }, orderBy: { id: "asc" } }),
      (line) => line.productId,
    ),
  };
}

/**
 * Loads the row a stored foreign key points at. Its absence is a broken reference (the schema
 * promises a non-null value), reported as NOT_FOUND rather than a null in a non-null field.
 */
export async function loadReferenced<T>(loader: { load(id: string): Promise<T | null> }, entity: string, id: string): Promise<T> {
  const row = await loader.load(id);
  if (!row) throw notFound(entity, id);
  return row;
}

export interface ProductionSettings {
  /** How far above the order quantity an operation's reported counts may go, in percent. */
  overproductionTolerancePercent: number;
}

export interface ProductionContext extends SubgraphContext {
  db: ProductionDb;
  loaders: ReturnType<typeof createLoaders>;
  settings: ProductionSettings;
}
