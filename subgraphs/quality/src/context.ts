import type { SubgraphContext, Tenant, Tx } from "@mes/shared";
import { byIdLoader, childPageLoader, childrenLoader, notFound, validIds } from "@mes/shared";
import type { Inspection, Ncr, PrismaClient } from "./generated/prisma/client.ts";

export type QualityDb = PrismaClient;
/** One interactive transaction of the quality database: what domain functions take. */
export type QualityTx = Tx<QualityDb>;

export function createLoaders(db: QualityDb, tenant: Tenant) {
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
    /** Pages of work orders' inspections, newest first: one statement per tick (see childPageLoader). */
    inspectionsOfWorkOrder: childPageLoader<Inspection>(db, tenant, {
      table: "Inspection",
      parentColumn: "workOrderId",
      timeColumn: "inspectedAt",
      order: `t."inspectedAt" DESC, t.id ASC`,
      plantScoped: true,
    }),
    /** Pages of work orders' NCRs, newest first. */
    ncrsOfWorkOrder: childPageLoader<Ncr>(db, tenant, {
      table: "Ncr",
      parentColumn: "workOrderId",
      timeColumn: "createdAt",
      order: `t."createdAt" DESC, t.id ASC`,
      plantScoped: true,
    }),
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
