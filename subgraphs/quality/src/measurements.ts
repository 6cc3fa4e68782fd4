// Judging an inspection's readings against its plan: pure, no database.
import type { FieldProblem } from "@mes/shared";
import { Prisma, type Characteristic } from "./generated/prisma/client.ts";

/** What judging a reading needs of its characteristic. */
export type JudgedCharacteristic = Pick<Characteristic, "id" | "name" | "kind" | "lowerLimit" | "upperLimit" | "unit">;

/** One reading as given: a value for a NUMERIC characteristic, a verdict for an ATTRIBUTE one. */
export interface GivenMeasurement {
  characteristicId: string;
  value?: number | null;
  passed?: boolean | null;
}

export interface Reading<C extends JudgedCharacteristic = JudgedCharacteristic> {
  characteristic: C;
  value: number | null;
  passed: boolean;
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
 * The readings of an inspection by a plan: exactly one per characteristic of the plan (in the plan's
 * order), none for a characteristic of another plan. Every problem is reported, for the field
 * input.measurements.
 */
export function readMeasurements<C extends JudgedCharacteristic>(
  plan: { code: string; characteristics: C[] },
  given: GivenMeasurement[],
): { readings: Reading<C>[]; problems: FieldProblem[] } {
  const readings: Reading<C>[] = [];
  const problems: FieldProblem[] = [];
  const problem = (message: string) => problems.push({ field: "input.measurements", message });
  for (const c of plan.characteristics) {
    const mine = given.filter((m) => m.characteristicId === c.id);
    if (mine.length !== 1) {
      problem(`${c.name} needs exactly one measurement`);
      continue;
    }
    const verdict = judgeMeasurement(c, mine[0]!);
    if (typeof verdict === "string") problem(verdict);
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
    title: `${planCode} failed: ${failed.map((f) => f.characteristic.name).join(", ")}`,
    description: failed
      .map(
        (f) =>
          `${f.characteristic.name}: ${f.value ?? "fail"}${f.characteristic.unit ? ` ${f.characteristic.unit}` : ""} (limits ${limits(f.characteristic)})`,
      )
      .join("; "),
  };
}
