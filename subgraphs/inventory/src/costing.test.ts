import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { chargeFifo, materialCostOf, perUnit, sumCost, sumQuantity, transactionUnitCost, valueAt, type OpenLayer } from "./costing.ts";

const D = (n: number | string) => new Prisma.Decimal(n);
const layer = (id: string, remaining: number | string, unitCost: number | string): OpenLayer => ({
  id,
  remainingQuantity: D(remaining),
  unitCost: D(unitCost),
});
const plain = (draws: { layerId: string; quantity: Prisma.Decimal; unitCost: Prisma.Decimal }[]) =>
  draws.map((d) => ({ layerId: d.layerId, quantity: d.quantity.toString(), unitCost: d.unitCost.toString() }));

describe("chargeFifo", () => {
  const layers = [layer("L1", 100, "2.00"), layer("L2", 100, "3.25"), layer("L3", 50, "4")];

  it("takes the oldest layer first and the next one for the rest", () => {
    const charge = chargeFifo(layers, D(150));
    // 100 x 2.00 + 50 x 3.25 = 200 + 162.5
    expect(plain(charge.draws)).toEqual([
      { layerId: "L1", quantity: "100", unitCost: "2" },
      { layerId: "L2", quantity: "50", unitCost: "3.25" },
    ]);
    expect(charge.cost.toString()).toBe("362.5");
    expect(charge.uncovered.isZero()).toBe(true);
  });

  it("crosses three layers, and stops at exactly the end of one without touching the next", () => {
    // 100 x 2 + 100 x 3.25 + 10 x 4 = 200 + 325 + 40
    expect(chargeFifo(layers, D(210)).cost.toString()).toBe("565");
    const exact = chargeFifo(layers, D(100));
    expect(plain(exact.draws)).toEqual([{ layerId: "L1", quantity: "100", unitCost: "2" }]);
    expect(exact.cost.toString()).toBe("200");
  });

  it("uses what is left of a partly consumed layer", () => {
    const charge = chargeFifo([layer("L1", "12.5", "2"), layer("L2", 100, "3")], D(20));
    // 12.5 x 2 + 7.5 x 3 = 25 + 22.5
    expect(plain(charge.draws).map((d) => d.quantity)).toEqual(["12.5", "7.5"]);
    expect(charge.cost.toString()).toBe("47.5");
  });

  it("reports what the layers cannot cover (books edited by hand)", () => {
    const charge = chargeFifo(layers, D(260));
    expect(charge.uncovered.toString()).toBe("10");
    expect(charge.cost.toString()).toBe("725"); // 200 + 325 + 200
    const none = chargeFifo([], D(5));
    expect(none.draws).toEqual([]);
    expect(none.cost.isZero()).toBe(true);
    expect(none.uncovered.toString()).toBe("5");
  });

  it("keeps fractional costs exact (rounding happens once, on the transaction)", () => {
    const charge = chargeFifo([layer("L1", "0.3333", "1.5"), layer("L2", 1, "2")], D("0.5"));
    // 0.3333 x 1.5 = 0.49995; 0.1667 x 2 = 0.3334
    expect(charge.cost.toString()).toBe("0.83335");
    expect(charge.cost.toDecimalPlaces(4).toString()).toBe("0.8334");
  });
});

describe("unit costs", () => {
  it("values a quantity at a unit cost to the cent, half-up (issue 15: money is posted in cents)", () => {
    expect(valueAt(D("2.5"), D("1.23456")).toString()).toBe("3.09"); // 3.0864
    expect(valueAt(D(3), D("0.333333")).toString()).toBe("1"); // 0.999999 rounds up
    expect(valueAt(D(0), D(7)).isZero()).toBe(true);
  });

  it("divides a cost by a quantity to 6 decimal places; none for a zero quantity", () => {
    expect(perUnit(D("362.5"), D(150))?.toString()).toBe("2.416667");
    // Issues are negative on both sides: the unit cost is positive.
    expect(perUnit(D("-362.5"), D(-150))?.toString()).toBe("2.416667");
    expect(perUnit(D(10), D(0))).toBeNull();
    expect(perUnit(D(0), D(0))).toBeNull();
  });

  it("returns at the issue's unit cost: 30 of an issue of 150 for 362.50", () => {
    const unitCost = perUnit(D("-362.5"), D(-150))!;
    expect(valueAt(D(30), unitCost).toString()).toBe("72.5"); // 30 x 2.416667 = 72.50001
  });

  it("shows a transaction's unit cost, except for transfers and zero quantities", () => {
    expect(transactionUnitCost({ type: "ISSUE", quantity: D(-100), totalCost: D(-200) })).toBe(2);
    expect(transactionUnitCost({ type: "RECEIPT", quantity: D(3), totalCost: D(1) })).toBe(0.333333);
    expect(transactionUnitCost({ type: "TRANSFER", quantity: D(-5), totalCost: D(0) })).toBeNull();
    expect(transactionUnitCost({ type: "ADJUSTMENT", quantity: D(0), totalCost: D(0) })).toBeNull();
  });
});

describe("work order material cost", () => {
  it("is what was issued at cost less what came back", () => {
    const moves = [{ totalCost: D(-200) }, { totalCost: D("-162.5") }, { totalCost: D("32.5") }];
    expect(materialCostOf(moves).toString()).toBe("330");
    expect(materialCostOf([]).isZero()).toBe(true);
  });

  it("sums quantities and costs of a movement's transactions", () => {
    const rows = [
      { quantity: D(-100), totalCost: D(-200) },
      { quantity: D(-50), totalCost: D("-162.5") },
    ];
    expect(sumQuantity(rows).toString()).toBe("-150");
    expect(sumCost(rows).toString()).toBe("-362.5");
    expect(sumQuantity([]).isZero()).toBe(true);
  });
});
