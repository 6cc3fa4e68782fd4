import { liveField, childPageKey, requireId, withTx } from "@mes/shared";
import type { Resolvers, SubscriptionWorkOrderStatusChangedArgs } from "./resolvers-types.generated.ts";
import { loadReferenced } from "./context.ts";
import { optionalText, requiredText, withCheckedIds } from "./inputs.ts";
import { cancelWorkOrder, closeWorkOrder, completeWorkOrder, placeHold, releaseHold, releaseWorkOrder } from "./lifecycle.ts";
import { NEXT_STATUSES } from "./work-order-status.ts";

// Each status change runs in one transaction: state, history and event commit together.
export const lifecycleResolvers = {
  Mutation: {
    releaseWorkOrder: (_, a, ctx) => {
      const reason = optionalText(a.reason, "reason");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => releaseWorkOrder(tx, id, ctx.actor, reason));
    },
    completeWorkOrder: (_, a, ctx) => {
      const reason = optionalText(a.reason, "reason");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => completeWorkOrder(tx, id, ctx.actor, reason));
    },
    closeWorkOrder: (_, a, ctx) => {
      const reason = optionalText(a.reason, "reason");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => closeWorkOrder(tx, id, ctx.actor, reason));
    },
    cancelWorkOrder: (_, a, ctx) => {
      const reason = requiredText(a.reason, "reason");
      const id = requireId(a.id);
      return withTx(ctx.db, (tx) => cancelWorkOrder(tx, id, ctx.actor, reason));
    },
    placeWorkOrderHold: (_, a, ctx) => {
      const reason = requiredText(a.reason, "reason");
      const workOrderId = requireId(a.workOrderId, "workOrderId");
      return withTx(ctx.db, (tx) => placeHold(tx, workOrderId, reason, ctx.actor));
    },
    releaseWorkOrderHold: (_, a, ctx) => {
      const holdId = requireId(a.holdId, "holdId");
      const reason = optionalText(a.reason, "reason");
      return withTx(ctx.db, (tx) => releaseHold(tx, holdId, ctx.actor, reason));
    },
  },
  WorkOrder: {
    allowedTransitions: (w) => NEXT_STATUSES[w.status],
    history: (w, args, ctx) => ctx.loaders.historyOfWorkOrder.load(childPageKey(w.id, args)),
    holds: async (w, a, ctx) => {
      const holds = await ctx.loaders.holdsOfWorkOrder.load(w.id);
      return a.activeOnly ? holds.filter((h) => h.releasedAt === null) : holds;
    },
  },
  WorkOrderTransition: {
    from: (t) => t.fromStatus,
    to: (t) => t.toStatus,
  },
  WorkOrderHold: {
    workOrder: (h, _, ctx) => loadReferenced(ctx.loaders.workOrder, "Work order", h.workOrderId),
    active: (h) => h.releasedAt === null,
  },
  Subscription: {
    workOrderStatusChanged: withCheckedIds(
      liveField(
        ["WorkOrderStatusChanged"],
        (e, a: Partial<SubscriptionWorkOrderStatusChangedArgs>) =>
          (a.plantId == null || e.plantId === a.plantId) && (a.workOrderId == null || e.aggregateId === a.workOrderId),
        (e) => ({ ...e.payload, workOrderId: e.aggregateId }),
      ),
      ["plantId", "workOrderId"],
    ),
  },
  WorkOrderStatusEvent: {
    workOrder: (e, _, ctx) => loadReferenced(ctx.loaders.workOrder, "Work order", e.workOrderId),
  },
} satisfies Resolvers;
