// Which TypeScript value stands behind each GraphQL type (what resolvers return and receive as
// parent), read by `pnpm codegen`: `export type XMapper` maps GraphQL type X. Mostly Prisma rows,
// so resolvers of computed fields see the stored row (Decimal quantities, foreign-key ids).
import type {
  BomLine,
  Operation,
  ProblemReport,
  Product,
  ProductionLog,
  RoutingStep,
  WorkOrder,
  WorkOrderHold,
  WorkOrderStatus,
  WorkOrderTransition,
} from "./generated/prisma/client.ts";
import type { Ratio } from "@mes/shared";
import type { Prisma } from "./generated/prisma/client.ts";

type Decimal = Prisma.Decimal;

export type ProductMapper = Product;
export type RoutingStepMapper = RoutingStep;
export type BomLineMapper = BomLine;
export type WorkOrderMapper = WorkOrder;
export type WorkOrderTransitionMapper = WorkOrderTransition;
export type WorkOrderHoldMapper = WorkOrderHold;
export type OperationMapper = Operation;
export type ProductionLogMapper = ProductionLog;
export type ProblemReportMapper = ProblemReport;

/**
 * Production knows a shift by its id and, where a field @requires them, the window and plant the
 * shifts subgraph sends along (representations carry instants as ISO strings).
 */
export interface ShiftMapper {
  id: string;
  startsAt?: string | Date;
  endsAt?: string | Date;
  plant?: { id: string };
}

/** One BOM line times a work order's quantity. */
export interface MaterialRequirementMapper {
  materialId: string;
  quantityPer: Decimal;
  requiredQuantity: Decimal;
}

/** The KPIs of one product's completed work orders; `product` is resolved from its id. */
export interface ProductKpisMapper {
  productId: string;
  completedWorkOrders: number;
  onTimeDelivery: Ratio;
  averageCycleTimeHours: number | null;
  averageExecutionTimeHours: number | null;
  scheduleAdherence: Ratio;
  overdueOpenWorkOrders: number;
  goodQuantity: number;
  scrapQuantity: number;
  scrapRatio: Ratio;
}

/** A WorkOrderStatusChanged outbox event as a subscription delivers it; `workOrder` is loaded by id. */
export interface WorkOrderStatusEventMapper {
  cursor: string;
  at: string;
  workOrderId: string;
  from: WorkOrderStatus | null;
  to: WorkOrderStatus;
  actor: string;
  reason: string | null;
}
