import type { PmTrigger } from "./generated/prisma/enums.ts";
import { clip, minutes, span } from "./intervals.ts";

// When preventive maintenance falls due: the usage of a schedule since its last reset, in the
// schedule's own unit, against its interval. Pure, so the rules are tested without a database.

const DAY_MS = 86_400_000;

/** CALENDAR usage: days from the last reset to `asOf` (0 before the reset). */
export function calendarDays(lastResetAt: Date, asOf: Date): number {
  return asOf <= lastResetAt ? 0 : (asOf.getTime() - lastResetAt.getTime()) / DAY_MS;
}

/** RUN_HOURS usage: hours in RUNNING intervals between the last reset and `asOf` (an open one runs until `asOf`). */
export function runHours(running: { startedAt: Date; endedAt: Date | null }[], lastResetAt: Date, asOf: Date): number {
  if (asOf <= lastResetAt) return 0;
  return (
    minutes(
      clip(
        running.map((r) => span(r.startedAt, r.endedAt, asOf)),
        { start: lastResetAt.getTime(), end: asOf.getTime() },
      ),
    ) / 60
  );
}

/** The time usage is counted up to: `asOf`, but never beyond now (an asOf within the clock skew ahead counts as now). */
export function usageUntil(asOf: Date, now: Date): Date {
  return asOf > now ? now : asOf;
}

/** A schedule is due once its usage has reached its interval. */
export function isDue(usage: number, interval: number): boolean {
  return usage >= interval;
}

/** The number of the maintenance order of one schedule generation (unique per organization). */
export function pmOrderNumber(machineCode: string, scheduleId: string, generation: number): string {
  return `PM-${machineCode}-${scheduleId.slice(0, 8)}-${generation}`;
}

/** e.g. "Weekly lubrication (calendar interval 7)", "Spindle inspection (run hours interval 200)". */
export function pmOrderDescription(name: string, trigger: PmTrigger, interval: string): string {
  return `${name} (${trigger.toLowerCase().replace("_", " ")} interval ${interval})`;
}
