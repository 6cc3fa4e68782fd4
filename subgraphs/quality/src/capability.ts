// Process capability (Cp, Cpk) of a numeric characteristic over a period: pure math and its query.
import type { QualityTx } from "./context.ts";

/** Fewer readings than this give no Cp or Cpk: the estimate of sigma is too rough below it. */
export const MIN_CAPABILITY_SAMPLE = 25;

export interface Capability {
  sampleCount: number;
  minimumSampleCount: number;
  mean: number | null;
  standardDeviation: number | null;
  cp: number | null;
  cpk: number | null;
}

/**
 * Cp = (USL - LSL) / 6s and Cpk = min(USL - mean, mean - LSL) / 3s over readings, s the sample
 * standard deviation (n - 1). Cpk with one limit uses that side only; Cp needs both. Both are null
 * below MIN_CAPABILITY_SAMPLE readings, or when s = 0 (no spread: the ratio is undefined).
 */
export function capabilityOf(values: readonly number[], lowerLimit: number | null, upperLimit: number | null): Capability {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : null;
  const standardDeviation = n >= 2 && mean !== null ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  const usable = n >= MIN_CAPABILITY_SAMPLE && mean !== null && standardDeviation !== null && standardDeviation > 0;
  let cp: number | null = null;
  let cpk: number | null = null;
  if (usable) {
    if (lowerLimit !== null && upperLimit !== null) cp = (upperLimit - lowerLimit) / (6 * standardDeviation);
    const sides = [
      ...(upperLimit !== null ? [(upperLimit - mean) / (3 * standardDeviation)] : []),
      ...(lowerLimit !== null ? [(mean - lowerLimit) / (3 * standardDeviation)] : []),
    ];
    cpk = sides.length ? Math.min(...sides) : null;
  }
  return { sampleCount: n, minimumSampleCount: MIN_CAPABILITY_SAMPLE, mean, standardDeviation, cp, cpk };
}

/**
 * Every unit's reading of a characteristic in first inspections (not re-inspections) made in
 * [from, to). Read through Inspection, the tenant-scoped parent of measurements.
 */
export async function capabilityReadings(db: QualityTx, characteristicId: string, from: Date, to: Date): Promise<number[]> {
  const inspections = await db.inspection.findMany({
    where: { inspectedAt: { gte: from, lt: to }, reinspectionOfId: null, measurements: { some: { characteristicId } } },
    select: { measurements: { where: { characteristicId }, select: { value: true, values: true } } },
  });
  return inspections
    .flatMap((i) => i.measurements)
    .flatMap((m) => (m.values.length ? m.values.map((v) => v.toNumber()) : m.value !== null ? [m.value.toNumber()] : []));
}
