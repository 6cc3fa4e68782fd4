import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import { Prisma } from "./generated/prisma/client.ts";
import { assertRunnable, fitsCapacity, operationLabel, reportCapacity } from "./operation-rules.ts";

const d = (n: number | string) => new Prisma.Decimal(n);

describe("over-production tolerance", () => {
  it("allows the order quantity plus the tolerance, minus good and scrap reported", () => {
    const cap = reportCapacity(d(100), 5, d(90), d(10));
    expect(cap.limit.toString()).toBe("105");
    expect(cap.reported.toString()).toBe("100");
    expect(cap.remaining.toString()).toBe("5");
  });

  it("accepts exactly the remaining quantity and refuses one unit more", () => {
    const cap = reportCapacity(d(100), 5, d(90), d(10));
    expect(fitsCapacity(cap, d(5), d(0))).toBe(true);
    expect(fitsCapacity(cap, d(3), d(2))).toBe(true);
    expect(fitsCapacity(cap, d(6), d(0))).toBe(false);
    expect(fitsCapacity(cap, d(5), d("0.0001"))).toBe(false);
  });

  it("with no tolerance allows the order quantity and nothing more", () => {
    const cap = reportCapacity(d(10), 0, d(0), d(0));
    expect(cap.remaining.toString()).toBe("10");
    expect(fitsCapacity(cap, d(10), d(0))).toBe(true);
    expect(fitsCapacity(cap, d("10.0001"), d(0))).toBe(false);
  });

  it("keeps fractional quantities exact", () => {
    // 12.5 * 1.1 = 13.75; 13.75 - 7.3 - 0.2 = 6.25
    const cap = reportCapacity(d("12.5"), 10, d("7.3"), d("0.2"));
    expect(cap.limit.toString()).toBe("13.75");
    expect(cap.remaining.toString()).toBe("6.25");
  });

  it("goes negative when more was reported than a lowered tolerance allows", () => {
    const cap = reportCapacity(d(100), 0, d(103), d(0));
    expect(cap.remaining.toString()).toBe("-3");
    expect(fitsCapacity(cap, d(0), d("0.5"))).toBe(false);
  });

  it("on a zero-quantity order leaves room for nothing", () => {
    const cap = reportCapacity(d(0), 5, d(0), d(0));
    expect(cap.remaining.toString()).toBe("0");
    expect(fitsCapacity(cap, d(1), d(0))).toBe(false);
  });
});

describe("runnable operations", () => {
  const op = { sequence: 10, name: "Cut", status: "READY" as const };
  const refusal = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return err as GraphQLError;
    }
    throw new Error("expected a refusal");
  };

  it("run on a RELEASED or IN_PROGRESS order", () => {
    expect(() => assertRunnable({ number: "WO-1", status: "RELEASED" }, op)).not.toThrow();
    expect(() => assertRunnable({ number: "WO-1", status: "IN_PROGRESS" }, { ...op, status: "PAUSED" })).not.toThrow();
  });

  it("do not run on an order in another status", () => {
    for (const status of ["PLANNED", "ON_HOLD", "COMPLETED", "CLOSED", "CANCELLED"] as const) {
      const err = refusal(() => assertRunnable({ number: "WO-1", status }, op));
      expect(err.message).toBe(`Work order WO-1 is ${status}; its operations can run once it is RELEASED or IN_PROGRESS`);
    }
  });

  it("do not run once completed", () => {
    expect(refusal(() => assertRunnable({ number: "WO-1", status: "IN_PROGRESS" }, { ...op, status: "COMPLETED" })).message).toBe(
      "The operation 10 (Cut) of WO-1 is already completed",
    );
  });

  it("are named by sequence, name and order", () => {
    expect(operationLabel({ number: "WO-7" }, { sequence: 20, name: "Weld" })).toBe("operation 20 (Weld) of WO-7");
  });
});
