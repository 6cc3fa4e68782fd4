import { describe, expect, it } from "vitest";
import { characteristicInput, createInspectionPlanInput, MAX_CHARACTERISTICS } from "./inspection-plans.ts";

const bore = { name: "Bore", kind: "NUMERIC" as const, nominal: 20, lowerLimit: 19.98, upperLimit: 20.02, unit: "mm" };
/** The problems of a characteristic as [path, message] pairs, or [] when it is valid. */
const problems = (c: Record<string, unknown>) => characteristicInput.safeParse(c).error?.issues.map((i) => [i.path.join("."), i.message]) ?? [];

describe("characteristicInput", () => {
  it("accepts limits and a nominal with up to 6 decimal places, and no unit", () => {
    expect(problems(bore)).toEqual([]);
    expect(problems({ ...bore, lowerLimit: 19.999999, unit: null })).toEqual([]);
    expect(problems({ name: "Visual", kind: "ATTRIBUTE" })).toEqual([]);
  });

  it("refuses a 7th decimal place (the column would round it away) and values beyond 1e9", () => {
    expect(problems({ ...bore, lowerLimit: 19.9999999 })).toEqual([["lowerLimit", "must have at most 6 decimal places"]]);
    expect(problems({ ...bore, nominal: 20.0000001 })).toEqual([["nominal", "must have at most 6 decimal places"]]);
    expect(problems({ ...bore, upperLimit: 1e13 })).toEqual([["upperLimit", "must be at most 1000000000"]]);
  });

  it("refuses a blank unit rather than storing it", () => {
    expect(problems({ ...bore, unit: "" })).toEqual([["unit", "must not be blank: leave it out instead"]]);
    expect(problems({ ...bore, unit: " \t" })).toEqual([["unit", "must not be blank: leave it out instead"]]);
  });

  it("refuses a nominal outside the limits (inclusive), naming nominal", () => {
    expect(problems({ ...bore, nominal: 19.98 })).toEqual([]);
    expect(problems({ ...bore, nominal: 20.03 })).toEqual([["nominal", "must lie within lowerLimit and upperLimit"]]);
    expect(problems({ ...bore, lowerLimit: null, nominal: 1 })).toEqual([]);
    expect(problems({ ...bore, upperLimit: null, nominal: 1 })).toEqual([["nominal", "must lie within lowerLimit and upperLimit"]]);
  });
});

describe("createInspectionPlanInput", () => {
  const plan = {
    plantId: "7f0c1a52-4a39-4c9e-9a57-6a8f3a3f6d01",
    code: "IP-1",
    name: "Plan",
    productId: "7f0c1a52-4a39-4c9e-9a57-6a8f3a3f6d02",
    sampleSize: 1,
  };

  it(`refuses more than ${MAX_CHARACTERISTICS} characteristics`, () => {
    const many = Array.from({ length: MAX_CHARACTERISTICS + 1 }, (_, i) => ({ ...bore, name: `C${i}` }));
    const issues = createInspectionPlanInput.safeParse({ ...plan, characteristics: many }).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join("."), i.message])).toEqual([["characteristics", `at most ${MAX_CHARACTERISTICS} characteristics`]]);
    expect(createInspectionPlanInput.safeParse({ ...plan, characteristics: many.slice(1) }).success).toBe(true);
  });
});
