import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import {
  CLOCK_SKEW_MS,
  decimalPlaces,
  isInFuture,
  optionalWindow,
  withCheckedIds,
  zCount,
  zCycleSeconds,
  zHappened,
  zQuantity,
  zSetupMinutes,
} from "./inputs.ts";

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) => schema.safeParse(v).success;

describe("times that must have happened", () => {
  const now = new Date("2026-06-01T12:00:00Z");

  it("allows the past, now and the clock skew, and refuses anything later", () => {
    expect(isInFuture(new Date("2026-06-01T11:00:00Z"), now)).toBe(false);
    expect(isInFuture(now, now)).toBe(false);
    expect(isInFuture(new Date(now.getTime() + CLOCK_SKEW_MS), now)).toBe(false);
    expect(isInFuture(new Date(now.getTime() + CLOCK_SKEW_MS + 1), now)).toBe(true);
  });

  it("zHappened refuses a time two days ahead as in the future", () => {
    const result = zHappened.safeParse(new Date(Date.now() + 2 * 86_400_000));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("must not be in the future");
    expect(ok(zHappened, new Date())).toBe(true);
  });
});

describe("numbers as their columns keep them", () => {
  it("counts decimal places as written, in plain and exponent form", () => {
    expect(decimalPlaces(0)).toBe(0);
    expect(decimalPlaces(42)).toBe(0);
    expect(decimalPlaces(1e21)).toBe(0);
    expect(decimalPlaces(12.5)).toBe(1);
    expect(decimalPlaces(-0.0001)).toBe(4);
    expect(decimalPlaces(0.00001)).toBe(5);
    expect(decimalPlaces(1e-9)).toBe(9);
    expect(decimalPlaces(1.5e-7)).toBe(8);
    expect(decimalPlaces(1.000000001)).toBe(9);
  });

  it("quantities: greater than 0, never a value NUMERIC(18, 4) would store as 0 or round", () => {
    expect(ok(zQuantity, 0.0001)).toBe(true);
    expect(ok(zQuantity, 1e12)).toBe(true);
    for (const v of [0, 0.00001, 1e-9, 1e-11, 1e-15, 1.00000001, 1e12 + 1]) expect(ok(zQuantity, v), String(v)).toBe(false);
  });

  it("counts: 0 or more with at most 4 decimal places, never below what NUMERIC(18, 4) keeps", () => {
    expect(ok(zCount, 0)).toBe(true);
    expect(ok(zCount, 1.2345)).toBe(true);
    expect(ok(zCount, 1e12)).toBe(true);
    expect(ok(zCount, 0.00001)).toBe(false);
    expect(ok(zCount, 1e-9)).toBe(false);
    expect(ok(zCount, 1e13)).toBe(false);
    expect(zCount.safeParse(-1).error?.issues[0]?.message).toBe("must not be negative");
  });

  it("routing times: at most 2 decimal places and below 10^8 (NUMERIC(10, 2))", () => {
    expect(ok(zSetupMinutes, 0)).toBe(true);
    expect(ok(zSetupMinutes, 12.5)).toBe(true);
    expect(ok(zSetupMinutes, 99_999_999.99)).toBe(true);
    expect(ok(zSetupMinutes, 0.001)).toBe(false);
    expect(ok(zSetupMinutes, 1e8)).toBe(false);
    expect(ok(zCycleSeconds, 0.01)).toBe(true);
    expect(ok(zCycleSeconds, 0)).toBe(false);
    expect(ok(zCycleSeconds, 0.005)).toBe(false);
    expect(ok(zCycleSeconds, 1e9)).toBe(false);
    for (const v of [1e-9, 1e-12, 10.001]) {
      expect(ok(zSetupMinutes, v), String(v)).toBe(false);
      expect(ok(zCycleSeconds, v), String(v)).toBe(false);
    }
  });
});

describe("argument checks", () => {
  const fieldsOf = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return (e as GraphQLError).extensions.fields;
    }
    return undefined;
  };

  it("refuses an empty or reversed optional window naming its end, and lets an open one through", () => {
    const a = new Date("2026-06-01T00:00:00Z");
    const b = new Date("2026-06-02T00:00:00Z");
    expect(fieldsOf(() => optionalWindow(b, a, "filter.dueBefore"))).toEqual([{ field: "filter.dueBefore", message: "must be after the start" }]);
    expect(fieldsOf(() => optionalWindow(a, a, "filter.dueBefore"))).toHaveLength(1);
    expect(fieldsOf(() => optionalWindow(a, b, "filter.dueBefore"))).toBeUndefined();
    expect(fieldsOf(() => optionalWindow(a, null, "filter.dueBefore"))).toBeUndefined();
  });

  it("checks a subscription's id arguments before it subscribes", () => {
    let subscribed = 0;
    const field = withCheckedIds({ subscribe: (_s: unknown, _a: { plantId?: string | null }) => ++subscribed }, ["plantId"]);
    const subscribe = field.subscribe as (s: unknown, a: object) => unknown;
    expect(fieldsOf(() => subscribe(null, { plantId: "plant-1" }))).toEqual([{ field: "plantId", message: "must be a UUID" }]);
    expect(subscribed).toBe(0);
    subscribe(null, { plantId: null });
    subscribe(null, { plantId: "0b0b0b0b-0000-4000-8000-000000000001" });
    expect(subscribed).toBe(2);
  });
});
