import DataLoader from "dataloader";
import type { RequestContext } from "@mes/shared";
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

export function createLoaders(db: InventoryDb) {
  return {
    material: byIdLoader((ids) => db.material.findMany({ where: { id: { in: validIds(ids) } } })),
    location: byIdLoader((ids) => db.location.findMany({ where: { id: { in: validIds(ids) } } })),
    lot: byIdLoader((ids) => db.lot.findMany({ where: { id: { in: validIds(ids) } } })),
    stockOfLocation: childrenLoader((ids) => db.stock.findMany({ where: { locationId: { in: ids } } }), (s) => s.locationId),
    stockOfLot: childrenLoader((ids) => db.stock.findMany({ where: { lotId: { in: ids } } }), (s) => s.lotId),
    /** Stock rows of materials, keyed by plantKey(materialId, plantId). One query per tick. */
    stockOfMaterial: new DataLoader<string, Awaited<ReturnType<InventoryDb["stock"]["findMany"]>>>(async (keys) => {
      const wanted = splitKeys(keys);
      const rows = await db.stock.findMany({
        where: { materialId: { in: [...new Set(wanted.map((w) => w.id))] } },
        orderBy: [{ plantId: "asc" }, { locationId: "asc" }],
      });
      return wanted.map((w) => rows.filter((r) => r.materialId === w.id && (!w.plantId || r.plantId === w.plantId)));
    }),
    lotsOfMaterial: new DataLoader<string, Awaited<ReturnType<InventoryDb["lot"]["findMany"]>>>(async (keys) => {
      const wanted = splitKeys(keys);
      const rows = await db.lot.findMany({
        where: { materialId: { in: [...new Set(wanted.map((w) => w.id))] } },
        orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      });
      return wanted.map((w) => rows.filter((r) => r.materialId === w.id && (!w.plantId || r.plantId === w.plantId)));
    }),
  };
}

export interface InventoryContext extends RequestContext {
  db: InventoryDb;
  loaders: ReturnType<typeof createLoaders>;
}
