import type { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { withPlantIdChecked } from "./subscription-args.ts";

const field = { subscribe: (_root: unknown, args: { plantId?: string | null }) => `following ${args.plantId ?? "every plant"}`, resolve: () => 1 };
const checked = withPlantIdChecked(field);

describe("withPlantIdChecked", () => {
  it("subscribes with no plantId or a valid one, and keeps the field's resolve", () => {
    expect(checked.subscribe({}, {})).toBe("following every plant");
    expect(checked.subscribe({}, { plantId: null })).toBe("following every plant");
    expect(checked.subscribe({}, { plantId: "7f0c1a52-4a39-4c9e-9a57-6a8f3a3f6d01" })).toBe("following 7f0c1a52-4a39-4c9e-9a57-6a8f3a3f6d01");
    expect(checked.resolve).toBe(field.resolve);
  });

  it("refuses a blank or malformed plantId, naming it, instead of following every plant", () => {
    for (const plantId of ["", "not-a-uuid"]) {
      let err: GraphQLError | undefined;
      try {
        checked.subscribe({}, { plantId });
      } catch (e) {
        err = e as GraphQLError;
      }
      expect(err?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "plantId", message: "must be a UUID" }] });
    }
  });
});
