import { describe, expect, it } from "vitest";
import { adjustInput, issuePlant, receiptInput, valueFits, zQuantityChange } from "./stock-input.ts";

const MATERIAL = "11111111-1111-4111-8111-111111111111";
const LOCATION = "22222222-2222-4222-8222-222222222222";
const LOT = "33333333-3333-4333-8333-333333333333";
const receipt = { materialId: MATERIAL, locationId: LOCATION, lotNumber: "L-1", quantity: 10, unitCost: 2.5 };
const adjustment = { materialId: MATERIAL, lotId: LOT, locationId: LOCATION, reason: "cycle count", quantityChange: 2 };

/** The paths a schema refuses `input` at, as parseInput would name them (without the argument). */
const refusedAt = (schema: { safeParse(v: unknown): { error?: { issues: { path: PropertyKey[] }[] } } }, input: unknown) =>
  schema.safeParse(input).error?.issues.map((i) => i.path.join(".")) ?? [];

describe("a movement's value", () => {
  it("fits below 10^14 after rounding to the 4 places a transaction keeps", () => {
    expect(valueFits(1e12, 99.99)).toBe(true);
    expect(valueFits(1e12, 100)).toBe(false);
    expect(valueFits(1e12, 1e9)).toBe(false);
    expect(valueFits(-1e12, 100)).toBe(false);
    expect(valueFits(0.0001, 0.000001)).toBe(true);
  });

  it("refuses a receipt or adjustment whose quantity and unit cost multiply beyond it, naming both", () => {
    expect(refusedAt(receiptInput, { ...receipt, quantity: 1e12, unitCost: 1e9 })).toEqual(["quantity", "unitCost"]);
    expect(refusedAt(adjustInput, { ...adjustment, quantityChange: 1e12, unitCost: 1e9 })).toEqual(["quantityChange", "unitCost"]);
    expect(refusedAt(receiptInput, receipt)).toEqual([]);
  });
});

describe("receipt input", () => {
  it("refuses a unit cost the cost layer would round away, and blank supplier text", () => {
    expect(refusedAt(receiptInput, { ...receipt, unitCost: 1e-9 })).toEqual(["unitCost"]);
    expect(refusedAt(receiptInput, { ...receipt, unitCost: 0.000001 })).toEqual([]);
    expect(refusedAt(receiptInput, { ...receipt, supplier: " " })).toEqual(["supplier"]);
    expect(receiptInput.parse({ ...receipt, supplier: null }).supplier).toBeNull();
  });

  it("refuses an empty work order id rather than reading it as a supplier receipt", () => {
    expect(refusedAt(receiptInput, { ...receipt, workOrderId: "" })).toEqual(["workOrderId"]);
  });
});

describe("adjustment input", () => {
  it("takes a signed change with at most 4 decimal places, never 0", () => {
    expect(zQuantityChange.safeParse(-2.5).success).toBe(true);
    expect(zQuantityChange.safeParse(0.00001).error?.issues[0]?.message).toBe("must have at most 4 decimal places");
    expect(zQuantityChange.safeParse(-0).error?.issues[0]?.message).toBe("must not be 0");
    expect(zQuantityChange.safeParse(-1e13).success).toBe(false);
  });

  it("refuses a unit cost with a negative change (that stock leaves at FIFO cost)", () => {
    expect(refusedAt(adjustInput, { ...adjustment, quantityChange: -2, unitCost: 3 })).toEqual(["unitCost"]);
    expect(refusedAt(adjustInput, { ...adjustment, quantityChange: -2 })).toEqual([]);
    expect(refusedAt(adjustInput, { ...adjustment, unitCost: 3 })).toEqual([]);
  });
});

describe("issuePlant", () => {
  const refusal = (given: Parameters<typeof issuePlant>[0]) => {
    try {
      issuePlant(given);
      return null;
    } catch (err) {
      return err as { message: string; extensions: { code: string; fields: { field: string }[] } };
    }
  };

  it("is the plant of the location or lot, or the plant given", () => {
    expect(issuePlant({ plantId: "P1" })).toBe("P1");
    expect(issuePlant({ locationPlantId: "P1", lotPlantId: "P1" })).toBe("P1");
    expect(issuePlant({ plantId: "P1", locationPlantId: "P1", lotPlantId: "P1" })).toBe("P1");
  });

  it("refuses a plant that is not the location's or lot's, naming plantId", () => {
    const wrongPlant = refusal({ plantId: "P2", locationPlantId: "P1", lotPlantId: "P1" });
    expect(wrongPlant?.extensions.code).toBe("BAD_USER_INPUT");
    expect(wrongPlant?.extensions.fields.map((f) => f.field)).toEqual(["input.plantId", "input.locationId", "input.plantId", "input.lotId"]);
    expect(refusal({ locationPlantId: "P1", lotPlantId: "P2" })?.extensions.fields.map((f) => f.field)).toEqual(["input.lotId"]);
  });

  it("refuses an issue from nowhere, naming plantId", () => {
    expect(refusal({})).toMatchObject({
      message: "Say where to issue from: plantId, locationId or lotId",
      extensions: { fields: [{ field: "input.plantId" }] },
    });
  });
});
