import type { SubgraphContext, Tx } from "@mes/shared";
import { byIdLoader, childrenLoader, notFound, validIds } from "@mes/shared";
import type { PrismaClient } from "./generated/prisma/client.ts";

export type QualityDb = PrismaClient;
/** One interactive transaction of the quality database: what domain functions take. */
export type QualityTx = Tx<QualityDb>;

export function createLoaders(db: QualityDb) {
  return {
    plan: byIdLoader((ids) => db.inspectionPlan.findMany({ where: { id: { in: validIds(ids) } } })),
    inspection: byIdLoader((ids) => db.inspection.findMany({ where: { id: { in: validIds(ids) } } })),
    ncr: byIdLoader((ids) => db.ncr.findMany({ where: { id: { in: validIds(ids) } } })),
    characteristicsOfPlan: childrenLoader(
      (ids) => db.characteristic.findMany({ where: { planId: { in: ids } }, orderBy: { name: "asc" } }),
      (c) => c.planId,
    ),
    measurementsOfInspection: childrenLoader(
      (ids) =>
        db.inspectionMeasurement.findMany({
          where: { inspectionId: { in: ids } },
          include: { characteristic: true },
          orderBy: { characteristic: { name: "asc" } },
        }),
      (m) => m.inspectionId,
    ),
    ncrsOfInspection: childrenLoader(
      (ids) => db.ncr.findMany({ where: { inspectionId: { in: ids } }, orderBy: { createdAt: "asc" } }),
      (n) => n.inspectionId!,
    ),
    defectsOfNcr: childrenLoader(
      (ids) => db.ncrDefect.findMany({ where: { ncrId: { in: ids } }, orderBy: { type: "asc" } }),
      (d) => d.ncrId,
    ),
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

/**
 * A row a foreign key guarantees, for a non-null field. Missing, it was not visible to the caller:
 * NOT_FOUND rather than GraphQL's bare "cannot return null".
 */
export async function loadRequired<T>(loader: { load(id: string): Promise<T | null> }, entity: string, id: string): Promise<T> {
  const row = await loader.load(id);
  if (!row) throw notFound(entity, id);
  return row;
}
