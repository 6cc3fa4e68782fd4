import { describe, expect, it } from "vitest";
import { capabilityOf, MIN_CAPABILITY_SAMPLE } from "./capability.ts";

// 25 readings: 5 each of 9.8, 9.9, 10.0, 10.1, 10.2. Mean 10.0; squared deviations per group of five:
// 5 x (0.04 + 0.01 + 0 + 0.01 + 0.04) = 0.5; s = sqrt(0.5 / 24) = 0.144338 (to 6 places).
const sample = [9.8, 9.9, 10.0, 10.1, 10.2].flatMap((v) => Array<number>(5).fill(v));
const s = Math.sqrt(0.5 / 24);

describe("capabilityOf", () => {
  it("computes mean, s (n - 1), Cp and Cpk with both limits (LSL 9.5, USL 10.7)", () => {
    const c = capabilityOf(sample, 9.5, 10.7);
    expect(c.sampleCount).toBe(25);
    expect(c.mean).toBeCloseTo(10, 12);
    expect(c.standardDeviation).toBeCloseTo(0.144338, 6);
    // Cp = 1.2 / (6 x 0.144338) = 1.385641; Cpk = min(0.7, 0.5) / (3 x 0.144338) = 1.154701.
    expect(c.cp).toBeCloseTo(1.2 / (6 * s), 9);
    expect(c.cp).toBeCloseTo(1.385641, 6);
    expect(c.cpk).toBeCloseTo(1.154701, 6);
  });

  it("with one limit: no Cp, Cpk of that side", () => {
    // Upper only: (10.7 - 10) / 3s = 1.616581; lower only: (10 - 9.5) / 3s = 1.154701.
    expect(capabilityOf(sample, null, 10.7)).toMatchObject({ cp: null });
    expect(capabilityOf(sample, null, 10.7).cpk).toBeCloseTo(1.616581, 6);
    expect(capabilityOf(sample, 9.5, null).cpk).toBeCloseTo(1.154701, 6);
    expect(capabilityOf(sample, null, null)).toMatchObject({ cp: null, cpk: null });
  });

  it("a mean outside the limits gives a negative Cpk", () => {
    // USL 9.9: (9.9 - 10) / 3s = -0.230940.
    expect(capabilityOf(sample, 9.0, 9.9).cpk).toBeCloseTo(-0.23094, 5);
  });

  it("is null below the minimum sample, with mean and s still given", () => {
    const small = sample.slice(0, MIN_CAPABILITY_SAMPLE - 1);
    const c = capabilityOf(small, 9.5, 10.7);
    expect(c).toMatchObject({ sampleCount: 24, minimumSampleCount: 25, cp: null, cpk: null });
    expect(c.mean).not.toBeNull();
    expect(capabilityOf([], 9.5, 10.7)).toEqual({ sampleCount: 0, minimumSampleCount: 25, mean: null, standardDeviation: null, cp: null, cpk: null });
    expect(capabilityOf([10], 9.5, 10.7)).toEqual({ sampleCount: 1, minimumSampleCount: 25, mean: 10, standardDeviation: null, cp: null, cpk: null });
  });

  it("is null when every reading is the same (s = 0)", () => {
    expect(capabilityOf(Array<number>(30).fill(10), 9.5, 10.5)).toEqual({
      sampleCount: 30,
      minimumSampleCount: 25,
      mean: 10,
      standardDeviation: 0,
      cp: null,
      cpk: null,
    });
  });
});
