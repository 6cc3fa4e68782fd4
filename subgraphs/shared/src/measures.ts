import { badUserInput } from "./errors.ts";

/** A ratio with its parts; the value is null when there is nothing to divide by (never NaN). */
export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

/** Checks a [from, to) argument pair: `to` after `from`, at most `maxDays` apart. */
export function requireWindow(from: Date, to: Date, maxDays: number): void {
  if (!(from < to)) throw badUserInput("to must be after from", [{ field: "to", message: "must be after from" }]);
  if (to.getTime() - from.getTime() > maxDays * 86_400_000) {
    throw badUserInput(`from and to may be at most ${maxDays} days apart`, [{ field: "to", message: `at most ${maxDays} days after from` }]);
  }
}
