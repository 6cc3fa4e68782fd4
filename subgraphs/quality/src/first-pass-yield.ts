// First pass yield (ISO 22400-2 FPY): units passing their first inspection / units first inspected.
import { ratio, type Ratio } from "@mes/shared";
import type { QualityTx } from "./context.ts";

/** Units of first inspections (not re-inspections) of one inspection plan, with the plan's product and work center. */
export interface FirstPassCount {
  unitsInspected: number;
  unitsPassed: number;
  productId: string | null;
  workCenterId: string | null;
}

export interface FirstPassYieldReport {
  overall: Ratio;
  byProduct: { product: { id: string }; yield: Ratio }[];
  byWorkCenter: { workCenter: { id: string }; yield: Ratio }[];
}

/** Units passed / units inspected, added up over the counts; null value when no unit was inspected. */
export function yieldOf(rows: readonly FirstPassCount[]): Ratio {
  return ratio(
    rows.reduce((s, r) => s + r.unitsPassed, 0),
    rows.reduce((s, r) => s + r.unitsInspected, 0),
  );
}

/** First pass yield overall, per product and per work center (those without one are left out of that grouping), groups in id order. */
export function firstPassYieldReport(counts: readonly FirstPassCount[]): FirstPassYieldReport {
  const groups = (key: "productId" | "workCenterId") => {
    const map = new Map<string, FirstPassCount[]>();
    for (const r of counts) {
      const id = r[key];
      if (id) map.set(id, [...(map.get(id) ?? []), r]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  return {
    overall: yieldOf(counts),
    byProduct: groups("productId").map(([id, rows]) => ({ product: { id }, yield: yieldOf(rows) })),
    byWorkCenter: groups("workCenterId").map(([id, rows]) => ({ workCenter: { id }, yield: yieldOf(rows) })),
  };
}

/** Units of the first inspections made at a plant in [from, to), per inspection plan (one query, plus the plans). */
export async function firstPassCounts(db: QualityTx, plantId: string, from: Date, to: Date): Promise<FirstPassCount[]> {
  const sums = await db.inspection.groupBy({
    by: ["planId"],
    where: { plantId, inspectedAt: { gte: from, lt: to }, reinspectionOfId: null, result: { not: "PENDING" } },
    _sum: { quantityInspected: true, quantityPassed: true },
  });
  const plans = await db.inspectionPlan.findMany({ where: { id: { in: sums.map((s) => s.planId) } } });
  const planOf = new Map(plans.map((p) => [p.id, p]));
  return sums.map((s) => ({
    unitsInspected: s._sum.quantityInspected ?? 0,
    unitsPassed: s._sum.quantityPassed ?? 0,
    productId: planOf.get(s.planId)?.productId ?? null,
    workCenterId: planOf.get(s.planId)?.workCenterId ?? null,
  }));
}

/** First pass yield at a plant over [from, to). */
export async function firstPassYield(db: QualityTx, plantId: string, from: Date, to: Date): Promise<FirstPassYieldReport> {
  return firstPassYieldReport(await firstPassCounts(db, plantId, from, to));
}
