import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import {
  allocate,
  capitalisedVariance,
  chargeLayers,
  drawValue,
  mergeAverage,
  netConsumed,
  provisionalReceiptValue,
  returnValue,
  rowValues,
  settlementVariances,
  toCent,
  type ValuedLayer,
} from "./costing.ts";
import { settlementSummary } from "./valuation.ts";

// Hand-computed fixtures for the costing rules of issue 15 (docs/kpis/inventory.md has the same examples).

const D = (n: number | string) => new Prisma.Decimal(n);
const s = (d: Prisma.Decimal | null | undefined) => d?.toFixed(2) ?? null;
const layer = (id: string, quantity: number | string, value: number | string, unitCost: number | string = 0): ValuedLayer => ({
  id,
  remainingQuantity: D(quantity),
  remainingValue: D(value),
  unitCost: D(unitCost),
});

describe("rounding to the cent", () => {
  it("rounds half-up: half a cent goes away from zero", () => {
    expect(s(toCent(D("0.005")))).toBe("0.01");
    expect(s(toCent(D("0.015")))).toBe("0.02"); // half-even would give 0.02 too; 0.025 tells them apart
    expect(s(toCent(D("0.025")))).toBe("0.03"); // half-even: 0.02
    expect(s(toCent(D("-0.025")))).toBe("-0.03");
    expect(s(toCent(D("2.344999")))).toBe("2.34");
  });
});

describe("layer draws", () => {
  it("takes a share of the value left, and all of it when the layer empties", () => {
    // 3 units worth 1.00: 1 unit = 0.333.. -> 0.33; the last unit takes what is left (0.34).
    const l = { remainingQuantity: D(3), remainingValue: D(1) };
    expect(s(drawValue(l, D(1)))).toBe("0.33");
    expect(s(drawValue({ remainingQuantity: D(2), remainingValue: D("0.67") }, D(1)))).toBe("0.34"); // 0.335 half-up
    expect(s(drawValue({ remainingQuantity: D(1), remainingValue: D("0.33") }, D(1)))).toBe("0.33");
    expect(s(drawValue(l, D(3)))).toBe("1.00");
  });

  it("charges FIFO layers oldest first, each at its own value per unit", () => {
    // 100 @ 2.00 (200.00) and 100 @ 3.25 (325.00): 150 = 200.00 + 50 x 3.25 = 362.50
    const charge = chargeLayers([layer("L1", 100, 200), layer("L2", 100, 325)], D(150));
    expect(charge.draws.map((d) => [d.layerId, d.quantity.toString(), s(d.value)])).toEqual([
      ["L1", "100", "200.00"],
      ["L2", "50", "162.50"],
    ]);
    expect(s(charge.value)).toBe("362.50");
    expect(charge.uncovered.isZero()).toBe(true);
  });

  it("merges a moving-average receipt into the open layer", () => {
    // 10 @ 2.00 (20.00) + 5 @ 3.50 (17.50) = 15 worth 37.50: 2.50 per unit.
    const merged = mergeAverage({ remainingQuantity: D(10), remainingValue: D(20) }, D(5), D("17.5"));
    expect([merged.remainingQuantity.toString(), s(merged.remainingValue), merged.unitCost?.toString()]).toEqual(["15", "37.50", "2.5"]);
    // Issuing 4 of it: 4 x 2.50 = 10.00; 11 worth 27.50 left, still 2.50.
    const charge = chargeLayers([layer("A", 15, "37.5")], D(4));
    expect(s(charge.value)).toBe("10.00");
    // A third of a cent-valued average: 3 worth 10.00, issue 1 = 3.33, then 1 = 3.34 (6.67 / 2 = 3.335), then 3.33.
    expect(s(chargeLayers([layer("B", 3, 10)], D(1)).value)).toBe("3.33");
    expect(s(chargeLayers([layer("B", 2, "6.67")], D(1)).value)).toBe("3.34");
    expect(mergeAverage({ remainingQuantity: D(0), remainingValue: D(0) }, D(0), D(0)).unitCost).toBeNull();
  });
});

describe("returns", () => {
  const issued = { quantity: D(3), value: D(10) }; // 3 issued for 10.00

  it("returns part at the issue value per unit, to the cent", () => {
    expect(s(returnValue(issued, { quantity: D(0), value: D(0) }, D(1)))).toBe("3.33");
  });

  it("returns exactly what is left when the rest comes back, so the order keeps no cost of the lot", () => {
    // 1 returned for 3.33, then the other 2: 10.00 - 3.33 = 6.67 (not 2 x 3.33 = 6.66).
    expect(s(returnValue(issued, { quantity: D(1), value: D("3.33") }, D(2)))).toBe("6.67");
  });
});

