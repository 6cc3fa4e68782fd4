import { conflict, notFound, orderByOf, paginate, type OrderArg, type PageArgs } from "@mes/shared";
import type { Lot, Prisma } from "./generated/prisma/client.ts";
import type { QueryLotsArgs } from "./resolvers-types.generated.ts";
import type { InventoryDb, InventoryTx } from "./context.ts";
import { lockMaterialAtPlant } from "./alerts.ts";
import { inRange } from "./nested-lists.ts";

const LOT_ORDER = { RECEIVED_AT: "receivedAt", LOT_NUMBER: "lotNumber", EXPIRES_AT: "expiresAt", STATUS: "status" } as const;

/** Lots, oldest received first unless `orderBy` says otherwise; the filter's ids are valid UUIDs, its range checked. */
export function lotPage(
  db: InventoryDb,
  filter: Pick<QueryLotsArgs, "plantId" | "materialId" | "status" | "from" | "to">,
  orderBy: OrderArg<keyof typeof LOT_ORDER> | null | undefined,
  page: PageArgs,
) {
  const receivedAt = inRange(filter.from, filter.to);
  const where: Prisma.LotWhereInput = {
    ...(receivedAt ? { receivedAt } : {}),
    ...(filter.plantId ? { plantId: filter.plantId } : {}),
    ...(filter.materialId ? { materialId: filter.materialId } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
  };
  return paginate(
    page,
    (w) => db.lot.findMany({ where, orderBy: orderByOf(orderBy, LOT_ORDER, [{ receivedAt: "asc" }, { id: "asc" }]), ...w }),
    () => db.lot.count({ where }),
  );
}

/**
 * The lot, read again once its material is locked at its plant: holds, releases and issues of that
 * material then apply one after another, so a racing duplicate sees the first one's result and an
 * issue never takes from a lot that was put on hold meanwhile.
 */
export async function lockLot(tx: InventoryTx, lotId: string): Promise<Lot> {
  const lot = await tx.lot.findUnique({ where: { id: lotId } });
  if (!lot) throw notFound("Lot", lotId);
  await lockMaterialAtPlant(tx, lot.materialId, lot.plantId);
  return tx.lot.findUniqueOrThrow({ where: { id: lotId } });
}

/** Puts a lot on hold for `reason`, or (reason null) releases it; a repeat is a CONFLICT and the first hold's reason stays. */
export async function setLotHold(tx: InventoryTx, lotId: string, reason: string | null) {
  const lot = await lockLot(tx, lotId);
  if (reason !== null && lot.status === "ON_HOLD") throw conflict(`Lot ${lot.lotNumber} is already on hold (${lot.holdReason})`);
  if (reason === null && lot.status !== "ON_HOLD") throw conflict(`Lot ${lot.lotNumber} is not on hold`);
  return tx.lot.update({
    where: { id: lotId },
    data: reason === null ? { status: await releasedStatus(tx, lot), holdReason: null } : { status: "ON_HOLD", holdReason: reason },
  });
}

// A lot is CONSUMED while none of it is in stock anywhere, AVAILABLE again when stock comes back (a
// return, a count, a receipt of the same lot); a lot on hold keeps its hold until it is released.
// Stock rows never go below zero (every decrement is conditional), so "some row above zero" is the test.

/** What a lot on hold becomes when released: AVAILABLE, or CONSUMED when none of it is left. */
export async function releasedStatus(tx: InventoryTx, lot: Pick<Lot, "id" | "materialId">): Promise<"AVAILABLE" | "CONSUMED"> {
  const left = await tx.stock.findFirst({ where: { materialId: lot.materialId, lotId: lot.id, quantity: { gt: 0 } }, select: { id: true } });
  return left ? "AVAILABLE" : "CONSUMED";
}

/**
 * After a stock movement: each lot it moved becomes CONSUMED when none of it is left, or AVAILABLE
 * when a CONSUMED lot has stock again. Held lots are left alone. Called before the movement's
 * events are appended, so the lot rows are locked before the outbox lock (taken last).
 */
export async function settleLotStatuses(tx: InventoryTx, lotIds: readonly string[]): Promise<void> {
  if (lotIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Lot" l SET status = s.next::"LotStatus"
      FROM (SELECT lot.id,
                   -- By material first: Stock's unique index (materialId, locationId, lotId) finds the rows.
                   CASE WHEN EXISTS (SELECT 1 FROM "Stock" st WHERE st."materialId" = lot."materialId" AND st."lotId" = lot.id AND st.quantity > 0)
                        THEN 'AVAILABLE' ELSE 'CONSUMED' END AS next
              FROM "Lot" lot WHERE lot.id = ANY(${lotIds}::uuid[])) s
     WHERE l.id = s.id AND l.status IN ('AVAILABLE', 'CONSUMED') AND l.status::text <> s.next`;
}
