import { requestQueries } from "./db.ts";

/**
 * The current time for anything a read answers with (the current shift, "down for 12 minutes",
 * what is overdue). It marks the request's answer as aging with the clock, so the read cache keeps
 * it only briefly (READ_CACHE_CLOCK_MS) instead of until the data changes. Use it, not `new Date()`,
 * in every resolver and domain module (test/clock-use.test.ts checks).
 */
export function clockNow(): Date {
  const scope = requestQueries.getStore();
  if (scope) scope.clock = true;
  return new Date();
}

/** clockNow in milliseconds since the epoch. */
export function clockMs(): number {
  return clockNow().getTime();
}
