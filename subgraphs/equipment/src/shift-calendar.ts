import { breakWindows, type PatternBreak } from "@mes/shared";
import { clip, subtract, union, type Interval } from "./intervals.ts";

// The planned operation time of a period from the plant's shift calendar (docs/kpis/equipment.md,
// "A period and its shift calendar"); the hand-computed tests are beside this file.

/** Planned operation time of a window: the spans the plant planned to produce in, and their breaks. */
export interface PlannedTime {
  planned: Interval[];
  breaks: Interval[];
}

/**
 * A shift as equipment's copy of the shifts subgraph's reference data carries it: its window (UTC
 * instants), and what places its breaks (its details: patternId, businessDate; its pattern's:
 * startMinute, timeZone, breaks), null while the copy lacks them.
 */
export interface ShiftWindowFact {
  startsAt: Date | null;
  endsAt: Date | null;
  details?: Record<string, unknown> | null;
  pattern?: Record<string, unknown> | null;
}

const isBreak = (b: unknown): b is PatternBreak =>
  typeof b === "object" &&
  b !== null &&
  Number.isInteger((b as PatternBreak).startOffsetMinutes) &&
  Number.isInteger((b as PatternBreak).durationMinutes);

/** A shift's breaks as intervals, placed as the shifts subgraph places them (breakWindows); none when the copy cannot tell. */
export function shiftBreaks(shift: ShiftWindowFact): Interval[] {
  const { startsAt, endsAt, details, pattern } = shift;
  const businessDate = typeof details?.businessDate === "string" ? new Date(`${details.businessDate.slice(0, 10)}T00:00:00Z`) : null;
  const { startMinute, timeZone, breaks } = pattern ?? {};
  if (!startsAt || !endsAt || !businessDate || Number.isNaN(businessDate.getTime())) return [];
  if (!Number.isInteger(startMinute) || typeof timeZone !== "string" || !Array.isArray(breaks) || !breaks.every(isBreak)) return [];
  return breakWindows({ businessDate, startsAt, endsAt }, { startMinute: startMinute as number, timeZone }, breaks).map((w) => ({
    start: w.startsAt.getTime(),
    end: w.endsAt.getTime(),
  }));
}

/**
 * Planned operation time of [from, to) = the parts of the window covered by the plant's shifts;
 * shifts that overlap count once. Breaks are the shifts' own (their patterns', as Shift.breakWindows
 * places them); a moment is a break only when no shift covering it works then. No shifts: nothing is
 * planned (every OEE factor null). A shift without a window is skipped; time after now is cut by computeOee.
 */
export function plannedFromShifts(shifts: readonly ShiftWindowFact[], from: Date, to: Date): PlannedTime {
  const window = { start: from.getTime(), end: to.getTime() };
  const placed = shifts.flatMap((s) =>
    s.startsAt && s.endsAt ? [{ span: { start: s.startsAt.getTime(), end: s.endsAt.getTime() }, breaks: shiftBreaks(s) }] : [],
  );
  const working = union(placed.flatMap((s) => subtract([s.span], s.breaks)));
  const breaks = subtract(union(placed.flatMap((s) => s.breaks)), working);
  return { planned: clip(union(placed.map((s) => s.span)), window), breaks: clip(breaks, window) };
}
