import { describe, expect, it } from "vitest";
import { genealogyDepth, MAX_GENEALOGY_DEPTH } from "./genealogy.ts";

describe("genealogyDepth", () => {
  it("defaults to the maximum depth", () => {
    expect(genealogyDepth(undefined)).toBe(MAX_GENEALOGY_DEPTH);
    expect(genealogyDepth(null)).toBe(100);
  });

  it("accepts 1 to 100", () => {
    expect(genealogyDepth(1)).toBe(1);
    expect(genealogyDepth(100)).toBe(100);
  });

  it("refuses 0, more than 100 and fractions, naming the argument", () => {
    for (const bad of [0, -1, 101, 2.5]) {
      expect(() => genealogyDepth(bad)).toThrow("maxDepth must be between 1 and 100");
    }
    const refused = (() => {
      try {
        return genealogyDepth(0);
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toMatchObject({ extensions: { code: "BAD_USER_INPUT", fields: [{ field: "maxDepth" }] } });
  });
});
