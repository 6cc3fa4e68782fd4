import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { countDefectsByType } from "./ncr-defects.ts";

const ncr = (id: string, ...defects: [string, string][]) => ({
  id,
  defects: defects.map(([type, q]) => ({ type, quantity: new Prisma.Decimal(q) })),
});

describe("countDefectsByType", () => {
  it("counts NCRs and quantities per defect type, most quantity first, then by type", () => {
    const counts = countDefectsByType([
      ncr("n1", ["Scratch", "3"], ["Oversize bore", "8"]),
      ncr("n2", ["Scratch", "2"], ["Scratch", "1"]),
      ncr("n3"),
      ncr("n4", ["Burr", "6"]),
    ]);
    expect(counts).toEqual({
      ncrCount: 4,
      withoutDefects: 1,
      byType: [
        { type: "Oversize bore", ncrCount: 1, quantity: 8 },
        // n1 (3) + n2 (2 + 1): two NCRs, 6 units; ties with Burr and sorts after it by name.
        { type: "Burr", ncrCount: 1, quantity: 6 },
        { type: "Scratch", ncrCount: 2, quantity: 6 },
      ],
    });
  });

  it("adds quantities as decimals", () => {
    expect(countDefectsByType([ncr("n1", ["Gap", "0.1"]), ncr("n2", ["Gap", "0.2"])]).byType).toEqual([{ type: "Gap", ncrCount: 2, quantity: 0.3 }]);
  });

  it("is all zero without NCRs", () => {
    expect(countDefectsByType([])).toEqual({ ncrCount: 0, withoutDefects: 0, byType: [] });
  });
});
