import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { failedInspectionNcr, judgeCounted, judgeMeasurement, readMeasurements, unitsPassed, type JudgedCharacteristic } from "./measurements.ts";

const d = (v: string) => new Prisma.Decimal(v);
const numeric = (id: string, name: string, lower: string | null, upper: string | null, unit: string | null = "mm"): JudgedCharacteristic => ({
  id,
  name,
  kind: "NUMERIC",
  lowerLimit: lower === null ? null : d(lower),
  upperLimit: upper === null ? null : d(upper),
  unit,
});
const attribute = (id: string, name: string): JudgedCharacteristic => ({
  id,
  name,
  kind: "ATTRIBUTE",
  lowerLimit: null,
  upperLimit: null,
  unit: null,
});

describe("judgeMeasurement", () => {
  const bore = numeric("c1", "Bore", "9.95", "10.05");

  it("passes a value inside the limits and on either limit (inclusive)", () => {
    expect(judgeMeasurement(bore, { value: 10 })).toEqual({ value: 10, passed: true });
    expect(judgeMeasurement(bore, { value: 9.95 })).toEqual({ value: 9.95, passed: true });
    expect(judgeMeasurement(bore, { value: 10.05 })).toEqual({ value: 10.05, passed: true });
  });

  it("fails a value just outside a limit", () => {
    expect(judgeMeasurement(bore, { value: 9.949999 })).toEqual({ value: 9.949999, passed: false });
    expect(judgeMeasurement(bore, { value: 10.050001 })).toEqual({ value: 10.050001, passed: false });
  });

  it("compares as decimals: 0.1 equals a limit of 0.1, though 0.1 + 0.2 is above 0.3", () => {
    expect(judgeMeasurement(numeric("c", "Gap", "0.1", "0.3"), { value: 0.1 })).toEqual({ value: 0.1, passed: true });
    expect(judgeMeasurement(numeric("c", "Gap", "0.1", "0.3"), { value: 0.1 + 0.2 })).toEqual({ value: 0.1 + 0.2, passed: false });
  });

  it("checks only the limit a one-sided characteristic has", () => {
    const minOnly = numeric("c", "Wall", "2", null);
    expect(judgeMeasurement(minOnly, { value: 1e9 })).toEqual({ value: 1e9, passed: true });
    expect(judgeMeasurement(minOnly, { value: 1.99 })).toEqual({ value: 1.99, passed: false });
    const maxOnly = numeric("c", "Burr", null, "0");
    expect(judgeMeasurement(maxOnly, { value: 0 })).toEqual({ value: 0, passed: true });
    expect(judgeMeasurement(maxOnly, { value: -5 })).toEqual({ value: -5, passed: true });
    expect(judgeMeasurement(maxOnly, { value: 0.0001 })).toEqual({ value: 0.0001, passed: false });
  });

  it("takes an attribute's verdict as given, without a value", () => {
    expect(judgeMeasurement(attribute("a", "Finish"), { passed: true, value: 3 })).toEqual({ value: null, passed: true });
    expect(judgeMeasurement(attribute("a", "Finish"), { passed: false })).toEqual({ value: null, passed: false });
  });

  it("says what is missing", () => {
    expect(judgeMeasurement(bore, { passed: true })).toBe("Bore is numeric: give value");
    expect(judgeMeasurement(bore, { value: null })).toBe("Bore is numeric: give value");
    expect(judgeMeasurement(attribute("a", "Finish"), { value: 1 })).toBe("Finish is pass/fail: give passed");
  });
});

describe("readMeasurements", () => {
  const plan = { code: "QP-1", characteristics: [numeric("c1", "Bore", "9.95", "10.05"), attribute("c2", "Finish")] };

  it("judges one reading per characteristic, in the plan's order", () => {
    const { readings, problems } = readMeasurements(plan, [
      { characteristicId: "c2", passed: false },
      { characteristicId: "c1", value: 10 },
    ]);
    expect(problems).toEqual([]);
    expect(readings.map((r) => [r.characteristic.id, r.value, r.passed])).toEqual([
      ["c1", 10, true],
      ["c2", null, false],
    ]);
  });

  it("reports every problem at once: missing, doubled, incomplete and foreign measurements", () => {
    const { problems } = readMeasurements(plan, [
      { characteristicId: "c2" },
      { characteristicId: "x1", value: 1 },
      { characteristicId: "x2", value: 2 },
    ]);
    expect(problems).toEqual([
      { field: "input.measurements", message: "Bore needs exactly one measurement" },
      { field: "input.measurements", message: "Finish is pass/fail: give passed" },
      { field: "input.measurements", message: "2 measurement(s) name no characteristic of plan QP-1" },
    ]);
    const doubled = readMeasurements(plan, [
      { characteristicId: "c1", value: 10 },
      { characteristicId: "c1", value: 10 },
      { characteristicId: "c2", passed: true },
    ]);
    expect(doubled.problems.map((p) => p.message)).toEqual(["Bore needs exactly one measurement"]);
  });

  it("a plan without characteristics takes no measurements", () => {
    expect(readMeasurements({ code: "QP-0", characteristics: [] }, [])).toEqual({ readings: [], problems: [] });
  });
});

describe("failedInspectionNcr", () => {
  it("numbers the NCR after the inspection and lists what failed with its limits", () => {
    const ncr = failedInspectionNcr("3f2a9c4e-0000-4000-8000-000000000000", "QP-1", [
      { characteristic: numeric("c1", "Bore", "9.95", "10.05"), value: 10.2, passed: false },
      { characteristic: numeric("c3", "Wall", "2", null, null), value: 1.5, passed: false },
      { characteristic: attribute("c2", "Finish"), value: null, passed: false },
    ]);
    expect(ncr).toEqual({
      number: "NCR-3F2A9C4E",
      title: "QP-1 failed: Bore, Wall, Finish",
      description: "Bore: 10.2 mm (limits 9.95..10.05); Wall: 1.5 (limits 2..-); Finish: fail (limits -..-)",
    });
  });
});

