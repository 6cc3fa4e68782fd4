import { describe, expect, it } from "vitest";
import { visibilityKey } from "./visibility.ts";

const base = { organizationId: "org-a", plantIds: ["p1", "p2"], roles: ["VIEWER"] as const };

describe("visibilityKey", () => {
  it("is the same for callers who may see the same (plants and roles in any order)", () => {
    expect(visibilityKey({ ...base, plantIds: ["p2", "p1"] })).toBe(visibilityKey(base));
    expect(visibilityKey({ ...base, roles: ["VIEWER", "VIEWER"] })).toBe(visibilityKey(base));
  });

  it("differs by organization, plants (all plants too) and roles", () => {
    const keys = [
      visibilityKey(base),
      visibilityKey({ ...base, organizationId: "org-b" }),
      visibilityKey({ ...base, plantIds: ["p1"] }),
      visibilityKey({ ...base, plantIds: null }),
      visibilityKey({ ...base, roles: ["ADMIN"] }),
      visibilityKey({ ...base, roles: ["VIEWER", "ADMIN"] }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
