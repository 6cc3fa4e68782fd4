import DataLoader from "dataloader";
import type { SubgraphContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";

export type InventoryDb = PrismaClient;

/** Key for per-plant lookups; "*" means across all plants. */
export const plantKey = (id: string, plantId?: string | null) => `${id}|${plantId ?? "*"}`;

function splitKeys(keys: readonly string[]) {
  return keys.map((k) => {
    const [id, plant] = k.split("|") as [string, string];
    return { id, plantId: plant === "*" ? null : plant };
  });
}

/** Rows of materials at one plant or all plants, for all (material, plant) keys of a tick in one query. */
function perPlantLoader<T extends { materialId: string; plantId: string }>(fetch: (materialIds: string[]) => Promise<T[]>) {
  return new DataLoader<string, T[]>(async (keys) => {
    const wanted = splitKeys(keys);
    const rows = await fetch([...new Set(wanted.map((w) => w.id))]);
    return wanted.map((w) => rows.filter((r) => r.materialId === w.id && (!w.plantId || r.plantId === w.plantId)));
  });
}

export function createLoaders(db: InventoryDb) {
  return {
    material: byIdLoader((ids) => db.material.findMany({ where: { id: { in: validIds(ids) } } })),
    location: byIdLoader((ids) => db.location.findMany({ where: { id: { in: validIds(ids) } } })),
    lot: byIdLoader((ids) => db.lot.findMany({ where: { id: { in: validIds(ids) } } })),
    stockOfLocation: childrenLoader((ids) => db.stock.findMany({ where: { locationId: { in: ids } } }), (s) => s.locationId),
    stockOfLot: childrenLoader((ids) => db.stock.findMany({ where: { lotId: { in: ids } } }), (s) => s.lotId),
    /** Stock rows of materials, keyed by plantKey(materialId, plantId). One query per tick. */
    stockOfMaterial: perPlantLoader((materialIds) => db.stock.findMany({
      where: { materialId: { in: materialIds } }, orderBy: [{ plantId: "asc" }, { locationId: "asc" }],
    })),
    reservationsOfMaterial: perPlantLoader((materialIds) => db.reservation.findMany({ where: { materialId: { in: materialIds } } })),
    alertsOfMaterial: perPlantLoader((materialIds) => db.stockAlert.findMany({ where: { materialId: { in: materialIds }, clearedAt: null } })),
    transaction: byIdLoader((ids) => db.stockTransaction.findMany({ where: { id: { in: ids } } })),
    /** Issues and returns per work order (material cost, transactions, consumed lots). */
    materialMovesOfWorkOrder: childrenLoader(
      (ids) => db.stockTransaction.findMany({ where: { workOrderId: { in: validIds(ids) }, type: { in: ["ISSUE", "RETURN"] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
      (t) => t.workOrderId!,
    ),
    reservationsOfWorkOrder: childrenLoader((ids) => db.reservation.findMany({ where: { workOrderId: { in: validIds(ids) } }, orderBy: { materialId: "asc" } }), (r) => r.workOrderId),
    lotsProducedBy: childrenLoader((ids) => db.lot.findMany({ where: { producedByWorkOrderId: { in: validIds(ids) } }, orderBy: { lotNumber: "asc" } }), (l) => l.producedByWorkOrderId!),
    issuesOfLot: childrenLoader((ids) => db.stockTransaction.findMany({ where: { lotId: { in: ids }, type: "ISSUE" }, orderBy: { createdAt: "asc" } }), (t) => t.lotId),
    lotsOfMaterial: perPlantLoader((materialIds) => db.lot.findMany({
      where: { materialId: { in: materialIds } }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    })),
  };
}

export interface InventoryContext extends SubgraphContext {
  db: InventoryDb;
  loaders: ReturnType<typeof createLoaders>;
}
