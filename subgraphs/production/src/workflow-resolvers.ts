import { z } from "zod";
import {
  badUserInput, decimalToNumber, entityRef, notFound, paginate, parseInput, requireId, requireWindow, zId, zText,
} from "@mes/shared";
import type { Operation, ProblemReport, ProblemStatus, ProductionLog, WorkOrder, WorkOrderHold, WorkOrderStatus, WorkOrderTransition } from "./generated/prisma/client.ts";
import type { ProductionContext } from "./context.ts";
import { lockWorkOrder, NEXT_STATUSES, placeHold, releaseHold, transition, assertNotHeld, type Tx } from "./lifecycle.ts";
import { advanceProblem, completeOperation, lockOperation, logProduction, pauseOperation, startOperation } from "./operations.ts";
import { buildSchedule, progressOf, rescheduleOperation } from "./schedule.ts";
import { productionKpis } from "./kpis.ts";

const MAX_WINDOW_DAYS = 92;
const reasonText = zText;
const optionalReason = (reason?: string | null) => (reason == null ? null : parseInput(reasonText, reason, "reason"));
const requiredReason = (reason: string) => parseInput(reasonText, reason, "reason");

const logInput = z.object({
  operationId: zId,
  goodQuantity: z.number().finite().min(0, "must not be negative"),
  scrapQuantity: z.number().finite().min(0, "must not be negative"),
  machineId: zId.nullish(),
  operatorId: z.string().trim().min(1).max(128).nullish(),
  shiftId: zId.nullish(),
  loggedAt: z.date().refine((d) => d.getTime() <= Date.now() + 60_000, "must not be in the future").nullish(),
}).refine((v) => v.goodQuantity < 0 || v.scrapQuantity < 0 || v.goodQuantity + v.scrapQuantity > 0, {
  path: ["goodQuantity"], message: "report at least one good or scrap unit",
});

const problemInput = z.object({
  operationId: zId,
  kind: z.enum(["MATERIAL_MISSING", "MACHINE_FAULT", "QUALITY_CONCERN", "OTHER"]),
  description: reasonText,
});

const rescheduleInput = z.object({
  operationId: zId,
  machineId: zId.nullish(),
  plannedStart: z.date(),
  plannedEnd: z.date(),
}).refine((v) => v.plannedStart < v.plannedEnd, { path: ["plannedEnd"], message: "must be after plannedStart" });

/** Runs a workflow step in one transaction: state, history and events commit together. */
const inTx = <T>(ctx: ProductionContext, fn: (tx: Tx) => Promise<T>) => ctx.db.$transaction((tx) => fn(tx as Tx));

async function statusChange(ctx: ProductionContext, id: string, to: WorkOrderStatus, reason: string | null, guard?: (tx: Tx, wo: WorkOrder) => Promise<void>) {
  return inTx(ctx, async (tx) => {
    const wo = await lockWorkOrder(tx, requireId(id));
    await guard?.(tx, wo);
    return transition(tx, wo, to, ctx.actor, reason);
  });
}

