import { localToUtc } from "./time.ts";

// A shift's breaks as instants, computed the same way by the shifts subgraph (Shift.breakWindows)
// and by equipment from its copy of the shift calendar (period OEE): one rule, one place.

/** A break of a shift pattern: local wall-clock minutes after the pattern's start, and its length in real minutes. */
export interface PatternBreak {
  startOffsetMinutes: number;
  durationMinutes: number;
}

/**
 * A shift's breaks as instants. A break starts at its local wall-clock time (the pattern's local
 * start + startOffsetMinutes, through localToUtc's rule) and lasts durationMinutes real minutes.
 * On the spring-forward night a break starting in the skipped hour starts at the jump (03:00), after
 * an earlier break moved there if they would overlap; every break is cut at the shift's end, which
 * shortens one only when the skipped hour shortened the shift. Breaks come back in start order.
 */
export function breakWindows(
  shift: { businessDate: Date; startsAt: Date; endsAt: Date },
  pattern: { startMinute: number; timeZone: string },
  breaks: readonly PatternBreak[],
): { startsAt: Date; endsAt: Date }[] {
  const windows: { startsAt: Date; endsAt: Date }[] = [];
  let previousEnd = shift.startsAt.getTime();
  for (const b of [...breaks].sort((x, y) => x.startOffsetMinutes - y.startOffsetMinutes)) {
    const wallClock = localToUtc(shift.businessDate, pattern.startMinute + b.startOffsetMinutes, pattern.timeZone).getTime();
    const start = Math.min(Math.max(wallClock, previousEnd), shift.endsAt.getTime());
    const end = Math.min(start + b.durationMinutes * 60_000, shift.endsAt.getTime());
    previousEnd = end;
    if (end > start) windows.push({ startsAt: new Date(start), endsAt: new Date(end) });
  }
  return windows;
}