describe("judgeCounted: defective units per characteristic", () => {
  const bore = numeric("c1", "Bore", "9.95", "10.05");
  const finish = attribute("c2", "Finish");

  it("counts the values of a sample out of limits (10 units, 2 out)", () => {
    const values = [10, 10.01, 9.99, 10.06, 10, 10.02, 9.94, 10, 10.03, 9.98];
    expect(judgeCounted(bore, { values }, 10)).toEqual({ value: 10, values, passed: false, defectiveUnits: 2 });
    expect(judgeCounted(bore, { values: [10, 10.01] }, 10)).toEqual({ value: 10, values: [10, 10.01], passed: true, defectiveUnits: 0 });
  });

  it("takes a failing single value's count as given, 1 for a single unit, else unknown", () => {
    expect(judgeCounted(bore, { value: 10.2, defectiveUnits: 3 }, 10)).toMatchObject({ passed: false, defectiveUnits: 3 });
    expect(judgeCounted(bore, { value: 10.2 }, 1)).toMatchObject({ passed: false, defectiveUnits: 1 });
    expect(judgeCounted(bore, { value: 10.2 }, 10)).toMatchObject({ passed: false, defectiveUnits: null });
    expect(judgeCounted(bore, { value: 10 }, 10)).toEqual({ value: 10, values: [10], passed: true, defectiveUnits: 0 });
  });

  it("reads an attribute's count as its verdict, and a verdict with its count", () => {
    expect(judgeCounted(finish, { defectiveUnits: 2 }, 10)).toEqual({ value: null, values: [], passed: false, defectiveUnits: 2 });
    expect(judgeCounted(finish, { defectiveUnits: 0 }, 10)).toEqual({ value: null, values: [], passed: true, defectiveUnits: 0 });
    expect(judgeCounted(finish, { passed: false, defectiveUnits: 4 }, 10)).toMatchObject({ passed: false, defectiveUnits: 4 });
  });

  it("says what contradicts", () => {
    expect(judgeCounted(bore, { value: 10, values: [10] }, 5)).toEqual(["Bore: give value or values, not both"]);
    expect(judgeCounted(bore, { values: [10, 10, 10] }, 2)).toEqual(["Bore: at most quantityInspected (2) values, one per unit"]);
    expect(judgeCounted(bore, { values: [10, 11] }, 2)).toMatchObject({ defectiveUnits: 1 });
    expect(judgeCounted(bore, { values: [10, 11], defectiveUnits: 2 }, 2)).toEqual(["Bore: defectiveUnits (2) must be the values out of limits (1)"]);
    expect(judgeCounted(bore, { value: 10, defectiveUnits: 1 }, 5)).toEqual(["Bore passed: defectiveUnits must be 0"]);
    expect(judgeCounted(finish, { passed: false, defectiveUnits: 0 }, 5)).toEqual(["Finish failed: defectiveUnits must be at least 1"]);
    expect(judgeCounted(finish, { passed: false, defectiveUnits: 6 }, 5)).toEqual(["Finish: defectiveUnits must be at most quantityInspected (5)"]);
  });
});

describe("unitsPassed", () => {
  const ok = { passed: true, defectiveUnits: 0 };
  it("is every unit when every characteristic passed", () => {
    expect(unitsPassed([ok, ok], 10, null)).toBe(10);
  });

  it("subtracts the failing counts (a sample of 10 with 2 bad units: 8)", () => {
    expect(unitsPassed([ok, { passed: false, defectiveUnits: 2 }], 10, null)).toBe(8);
    // Two characteristics failing 2 and 3 units: at worst 5 different units.
    expect(
      unitsPassed(
        [
          { passed: false, defectiveUnits: 2 },
          { passed: false, defectiveUnits: 3 },
        ],
        10,
        null,
      ),
    ).toBe(5);
    expect(
      unitsPassed(
        [
          { passed: false, defectiveUnits: 7 },
          { passed: false, defectiveUnits: 6 },
        ],
        10,
        null,
      ),
    ).toBe(0);
  });

  it("fails the whole sample when a failure has no count (an inspection without counts)", () => {
    expect(unitsPassed([ok, { passed: false, defectiveUnits: null }], 10, null)).toBe(0);
  });

  it("takes a given count that leaves room for the failures", () => {
    // A unit failing both characteristics: 2 and 3 defective can be 3 units, so 7 passed.
    expect(
      unitsPassed(
        [
          { passed: false, defectiveUnits: 2 },
          { passed: false, defectiveUnits: 3 },
        ],
        10,
        7,
      ),
    ).toBe(7);
    expect(unitsPassed([{ passed: false, defectiveUnits: null }], 10, 9)).toBe(9);
    expect(unitsPassed([ok], 10, 6)).toBe(6);
  });

  it("refuses a given count above what the failures leave, or above the units", () => {
    expect(unitsPassed([{ passed: false, defectiveUnits: 3 }], 10, 8)).toEqual({
      field: "input.quantityPassed",
      message: "must be at most 7 (3 unit(s) failed a characteristic)",
    });
    expect(unitsPassed([{ passed: false, defectiveUnits: null }], 10, 10)).toEqual({
      field: "input.quantityPassed",
      message: "must be at most 9 (1 unit(s) failed a characteristic)",
    });
    expect(unitsPassed([ok], 10, 11)).toEqual({ field: "input.quantityPassed", message: "must be at most quantityInspected (10)" });
  });
});