// Spread into the subgraph's resolver map, which checks them against the schema types.
export const workflowResolvers = {
  Query: {
    schedule: (_: unknown, args: { plantId: string; from: Date; to: Date }, ctx: ProductionContext) => {
      requireWindow(args.from, args.to, MAX_WINDOW_DAYS);
      return buildSchedule(ctx.db, requireId(args.plantId, "plantId"), args.from, args.to);
    },
    productionKpis: (_: unknown, args: { plantId: string; from: Date; to: Date }, ctx: ProductionContext) => {
      requireWindow(args.from, args.to, MAX_WINDOW_DAYS);
      return productionKpis(ctx.db, requireId(args.plantId, "plantId"), args.from, args.to);
    },
    problemReports: (_: unknown, args: { plantId: string; status?: ProblemStatus[] | null; limit?: number; offset?: number }, ctx: ProductionContext) => {
      const where = { plantId: requireId(args.plantId, "plantId"), ...(args.status?.length ? { status: { in: args.status } } : {}) };
      return paginate(args, (w) => ctx.db.problemReport.findMany({ where, orderBy: [{ reportedAt: "desc" }, { id: "asc" }], ...w }), () => ctx.db.problemReport.count({ where }));
    },
  },
  Mutation: {
    releaseWorkOrder: (_: unknown, a: { id: string; reason?: string | null }, ctx: ProductionContext) =>
      statusChange(ctx, a.id, "RELEASED", optionalReason(a.reason), (tx, wo) => assertNotHeld(tx, wo)),
    completeWorkOrder: (_: unknown, a: { id: string; reason?: string | null }, ctx: ProductionContext) =>
      statusChange(ctx, a.id, "COMPLETED", optionalReason(a.reason), async (tx, wo) => {
        await assertNotHeld(tx, wo);
        if (wo.status !== "IN_PROGRESS") return; // transition() explains what is allowed
        const open = await tx.operation.findMany({ where: { workOrderId: wo.id, status: { not: "COMPLETED" } }, orderBy: { sequence: "asc" } });
        if (open.length) {
          throw badUserInput(`Work order ${wo.number} cannot complete: operation(s) ${open.map((o) => o.sequence).join(", ")} are not completed`);
        }
      }),
    closeWorkOrder: (_: unknown, a: { id: string; reason?: string | null }, ctx: ProductionContext) =>
      statusChange(ctx, a.id, "CLOSED", optionalReason(a.reason)),
    cancelWorkOrder: (_: unknown, a: { id: string; reason: string }, ctx: ProductionContext) => {
      const reason = requiredReason(a.reason);
      return inTx(ctx, async (tx) => {
        const wo = await lockWorkOrder(tx, requireId(a.id));
        const cancelled = await transition(tx, wo, "CANCELLED", ctx.actor, reason);
        // A cancelled order has nothing left to hold.
        await tx.workOrderHold.updateMany({ where: { workOrderId: wo.id, releasedAt: null }, data: { releasedAt: new Date(), releasedBy: ctx.actor } });
        return cancelled;
      });
    },
    placeWorkOrderHold: (_: unknown, a: { workOrderId: string; reason: string }, ctx: ProductionContext) => {
      const reason = requiredReason(a.reason);
      return inTx(ctx, async (tx) => placeHold(tx, await lockWorkOrder(tx, requireId(a.workOrderId, "workOrderId")), reason, ctx.actor));
    },
    releaseWorkOrderHold: (_: unknown, a: { holdId: string; reason?: string | null }, ctx: ProductionContext) =>
      inTx(ctx, (tx) => releaseHold(tx, requireId(a.holdId, "holdId"), ctx.actor, optionalReason(a.reason))),
    startOperation: (_: unknown, a: { id: string }, ctx: ProductionContext) => inTx(ctx, (tx) => startOperation(tx, requireId(a.id), ctx.actor)),
    pauseOperation: (_: unknown, a: { id: string; reason: string }, ctx: ProductionContext) => {
      requiredReason(a.reason);
      return inTx(ctx, (tx) => pauseOperation(tx, requireId(a.id)));
    },
    completeOperation: (_: unknown, a: { id: string }, ctx: ProductionContext) => inTx(ctx, (tx) => completeOperation(tx, requireId(a.id))),
    assignOperation: (_: unknown, a: { id: string; machineId?: string | null; operatorId?: string | null }, ctx: ProductionContext) => {
      const machineId = a.machineId == null ? undefined : requireId(a.machineId, "machineId");
      const operatorId = a.operatorId == null ? undefined : parseInput(z.string().trim().min(1).max(128), a.operatorId, "operatorId");
      if (machineId === undefined && operatorId === undefined) throw badUserInput("Give a machineId, an operatorId or both");
      return inTx(ctx, async (tx) => {
        const { op } = await lockOperation(tx, requireId(a.id));
        return tx.operation.update({ where: { id: op.id }, data: { machineId, operatorId } });
      });
    },
    logProduction: (_: unknown, a: { input: unknown }, ctx: ProductionContext) => {
      const input = parseInput(logInput, a.input);
      return inTx(ctx, (tx) => logProduction(tx, input, ctx.actor, ctx.settings.overproductionTolerancePercent));
    },
    reportProblem: (_: unknown, a: { input: unknown }, ctx: ProductionContext) => {
      const input = parseInput(problemInput, a.input);
      return inTx(ctx, async (tx) => {
        const { op } = await lockOperation(tx, input.operationId);
        return tx.problemReport.create({ data: { ...input, organizationId: op.organizationId, plantId: op.plantId, reportedBy: ctx.actor } });
      });
    },
    acknowledgeProblem: (_: unknown, a: { id: string }, ctx: ProductionContext) => inTx(ctx, (tx) => advanceProblem(tx, requireId(a.id), "ACKNOWLEDGED", ctx.actor)),
    resolveProblem: (_: unknown, a: { id: string; resolution: string }, ctx: ProductionContext) => {
      const resolution = parseInput(reasonText, a.resolution, "resolution");
      return inTx(ctx, (tx) => advanceProblem(tx, requireId(a.id), "RESOLVED", ctx.actor, resolution));
    },
    rescheduleOperation: (_: unknown, a: { input: unknown }, ctx: ProductionContext) => {
      const input = parseInput(rescheduleInput, a.input);
      return inTx(ctx, (tx) => rescheduleOperation(tx, input));
    },
  },
  WorkOrderTransition: {
    from: (t: WorkOrderTransition) => t.fromStatus,
    to: (t: WorkOrderTransition) => t.toStatus,
  },
  WorkOrderHold: {
    workOrder: (h: WorkOrderHold, _: unknown, ctx: ProductionContext) => ctx.loaders.workOrder.load(h.workOrderId),
    active: (h: WorkOrderHold) => h.releasedAt === null,
  },
  ProductionLog: {
    operation: (l: ProductionLog, _: unknown, ctx: ProductionContext) => ctx.loaders.operation.load(l.operationId),
    workOrder: (l: ProductionLog, _: unknown, ctx: ProductionContext) => ctx.loaders.workOrder.load(l.workOrderId),
    machine: (l: ProductionLog) => entityRef("Machine", l.machineId),
    shift: (l: ProductionLog) => entityRef("Shift", l.shiftId),
    goodQuantity: (l: ProductionLog) => decimalToNumber(l.goodQuantity),
    scrapQuantity: (l: ProductionLog) => decimalToNumber(l.scrapQuantity),
  },
  Shift: {
    // Production knows shifts only by the logs that name them.
    __resolveReference: (r: { id: string }) => ({ id: r.id }),
    producedQuantity: async (s: { id: string }, _: unknown, ctx: ProductionContext) =>
      (await ctx.loaders.logsOfShift.load(s.id)).reduce((sum, l) => sum + l.goodQuantity.toNumber(), 0),
    scrappedQuantity: async (s: { id: string }, _: unknown, ctx: ProductionContext) =>
      (await ctx.loaders.logsOfShift.load(s.id)).reduce((sum, l) => sum + l.scrapQuantity.toNumber(), 0),
    productionLogs: (s: { id: string }, _: unknown, ctx: ProductionContext) => ctx.loaders.logsOfShift.load(s.id),
  },
  ProblemReport: {
    operation: (p: ProblemReport, _: unknown, ctx: ProductionContext) => ctx.loaders.operation.load(p.operationId),
  },
  ProductKpis: {
    product: async (k: { productId: string }, _: unknown, ctx: ProductionContext) => {
      const product = await ctx.loaders.product.load(k.productId);
      if (!product) throw notFound("Product", k.productId);
      return product;
    },
  },
};

