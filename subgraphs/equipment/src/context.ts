import type { SubgraphContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";

export type EquipmentDb = PrismaClient;

export function createLoaders(db: EquipmentDb) {
  return {
    plant: byIdLoader((ids) => db.plant.findMany({ where: { id: { in: validIds(ids) } } })),
    area: byIdLoader((ids) => db.area.findMany({ where: { id: { in: validIds(ids) } } })),
    workCenter: byIdLoader((ids) => db.workCenter.findMany({ where: { id: { in: validIds(ids) } } })),
    machine: byIdLoader((ids) => db.machine.findMany({ where: { id: { in: validIds(ids) } } })),
    downtimeReason: byIdLoader((ids) => db.downtimeReason.findMany({ where: { id: { in: ids } } })),
    areasOfPlant: childrenLoader((ids) => db.area.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }), (a) => a.plantId),
    workCentersOfPlant: childrenLoader((ids) => db.workCenter.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }), (w) => w.plantId),
    workCentersOfArea: childrenLoader((ids) => db.workCenter.findMany({ where: { areaId: { in: ids } }, orderBy: { code: "asc" } }), (w) => w.areaId),
    machinesOfPlant: childrenLoader((ids) => db.machine.findMany({ where: { plantId: { in: ids } }, orderBy: { code: "asc" } }), (m) => m.plantId),
    pmSchedule: byIdLoader((ids) => db.pmSchedule.findMany({ where: { id: { in: ids } } })),
    pmSchedulesOfMachine: childrenLoader((ids) => db.pmSchedule.findMany({ where: { machineId: { in: ids } }, orderBy: { name: "asc" } }), (s) => s.machineId),
    maintenanceOrdersOfMachine: childrenLoader((ids) => db.maintenanceOrder.findMany({ where: { machineId: { in: ids } }, orderBy: { createdAt: "desc" } }), (o) => o.machineId),
    machinesOfWorkCenter: childrenLoader((ids) => db.machine.findMany({ where: { workCenterId: { in: ids } }, orderBy: { code: "asc" } }), (m) => m.workCenterId),
  };
}

export interface EquipmentContext extends SubgraphContext {
  db: EquipmentDb;
  loaders: ReturnType<typeof createLoaders>;
}
