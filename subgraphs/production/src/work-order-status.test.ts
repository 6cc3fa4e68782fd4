import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import type { WorkOrderStatus } from "./generated/prisma/client.ts";
import { NEXT_STATUSES, assertHoldable, assertTransition, describeStatuses, statusUpdate } from "./work-order-status.ts";

const ALL: WorkOrderStatus[] = ["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CLOSED", "CANCELLED"];
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error("expected a refusal");
};

describe("work-order state machine", () => {
  it("allows exactly these moves", () => {
    const allowed = ALL.flatMap((from) => ALL.filter((to) => NEXT_STATUSES[from].includes(to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual([
      "PLANNED->RELEASED",
      "PLANNED->CANCELLED",
      "RELEASED->IN_PROGRESS",
      "RELEASED->CANCELLED",
      "IN_PROGRESS->ON_HOLD",
      "IN_PROGRESS->COMPLETED",
      "ON_HOLD->IN_PROGRESS",
      "ON_HOLD->CANCELLED",
      "COMPLETED->CLOSED",
    ]);
  });

  it("ends in CLOSED and CANCELLED, and never returns to PLANNED", () => {
    expect(NEXT_STATUSES.CLOSED).toEqual([]);
    expect(NEXT_STATUSES.CANCELLED).toEqual([]);
    expect(ALL.some((s) => NEXT_STATUSES[s].includes("PLANNED"))).toBe(false);
  });

  it("refuses a move with CONFLICT naming the allowed next statuses", () => {
    const err = refusal(() => assertTransition({ number: "WO-1", status: "PLANNED" }, "CLOSED"));
    expect(err.message).toBe("Work order WO-1 is PLANNED; it can go to RELEASED or CANCELLED, not CLOSED");
    expect(err.extensions).toEqual({ code: "CONFLICT", currentStatus: "PLANNED", allowedNextStatuses: ["RELEASED", "CANCELLED"] });
    expect(refusal(() => assertTransition({ number: "WO-2", status: "CANCELLED" }, "RELEASED")).message).toBe(
      "Work order WO-2 is CANCELLED; it can go to no other status, not RELEASED",
    );
    expect(refusal(() => assertTransition({ number: "WO-3", status: "COMPLETED" }, "IN_PROGRESS")).message).toBe(
      "Work order WO-3 is COMPLETED; it can go to CLOSED, not IN_PROGRESS",
    );
  });

  it("accepts an allowed move", () => {
    expect(() => assertTransition({ number: "WO-1", status: "ON_HOLD" }, "IN_PROGRESS")).not.toThrow();
  });

  it("describes none, one, two and three statuses", () => {
    expect(describeStatuses([])).toBe("no other status");
    expect(describeStatuses(["CLOSED"])).toBe("CLOSED");
    expect(describeStatuses(["RELEASED", "CANCELLED"])).toBe("RELEASED or CANCELLED");
    expect(describeStatuses(["RELEASED", "IN_PROGRESS", "CANCELLED"])).toBe("RELEASED, IN_PROGRESS or CANCELLED");
  });
});

describe("status update", () => {
  const at = new Date("2027-03-01T08:00:00Z");
  const earlier = new Date("2027-02-28T08:00:00Z");

  it("stamps release, first start, completion and close", () => {
    expect(statusUpdate({ startedAt: null }, "RELEASED", at)).toEqual({ status: "RELEASED", releasedAt: at });
    expect(statusUpdate({ startedAt: null }, "IN_PROGRESS", at)).toEqual({ status: "IN_PROGRESS", startedAt: at });
    expect(statusUpdate({ startedAt: earlier }, "COMPLETED", at)).toEqual({ status: "COMPLETED", completedAt: at });
    expect(statusUpdate({ startedAt: earlier }, "CLOSED", at)).toEqual({ status: "CLOSED", closedAt: at });
  });

  it("keeps the first start when resuming from a hold", () => {
    expect(statusUpdate({ startedAt: earlier }, "IN_PROGRESS", at)).toEqual({ status: "IN_PROGRESS" });
  });

  it("stamps nothing for a hold or a cancellation", () => {
    expect(statusUpdate({ startedAt: earlier }, "ON_HOLD", at)).toEqual({ status: "ON_HOLD" });
    expect(statusUpdate({ startedAt: null }, "CANCELLED", at)).toEqual({ status: "CANCELLED" });
  });
});

describe("holds", () => {
  it("apply to open orders only", () => {
    for (const status of ["PLANNED", "RELEASED", "IN_PROGRESS", "ON_HOLD"] as const) {
      expect(() => assertHoldable({ number: "WO-1", status })).not.toThrow();
    }
    for (const status of ["COMPLETED", "CLOSED", "CANCELLED"] as const) {
      const err = refusal(() => assertHoldable({ number: "WO-1", status }));
      expect(err.message).toBe(`Work order WO-1 is ${status}; only an open work order can be put on hold`);
      expect(err.extensions.code).toBe("CONFLICT");
    }
  });
});
