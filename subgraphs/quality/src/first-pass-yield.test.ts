import { describe, expect, it } from "vitest";
import { firstPassYieldReport, type FirstPassCount } from "./first-pass-yield.ts";

const count = (unitsInspected: number, unitsPassed: number, productId: string | null, workCenterId: string | null): FirstPassCount => ({
  unitsInspected,
  unitsPassed,
  productId,
  workCenterId,
});

describe("firstPassYieldReport", () => {
  it("has no value, not NaN, when nothing was first inspected", () => {
    expect(firstPassYieldReport([])).toEqual({ overall: { value: null, numerator: 0, denominator: 0 }, byProduct: [], byWorkCenter: [] });
  });

  it("ten one-unit inspections of one order, 8 passing: 8/10, not the first one's 0/1", () => {
    // Summed per plan by the query: 10 units inspected, 8 passed.
    expect(firstPassYieldReport([count(10, 8, "p", "wc")]).overall).toEqual({ value: 0.8, numerator: 8, denominator: 10 });
  });

  it("a sample of 10 with 2 bad units: 8/10, not 0/10", () => {
    expect(firstPassYieldReport([count(10, 8, null, null)]).overall).toEqual({ value: 0.8, numerator: 8, denominator: 10 });
  });

  it("weighs by units and groups by product and work center, in id order", () => {
    // Plan A (p-1, wc-2): 5 inspected, 3 passed; plan B (p-1, wc-1): 10 of 10; plan C (p-0, none): 5 of 5.
    const report = firstPassYieldReport([count(5, 3, "p-1", "wc-2"), count(10, 10, "p-1", "wc-1"), count(5, 5, "p-0", null)]);
    // (3 + 10 + 5) / (5 + 10 + 5) = 18 / 20
    expect(report.overall).toEqual({ value: 0.9, numerator: 18, denominator: 20 });
    expect(report.byProduct).toEqual([
      { product: { id: "p-0" }, yield: { value: 1, numerator: 5, denominator: 5 } },
      { product: { id: "p-1" }, yield: { value: 13 / 15, numerator: 13, denominator: 15 } },
    ]);
    // The plan without a work center counts overall only.
    expect(report.byWorkCenter).toEqual([
      { workCenter: { id: "wc-1" }, yield: { value: 1, numerator: 10, denominator: 10 } },
      { workCenter: { id: "wc-2" }, yield: { value: 0.6, numerator: 3, denominator: 5 } },
    ]);
  });

  it("a group whose units all failed has 0, not null", () => {
    expect(firstPassYieldReport([count(1000, 0, "p", "wc")]).overall).toEqual({ value: 0, numerator: 0, denominator: 1000 });
  });
});
