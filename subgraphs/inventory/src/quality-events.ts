import { appendEvent, startEventConsumer, withTx, type EventConsumer, type FeedEvent, type FeedSettings, type Logger } from "@mes/shared";
import { Prisma } from "./generated/prisma/client.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";
import { lockMaterialAtPlant } from "./alerts.ts";
import { lockLot, releasedStatus } from "./lots.ts";
import { scrap } from "./stock.ts";

/** The quality events inventory follows. */
const QUALITY_EVENTS = ["NcrDispositioned", "LotHoldRequested", "LotHoldReleaseRequested"] as const;
type QualityEvent = FeedEvent<(typeof QUALITY_EVENTS)[number]>;

/**
 * Quality decides, inventory moves the stock: a SCRAP disposition scraps the lot's stock; a lot hold
 * requested by an NCR holds the lot until the NCR closes. An event that cannot be applied (the stock
 * is no longer there) is answered with a ScrapRejected event instead of blocking the feed.
 */
export async function applyQualityEvent(tx: InventoryTx, event: QualityEvent, log: Logger): Promise<void> {
  const lotId = event.payload.lotId;
  const lot = lotId ? await tx.lot.findUnique({ where: { id: lotId } }) : null;
  if (!lot || lot.organizationId !== event.organizationId) return;
  if (event.type === "LotHoldRequested") {
    // Under the same lock as holdLot and releaseLot, so a hold placed by hand meanwhile is seen.
    const current = await lockLot(tx, lot.id);
    if (current.status !== "ON_HOLD") await tx.lot.update({ where: { id: lot.id }, data: { status: "ON_HOLD", holdReason: event.payload.reason } });
  } else if (event.type === "LotHoldReleaseRequested") {
    const current = await lockLot(tx, lot.id);
    // Only the hold this NCR asked for (its reason starts with the NCR number).
    if (current.status === "ON_HOLD" && current.holdReason?.startsWith(`${event.payload.number}:`))
      await tx.lot.update({ where: { id: lot.id }, data: { status: await releasedStatus(tx, current), holdReason: null } });
  } else if (event.payload.disposition === "SCRAP" && event.payload.locationId && event.payload.quantity) {
    const { ncrId, number, locationId, quantity: wanted } = event.payload;
    await lockMaterialAtPlant(tx, lot.materialId, lot.plantId);
    const row = await tx.stock.findUnique({ where: { materialId_locationId_lotId: { materialId: lot.materialId, locationId, lotId: lot.id } } });
    const quantity = new Prisma.Decimal(wanted);
    if (!row || row.quantity.lt(quantity)) {
      log.warn({ ncr: number, lot: lot.lotNumber, wanted, there: row?.quantity.toString() ?? "0" }, "NCR scrap disposition cannot be applied");
      await appendEvent(tx, {
        organizationId: event.organizationId,
        plantId: lot.plantId,
        type: "ScrapRejected",
        aggregateId: lot.id,
        payload: { ncrId, number, lotId: lot.id, locationId, quantity: wanted, available: row?.quantity.toString() ?? "0" },
      });
      return;
    }
    await scrap(
      tx,
      { materialId: lot.materialId, lotId: lot.id, locationId, quantity: quantity.toNumber(), reason: `${number} scrap disposition` },
      `quality:${number}`,
    );
  }
}

export function qualityEventConsumer(db: InventoryDb, qualityUrl: string, log: Logger, feed: FeedSettings): EventConsumer {
  return startEventConsumer<InventoryTx, (typeof QUALITY_EVENTS)[number]>({
    name: "inventory<-quality:ncrs",
    sourceUrl: qualityUrl.replace(/\/graphql\/?$/, ""),
    types: QUALITY_EVENTS,
    transaction: (fn) => withTx(db, fn),
    handle: (event, tx) => applyQualityEvent(tx, event, log),
    log,
    ...feed,
  });
}
