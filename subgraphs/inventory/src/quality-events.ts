import { appendEvent, startEventConsumer, type EventConsumer, type FeedEvent, type FeedSettings, type Logger } from "@mes/shared";
import { Prisma } from "./generated/prisma/client.ts";
import type { InventoryDb } from "./context.ts";
import { lockMaterialAtPlant, type Tx } from "./alerts.ts";
import { scrap } from "./stock.ts";

interface NcrPayload { ncrId: string; number: string; disposition?: string; materialId?: string | null; lotId?: string | null; locationId?: string | null; quantity?: string | null; reason?: string }

/**
 * Quality decides, inventory moves the stock: a SCRAP disposition scraps the lot's stock; a lot hold
 * requested by an NCR holds the lot until the NCR closes. An event that cannot be applied (the stock
 * is no longer there) is answered with a ScrapRejected event instead of blocking the feed.
 */
export async function applyQualityEvent(tx: Tx, event: FeedEvent, log: Logger): Promise<void> {
  const p = event.payload as unknown as NcrPayload;
  const lot = p.lotId ? await tx.lot.findUnique({ where: { id: p.lotId } }) : null;
  if (!lot || lot.organizationId !== event.organizationId) return;
  const reasonText = p.reason ?? `${p.number}`;
  if (event.type === "LotHoldRequested") {
    if (lot.status !== "ON_HOLD") await tx.lot.update({ where: { id: lot.id }, data: { status: "ON_HOLD", holdReason: reasonText } });
  } else if (event.type === "LotHoldReleaseRequested") {
    if (lot.status === "ON_HOLD" && lot.holdReason?.startsWith(`${p.number}:`)) await tx.lot.update({ where: { id: lot.id }, data: { status: "AVAILABLE", holdReason: null } });
  } else if (event.type === "NcrDispositioned" && p.disposition === "SCRAP" && p.locationId && p.quantity) {
    await lockMaterialAtPlant(tx, lot.materialId, lot.plantId);
    const row = await tx.stock.findUnique({ where: { materialId_locationId_lotId: { materialId: lot.materialId, locationId: p.locationId, lotId: lot.id } } });
    const quantity = new Prisma.Decimal(p.quantity);
    if (!row || row.quantity.lt(quantity)) {
      log.warn({ ncr: p.number, lot: lot.lotNumber, wanted: p.quantity, there: row?.quantity.toString() ?? "0" }, "NCR scrap disposition cannot be applied");
      await appendEvent(tx, {
        organizationId: event.organizationId, plantId: lot.plantId, type: "ScrapRejected", aggregateId: lot.id,
        payload: { ncrId: p.ncrId, number: p.number, lotId: lot.id, locationId: p.locationId, quantity: p.quantity, available: row?.quantity.toString() ?? "0" },
      });
      return;
    }
    await scrap(tx, { materialId: lot.materialId, lotId: lot.id, locationId: p.locationId, quantity: quantity.toNumber(), reason: `${p.number} scrap disposition` }, `quality:${p.number}`);
  }
}

export function qualityEventConsumer(db: InventoryDb, qualityUrl: string, log: Logger, feed: FeedSettings): EventConsumer {
  return startEventConsumer<Tx>({
    name: "inventory<-quality:ncrs",
    sourceUrl: qualityUrl.replace(/\/graphql\/?$/, ""),
    types: ["NcrDispositioned", "LotHoldRequested", "LotHoldReleaseRequested"],
    transaction: (fn) => db.$transaction((tx) => fn(tx as Tx)),
    handle: (event, tx) => applyQualityEvent(tx, event, log),
    log,
    ...feed,
  });
}
