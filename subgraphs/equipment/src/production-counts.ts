import { startEventConsumer, withTx, type EventConsumer, type FeedSettings, type Logger } from "@mes/shared";
import type { EquipmentDb, EquipmentTx } from "./context.ts";

/**
 * Keeps equipment's copy of production counts per machine, from production's event feed: what OEE
 * and cycle-based maintenance need, without reading production's database.
 */
export function productionCountConsumer(db: EquipmentDb, productionUrl: string, log: Logger, feed: FeedSettings): EventConsumer {
  return startEventConsumer<EquipmentTx, "ProductionLogged">({
    name: "equipment<-production:counts",
    sourceUrl: productionUrl.replace(/\/graphql\/?$/, ""),
    types: ["ProductionLogged"],
    transaction: (fn) => withTx(db, fn),
    log,
    ...feed,
    handle: async (event, tx) => {
      const p = event.payload;
      if (!p.machineId) return;
      await tx.machineProduction.createMany({
        // Production events always belong to a plant.
        data: [
          {
            id: p.productionLogId,
            organizationId: event.organizationId,
            plantId: event.plantId!,
            machineId: p.machineId,
            shiftId: p.shiftId,
            goodQuantity: p.goodQuantity,
            scrapQuantity: p.scrapQuantity,
            loggedAt: new Date(p.loggedAt),
          },
        ],
        skipDuplicates: true,
      });
    },
  });
}
