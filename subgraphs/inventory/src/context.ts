import DataLoader from "dataloader";
import type { SubgraphContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import { Prisma, type PrismaClient } from "./generated/prisma/client.ts";

export type InventoryDb = PrismaClient;

/** Key for per-plant lookups; "*" means across all plants. */
export const plantKey = (id: string, plantId?: string | null) => `${id}|${plantId ?? "*"}`;

function splitKeys(keys: readonly string[]) {
  return keys.map((k) => {
    const [id, plant] = k.split("|") as [string, string];
    return { id, plantId: plant === "*" ? null : plant };
  });
}

/** The plants asked for in a batch, or null when some key asks across all plants. */
const plantsOf = (wanted: { plantId: string | null }[]) => (wanted.some((w) => !w.plantId) ? null : [...new Set(wanted.map((w) => w.plantId!))]);
const inPlants = (plants: string[] | null) => (plants ? { plantId: { in: plants } } : {});

/** Rows of materials at one plant or all plants, for all (material, plant) keys of a tick in one query. */
function perPlantLoader<T extends { materialId: string; plantId: string }>(fetch: (materialIds: string[], plants: string[] | null) => Promise<T[]>) {
  return new DataLoader<string, T[]>(async (keys) => {
    const wanted = splitKeys(keys);
    const rows = await fetch([...new Set(wanted.map((w) => w.id))], plantsOf(wanted));
    // Grouped once by key (per plant and across plants), not filtered once per key.
    const grouped = new Map<string, T[]>();
    for (const r of rows) {
      for (const key of [plantKey(r.materialId, r.plantId), plantKey(r.materialId)]) {
        const list = grouped.get(key);
        if (list) list.push(r);
        else grouped.set(key, [r]);
      }
    }
    return wanted.map((w) => grouped.get(plantKey(w.id, w.plantId)) ?? []);
  });
}

type Sums = { materialId: string; plantId: string; _sum: { quantity: Prisma.Decimal | null } }[];

/** A quantity summed per (material, plant) in the database: one grouped query per tick. */
function perPlantSum(fetch: (materialIds: string[], plants: string[] | null) => Promise<Sums>) {
  return new DataLoader<string, Prisma.Decimal>(async (keys) => {
    const wanted = splitKeys(keys);
    const sums = new Map<string, Prisma.Decimal>();
    for (const r of await fetch([...new Set(wanted.map((w) => w.id))], plantsOf(wanted))) {
      const q = r._sum.quantity ?? new Prisma.Decimal(0);
      sums.set(plantKey(r.materialId, r.plantId), q);
      sums.set(plantKey(r.materialId), (sums.get(plantKey(r.materialId)) ?? new Prisma.Decimal(0)).add(q));
    }
    return wanted.map((w) => sums.get(plantKey(w.id, w.plantId)) ?? new Prisma.Decimal(0));
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
    stockOfMaterial: perPlantLoader((materialIds, plants) => db.stock.findMany({
      where: { materialId: { in: materialIds }, ...inPlants(plants) }, orderBy: [{ plantId: "asc" }, { locationId: "asc" }],
    })),
    /** On-hand and reserved quantities, summed by the database (dashboards ask for hundreds). */
    onHandOfMaterial: perPlantSum((materialIds, plants) => db.stock.groupBy({
      by: ["materialId", "plantId"], where: { materialId: { in: materialIds }, ...inPlants(plants) }, _sum: { quantity: true },
    }) as unknown as Promise<Sums>),
    reservedOfMaterial: perPlantSum((materialIds, plants) => db.reservation.groupBy({
      by: ["materialId", "plantId"], where: { materialId: { in: materialIds }, ...inPlants(plants) }, _sum: { quantity: true },
    }) as unknown as Promise<Sums>),
    alertsOfMaterial: perPlantLoader((materialIds, plants) => db.stockAlert.findMany({ where: { materialId: { in: materialIds }, clearedAt: null, ...inPlants(plants) } })),
    transaction: byIdLoader((ids) => db.stockTransaction.findMany({ where: { id: { in: ids } } })),
    /** Issues and returns per work order (material cost, transactions, consumed lots). */
    materialMovesOfWorkOrder: childrenLoader(
      (ids) => db.stockTransaction.findMany({ where: { workOrderId: { in: validIds(ids) }, type: { in: ["ISSUE", "RETURN"] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
      (t) => t.workOrderId!,
    ),
    reservationsOfWorkOrder: childrenLoader((ids) => db.reservation.findMany({ where: { workOrderId: { in: validIds(ids) } }, orderBy: { materialId: "asc" } }), (r) => r.workOrderId),
    lotsProducedBy: childrenLoader((ids) => db.lot.findMany({ where: { producedByWorkOrderId: { in: validIds(ids) } }, orderBy: { lotNumber: "asc" } }), (l) => l.producedByWorkOrderId!),
    issuesOfLot: childrenLoader((ids) => db.stockTransaction.findMany({ where: { lotId: { in: ids }, type: "ISSUE" }, orderBy: { createdAt: "asc" } }), (t) => t.lotId),
    lotsOfMaterial: perPlantLoader((materialIds, plants) => db.lot.findMany({
      where: { materialId: { in: materialIds }, ...inPlants(plants) }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    })),
  };
}

export interface InventoryContext extends SubgraphContext {
  db: InventoryDb;
  loaders: ReturnType<typeof createLoaders>;
}
