import { clip, union, type Interval } from "./intervals.ts";

// The planned operation time of a period from the plant's shift calendar (docs/kpis/equipment.md,
// "A period and its shift calendar"); the hand-computed tests are beside this file.

/** Planned operation time of a window: the spans the plant planned to produce in, and their breaks. */
export interface PlannedTime {
  planned: Interval[];
  breaks: Interval[];
}

/** A shift window as equipment's copy of the shifts subgraph's reference data carries it (UTC instants). */
export interface ShiftWindowFact {
  startsAt: Date | null;
  endsAt: Date | null;
}

/**
 * Planned operation time of [from, to) = the parts of the window covered by the plant's shifts;
 * shifts that overlap count once. No shifts: nothing is planned (every OEE factor null). No breaks:
 * the copy carries only each shift's window (Shift.oee, which gets the shift's breaks from the
 * gateway, takes them out). A shift without a window is skipped; time after now is cut by computeOee.
 */
export function plannedFromShifts(shifts: readonly ShiftWindowFact[], from: Date, to: Date): PlannedTime {
  const windows = shifts.flatMap((s) => (s.startsAt && s.endsAt ? [{ start: s.startsAt.getTime(), end: s.endsAt.getTime() }] : []));
  return { planned: clip(union(windows), { start: from.getTime(), end: to.getTime() }), breaks: [] };
}
