// NCRs of a period counted by defect type ("NCRs this week by defect type"): pure grouping and its query.
import { Prisma } from "./generated/prisma/client.ts";
import type { QualityTx } from "./context.ts";

export interface NcrWithDefects {
  id: string;
  defects: { type: string; quantity: Prisma.Decimal }[];
}

export interface DefectTypeCount {
  type: string;
  ncrCount: number;
  quantity: number;
}

export interface NcrDefectCounts {
  ncrCount: number;
  withoutDefects: number;
  byType: DefectTypeCount[];
}

/**
 * Per defect type (exactly as written): the NCRs with at least one defect of it and the quantities
 * added up (as decimals, so 0.1 + 0.2 is 0.3); most quantity first, then by type.
 */
export function countDefectsByType(ncrs: readonly NcrWithDefects[]): NcrDefectCounts {
  const byType = new Map<string, { ncrs: Set<string>; quantity: Prisma.Decimal }>();
  for (const ncr of ncrs) {
    for (const d of ncr.defects) {
      const entry = byType.get(d.type) ?? { ncrs: new Set<string>(), quantity: new Prisma.Decimal(0) };
      entry.ncrs.add(ncr.id);
      entry.quantity = entry.quantity.add(d.quantity);
      byType.set(d.type, entry);
    }
  }
  return {
    ncrCount: ncrs.length,
    withoutDefects: ncrs.filter((n) => n.defects.length === 0).length,
    byType: [...byType.entries()]
      .map(([type, e]) => ({ type, ncrCount: e.ncrs.size, quantity: e.quantity.toNumber() }))
      .sort((a, b) => b.quantity - a.quantity || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
  };
}

/** NCRs of a plant created in [from, to), counted by defect type (defects read through their scoped NCR). */
export async function ncrDefectSummary(db: QualityTx, plantId: string, from: Date, to: Date) {
  const ncrs = await db.ncr.findMany({
    where: { plantId, createdAt: { gte: from, lt: to } },
    select: { id: true, defects: { select: { type: true, quantity: true } } },
  });
  return { from, to, ...countDefectsByType(ncrs) };
}
