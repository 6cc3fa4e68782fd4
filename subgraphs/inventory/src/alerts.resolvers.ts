import { liveField, requireId, type FeedEvent, entityRef } from "@mes/shared";
import type { Resolvers, SubscriptionLowStockAlertArgs } from "./resolvers-types.generated.ts";
import type { StockLevelEventMapper } from "./mappers.ts";
import { loadRequired } from "./context.ts";
import { openAlertPage } from "./alerts.ts";

type StockLevelEvent = FeedEvent<"LowStockAlert" | "Restocked">;

// Both subscriptions take the same arguments (plant, material, cursor).
const stockMatches = (e: StockLevelEvent, a: SubscriptionLowStockAlertArgs) =>
  (!a.plantId || e.plantId === a.plantId) && (!a.materialId || e.aggregateId === a.materialId);

/** An outbox event as the subscription's StockLevelEvent (cursor and time are added by liveField). */
function stockLevel(e: StockLevelEvent): Omit<StockLevelEventMapper, "cursor" | "at"> {
  const p = e.payload;
  return {
    // The event's aggregate is the material; plantId is in the payload as well as on the event.
    materialId: e.aggregateId,
    plantId: p.plantId,
    severity: "severity" in p ? p.severity : null,
    available: Number(p.available),
    onHand: Number(p.onHand),
    reserved: Number(p.reserved),
    reorderPoint: Number(p.reorderPoint),
    safetyStock: Number(p.safetyStock),
  };
}

/**
 * A stock-level subscription's start, refusing an empty or malformed plantId or materialId (naming
 * it) rather than matching every event or none.
 */
function idArgsChecked<F extends { subscribe: (source: unknown, args: SubscriptionLowStockAlertArgs, ...rest: never[]) => unknown }>(field: F): F {
  const subscribe = ((source, args, ...rest) => {
    if (args.plantId != null) requireId(args.plantId, "plantId");
    if (args.materialId != null) requireId(args.materialId, "materialId");
    return field.subscribe(source, args, ...rest);
  }) as F["subscribe"];
  return { ...field, subscribe };
}

/** Low-stock alerts: the open ones at a plant, and live crossings of the reorder point. */
export const alertsResolvers = {
  Query: {
    stockAlerts: (_, args, ctx) => {
      const filter = {
        plantId: args.plantId != null ? requireId(args.plantId, "plantId") : null,
        materialId: args.materialId != null ? requireId(args.materialId, "materialId") : null,
        severity: args.severity ?? null,
      };
      return openAlertPage(ctx.db, filter, args.orderBy, args);
    },
  },
  StockAlert: {
    plant: (a) => entityRef("Plant", a.plantId),
    material: (a, _, ctx) => loadRequired(ctx.loaders.material, "Material", a.materialId),
    available: (a) => a.available.toNumber(),
  },
  Subscription: {
    lowStockAlert: idArgsChecked(liveField(["LowStockAlert"], stockMatches, stockLevel)),
    restocked: idArgsChecked(liveField(["Restocked"], stockMatches, stockLevel)),
  },
  StockLevelEvent: {
    material: (e, _, ctx) => loadRequired(ctx.loaders.material, "Material", e.materialId),
    plant: (e) => entityRef("Plant", e.plantId),
  },
} satisfies Resolvers;
