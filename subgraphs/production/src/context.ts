import type { SubgraphContext, Tenant, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, childPageLoader, notFound, scopedRows } from "@mes/shared";
import type {
  BomLine,
  Operation,
  PrismaClient,
  ProblemReport,
  Product,
  ProductionLog,
  WorkOrder,
  WorkOrderTransition,
} from "./generated/prisma/client.ts";
import { shiftLogsLoader } from "./shift-attribution.ts";

export type ProductionDb = PrismaClient;
/** One interactive transaction of the production database: what domain functions write through. */
export type ProductionTx = Tx<ProductionDb>;

/** Per-request loaders: every lookup by id or parent runs one query per type per tick. */
export function createLoaders(db: ProductionDb, tenant: Tenant) {
  return {
    product: byIdLoader((ids) => scopedRows<Product>(db, "Product", "id", ids)),
    workOrder: byIdLoader((ids) => scopedRows<WorkOrder>(db, "WorkOrder", "id", ids)),
    operation: byIdLoader((ids) => scopedRows<Operation>(db, "Operation", "id", ids)),
    operationsOfWorkOrder: childrenLoader(
      (ids) => scopedRows<Operation>(db, "Operation", "workOrderId", ids, { orderBy: `"sequence"` }),
      (op) => op.workOrderId,
    ),
    routingOfProduct: childrenLoader(
      (ids) => db.routingStep.findMany({ where: { productId: { in: ids } }, orderBy: { sequence: "asc" } }),
      (step) => step.productId,
    ),
    /** Pages of work orders' status changes, oldest first: one statement per tick (see childPageLoader). */
    historyOfWorkOrder: childPageLoader<WorkOrderTransition>(db, tenant, {
      table: "WorkOrderTransition",
      parentColumn: "workOrderId",
      timeColumn: "at",
      order: `t."at" ASC, t.id ASC`,
      plantScoped: true,
    }),
    holdsOfWorkOrder: childrenLoader(
      (ids) => db.workOrderHold.findMany({ where: { workOrderId: { in: ids } }, orderBy: { placedAt: "asc" } }),
      (h) => h.workOrderId,
    ),
    /** Pages of operations' production logs, oldest first (batched like historyOfWorkOrder). */
    logsOfOperation: childPageLoader<ProductionLog>(db, tenant, {
      table: "ProductionLog",
      parentColumn: "operationId",
      timeColumn: "loggedAt",
      order: `t."loggedAt" ASC, t.id ASC`,
      plantScoped: true,
    }),
    /** Logs of a shift by shiftKey: the ones naming it and, without a shift, the ones in its window at its plant. */
    logsOfShift: shiftLogsLoader(db),
    /** Pages of operations' problem reports, oldest first. */
    problemsOfOperation: childPageLoader<ProblemReport>(db, tenant, {
      table: "ProblemReport",
      parentColumn: "operationId",
      timeColumn: "reportedAt",
      order: `t."reportedAt" ASC, t.id ASC`,
      plantScoped: true,
    }),
    bomOfProduct: childrenLoader(
      (ids) => scopedRows<BomLine>(db, "BomLine", "productId", ids, { orderBy: `"id"` }),
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
