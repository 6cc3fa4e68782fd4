import { describe, expect, it } from "vitest";
import { Prisma } from "./generated/prisma/client.ts";
import { failedInspectionNcr, judgeMeasurement, readMeasurements, type JudgedCharacteristic } from "./measurements.ts";

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
