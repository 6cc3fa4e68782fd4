import { badUserInput, childPageKey, pageOfLoaded, parseInput, requireId, withTx, entityRef } from "@mes/shared";
import type { Resolvers } from "./resolvers-types.generated.ts";
import { loadReferenced, type ProductionContext } from "./context.ts";
import { Prisma, type ProductionLog } from "./generated/prisma/client.ts";
import type { ShiftMapper } from "./mappers.ts";
import { assertLogInShift, shiftKey, shiftWindowOf } from "./shift-attribution.ts";
import { requiredText, zOperatorId } from "./inputs.ts";
import { assignOperation, completeOperation, logProduction, logProductionInput, pauseOperation, startOperation } from "./operations.ts";
import { progressOf } from "./schedule-analysis.ts";

const logsOfShift = async (s: ShiftMapper, ctx: ProductionContext) => (await ctx.loaders.logsOfShift.load(shiftKey(shiftWindowOf(s))))?.logs ?? [];
/** Exact decimal sum of one count over logs. */
const sumOf = (logs: ProductionLog[], field: "goodQuantity" | "scrapQuantity") =>
  logs.reduce((sum, l) => sum.add(l[field]), new Prisma.Decimal(0)).toNumber();

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
      return withTx(ctx.db, async (tx) => {
        // After the reference guard (judged as the transaction starts): the shift is the caller's here.
        if (input.shiftId) await assertLogInShift(ctx.references, input.shiftId, input.loggedAt);
        return logProduction(tx, input, ctx.actor, ctx.settings.overproductionTolerancePercent);
      });
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
    productionLogs: (o, args, ctx) => ctx.loaders.logsOfOperation.load(childPageKey(o.id, args)),
    problems: (o, args, ctx) => ctx.loaders.problemsOfOperation.load(childPageKey(o.id, args)),
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
    // Production keeps no shifts: the representation (with the @requires fields) is the shift.
    __resolveReference: (ref) => ref,
    producedQuantity: async (s, _, ctx) => sumOf(await logsOfShift(s, ctx), "goodQuantity"),
    scrappedQuantity: async (s, _, ctx) => sumOf(await logsOfShift(s, ctx), "scrapQuantity"),
    // The shift's logs are loaded whole for its sums anyway: its page is cut from them.
    productionLogs: async (s, args, ctx) => pageOfLoaded(await logsOfShift(s, ctx), args, (l) => l.loggedAt),
  },
} satisfies Resolvers;