describe("allocate (largest remainder)", () => {
  it("splits to the cent and always adds up", () => {
    // 10.00 over 1:1:1 = 3.333.. each: floors 3.33 x 3 = 9.99, the one cent left goes to the first.
    expect(allocate(D(10), [D(1), D(1), D(1)])!.map(s)).toEqual(["3.34", "3.33", "3.33"]);
    // 100.00 over 1:2:3 = 16.666.., 33.333.., 50: remainders .67 and .33 -> the first gets the cent.
    expect(allocate(D(100), [D(1), D(2), D(3)])!.map(s)).toEqual(["16.67", "33.33", "50.00"]);
    expect(allocate(D("-0.05"), [D(1), D(1)])!.map(s)).toEqual(["-0.03", "-0.02"]);
    expect(allocate(D(5), [D(0), D(0)])).toBeNull();
  });

  it("values stock rows by quantity share, adding up to the plant value", () => {
    // 97 on hand worth 145.50 (1.50 each): 72 at WH = 108.00, 25 at LS = 37.50, an empty row 0.
    const rows = [
      { id: "WH", quantity: D(72) },
      { id: "LS", quantity: D(25) },
      { id: "EMPTY", quantity: D(0) },
    ];
    const v = rowValues(D("145.5"), rows);
    expect([s(v.get("WH")), s(v.get("LS")), s(v.get("EMPTY"))]).toEqual(["108.00", "37.50", "0.00"]);
    expect(s(rowValues(D(0), [{ id: "X", quantity: D(0) }]).get("X"))).toBe("0.00");
  });
});

describe("production receipts and settlement", () => {
  it("values a receipt before completion at cost consumed so far / quantity received so far", () => {
    // 10.00 issued; 5 received: 10.00 / 5 x 5 = 10.00; the next 5: 10.00 / 10 x 5 = 5.00.
    expect(s(provisionalReceiptValue(D(10), D(0), D(5)))).toBe("10.00");
    expect(s(provisionalReceiptValue(D(10), D(5), D(5)))).toBe("5.00");
    // Nothing consumed yet: 0.
    expect(s(provisionalReceiptValue(D(0), D(0), D(5)))).toBe("0.00");
    // 10.00 over 3 received: 3.333.. -> 3.33
    expect(s(provisionalReceiptValue(D(10), D(2), D(1)))).toBe("3.33");
  });

  it("apportions the actual cost over every receipt by quantity: split receipts do not multiply the value", () => {
    // The example: 10.00 issued, two receipts of 5 booked at 10.00 and 5.00.
    const v = settlementVariances(D(10), [
      { id: "R1", quantity: D(5), booked: D(10) },
      { id: "R2", quantity: D(5), booked: D(5) },
    ]);
    expect(v.map((x) => [x.id, s(x.target), s(x.variance)])).toEqual([
      ["R1", "5.00", "-5.00"],
      ["R2", "5.00", "0.00"],
    ]);
    // After a partial return of 2.00 the order cost 8.00: each receipt's target 4.00, variance -1.00 on what it now carries.
    const again = settlementVariances(D(8), [
      { id: "R1", quantity: D(5), booked: D(5) },
      { id: "R2", quantity: D(5), booked: D(5) },
    ]);
    expect(again.map((x) => s(x.variance))).toEqual(["-1.00", "-1.00"]);
    expect(settlementVariances(D(10), [])).toEqual([]);
  });

  it("puts into stock the share of a variance whose units are still on hand, never below 0", () => {
    // -5.00 on a receipt of 5 with 5 on hand worth 10.00: all -5.00 capitalised.
    expect(s(capitalisedVariance(D(-5), D(5), D(5), D(10)))).toBe("-5.00");
    // 2 of 5 on hand: 2/5 x -5.00 = -2.00 capitalised, -3.00 expensed.
    expect(s(capitalisedVariance(D(-5), D(2), D(5), D(4)))).toBe("-2.00");
    // Nothing on hand: all expensed.
    expect(s(capitalisedVariance(D(3), D(0), D(5), D(0)))).toBe("0.00");
    // A pool holding more than the receipt (moving average): at most the whole variance.
    expect(s(capitalisedVariance(D("1.5"), D(40), D(5), D(80)))).toBe("1.50");
    // Never below 0: -5.00 against a layer worth 3.00 puts -3.00 in.
    expect(s(capitalisedVariance(D(-5), D(5), D(5), D(3)))).toBe("-3.00");
  });

  it("sums a settled order: variance, capitalised and expensed", () => {
    const t = (type: "ISSUE" | "RETURN" | "RECEIPT" | "SETTLEMENT", quantity: number, totalCost: number, variance: number | null = null) => ({
      type,
      quantity: D(quantity),
      totalCost: D(totalCost),
      variance: variance === null ? null : D(variance),
    });
    const summary = settlementSummary(new Date(0), [
      t("ISSUE", -10, -10),
      t("RECEIPT", 5, 10),
      t("RECEIPT", 5, 5),
      t("RETURN", 2, 2),
      t("SETTLEMENT", 0, -4, -6),
      t("SETTLEMENT", 0, -1, -1),
    ]);
    // Cost 10 - 2 = 8.00; booked 15.00; variance -7.00 of which -5.00 into stock, -2.00 expensed.
    expect([summary.materialCost, summary.producedQuantity, summary.provisionalValue, summary.variance, summary.capitalised].map(s)).toEqual([
      "8.00",
      "10.00",
      "15.00",
      "-7.00",
      "-5.00",
    ]);
    // Nothing produced: the whole cost is a variance (expensed).
    expect(s(settlementSummary(new Date(0), [t("ISSUE", -3, -6)]).variance)).toBe("6.00");
  });
});

describe("genealogy: consumption net of returns", () => {
  it("drops a lot returned in full and keeps a partial return", () => {
    const m = (type: "ISSUE" | "RETURN", lotId: string, quantity: number) => ({ type, lotId, quantity: D(quantity) });
    const moves = [m("ISSUE", "A", -10), m("ISSUE", "B", -4), m("RETURN", "A", 10), m("RETURN", "B", 1), m("ISSUE", "C", -1)];
    expect(netConsumed(moves, (t) => t.lotId)).toEqual(["B", "C"]);
  });
});
