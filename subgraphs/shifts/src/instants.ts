// Instants of things that must already have happened (an arrival, a departure): pure, no database.
import { CLOCK_SKEW_MS, isInFuture, zDate, clockNow } from "@mes/shared";

export { CLOCK_SKEW_MS };

/** Whether `at` may already have happened at `now`, allowing CLOCK_SKEW_MS of clock difference. */
export function hasHappened(at: Date, now: Date): boolean {
  return !isInFuture(at, now);
}

/** A DateTime of something that has happened: at most 5 minutes ahead of now (clock skew). */
export const zHappened = zDate.refine((at) => hasHappened(at, clockNow()), "must not be in the future: it records something that happened");
