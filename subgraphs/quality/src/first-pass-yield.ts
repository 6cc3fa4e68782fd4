import { plantFilter, ratio, type Ratio, type Tenant } from "@mes/shared";
import type { QualityTx } from "./context.ts";

/** The earliest inspection of one plan and subject, as first-pass yield counts it. */
export interface FirstInspection {
  passed: boolean;
  quantity: number;
  productId: string | null;
  workCenterId: string | null;
  inspectedAt: Date;
}

export interface FirstPassYieldReport {
  overall: Ratio;
  byProduct: { product: { id: string }; yield: Ratio }[];
  byWorkCenter: { workCenter: { id: string }; yield: Ratio }[];
}

/**
 * The first (earliest) judged inspection per plan and subject (work order, else lot, else the
 * inspection itself) at a plant, with the plan's product and work center.
 */
export function firstInspections(db: QualityTx, tenant: Tenant, plantId: string): Promise<FirstInspection[]> {
  return db.$queryRaw<FirstInspection[]>`
    SELECT DISTINCT ON (i."planId", coalesce(i."workOrderId", i."lotId", i.id))
           i.result = 'PASS' AS passed, i."quantityInspected" AS quantity, p."productId"::text AS "productId", p."workCenterId"::text AS "workCenterId", i."inspectedAt"
      FROM "Inspection" i JOIN "InspectionPlan" p ON p.id = i."planId"
     WHERE i."plantId" = ${plantId}::uuid AND i.result <> 'PENDING'
       AND i."organizationId" = ${tenant.organizationId}::uuid -- raw SQL: outside the scoped client
       AND (${plantFilter(tenant)}::uuid[] IS NULL OR i."plantId" = ANY(${plantFilter(tenant)}::uuid[]))
     ORDER BY i."planId", coalesce(i."workOrderId", i."lotId", i.id), i."inspectedAt", i.id`;
}

/** Units passed / units inspected, over first inspections. */
export function yieldOf(rows: FirstInspection[]): Ratio {
  return ratio(
    rows.filter((r) => r.passed).reduce((s, r) => s + r.quantity, 0),
    rows.reduce((s, r) => s + r.quantity, 0),
  );
}

/**
 * First-pass yield of the first inspections made in [from, to): overall, per product and per work
 * center (those without one are left out of that grouping), groups in id order.
 */
export function firstPassYieldReport(firsts: FirstInspection[], from: Date, to: Date): FirstPassYieldReport {
  // A subject first inspected before the window does not count again for a re-inspection in it.
  const inWindow = firsts.filter((f) => f.inspectedAt >= from && f.inspectedAt < to);
  const groups = (key: "productId" | "workCenterId") => {
    const map = new Map<string, FirstInspection[]>();
    for (const r of inWindow) {
      const id = r[key];
      if (id) map.set(id, [...(map.get(id) ?? []), r]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  return {
    overall: yieldOf(inWindow),
    byProduct: groups("productId").map(([id, rows]) => ({ product: { id }, yield: yieldOf(rows) })),
    byWorkCenter: groups("workCenterId").map(([id, rows]) => ({ workCenter: { id }, yield: yieldOf(rows) })),
  };
}

/** First-pass yield at a plant over [from, to). */
export async function firstPassYield(db: QualityTx, tenant: Tenant, plantId: string, from: Date, to: Date): Promise<FirstPassYieldReport> {
  return firstPassYieldReport(await firstInspections(db, tenant, plantId), from, to);
}
