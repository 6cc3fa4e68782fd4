import DataLoader from "dataloader";
import type { ReferenceBook, ShiftFact, SubgraphContext, Tenant, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, scopedRows, validIds } from "@mes/shared";
import type { Machine, PrismaClient } from "./generated/prisma/client.ts";
import { historyLoaders } from "./histories.ts";

export type EquipmentDb = PrismaClient;
/** One interactive transaction of the equipment database; domain functions take it (or the db). */
export type EquipmentTx = Tx<EquipmentDb>;

/**
 * The plant's shifts overlapping a window, from the copy of the shifts subgraph's calendar: one
 * query per plant and window in a request (all work centers of a plant asked for the same day share it).
 */
function shiftWindowsLoader(references: Pick<ReferenceBook, "shiftsBetween">) {
  const loader = new DataLoader<string, ShiftFact[]>((keys) =>
    Promise.all(
      keys.map((key) => {
        const [organizationId, plantId, from, to] = JSON.parse(key) as [string, string, string, string];
        return references.shiftsBetween(organizationId, plantId, new Date(from), new Date(to));
      }),
    ),
  );
  return (organizationId: string, plantId: string, from: Date, to: Date) =>
    loader.load(JSON.stringify([organizationId, plantId, from.toISOString(), to.toISOString()]));
}

export function createLoaders(db: EquipmentDb, tenant: Tenant, references: Pick<ReferenceBook, "shiftsBetween">) {
  return {
    shiftsBetween: shiftWindowsLoader(references),
    plant: byIdLoader((ids) => db.plant.findMany({ where: { id: { in: validIds(ids) } } })),
    area: byIdLoader((ids) => db.area.findMany({ where: { id: { in: validIds(ids) } } })),
    workCenter: byIdLoader((ids) => db.workCenter.findMany({ where: { id: { in: validIds(ids) } } })),
    machine: byIdLoader((ids) => scopedRows<Machine>(db, "Machine", "id", ids)),
    downtimeReason: byIdLoader((ids) => db.downtimeReason.findMany({ where: { id: { in: ids } } })),
    areasOfPlant: childrenLoader(
      (ids) => db.area.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }),
      (a) => a.plantId,
    ),
    workCentersOfPlant: childrenLoader(
      (ids) => db.workCenter.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }),
      (w) => w.plantId,
    ),
    workCentersOfArea: childrenLoader(
      (ids) => db.workCenter.findMany({ where: { areaId: { in: ids } }, orderBy: { code: "asc" } }),
      (w) => w.areaId,
    ),
    machinesOfPlant: childrenLoader(
      (ids) => db.machine.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }),
      (m) => m.plantId,
    ),
    ...historyLoaders(db, tenant),
    // At most one per machine: downtime records of a machine never overlap.
    openDowntimesOfMachine: childrenLoader(
      (ids) => db.downtime.findMany({ where: { machineId: { in: ids }, endedAt: null }, orderBy: { startedAt: "desc" } }),
      (d) => d.machineId,
    ),
    pmSchedule: byIdLoader((ids) => db.pmSchedule.findMany({ where: { id: { in: ids } } })),
    pmSchedulesOfMachine: childrenLoader(
      (ids) => db.pmSchedule.findMany({ where: { machineId: { in: ids } }, orderBy: { name: "asc" } }),
      (s) => s.machineId,
    ),
    machinesOfWorkCenter: childrenLoader(
      (ids) => db.machine.findMany({ where: { workCenterId: { in: ids } }, orderBy: { code: "asc" } }),
      (m) => m.workCenterId,
    ),
  };
}

export interface EquipmentContext extends SubgraphContext {
  db: EquipmentDb;
  loaders: ReturnType<typeof createLoaders>;
}

/**
 * The row a foreign key points at. The database guarantees it exists, so a miss is a bug: it fails
 * the field (as a null for a non-null field would) instead of typing every parent as nullable.
 */
export async function referenced<T>(row: Promise<T | null>, entity: string, id: string): Promise<T> {
  const found = await row;
  if (!found) throw new Error(`${entity} ${id} is referenced but was not found`);
  return found;
}
