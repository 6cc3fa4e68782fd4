import type { SubgraphContext } from "@mes/shared";
import { byIdLoader, childrenLoader, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";

export type QualityDb = PrismaClient;

export function createLoaders(db: QualityDb) {
  return {
    plan: byIdLoader((ids) => db.inspectionPlan.findMany({ where: { id: { in: validIds(ids) } } })),
    inspection: byIdLoader((ids) => db.inspection.findMany({ where: { id: { in: validIds(ids) } } })),
    ncr: byIdLoader((ids) => db.ncr.findMany({ where: { id: { in: validIds(ids) } } })),
    characteristicsOfPlan: childrenLoader((ids) => db.characteristic.findMany({ where: { planId: { in: ids } }, orderBy: { name: "asc" } }), (c) => c.planId),
    measurementsOfInspection: childrenLoader(
      (ids) => db.inspectionMeasurement.findMany({ where: { inspectionId: { in: ids } }, include: { characteristic: true }, orderBy: { characteristic: { name: "asc" } } }),
      (m) => m.inspectionId,
    ),
    ncrsOfInspection: childrenLoader((ids) => db.ncr.findMany({ where: { inspectionId: { in: ids } }, orderBy: { createdAt: "asc" } }), (n) => n.inspectionId!),
    defectsOfNcr: childrenLoader((ids) => db.ncrDefect.findMany({ where: { ncrId: { in: ids } }, orderBy: { type: "asc" } }), (d) => d.ncrId),
    inspectionsOfWorkOrder: childrenLoader(
      (ids) => db.inspection.findMany({ where: { workOrderId: { in: validIds(ids) } }, orderBy: [{ inspectedAt: "desc" }, { id: "asc" }] }),
      (i) => i.workOrderId!,
    ),
    ncrsOfWorkOrder: childrenLoader(
      (ids) => db.ncr.findMany({ where: { workOrderId: { in: validIds(ids) } }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] }),
      (n) => n.workOrderId!,
    ),
  };
}

export interface QualityContext extends SubgraphContext {
  db: QualityDb;
  loaders: ReturnType<typeof createLoaders>;
}
