// Instants of things that must already have happened (an arrival, a departure): pure, no database.
import { zDate } from "@mes/shared";

/** How far ahead of this server's clock a client's clock may run. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Whether `at` may already have happened at `now`, allowing CLOCK_SKEW_MS of clock difference. */
export function hasHappened(at: Date, now: Date): boolean {
  return at.getTime() <= now.getTime() + CLOCK_SKEW_MS;
}

/** A DateTime of something that has happened: at most 5 minutes ahead of now (clock skew). */
export const zHappened = zDate.refine((at) => hasHappened(at, new Date()), "must not be in the future: it records something that happened");
