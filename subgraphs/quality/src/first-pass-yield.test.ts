import { describe, expect, it } from "vitest";
import { firstPassYieldReport, type FirstInspection } from "./first-pass-yield.ts";

const at = (iso: string) => new Date(iso);
const first = (
  passed: boolean,
  quantity: number,
  productId: string | null,
  workCenterId: string | null,
  inspectedAt = "2026-03-10T12:00:00Z",
): FirstInspection => ({ passed, quantity, productId, workCenterId, inspectedAt: at(inspectedAt) });
const from = at("2026-03-01T00:00:00Z");
const to = at("2026-04-01T00:00:00Z");

describe("firstPassYieldReport", () => {
  it("has no value, not NaN, when nothing was inspected", () => {
    expect(firstPassYieldReport([], from, to)).toEqual({ overall: { value: null, numerator: 0, denominator: 0 }, byProduct: [], byWorkCenter: [] });
  });

  it("weighs inspections by units and groups by product and work center, in id order", () => {
    const report = firstPassYieldReport([first(false, 5, "p-1", "wc-2"), first(true, 10, "p-1", "wc-1"), first(true, 5, "p-0", null)], from, to);
    expect(report.overall).toEqual({ value: 0.75, numerator: 15, denominator: 20 });
    expect(report.byProduct).toEqual([
      { product: { id: "p-0" }, yield: { value: 1, numerator: 5, denominator: 5 } },
      { product: { id: "p-1" }, yield: { value: 2 / 3, numerator: 10, denominator: 15 } },
    ]);
    // The inspection without a work center counts overall only.
    expect(report.byWorkCenter).toEqual([
      { workCenter: { id: "wc-1" }, yield: { value: 1, numerator: 10, denominator: 10 } },
      { workCenter: { id: "wc-2" }, yield: { value: 0, numerator: 0, denominator: 5 } },
    ]);
  });

  it("counts first inspections in [from, to): from included, to excluded", () => {
    const report = firstPassYieldReport(
      [
        first(true, 1, null, null, "2026-02-28T23:59:59.999Z"),
        first(true, 2, null, null, "2026-03-01T00:00:00.000Z"),
        first(false, 4, null, null, "2026-03-31T23:59:59.999Z"),
        first(false, 8, null, null, "2026-04-01T00:00:00.000Z"),
      ],
      from,
      to,
    );
    expect(report.overall).toEqual({ value: 2 / 6, numerator: 2, denominator: 6 });
  });

  it("a subject whose first inspection failed has 0 yield however many units", () => {
    expect(firstPassYieldReport([first(false, 1000, "p", "wc")], from, to).overall).toEqual({ value: 0, numerator: 0, denominator: 1000 });
  });
});