/** Fields the workflow adds to WorkOrder and Operation. */
export const workflowFields = {
  WorkOrder: {
    allowedTransitions: (w: WorkOrder) => NEXT_STATUSES[w.status],
    history: (w: WorkOrder, _: unknown, ctx: ProductionContext) => ctx.loaders.historyOfWorkOrder.load(w.id),
    holds: async (w: WorkOrder, a: { activeOnly?: boolean | null }, ctx: ProductionContext) => {
      const holds = await ctx.loaders.holdsOfWorkOrder.load(w.id);
      return a.activeOnly ? holds.filter((h) => h.releasedAt === null) : holds;
    },
    goodQuantity: async (w: WorkOrder, _: unknown, ctx: ProductionContext) => {
      const ops = await ctx.loaders.operationsOfWorkOrder.load(w.id);
      return ops.length ? decimalToNumber(ops.at(-1)!.goodQuantity) : 0;
    },
    scrapQuantity: async (w: WorkOrder, _: unknown, ctx: ProductionContext) =>
      (await ctx.loaders.operationsOfWorkOrder.load(w.id)).reduce((sum, op) => sum + op.scrapQuantity.toNumber(), 0),
  },
  Operation: {
    goodQuantity: (o: Operation) => decimalToNumber(o.goodQuantity),
    scrapQuantity: (o: Operation) => decimalToNumber(o.scrapQuantity),
    progress: async (o: Operation, _: unknown, ctx: ProductionContext) => {
      const wo = await ctx.loaders.workOrder.load(o.workOrderId);
      return wo ? progressOf(o, wo) : 0;
    },
    productionLogs: (o: Operation, _: unknown, ctx: ProductionContext) => ctx.loaders.logsOfOperation.load(o.id),
    problems: (o: Operation, _: unknown, ctx: ProductionContext) => ctx.loaders.problemsOfOperation.load(o.id),
  },
};
