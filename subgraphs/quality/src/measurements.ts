// Judging an inspection's readings against its plan: pure, no database.
import type { FieldProblem } from "@mes/shared";
import { Prisma, type Characteristic } from "./generated/prisma/client.ts";

/** What judging a reading needs of its characteristic. */
export type JudgedCharacteristic = Pick<Characteristic, "id" | "name" | "kind" | "lowerLimit" | "upperLimit" | "unit">;

/** One reading as given: value(s) for a NUMERIC characteristic, a verdict for an ATTRIBUTE one, and a defect count. */
export interface GivenMeasurement {
  characteristicId: string;
  value?: number | null;
  values?: number[] | null;
  passed?: boolean | null;
  defectiveUnits?: number | null;
}

export interface Reading<C extends JudgedCharacteristic = JudgedCharacteristic> {
  characteristic: C;
  value: number | null;
  passed: boolean;
}

/** A reading with every unit's value and the units nonconforming on it (null: failed, count unknown). */
export interface CountedReading<C extends JudgedCharacteristic = JudgedCharacteristic> extends Reading<C> {
  values: number[];
  defectiveUnits: number | null;
}

/**
 * Pass/fail of one reading: a numeric value within its limits (both inclusive, compared as
 * decimals like the stored limits), or the attribute's verdict; a string says what is missing.
 */
export function judgeMeasurement(
  c: JudgedCharacteristic,
  m: Omit<GivenMeasurement, "characteristicId">,
): { value: number | null; passed: boolean } | string {
  if (c.kind === "ATTRIBUTE") return m.passed == null ? `${c.name} is pass/fail: give passed` : { value: null, passed: m.passed };
  if (m.value == null) return `${c.name} is numeric: give value`;
  const value = new Prisma.Decimal(m.value);
  const passed = (c.lowerLimit === null || value.gte(c.lowerLimit)) && (c.upperLimit === null || value.lte(c.upperLimit));
  return { value: m.value, passed };
}

/**
 * One characteristic's reading of a sample of `quantityInspected` units, with its defective units:
 * NUMERIC `values` (one per unit measured) count the values out of limits; one NUMERIC `value` or an
 * ATTRIBUTE verdict that fails has the count given (or 1 for a single unit, else unknown: null).
 * Strings say what is wrong.
 */
export function judgeCounted(
  c: JudgedCharacteristic,
  m: Omit<GivenMeasurement, "characteristicId">,
  quantityInspected: number,
): Omit<CountedReading, "characteristic"> | string[] {
  const given = m.defectiveUnits ?? null;
  if (given !== null && given > quantityInspected) return [`${c.name}: defectiveUnits must be at most quantityInspected (${quantityInspected})`];
  const unknownWhenFailed = given ?? (quantityInspected === 1 ? 1 : null);
  if (c.kind === "NUMERIC" && m.values?.length) {
    if (m.value != null) return [`${c.name}: give value or values, not both`];
    if (m.values.length > quantityInspected) return [`${c.name}: at most quantityInspected (${quantityInspected}) values, one per unit`];
    const defective = m.values.filter((v) => !(judgeMeasurement(c, { value: v }) as { passed: boolean }).passed).length;
    if (given !== null && given !== defective) return [`${c.name}: defectiveUnits (${given}) must be the values out of limits (${defective})`];
    return { value: m.values[0]!, values: m.values, passed: defective === 0, defectiveUnits: defective };
  }
  // An attribute's count alone is its verdict (0 defective = passed).
  const verdict = judgeMeasurement(c, c.kind === "ATTRIBUTE" && m.passed == null && given !== null ? { ...m, passed: given === 0 } : m);
  if (typeof verdict === "string") return [verdict];
  if (verdict.passed && given !== null && given !== 0) return [`${c.name} passed: defectiveUnits must be 0`];
  if (!verdict.passed && given === 0) return [`${c.name} failed: defectiveUnits must be at least 1`];
  return { ...verdict, values: verdict.value === null ? [] : [verdict.value], defectiveUnits: verdict.passed ? 0 : unknownWhenFailed };
}

/**
 * Units of the sample that passed every characteristic. Given, it must leave room for every failing
 * characteristic's defective units (at least 1 unit failed when one did). Left out: all units when
 * all passed; 0 when a failure has no count; else the units minus the failing counts added up (a
 * unit failing two characteristics is counted twice, so the yield is never overstated).
 */
export function unitsPassed(
  readings: readonly Pick<CountedReading, "passed" | "defectiveUnits">[],
  quantityInspected: number,
  given: number | null,
): number | FieldProblem {
  const failing = readings.filter((r) => !r.passed);
  if (given !== null) {
    if (given > quantityInspected) return { field: "input.quantityPassed", message: `must be at most quantityInspected (${quantityInspected})` };
    const mostFailedOnOne = Math.max(failing.length ? 1 : 0, ...failing.map((r) => r.defectiveUnits ?? 0));
    const most = quantityInspected - mostFailedOnOne;
    if (given > most) {
      return { field: "input.quantityPassed", message: `must be at most ${most} (${mostFailedOnOne} unit(s) failed a characteristic)` };
    }
    return given;
  }
  if (!failing.length) return quantityInspected;
  if (failing.some((r) => r.defectiveUnits === null)) return 0;
  return Math.max(0, quantityInspected - failing.reduce((sum, r) => sum + r.defectiveUnits!, 0));
}

/**
 * The readings of an inspection by a plan: exactly one per characteristic of the plan (in the plan's
 * order), none for a characteristic of another plan. Every problem is reported, for the field
 * input.measurements.
 */
export function readMeasurements<C extends JudgedCharacteristic>(
  plan: { code: string; characteristics: C[] },
  given: GivenMeasurement[],
  quantityInspected = 1,
): { readings: CountedReading<C>[]; problems: FieldProblem[] } {
  const readings: CountedReading<C>[] = [];
  const problems: FieldProblem[] = [];
  const problem = (message: string) => problems.push({ field: "input.measurements", message });
  for (const c of plan.characteristics) {
    const mine = given.filter((m) => m.characteristicId === c.id);
    if (mine.length !== 1) {
      problem(`${c.name} needs exactly one measurement`);
      continue;
    }
    const verdict = judgeCounted(c, mine[0]!, quantityInspected);
    if (Array.isArray(verdict)) verdict.forEach(problem);
    else readings.push({ characteristic: c, ...verdict });
  }
  const unknown = given.filter((m) => !plan.characteristics.some((c) => c.id === m.characteristicId));
  if (unknown.length) problem(`${unknown.length} measurement(s) name no characteristic of plan ${plan.code}`);
  return { readings, problems };
}

/** Number, title and description of the NCR a failed inspection opens. */
export function failedInspectionNcr(
  inspectionId: string,
  planCode: string,
  failed: Reading[],
): { number: string; title: string; description: string } {
  const limits = (c: JudgedCharacteristic) => `${c.lowerLimit ?? "-"}..${c.upperLimit ?? "-"}`;
  return {
    number: `NCR-${inspectionId.slice(0, 8).toUpperCase()}`,
    // Units can fail with every characteristic's reading in limits (quantityPassed given lower).
    title: failed.length ? `${planCode} failed: ${failed.map((f) => f.characteristic.name).join(", ")}` : `${planCode} failed`,
    description: failed
      .map(
        (f) =>
          `${f.characteristic.name}: ${f.value ?? "fail"}${f.characteristic.unit ? ` ${f.characteristic.unit}` : ""} (limits ${limits(f.characteristic)})`,
      )
      .join("; "),
  };
}
