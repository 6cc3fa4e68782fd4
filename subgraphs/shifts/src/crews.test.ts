import { describe, expect, it } from "vitest";
import { checkCrewFitsShift, repeatedIndex } from "./crews.ts";

describe("checkCrewFitsShift", () => {
  it("lets a crew work a shift of its own plant", () => {
    expect(() => checkCrewFitsShift({ plantId: "plant-a" }, { plantId: "plant-a" })).not.toThrow();
  });

  it("refuses a crew of another plant, naming crewId", () => {
    expect(() => checkCrewFitsShift({ plantId: "plant-b" }, { plantId: "plant-a" })).toThrow(
      expect.objectContaining({
        message: "The crew belongs to another plant than the shift",
        extensions: { code: "BAD_USER_INPUT", fields: [{ field: "crewId", message: "crew of another plant" }] },
      }),
    );
  });
});

describe("repeatedIndex", () => {
  it("is null when every value differs (or there are none)", () => {
    expect(repeatedIndex([])).toBeNull();
    expect(repeatedIndex(["op.1", "op.2", "Op.1"])).toBeNull();
  });

  it("points at the first value that repeats an earlier one", () => {
    expect(repeatedIndex(["op.1", "op.2", "op.1", "op.2"])).toBe(2);
  });
});
