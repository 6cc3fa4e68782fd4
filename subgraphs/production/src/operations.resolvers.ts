import { badUserInput, parseInput, requireId, withTx, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { requiredText, zOperatorId } from "./inputs.ts";
import { assignOperation, completeOperation, logProduction, logProductionInput, pauseOperation, startOperation } from "./operations.ts";
import { progressOf } from "./schedule-analysis.ts";

export const operationsResolvers = {
  Mutation: {
    startOperation: (_, a, ctx) => {
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => startOperation(tx, id, ctx.actor));
    },
    pauseOperation: (_, a, ctx) => {
      const reason = requiredText(a.reason, "reason");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => pauseOperation(tx, id, reason, ctx.actor));
    },
    completeOperation: (_, a, ctx) => {
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => completeOperation(tx, id));
    },
    assignOperation: (_, a, ctx) => {
      const machineId = a.machineId == null ? undefined : requireId(a.machineId, "machineId");
      const operatorId = a.operatorId == null ? undefined : parseInput(zOperatorId, a.operatorId, "operatorId");
      if (machineId === undefined && operatorId === undefined) {
        const message = "give a machineId, an operatorId or both";
        throw badUserInput("Give a machineId, an operatorId or both", [
          { field: "machineId", message },
          { field: "operatorId", message },
        ]);
      }
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => assignOperation(tx, id, { machineId, operatorId }));
    },
    logProduction: (_, a, ctx) => {
      const input = parseInput(logProductionInput, a.input);
      return withTx(ctx.db, (tx) => logProduction(tx, input, ctx.actor, ctx.settings.overproductionTolerancePercent));
    },
  },
  Operation: {
    __resolveReference: (ref, ctx) => ctx.loaders.operation.load(ref.id),
    workOrder: (o, _, ctx) => loadReferenced(ctx.loaders.workOrder, "Work order", o.workOrderId),
    workCenter: (o) => entityRef("WorkCenter", o.workCenterId),
    machine: (o) => entityRef("Machine", o.machineId),
    goodQuantity: (o) => o.goodQuantity.toNumber(),
    scrapQuantity: (o) => o.scrapQuantity.toNumber(),
    progress: async (o, _, ctx) => {
      const wo = await ctx.loaders.workOrder.load(o.workOrderId);
      return wo ? progressOf(o, wo) : 0;
    },
    productionLogs: (o, _, ctx) => ctx.loaders.logsOfOperation.load(o.id),
    problems: (o, _, ctx) => ctx.loaders.problemsOfOperation.load(o.id),
  },
  ProductionLog: {
    operation: (l, _, ctx) => loadReferenced(ctx.loaders.operation, "Operation", l.operationId),
    workOrder: (l, _, ctx) => loadReferenced(ctx.loaders.workOrder, "Work order", l.workOrderId),
    machine: (l) => entityRef("Machine", l.machineId),
    shift: (l) => entityRef("Shift", l.shiftId),
    goodQuantity: (l) => l.goodQuantity.toNumber(),
    scrapQuantity: (l) => l.scrapQuantity.toNumber(),
  },
  Shift: {
    // Production knows shifts only by the logs that name them.
    __resolveReference: (ref) => ({ id: ref.id }),
    producedQuantity: async (s, _, ctx) => (await ctx.loaders.logsOfShift.load(s.id)).reduce((sum, l) => sum + l.goodQuantity.toNumber(), 0),
    scrappedQuantity: async (s, _, ctx) => (await ctx.loaders.logsOfShift.load(s.id)).reduce((sum, l) => sum + l.scrapQuantity.toNumber(), 0),
    productionLogs: (s, _, ctx) => ctx.loaders.logsOfShift.load(s.id),
  },
} satisfies Resolvers;
