import { describe, expect, it } from "vitest";
import { fitsScale, zMeasure, zOptionalText, zQuantity, zUnitCost } from "./validation.ts";

describe("numbers for NUMERIC columns", () => {
  it("accept what the column keeps and refuse what it would round away", () => {
    expect(fitsScale(0.0001, 4)).toBe(true);
    expect(fitsScale(0.1 + 0.2, 4)).toBe(true); // 0.30000000000000004 is 0.3 to four places
    expect(fitsScale(0.00001, 4)).toBe(false);
    expect(fitsScale(1e-9, 6)).toBe(false);
    expect(fitsScale(123456.123456, 6)).toBe(true);
    expect(fitsScale(1e-9, 2)).toBe(false);
    expect(fitsScale(1e-11, 4)).toBe(false);
    expect(fitsScale(123456789.1234567, 6)).toBe(false);
    expect(fitsScale(99999999.99, 2)).toBe(true);
  });

  it("give messages naming the rule", () => {
    expect(zQuantity.safeParse(0.00001).error?.issues[0]?.message).toBe("must have at most 4 decimal places");
    expect(zQuantity.safeParse(0).error?.issues[0]?.message).toBe("must be greater than 0");
    expect(zQuantity.safeParse(1e13).error?.issues[0]?.message).toBe("must be at most 1000000000000");
    expect(zUnitCost.safeParse(2.5).success).toBe(true);
    expect(zMeasure.safeParse(-0.000001).success).toBe(true);
    expect(zMeasure.safeParse(1e-9).success).toBe(false);
  });

  it("refuse blank optional text instead of storing an empty string", () => {
    expect(zOptionalText().safeParse("  ").success).toBe(false);
    expect(zOptionalText().safeParse(null).success).toBe(true);
    expect(zOptionalText().safeParse(" note ").data).toBe("note");
  });
});
