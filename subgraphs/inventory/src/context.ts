import DataLoader from "dataloader";
import type { SubgraphContext, Tenant, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, notFound, scopedRows, validIds } from "@mes/shared";
import { Prisma, type Material, type PrismaClient } from "./generated/prisma/client.ts";
import { rowValues } from "./costing.ts";
import { materialPositionLoader } from "./shortages.ts";
import { nestedLoaders } from "./nested-lists.ts";

export type InventoryDb = PrismaClient;
/** One interactive transaction of the inventory database: what domain functions that write take. */
export type InventoryTx = Tx<InventoryDb>;

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
    material: byIdLoader((ids) => scopedRows<Material>(db, "Material", "id", ids)),
    location: byIdLoader((ids) => db.location.findMany({ where: { id: { in: validIds(ids) } } })),
    lot: byIdLoader((ids) => db.lot.findMany({ where: { id: { in: validIds(ids) } } })),
    stockOfLocation: childrenLoader(
      (ids) => db.stock.findMany({ where: { locationId: { in: ids } } }),
      (s) => s.locationId,
    ),
    stockOfLot: childrenLoader(
      (ids) => db.stock.findMany({ where: { lotId: { in: ids } } }),
      (s) => s.lotId,
    ),
    /** Stock rows of materials, keyed by plantKey(materialId, plantId). One query per tick. */
    stockOfMaterial: perPlantLoader((materialIds, plants) =>
      db.stock.findMany({
        where: { materialId: { in: materialIds }, ...inPlants(plants) },
        orderBy: [{ plantId: "asc" }, { locationId: "asc" }],
      }),
    ),
    /** On-hand and reserved quantities, summed by the database (dashboards ask for hundreds). */
    onHandOfMaterial: perPlantSum(async (materialIds, plants) => {
      // Awaited into a variable: inferred from the expected Sums, groupBy's overloads do not resolve.
      const sums = await db.stock.groupBy({
        by: ["materialId", "plantId"],
        where: { materialId: { in: materialIds }, ...inPlants(plants) },
        _sum: { quantity: true },
      });
      return sums;
    }),
    reservedOfMaterial: perPlantSum(async (materialIds, plants) => {
      const sums = await db.reservation.groupBy({
        by: ["materialId", "plantId"],
        where: { materialId: { in: materialIds }, ...inPlants(plants) },
        _sum: { quantity: true },
      });
      return sums;
    }),
    alertsOfMaterial: perPlantLoader((materialIds, plants) =>
      db.stockAlert.findMany({ where: { materialId: { in: materialIds }, clearedAt: null, ...inPlants(plants) } }),
    ),
    transaction: byIdLoader((ids) => db.stockTransaction.findMany({ where: { id: { in: ids } } })),
    /**
     * Every movement naming a work order, oldest first: its material cost and consumed lots (issues
     * and returns) and its materialTransactions pages come from this one query per tick.
     */
    movesOfWorkOrder: childrenLoader(
      (ids) =>
        db.stockTransaction.findMany({
          where: { workOrderId: { in: validIds(ids) } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        }),
      (t) => t.workOrderId!,
    ),
    reservationsOfWorkOrder: childrenLoader(
      (ids) => db.reservation.findMany({ where: { workOrderId: { in: validIds(ids) } }, orderBy: { materialId: "asc" } }),
      (r) => r.workOrderId,
    ),
    lotsProducedBy: childrenLoader(
      (ids) => db.lot.findMany({ where: { producedByWorkOrderId: { in: validIds(ids) } }, orderBy: { lotNumber: "asc" } }),
      (l) => l.producedByWorkOrderId!,
    ),
    /** Issues and returns of lots (which work orders consumed them, net of returns). */
    materialMovesOfLot: childrenLoader(
      (ids) =>
        db.stockTransaction.findMany({
          where: { lotId: { in: ids }, type: { in: ["ISSUE", "RETURN"] } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        }),
      (t) => t.lotId,
    ),
    /** Value of the open cost layers per (material, plant), summed by the database. */
    valueOfMaterial: perPlantSum(async (materialIds, plants) => {
      const sums = await db.costLayer.groupBy({
        by: ["materialId", "plantId"],
        where: { materialId: { in: materialIds }, remainingQuantity: { gt: 0 }, ...inPlants(plants) },
        _sum: { remainingValue: true },
      });
      return sums.map((r) => ({ materialId: r.materialId, plantId: r.plantId, _sum: { quantity: r._sum.remainingValue } }));
    }),
    settlementOfWorkOrder: childrenLoader(
      (ids) => db.workOrderSettlement.findMany({ where: { workOrderId: { in: validIds(ids) } } }),
      (s) => s.workOrderId,
    ),
    /** Everything that makes up a work order's cost: issues, returns, receipts, settlements. */
    costMovesOfWorkOrder: childrenLoader(
      (ids) =>
        db.stockTransaction.findMany({
          where: { workOrderId: { in: validIds(ids) }, type: { in: ["ISSUE", "RETURN", "RECEIPT", "SETTLEMENT"] } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        }),
      (t) => t.workOrderId!,
    ),
  };
}

/** Loaders built on the others: each material's plant value apportioned over its stock rows, once per request. */
function derivedLoaders(base: ReturnType<typeof createLoaders>) {
  return {
    /** Value of each stock row (by id) of a material at a plant, keyed by plantKey(materialId, plantId). */
    rowValuesOfMaterial: new DataLoader<string, Map<string, Prisma.Decimal>>((keys) =>
      Promise.all(
        keys.map(async (key) => {
          const [rows, value] = await Promise.all([base.stockOfMaterial.load(key), base.valueOfMaterial.load(key)]);
          return rowValues(value, rows);
        }),
      ),
    ),
  };
}

export function createAllLoaders(db: InventoryDb, tenant: Tenant) {
  const base = createLoaders(db);
  return { ...base, ...derivedLoaders(base), ...nestedLoaders(db, tenant), materialPosition: materialPositionLoader(db, tenant) };
}

export type InventoryLoaders = ReturnType<typeof createAllLoaders>;

export interface InventoryContext extends SubgraphContext {
  db: InventoryDb;
  loaders: InventoryLoaders;
}

/**
 * A row another row of this database points to, for a non-null field. It is missing only if the
 * books were edited by hand; that is reported as not found rather than as a null in a non-null field.
 */
export async function loadRequired<T>(loader: DataLoader<string, T | null>, entity: string, id: string): Promise<T> {
  const row = await loader.load(id);
  if (!row) throw notFound(entity, id);
  return row;
}

/** Rows by id for a non-null list, in the order of the ids (see loadRequired). */
export function loadAllRequired<T>(loader: DataLoader<string, T | null>, entity: string, ids: readonly string[]): Promise<T[]> {
  return Promise.all(ids.map((id) => loadRequired(loader, entity, id)));
}
