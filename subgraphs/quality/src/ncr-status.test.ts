import type { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { assertMove, assertNotClosed, NCR_NEXT, scrapProblems } from "./ncr-status.ts";

const caught = (fn: () => void): GraphQLError => {
  try {
    fn();
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error("expected an error");
};

describe("NCR status state machine", () => {
  it("moves one step at a time and ends at CLOSED", () => {
    expect(NCR_NEXT).toEqual({ OPEN: ["UNDER_REVIEW"], UNDER_REVIEW: ["DISPOSITIONED"], DISPOSITIONED: ["CLOSED"], CLOSED: [] });
  });

  it("allows each next status", () => {
    expect(() => assertMove({ number: "N-1", status: "OPEN" }, "UNDER_REVIEW")).not.toThrow();
    expect(() => assertMove({ number: "N-1", status: "UNDER_REVIEW" }, "DISPOSITIONED")).not.toThrow();
    expect(() => assertMove({ number: "N-1", status: "DISPOSITIONED" }, "CLOSED")).not.toThrow();
  });

  it("refuses a skipped step, a step back and staying put as a CONFLICT naming what is allowed", () => {
    const skip = caught(() => assertMove({ number: "N-1", status: "OPEN" }, "CLOSED"));
    expect(skip.message).toBe("N-1 is OPEN; it can go to UNDER_REVIEW, not CLOSED");
    expect(skip.extensions).toEqual({ code: "CONFLICT", currentStatus: "OPEN", allowedNextStatuses: ["UNDER_REVIEW"] });
    expect(caught(() => assertMove({ number: "N-1", status: "DISPOSITIONED" }, "UNDER_REVIEW")).message).toBe(
      "N-1 is DISPOSITIONED; it can go to CLOSED, not UNDER_REVIEW",
    );
    expect(caught(() => assertMove({ number: "N-1", status: "UNDER_REVIEW" }, "UNDER_REVIEW")).message).toBe(
      "N-1 is UNDER_REVIEW; it can go to DISPOSITIONED, not UNDER_REVIEW",
    );
  });

  it("a closed NCR goes nowhere", () => {
    const err = caught(() => assertMove({ number: "N-1", status: "CLOSED" }, "OPEN"));
    expect(err.message).toBe("N-1 is CLOSED; it can go to no other status, not OPEN");
    expect(err.extensions).toEqual({ code: "CONFLICT", currentStatus: "CLOSED", allowedNextStatuses: [] });
  });

  it("only a closed NCR refuses further changes", () => {
    for (const status of ["OPEN", "UNDER_REVIEW", "DISPOSITIONED"] as const) expect(() => assertNotClosed({ number: "N-1", status })).not.toThrow();
    const err = caught(() => assertNotClosed({ number: "N-1", status: "CLOSED" }));
    expect([err.message, err.extensions.code]).toEqual(["N-1 is closed", "CONFLICT"]);
  });
});

describe("scrapProblems", () => {
  const full = { materialId: "m", lotId: "l", locationId: "loc" };

  it("is empty when material, lot, quantity and a location are known", () => {
    expect(scrapProblems(full, { quantity: 2 })).toEqual([]);
    expect(scrapProblems({ ...full, locationId: null }, { quantity: 0.5, locationId: "given" })).toEqual([]);
  });

  it("lists everything missing, in order, with the field it is about", () => {
    expect(scrapProblems({ materialId: null, lotId: null, locationId: null }, {})).toEqual([
      { field: "input.id", message: "the NCR names no material" },
      { field: "input.id", message: "the NCR names no lot" },
      { field: "input.quantity", message: "give quantity" },
      { field: "input.locationId", message: "give locationId" },
    ]);
    expect(scrapProblems(full, { quantity: null, locationId: null })).toEqual([{ field: "input.quantity", message: "give quantity" }]);
  });
});
