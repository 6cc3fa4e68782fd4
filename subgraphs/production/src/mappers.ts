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

export type ProductMapper = Product;
export type RoutingStepMapper = RoutingStep;
export type BomLineMapper = BomLine;
export type WorkOrderMapper = WorkOrder;
export type WorkOrderTransitionMapper = WorkOrderTransition;
export type WorkOrderHoldMapper = WorkOrderHold;
export type OperationMapper = Operation;
export type ProductionLogMapper = ProductionLog;
export type ProblemReportMapper = ProblemReport;

/** Production knows a shift only by its id (the shifts subgraph owns it). */
export interface ShiftMapper {
  id: string;
}

/** The KPIs of one product's completed work orders; `product` is resolved from its id. */
export interface ProductKpisMapper {
  productId: string;
  completedWorkOrders: number;
  onTimeDelivery: Ratio;
  averageCycleTimeHours: number | null;
  scheduleAdherence: Ratio;
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
