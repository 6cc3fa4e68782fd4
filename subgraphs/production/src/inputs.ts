import { z } from "zod";
import { badUserInput, parseInput, requireId, zText } from "@mes/shared";

// The kit's rules for times that must have happened, re-exported for this subgraph's modules.
export { CLOCK_SKEW_MS, isInFuture, zHappened } from "@mes/shared";

/** A reason, resolution or note argument: required, trimmed, bounded. */
export function requiredText(value: string, argName: string): string {
  return parseInput(zText, value, argName);
}

export function optionalText(value: string | null | undefined, argName: string): string | null {
  return value == null ? null : parseInput(zText, value, argName);
}

/** An operator is named by the person id the shifts subgraph knows them by. */
export const zOperatorId = z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters");

/** The longest [from, to) window a schedule or KPI query may ask for (a quarter). */
export const MAX_WINDOW_DAYS = 92;

/**
 * Decimal places of a number as the caller wrote it: a JSON number parses to the double whose
 * shortest form is what was sent (0.00001 -> "0.00001", 1e-9 -> "1e-9"), so this is exact.
 */
export function decimalPlaces(value: number): number {
  const [mantissa = "", exponent = "0"] = String(Math.abs(value)).split("e");
  return Math.max(0, (mantissa.split(".")[1] ?? "").length - Number(exponent));
}

/**
 * A number for a NUMERIC(p, scale) column, within bounds and with at most `scale` decimal places.
 * Local, not the kit's zDecimal: its fitsScale lets through values below 10^-(scale + 6), which the
 * column then stores as 0 (1e-9 at scale 2, 1e-11 at scale 4).
 */
export function zNumeric(scale: number, bounds: { min?: number; minMessage?: string; greaterThan?: number; max: number }) {
  let n = z.number();
  if (bounds.greaterThan !== undefined) n = n.gt(bounds.greaterThan, `must be greater than ${bounds.greaterThan}`);
  if (bounds.min !== undefined) n = n.min(bounds.min, bounds.minMessage ?? `must be ${bounds.min} or more`);
  n = n.max(bounds.max, `must be at most ${bounds.max}`);
  return n.refine((v) => decimalPlaces(v) <= scale, `must have at most ${scale} decimal places`);
}

/** Order and bill-of-materials quantities (NUMERIC(18, 4)): greater than 0, at most 4 decimal places. */
export const zQuantity = zNumeric(4, { greaterThan: 0, max: 1e12 });
/** Good or scrap units reported (NUMERIC(18, 4)): 0 or more, at most 4 decimal places. */
export const zCount = zNumeric(4, { min: 0, minMessage: "must not be negative", max: 1e12 });

// Routing times are NUMERIC(10, 2): 8 integer digits, 2 decimals (more would be rounded away).
const ROUTING_TIME_MAX = 99_999_999.99;
/** Setup minutes of a routing step: 0 or more, at most 2 decimal places. */
export const zSetupMinutes = zNumeric(2, { min: 0, max: ROUTING_TIME_MAX });
/** Cycle seconds of a routing step: greater than 0, at most 2 decimal places. */
export const zCycleSeconds = zNumeric(2, { greaterThan: 0, max: ROUTING_TIME_MAX });

/** An optional [after, before) filter window: when both are given, one that is empty or reversed is refused naming its end. */
export function optionalWindow(after: Date | null | undefined, before: Date | null | undefined, field: string): void {
  if (after && before && !(after < before)) throw badUserInput(`${field} must be after its start`, [{ field, message: "must be after the start" }]);
}

type Subscribe = (source: never, args: never, ctx: never) => unknown;

/**
 * A subscription field whose optional id arguments are checked when it starts: a malformed one is
 * refused naming it, rather than subscribing to events that can never match.
 */
export function withCheckedIds<F extends { subscribe: Subscribe }>(field: F, names: readonly string[]): F {
  const subscribe = field.subscribe as (source: unknown, args: Record<string, unknown>, ctx: unknown) => unknown;
  const checked = (source: unknown, args: Record<string, unknown>, ctx: unknown) => {
    for (const name of names) if (args[name] != null) requireId(args[name] as string, name);
    return subscribe(source, args, ctx);
  };
  return { ...field, subscribe: checked };
}
