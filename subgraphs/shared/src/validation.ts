import { clockNow } from "./clock.ts";
import { z } from "zod";

/** zod building blocks for mutation input, with messages a person can act on. */
export const zId = z.uuid({ error: "must be a valid id (UUID)" });
export const zCode = z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters");
export const zName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

/**
 * Whether `value` has at most `scale` decimal places, as a NUMERIC(p, scale) column keeps them (so
 * 0.00001 is refused rather than stored as 0): rounding to `scale` places may change it by no more
 * than the double's own rounding error.
 */
export function fitsScale(value: number, scale: number): boolean {
  const factor = 10 ** scale;
  const rounded = Math.round(value * factor) / factor;
  return Math.abs(rounded - value) <= 4 * Number.EPSILON * Math.max(1, Math.abs(value));
}

/** A number for a NUMERIC column with `scale` decimal places, within [min, max] (min exclusive for "greater than"). */
export function zDecimal(scale: number, bounds: { min?: number; greaterThan?: number; max: number }) {
  let n = z.number().finite();
  if (bounds.greaterThan !== undefined) n = n.gt(bounds.greaterThan, `must be greater than ${bounds.greaterThan}`);
  if (bounds.min !== undefined) n = n.min(bounds.min, `must be ${bounds.min} or more`);
  n = n.max(bounds.max, `must be at most ${bounds.max}`);
  return n.refine((v) => fitsScale(v, scale), `must have at most ${scale} decimal places`);
}

/** Quantities (NUMERIC(18,4)): greater than 0, at most 4 decimal places. */
export const zQuantity = zDecimal(4, { greaterThan: 0, max: 1e12 });
/** Non-negative amounts of NUMERIC(18,4) columns (setup minutes, reorder points, …). */
export const zNonNegative = zDecimal(4, { min: 0, max: 1e12 });
/** Costs per unit (NUMERIC(18,6)). */
export const zUnitCost = zDecimal(6, { min: 0, max: 1e9 });
/** Measured values and limits (NUMERIC(18,6)), of either sign. */
export const zMeasure = zDecimal(6, { min: -1e9, max: 1e9 });
/** An optional text a person writes: absent or null, or not blank (blank is refused, not stored as ""). */
export const zOptionalText = (max = 5000) =>
  z.string().trim().min(1, "must not be blank: leave it out instead").max(max, `must be at most ${max} characters`).nullish();
export const zDate = z.date({ error: "must be a valid date-time" });

/** How far ahead of this server's clock a reported time may be (the reporter's clock may run fast). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Whether `at` lies beyond `now` by more than the clock skew: something that cannot have happened yet. */
export function isInFuture(at: Date, now = clockNow()): boolean {
  return at.getTime() > now.getTime() + CLOCK_SKEW_MS;
}

/** A time at which something already happened (a downtime's end, units made, an arrival): never in the future. */
export const zHappened = zDate.refine((d) => !isInFuture(d), "must not be in the future");
/** A reason, note or description a person writes: required, trimmed, bounded. */
export const zText = z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters");

/**
 * The zod shape of a generated GraphQL input type T, written `z.object({...} satisfies InputShape<T>)`:
 * exactly T's fields (a field added to the SDL input but not validated, or validated but not in the
 * SDL, fails to compile), each accepting nothing T's field does not allow (an SDL type change fails
 * too). zod may be stricter (refuse null for a field with an SDL default) and may transform.
 */
export type InputShape<T> = { [K in keyof T]-?: z.ZodType<unknown, T[K]> };
